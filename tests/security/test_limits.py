"""Request body limits on pages and uploads: past ``HUB_MAX_UPLOAD_BYTES`` (5 MB) a post is
read no further and saves nothing — a 413 with a Japanese page, or, for a page's file upload,
the way back to its form with the limit said."""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from hub.db import db
from hub.models import AuditEvent, Response
from tests.conftest import make_round, response_of
from tests.security.conftest import text_of

TOO_LARGE = "ファイルまたはリクエストが大きすぎます。"


def over_limit(app) -> int:
    return int(app.config["MAX_CONTENT_LENGTH"]) + 1024


def multipart(fields: dict[str, str], content: bytes) -> tuple[bytes, str]:
    """A multipart body built in memory (the test client would spool a big one to a temporary
    file that it never closes)."""
    upload = FileStorage(io.BytesIO(content), filename="回答.xlsx", name="file")
    boundary, body = encode_multipart({**fields, "file": upload})
    return body, f"multipart/form-data; boundary={boundary}"


def test_an_oversized_login_post_is_413(app, client) -> None:
    client.get("/login")
    answer = client.post(
        "/login",
        data={"email": "a@example.jp", "password": "x" * over_limit(app)},
    )
    assert answer.status_code == 413
    assert TOO_LARGE in text_of(answer)
    with app.app_context():
        assert db.session.query(AuditEvent).count() == 0


def test_an_oversized_questionnaire_post_is_413_and_saves_nothing(app, web) -> None:
    with app.app_context():
        round_id = make_round().id
    respondent = web("respondent", municipality="131016")
    url = f"/respond/rounds/{round_id}/131016"
    respondent.get(url)
    answer = respondent.post(url, {"action": "save", "comments": "あ" * over_limit(app)})
    assert answer.status_code == 413
    assert TOO_LARGE in text_of(answer)
    with app.app_context():
        saved = db.session.query(Response).filter_by(round_id=round_id).all()
        assert all(r.version == 0 for r in saved)


def test_an_oversized_excel_upload_leads_back_to_its_form_with_the_limit(app, web) -> None:
    with app.app_context():
        round_id = make_round().id
    respondent = web("respondent", municipality="131016")
    url = f"/rounds/{round_id}/responses/131016/template/upload"
    respondent.get(url)
    body, content_type = multipart(
        {"csrf_token": respondent.csrf()}, b"PK\x03\x04" + b"\0" * over_limit(app)
    )
    answer = respondent.client.post(url, data=body, content_type=content_type)
    assert answer.status_code == 303
    assert answer.headers["Location"] == url
    assert "ファイルが大きすぎます（5 MB まで）。" in text_of(respondent.get(url))
    with app.app_context():
        assert response_of(round_id, "131016").version == 0, "nothing saved"


def test_an_oversized_api_upload_is_413_json(app, api_as) -> None:
    with app.app_context():
        round_id = make_round().id
    api = api_as("respondent", municipality="131016")
    body, content_type = multipart({}, b"\0" * over_limit(app))
    answer = api.client.post(
        f"/api/v1/rounds/{round_id}/responses/131016/template",
        data=body,
        content_type=content_type,
        headers=api.headers(),
    )
    assert answer.status_code == 413
    assert answer.get_json()["message"]


def test_an_oversized_upload_to_a_button_only_address_leads_to_the_page_with_its_form(
    app, web
) -> None:
    admin = web("admin")
    admin.get("/admin/municipalities")
    body, content_type = multipart({"csrf_token": admin.csrf()}, b"code,name\n" * over_limit(app))
    answer = admin.client.post("/admin/municipalities/import", data=body, content_type=content_type)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/admin/municipalities"
    shown = text_of(admin.get("/admin/municipalities"))
    assert "ファイルが大きすぎます（5 MB まで）。" in shown
    assert "ボタンを押したときにだけ" not in shown
