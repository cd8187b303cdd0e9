"""The torikumi questionnaire as data: ids, codes and labels exactly as docs/questionnaire.md."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from forms import registry
from forms.expression import parse
from forms.model import OTHER, Choice, Kind, Label, Question, Questionnaire, Section
from forms.rules import Context

TORIKUMI = registry.latest("torikumi")

PRODUCT_MD = Path(__file__).resolve().parents[3] / "shared" / "spec" / "PRODUCT.md"

QUESTIONS: list[tuple[str, Kind, str]] = [
    ("plan_status", Kind.ONE_OF, "計画の策定状況"),
    ("plan_name", Kind.TEXT, "計画の名称"),
    ("plan_date", Kind.DATE, "策定日"),
    ("plan_integrated_with", Kind.MANY_OF, "一体的に策定した計画"),
    ("plan_integrated_with_other", Kind.TEXT, "一体的に策定した計画（その他の内容）"),
    ("lead_department", Kind.TEXT, "所管部署"),
    ("lead_department_undecided", Kind.BOOL, "所管部署未定"),
    ("plan_challenges", Kind.MANY_OF, "計画策定を進める上での課題"),
    ("plan_challenges_other", Kind.TEXT, "計画策定を進める上での課題（その他の内容）"),
    ("programs", Kind.MANY_OF, "実施している事業"),
    ("programs_other", Kind.TEXT, "実施している事業（その他の内容）"),
    ("cooperating_employers", Kind.INTEGER, "協力雇用主数（把握している場合）"),
    ("program_challenges", Kind.MANY_OF, "各種事業を進める上での課題"),
    ("program_challenges_other", Kind.TEXT, "各種事業を進める上での課題（その他の内容）"),
    ("consultation_setup", Kind.ONE_OF, "相談支援体制"),
    ("consultation_setup_other", Kind.TEXT, "相談支援体制（その他の内容）"),
    ("consultations_received", Kind.INTEGER, "前年度に受け付けた犯罪に関する相談件数"),
    ("consultation_challenges", Kind.MANY_OF, "相談対応拡充を進める上での課題"),
    ("consultation_challenges_other", Kind.TEXT, "相談対応拡充を進める上での課題（その他の内容）"),
    ("requests", Kind.MANY_OF, "都への要望"),
    ("requests_other", Kind.TEXT, "都への要望（その他の内容）"),
    ("comments", Kind.TEXT, "自由記述"),
    ("contact_department", Kind.TEXT, "回答部署"),
    ("contact_name", Kind.TEXT, "回答者氏名"),
    ("contact_phone", Kind.PHONE, "電話番号"),
    ("contact_email", Kind.EMAIL, "メールアドレス"),
]

OTHER_LABEL = "その他"
CHOICES: dict[str, list[tuple[str, str]]] = {
    "plan_status": [
        ("formulated", "①策定済み"),
        ("public_comment", "②パブリックコメント手続中（終了している場合を含む）"),
        ("council_review", "③関係機関等との協議会等で検討中"),
        ("internal_planning", "④庁内で策定に向けて検討中（協議会等の設置予定を含む）"),
        ("internal_feasibility", "⑤庁内で策定の可否を検討中"),
        ("no_plan", "⑥現時点で策定予定なし"),
    ],
    "plan_integrated_with": [
        ("regional_welfare", "地域福祉計画"),
        ("crime_prevention", "防犯に関する計画"),
        ("other", OTHER_LABEL),
    ],
    "plan_challenges": [
        ("no_lead_department", "所管部署が決まらない・庁内調整が進まない"),
        ("lack_of_staff", "他の課題（感染症対策等）によりマンパワーが不足"),
        ("low_internal_understanding", "庁内における再犯防止への理解が進んでいない"),
        ("other", OTHER_LABEL),
    ],
    "programs": [
        ("shamei_campaign", "社会を明るくする運動"),
        ("awareness_events", "シンポジウムや講演会等による広報・啓発活動"),
        ("hogoshi_support", "面接場所の提供など保護司活動への協力・支援"),
        ("hogoshi_subsidy", "地区保護司会への補助金等の財政的支援"),
        (
            "employer_support",
            "協力雇用主への支援（制度の普及啓発、公共調達における受注機会の提供等）",
        ),
        ("youth_employment", "保護観察対象少年の雇用"),
        ("other", OTHER_LABEL),
    ],
    "program_challenges": [
        ("lack_statistics", "統計データが不足"),
        ("lack_target_info", "支援すべき対象者の情報が不足"),
        ("lack_employer_info", "協力雇用主等の情報が不足"),
        ("low_community_awareness", "地域社会の理解・気運が高まっていない"),
        ("other", OTHER_LABEL),
    ],
    "consultation_setup": [
        ("dedicated_window", "犯罪に関する相談の専門窓口がある"),
        ("general_welfare_window", "福祉の総合相談窓口等で受け付け、関係部署につなぐ"),
        ("departmental", "福祉部門の各担当部署（高齢者・障害等）で受け付け、部署間で連携"),
        ("none", "特に体制はない"),
        ("other", OTHER_LABEL),
    ],
    "consultation_challenges": [
        ("lack_expertise", "専門的知識・ノウハウが無い"),
        ("staffing", "人材の確保が困難"),
        ("privacy", "本人のプライバシーや対応職員への配慮"),
        ("multi_agency", "複合的なケースでの関係部署・関係機関との連携"),
        ("other", OTHER_LABEL),
    ],
    "requests": [
        ("information", "情報発信や広報啓発の強化"),
        ("training", "再犯防止に関する研修会"),
        ("liaison_meetings", "定期的な連絡会・情報交換"),
        ("national_exchange", "国（法務省）・東京保護観察所との意見交換"),
        ("consultation_knowhow", "相談事業で得られた知見を活かした支援"),
        ("other", OTHER_LABEL),
    ],
}
ALWAYS_REQUIRED = {
    "plan_status",
    "consultation_setup",
    "contact_name",
    "contact_phone",
    "contact_email",
}


def test_question_ids_kinds_and_labels_in_order() -> None:
    assert [(q.id, q.kind, q.label.ja) for q in TORIKUMI] == QUESTIONS


@pytest.mark.parametrize("question_id", sorted(CHOICES))
def test_choice_codes_and_labels(question_id: str) -> None:
    question = TORIKUMI.question(question_id)
    assert [(c.code, c.display("ja")) for c in question.choices] == CHOICES[question_id]


def test_every_choice_question_is_in_the_table() -> None:
    assert {q.id for q in TORIKUMI.choice_questions} == set(CHOICES)


def test_ids_and_codes_are_unique_and_stable_identifiers() -> None:
    ids = [q.id for q in TORIKUMI]
    assert len(ids) == len(set(ids))
    for question in TORIKUMI:
        assert question.id.isascii()
        assert question.id == question.id.lower()
        assert len(question.codes) == len(set(question.codes))
        assert all(code.isascii() and code == code.lower() for code in question.codes)


def test_every_other_choice_has_its_text_field_and_nothing_else_does() -> None:
    for question in TORIKUMI.choice_questions:
        if OTHER in question.codes:
            text = TORIKUMI.question(question.id + "_other")
            assert text.kind == Kind.TEXT
            assert text.other_of == question.id
            chosen = parse(f"selected(${{{question.id}}}, '{OTHER}')")
            assert text.required == chosen
            assert text.relevant == chosen
            assert question.choice(OTHER) is not None
            assert question.choice(OTHER).label.ja == OTHER_LABEL  # type: ignore[union-attr]
    for question in TORIKUMI:
        if question.id.endswith("_other"):
            assert question.other_of is not None
            assert OTHER in TORIKUMI.question(question.other_of).codes


def test_english_labels_exist_for_everything() -> None:
    for question in TORIKUMI:
        assert question.label.en.strip(), question.id
        assert question.label.get("en") == question.label.en
        assert question.label.get("ja") == question.label.ja
        for choice in question.choices:
            assert choice.label.en.strip(), (question.id, choice.code)


def required(question_id: str, answers: dict[str, object]) -> bool:
    return Context(TORIKUMI, answers).is_required(TORIKUMI.question(question_id))


def test_requirements_as_the_product_describes() -> None:
    assert {q.id for q in TORIKUMI if q.required is True} == ALWAYS_REQUIRED
    q = TORIKUMI.question
    assert required("plan_name", {"plan_status": "formulated"})
    assert required("plan_name", {"plan_status": "public_comment"})
    assert not required("plan_name", {"plan_status": "council_review"})
    assert required("plan_date", {"plan_status": "formulated"})
    assert not required("plan_date", {"plan_status": "public_comment"})
    assert q("plan_date").constraint == parse(
        "${plan_status} != 'formulated' or . <= ${reference_date}"
    )
    assert required("lead_department", {})
    assert not required("lead_department", {"lead_department_undecided": True})
    assert q("plan_name").max_length == 200
    assert q("lead_department").max_length == 100
    assert q("comments").max_length == 2000
    assert q("cooperating_employers").min_value == 0
    assert q("consultations_received").min_value == 0


def test_personal_fields_are_the_respondent_section() -> None:
    assert TORIKUMI.personal_fields == {
        "contact_department",
        "contact_name",
        "contact_phone",
        "contact_email",
    }
    assert (TORIKUMI.headline, TORIKUMI.listed_choice) == ("plan_status", "formulated")


@pytest.mark.skipif(not PRODUCT_MD.exists(), reason="shared/spec/PRODUCT.md is not beside the repo")
def test_labels_match_product_md_when_present() -> None:
    text = PRODUCT_MD.read_text(encoding="utf-8")
    for question in TORIKUMI:
        if question.other_of or question.kind == Kind.BOOL:
            continue
        assert f"`{question.id}` {question.label.ja}" in text, question.id
        for choice in question.choices:
            if choice.code != OTHER:
                assert f"`{choice.code}` {choice.display('ja')}" in text, choice.code


def test_registry_finds_the_questionnaire() -> None:
    assert registry.get("torikumi", 1) is TORIKUMI
    assert registry.latest("torikumi") is TORIKUMI
    assert "torikumi" in registry.ids()
    with pytest.raises(LookupError):
        registry.get("torikumi", 99)
    with pytest.raises(LookupError):
        registry.latest("nope")


def test_fingerprint_is_stable_and_changes_with_any_label() -> None:
    assert TORIKUMI.fingerprint() == TORIKUMI.fingerprint()
    changed = replace(TORIKUMI, title=Label("別の題", "Another title"))
    assert changed.fingerprint() != TORIKUMI.fingerprint()


def _tiny(*questions: Question) -> Questionnaire:
    return Questionnaire(
        id="tiny",
        version=1,
        title=Label("t", "t"),
        sections=(Section("A", Label("a", "a"), questions),),
    )


def test_a_definition_with_duplicate_ids_is_refused() -> None:
    q = Question("a", Kind.TEXT, Label("a", "a"))
    with pytest.raises(ValueError, match="duplicate"):
        _tiny(q, q)


def test_a_condition_on_an_unknown_question_is_refused() -> None:
    q = Question("a", Kind.TEXT, Label("a", "a"), required=parse("${missing} = 'x'"))
    with pytest.raises(ValueError, match="unknown question"):
        _tiny(q)


def test_a_listed_choice_must_exist() -> None:
    q = Question("a", Kind.ONE_OF, Label("a", "a"), choices=(Choice("x", Label("x", "x")),))
    with pytest.raises(ValueError, match="not a choice"):
        replace(_tiny(q), headline="a", listed_choice="y")
