"""Versions across years: a round keeps its version and template when v2 arrives; a v2 round
prefills from the latest accepted answers by question name (renames mapped by ``renamed``)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask

from exports.template import TemplateInfo, build_template
from forms import registry
from forms.schema import schema_for
from hub.db import db, utcnow
from hub.models import Round
from hub.services import questionnaires
from hub.services.rounds import open_round, previous_answers
from tests.conftest import Api, response_of
from tests.excel.conftest import answers_of, download, fill, open_xlsx, post_file, rows_by_key
from tests.questionnaires.files import kenshu_v1, kenshu_v2
from tests.web.conftest import page

CHIYODA = "131016"
CHUO = "131024"


def open_kenshu(app: Flask, reference_date: date, version: int | None = None) -> int:
    with app.app_context():
        round_ = open_round(
            "kenshu",
            version=version,
            reference_date=reference_date,
            deadline=utcnow() + timedelta(days=14),
            opens_at=utcnow() - timedelta(days=1),
        )
        db.session.commit()
        return round_.id


def import_file(app: Flask, data: bytes, name: str) -> None:
    with app.app_context():
        questionnaires.import_definition(data, name)
        db.session.commit()


V1_ANSWERS = {
    "attended": "yes",
    "people": "１２",
    "held_on": "令和6年5月20日",
    "topics": ["employment", "other"],
    "contact_name": "千代田 花子",
    "memo": "=SUM(A1)",
}


def test_v2_leaves_a_v1_round_and_its_template_unchanged_and_prefills_a_v2_round(app, api_as):
    import_file(app, kenshu_v1(), "kenshu.xlsx")
    first = open_kenshu(app, date(2024, 6, 1))
    chiyoda: Api = api_as("respondent", municipality=CHIYODA)
    staff: Api = api_as("staff")
    assert chiyoda.submit(first, CHIYODA, V1_ANSWERS).status_code == 200
    assert staff.post(f"/rounds/{first}/responses/{CHIYODA}/accept", {}).status_code == 200
    template_before = download(chiyoda, first, CHIYODA)

    import_file(app, kenshu_v2(), "kenshu_v2.xlsx")
    with app.app_context():
        round_v1 = db.session.get(Round, first)
        assert round_v1 is not None
        assert (round_v1.survey.version, round_v1.questionnaire.version) == (1, 1)
        assert round_v1.questionnaire.get("people") is not None
        assert round_v1.questionnaire.get("participants") is None
    template_after = download(chiyoda, first, CHIYODA)
    assert sorted(rows_by_key(open_xlsx(template_after))) == sorted(
        rows_by_key(open_xlsx(template_before))
    )
    assert "participants" not in rows_by_key(open_xlsx(template_after))

    second = open_kenshu(app, date(2025, 6, 1))
    prefilled = answers_of(chiyoda, second, CHIYODA)
    assert prefilled["state"] == "not_started"
    assert prefilled["answers"] == {
        "attended": "yes",
        "participants": 12,
        "held_on": "2024-05-20",
        "topics": ["employment", "other"],
        "contact_name": "千代田 花子",
        "memo": "=SUM(A1)",
    }
    assert answers_of(staff, second, CHUO)["answers"] == {}
    with app.app_context():
        response = response_of(second, CHIYODA)
        assert response.prefilled_from_id == response_of(first, CHIYODA).id
        assert previous_answers(response)["participants"].value == 12


def test_a_v1_template_uploads_into_the_v1_round_after_v2(app, api_as):
    import_file(app, kenshu_v1(), "kenshu.xlsx")
    first = open_kenshu(app, date(2024, 6, 1))
    chiyoda: Api = api_as("respondent", municipality=CHIYODA)
    data = download(chiyoda, first, CHIYODA)
    import_file(app, kenshu_v2(), "kenshu_v2.xlsx")
    got = post_file(chiyoda, first, CHIYODA, fill(data, {"attended": "はい", "people": "３"}))
    assert got.status_code == 200, got.get_json()
    assert got.get_json()["answers"] == {"attended": "yes", "people": 3}


def test_a_v2_template_made_for_an_earlier_version_uploads_by_name(app, api_as):
    """A v1 template uploaded to a v2 round: keys of v1 resolve through the stored v1, and
    ``people``, which v2 renamed (``participants=people``), is read as ``participants`` and
    said, not dropped."""
    import_file(app, kenshu_v1(), "kenshu.xlsx")
    import_file(app, kenshu_v2(), "kenshu_v2.xlsx")
    second = open_kenshu(app, date(2025, 6, 1))
    chiyoda: Api = api_as("respondent", municipality=CHIYODA)
    with app.app_context():
        v1 = questionnaires.get_version("kenshu", 1).questionnaire
        old = build_template(
            TemplateInfo(
                questionnaire=v1,
                municipality_code=CHIYODA,
                municipality_name="千代田区",
                round_id=second,
                round_title="前の版",
                reference_date=date(2025, 6, 1),
            )
        )
    filled = fill(old, {"attended": "はい", "people": "３", "memo": "旧版で記入"})
    got = post_file(chiyoda, second, CHIYODA, filled)
    assert got.status_code == 200, got.get_json()
    body = got.get_json()
    assert body["answers"] == {"attended": "yes", "participants": 3, "memo": "旧版で記入"}
    assert body["ignored_keys"] == []
    assert any("「people」→「participants」" in n for n in body["notices"]), body["notices"]


def test_carried_answers_drop_what_the_new_version_refuses(app, api_as):
    """A choice no longer offered and a value the new constraint refuses are not carried."""
    import_file(app, kenshu_v1(), "kenshu.xlsx")
    first = open_kenshu(app, date(2024, 6, 1))
    chiyoda: Api = api_as("respondent", municipality=CHIYODA)
    staff: Api = api_as("staff")
    assert chiyoda.submit(first, CHIYODA, {**V1_ANSWERS, "people": 400}).status_code == 200
    assert staff.post(f"/rounds/{first}/responses/{CHIYODA}/accept", {}).status_code == 200
    import_file(app, kenshu_v2(max_people=300, without_choice="other"), "kenshu_v2.xlsx")
    second = open_kenshu(app, date(2025, 6, 1))
    carried = answers_of(chiyoda, second, CHIYODA)["answers"]
    assert "participants" not in carried
    assert carried["topics"] == ["employment"]
    assert carried["attended"] == "yes"


def test_the_definition_is_parsed_once_per_process_not_per_request(app, api_as, monkeypatch):
    import_file(app, kenshu_v1(), "kenshu.xlsx")
    round_id = open_kenshu(app, date(2024, 6, 1))
    monkeypatch.setattr(registry, "_STORED", {})
    before = registry.parses
    chiyoda: Api = api_as("respondent", municipality=CHIYODA)
    assert chiyoda.save(round_id, CHIYODA, {"memo": "保存"}).status_code == 200
    schemas = schema_for.cache_info().misses
    for n in range(5):
        assert chiyoda.save(round_id, CHIYODA, {"memo": f"保存{n}"}).status_code == 200
    assert registry.parses - before == 1
    assert schema_for.cache_info().misses == schemas, "the schema class is built once too"


def test_the_form_shows_last_rounds_answer_beside_each_field(app, api_as, web):
    import_file(app, kenshu_v1(), "kenshu.xlsx")
    first = open_kenshu(app, date(2024, 6, 1))
    chiyoda: Api = api_as("respondent", municipality=CHIYODA)
    staff: Api = api_as("staff")
    assert chiyoda.submit(first, CHIYODA, V1_ANSWERS).status_code == 200
    assert staff.post(f"/rounds/{first}/responses/{CHIYODA}/accept", {}).status_code == 200
    import_file(app, kenshu_v2(), "kenshu_v2.xlsx")
    second = open_kenshu(app, date(2025, 6, 1))

    browser = web("respondent", municipality=CHIYODA)
    doc = page(browser.get(f"/respond/rounds/{second}/{CHIYODA}"))
    previous = doc.xpath("//p[@id='participants-previous']")[0]
    assert " ".join(previous.text_content().split()) == "前回の回答: 12"
    field = doc.xpath("//input[@name='participants']")[0]
    assert "participants-previous" in field.get("aria-describedby")
    topics = doc.xpath("//p[@id='topics-previous']")[0].text_content()
    assert "就労支援" in topics
    assert not doc.xpath("//p[@id='liaison_meetings-previous']")
