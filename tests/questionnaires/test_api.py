"""``/api/v1/questionnaires``: list, one version, import (staff only; 201, 200 for a version stored
unchanged, or 422 with problems)."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from hub.db import db
from hub.models import Survey
from tests.conftest import Api
from tests.forms.xlsform_files import form
from tests.questionnaires.files import broken, kenshu_v1, kenshu_v2


def upload(api: Api, data: bytes, name: str = "kenshu.xlsx"):
    return api.client.post(
        "/api/v1/questionnaires",
        data={"file": (io.BytesIO(data), name)},
        headers=api.headers(),
        content_type="multipart/form-data",
    )


def test_staff_imports_and_everyone_reads(app, api_as):
    staff = api_as("staff")
    created = upload(staff, kenshu_v1())
    assert created.status_code == 201, created.get_json()
    assert created.get_json() == {"id": "kenshu", "version": 1, "notices": []}

    respondent = api_as("respondent", municipality="131016")
    listed = respondent.get("/questionnaires")
    assert listed.status_code == 200
    keys = [(q["id"], q["version"]) for q in listed.get_json()]
    assert ("kenshu", 1) in keys
    assert ("torikumi", 1) in keys

    one = respondent.get("/questionnaires/kenshu/versions/1").get_json()
    assert one["title"] == {"ja": "研修会参加状況調査", "en": "研修会参加状況調査"}
    survey = one["xlsform"]["survey"]
    people = next(row for row in survey if row.get("name") == "people")
    assert people["type"] == "integer"
    assert people["relevant"] == "${attended} = 'yes'"
    assert people["constraint"] == ". >= 1 and . <= 500"
    assert one["xlsform"]["settings"] == [
        {
            "form_id": "kenshu",
            "version": "1",
            "form_title": "研修会参加状況調査",
            "form_title_en": "研修会参加状況調査",
        }
    ]
    assert respondent.get("/questionnaires/kenshu/versions/2").status_code == 404


def test_what_the_hub_read_past_is_said_in_the_answer(app, api_as):
    """An API client learns what the page and the CLI say of an accepted file: the rows read
    past as device metadata, each named (the answer said only the id and version)."""
    from tests.forms.test_metadata_rows import KOBO_HEAD
    from tests.forms.xlsform_files import form

    created = upload(api_as("staff"), form([*KOBO_HEAD[:2], ("integer", "count", "件数")]))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["notices"] == [
        "survey シートの次の行は、端末や回答時刻の記録（メタデータ）のため読み飛ばしました: "
        "2行目 start、3行目 end。ハブは、誰がいつ保存・提出したかを自動で記録します。"
    ]


def test_a_broken_file_is_a_422_listing_every_problem(app, api_as):
    staff = api_as("staff")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Survey))
    got = upload(staff, broken(), "broken.xlsx")
    assert got.status_code == 422
    errors = got.get_json()["errors"]
    assert {
        "sheet": "survey",
        "row": 3,
        "column": "name",
        "message": "名前「memo」は2行目でも使われています。",
    } in errors
    assert {(e["sheet"], e["row"], e["column"]) for e in errors} >= {
        ("survey", 4, "relevant"),
        ("survey", 5, "type"),
    }
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Survey)) == before


def test_versions_must_go_up(app, api_as):
    staff = api_as("staff")
    assert upload(staff, kenshu_v1()).status_code == 201
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Survey))
    same = upload(staff, kenshu_v1())
    assert same.status_code == 200, "the same file again is stored already: nothing to do"
    assert same.get_json() == {"id": "kenshu", "version": 1, "notices": []}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Survey)) == stored
    changed = upload(staff, kenshu_v2(version=1))
    assert changed.status_code == 422
    assert changed.get_json()["errors"][0]["column"] == "version"
    assert upload(staff, kenshu_v2()).status_code == 201


def test_hostile_and_missing_files(app, api_as):
    staff = api_as("staff")
    got = upload(staff, b"PK\x03\x04" + b"\0" * 100, "evil.xlsx")
    assert got.status_code == 422
    assert got.get_json()["errors"][0]["sheet"] == ""
    none = staff.client.post("/api/v1/questionnaires", headers=staff.headers(), data={})
    assert none.status_code == 422
    assert none.get_json()["errors"] == [
        {
            "sheet": "",
            "row": None,
            "column": "",
            "message": "ファイルを選択してください（multipart の file 欄）。",
        }
    ], "the same shape as a refused file"
    english = staff.client.post("/api/v1/questionnaires?lang=en", headers=staff.headers(), data={})
    assert english.get_json()["errors"][0]["message"].startswith("Choose a file")


def test_only_staff_may_import(app, api_as):
    for role, kwargs in (
        ("respondent", {"municipality": "131016"}),
        ("counterpart", {"recipient": "moj"}),
    ):
        assert upload(api_as(role, **kwargs), kenshu_v1()).status_code == 403


def test_the_openapi_document_has_them(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/questionnaires"])
    assert "get" in paths["/api/v1/questionnaires/{questionnaire_id}/versions/{version}"]


def test_a_refusal_is_in_english_with_lang_en(app, api_as):
    staff = api_as("staff")
    got = staff.client.post(
        "/api/v1/questionnaires?lang=en",
        data={"file": (io.BytesIO(broken()), "broken.xlsx")},
        headers=staff.headers(),
        content_type="multipart/form-data",
    )
    assert got.status_code == 422
    body = got.get_json()
    assert body["message"] == "The questionnaire definition has problems and was not stored."
    assert 'The name "memo" is also used in row 2.' in [e["message"] for e in body["errors"]]


def test_a_title_with_formatting_is_refused_in_its_cell_in_japanese_and_english(app, api_as):
    """The title is checked as a label is: the cell named, and the title to write instead."""
    staff = api_as("staff")
    data = form([("text", "a", "A")], settings=(("form_id", "form_title_en"), ("k", "**Survey**")))
    for lang, says in (("ja", "「Survey」のように"), ("en", "as “Survey”")):
        got = staff.client.post(
            f"/api/v1/questionnaires?lang={lang}",
            data={"file": (io.BytesIO(data), "k.xlsx")},
            headers=staff.headers(),
            content_type="multipart/form-data",
        )
        assert got.status_code == 422
        (error,) = got.get_json()["errors"]
        assert (error["sheet"], error["row"], error["column"]) == ("settings", 2, "form_title_en")
        assert says in error["message"]
