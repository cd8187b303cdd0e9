"""Templates made from older states: a response saved since, and an earlier questionnaire version."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from exports.template import TemplateInfo, build_template
from forms import registry
from forms.model import Choice, Kind, Label, Question, Questionnaire
from tests.conftest import Api
from tests.excel.conftest import CHIYODA, answers_of, download, fill, post_file

TORIKUMI = registry.latest("torikumi")

REFERENCE_DATE = date(2021, 4, 1)


def test_template_downloaded_before_a_later_save_is_a_conflict(round_id, chiyoda: Api):
    old = fill(download(chiyoda, round_id, CHIYODA), {"comments": "Excelで書いた"})
    assert chiyoda.save(round_id, CHIYODA, {"comments": "画面で後から保存"}).status_code == 200

    got = post_file(chiyoda, round_id, CHIYODA, old)
    assert got.status_code == 409
    assert "ダウンロードした後に" in got.get_json()["message"]
    assert got.get_json()["current_answers"] == {"comments": "画面で後から保存"}
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"] == {"comments": "画面で後から保存"}

    current = answers_of(chiyoda, round_id, CHIYODA)["version"]
    forced = post_file(chiyoda, round_id, CHIYODA, old, version=str(current))
    assert forced.status_code == 200, forced.get_json()
    assert forced.get_json()["answers"] == {"comments": "Excelで書いた"}


def earlier_version() -> Questionnaire:
    """TORIKUMI as it might have been one version earlier: a question and a choice since
    removed, a choice and a question not yet there."""
    a, b, c, *rest = TORIKUMI.sections
    budget = Question(id="plan_budget", kind=Kind.INTEGER, label=Label("計画の予算額", "Budget"))
    programs = TORIKUMI.question("programs")
    old_programs = replace(
        programs,
        choices=(
            *(ch for ch in programs.choices if ch.code != "youth_employment"),
            Choice("old_campaign", Label("旧キャンペーン", "Old campaign")),
        ),
    )
    old_b = replace(b, items=tuple(old_programs if q.id == "programs" else q for q in b.items))
    old_c = replace(c, items=tuple(q for q in c.items if q.id != "consultations_received"))
    old_a = replace(a, items=(*a.items, budget))
    return replace(TORIKUMI, version=TORIKUMI.version - 1, sections=(old_a, old_b, old_c, *rest))


def test_template_of_an_earlier_version_uploads_where_its_keys_still_exist(
    app, round_id, chiyoda: Api, monkeypatch
):
    old = earlier_version()
    monkeypatch.setitem(registry._BY_KEY, (old.id, old.version), old)
    saved = chiyoda.save(
        round_id, CHIYODA, {"programs": ["youth_employment"], "consultations_received": 3}
    )
    assert saved.status_code == 200
    version = saved.get_json()["version"]
    with app.app_context():
        info = TemplateInfo(
            questionnaire=old,
            municipality_code=CHIYODA,
            municipality_name="千代田区",
            round_id=round_id,
            round_title="前の版のテンプレート",
            reference_date=REFERENCE_DATE,
            response_version=version,
        )
        data = build_template(info)
    filled = fill(
        data,
        {
            "plan_status": "④庁内で策定に向けて検討中（協議会等の設置予定を含む）",
            "plan_budget": "１００",
            "programs.shamei_campaign": "○",
            "programs.old_campaign": "○",
        },
    )
    got = post_file(chiyoda, round_id, CHIYODA, filled)
    assert got.status_code == 200, got.get_json()
    body = got.get_json()
    assert body["ignored_keys"] == ["plan_budget", "programs.old_campaign"]
    assert body["answers"] == {
        "plan_status": "internal_planning",
        "programs": ["shamei_campaign", "youth_employment"],
        "consultations_received": 3,
    }


def test_unknown_questionnaire_version_is_refused(app, round_id, chiyoda: Api):
    future = replace(TORIKUMI, version=TORIKUMI.version + 41)
    with app.app_context():
        data = build_template(
            TemplateInfo(
                questionnaire=future,
                municipality_code=CHIYODA,
                municipality_name="千代田区",
                round_id=round_id,
                round_title="未知の版",
                reference_date=REFERENCE_DATE,
            )
        )
    got = post_file(chiyoda, round_id, CHIYODA, data)
    assert got.status_code == 422
    assert f"第{future.version}版" in got.get_json()["message"]
