"""Rules in words: what the template's hints, the 定義 sheet and the web form say about a rule."""

from __future__ import annotations

import pytest

from forms import registry
from forms.describe import (
    condition_text,
    constraint_text,
    expression_text,
    relevant_text,
    required_text,
    rule_texts,
    sentence,
)
from forms.expression import parse

TORIKUMI = registry.latest("torikumi")
PLAN_NAME_WHEN = "「計画の策定状況」が「①策定済み」・「②パブリックコメント手続中（終了している場合を含む）」のとき"


def test_the_rules_of_torikumi_read_as_the_council_paper_would_say_them() -> None:
    q = TORIKUMI.question
    assert rule_texts(q("plan_name"), TORIKUMI) == [f"{PLAN_NAME_WHEN}に回答", "200文字以内"]
    assert rule_texts(q("plan_date"), TORIKUMI) == [
        f"{PLAN_NAME_WHEN}に回答",
        "「計画の策定状況」が「①策定済み」のときは必須",
        "「計画の策定状況」が「①策定済み」のときは基準日以前の日付",
    ]
    assert (
        rule_texts(q("lead_department"), TORIKUMI)[0]
        == "「所管部署未定」が「はい」でないときに回答"
    )
    assert rule_texts(q("programs_other"), TORIKUMI)[0] == (
        "「実施している事業」で「その他」を選んだときに回答"
    )
    assert rule_texts(q("cooperating_employers"), TORIKUMI) == ["0以上"]
    assert rule_texts(q("plan_status"), TORIKUMI) == []


def test_english_descriptions() -> None:
    q = TORIKUMI.question
    assert relevant_text(q("plan_name"), TORIKUMI, "en") == (
        "Answer when “Status of the local plan” is “①Formulated” or "
        "“②In public comment (or finished)”"
    )
    assert required_text(q("plan_date"), TORIKUMI, "en") == (
        "Required when “Status of the local plan” is “①Formulated”"
    )
    assert constraint_text(q("plan_date"), TORIKUMI, "en") == (
        "when “Status of the local plan” is “①Formulated”: on or before the reference date"
    )
    assert sentence("Required when x", "en") == "Required when x."
    assert sentence("必須", "ja") == "必須。"
    assert sentence("", "ja") == ""


@pytest.mark.parametrize(
    ("rule", "ja", "en"),
    [
        (
            "${plan_status} != 'no_plan'",
            "「計画の策定状況」が「⑥現時点で策定予定なし」以外のとき",
            "when “Status of the local plan” is not “⑥No plan at present”",
        ),
        (
            "not(selected(${programs}, 'other'))",
            "「実施している事業」で「その他」を選ばなかったとき",
            "when “Other” is not chosen in “Programs carried out”",
        ),
        (
            "${comments} != ''",
            "「自由記述」が回答ありのとき",
            "when “Comments” is answered",
        ),
        (
            "${cooperating_employers} > 3 or ${lead_department_undecided}",
            "「協力雇用主数（把握している場合）」が3より大きい、または「所管部署未定」が「はい」のとき",
            "when “Cooperating employers (if known)” is more than 3 or "
            "“Lead department not yet decided” is ticked",
        ),
        (
            "count-selected(${programs}) >= 2",
            "「実施している事業」の選択数が2以上のとき",
            "when the number of choices in “Programs carried out” is at least 2",
        ),
        (
            "${plan_date} < ${reference_date}",
            "「策定日」が基準日より前のとき",
            "when “Date formulated” is before the reference date",
        ),
    ],
)
def test_conditions(rule: str, ja: str, en: str) -> None:
    assert condition_text(parse(rule), TORIKUMI) == ja
    assert condition_text(parse(rule), TORIKUMI, "en") == en


def test_anything_else_reads_as_the_expression_with_labels() -> None:
    rule = parse("${cooperating_employers} + ${consultations_received} > 10")
    assert condition_text(rule, TORIKUMI) == (
        "『「協力雇用主数（把握している場合）」 + 「前年度に受け付けた犯罪に関する相談件数」 > 10』"
        "が成り立つとき"
    )
    assert expression_text(parse("contains(${comments}, 'x')"), TORIKUMI, "en") == (
        "contains(“Comments”, 'x')"
    )


def test_a_label_typed_on_two_lines_is_quoted_on_one() -> None:
    """An author's line break inside a label stays on the form, but a rule that quotes the label
    (the template's hint, the 定義 sheet) and a chart's title read it on one line."""
    from forms.model import Label
    from forms.xlsform import read_xlsform
    from tests.questionnaires.authored import shuro_shien

    assert Label("取組を\n実施していますか", "Do you\nrun one").inline() == "取組を実施していますか"
    assert Label("取組を　\r\n実施", "Do you\r\n  run one").inline("en") == "Do you run one"
    assert Label("Step 1\n事業", "").inline() == "Step 1事業"
    authored = read_xlsform(shuro_shien(), "shuro.xlsx")
    asked = [q for q in authored if q.id != "has_program" and relevant_text(q, authored)]
    assert asked
    for question in asked:
        text = relevant_text(question, authored)
        assert "\n" not in text
        assert "「就労支援の取組を実施していますか」が「はい」" in text
