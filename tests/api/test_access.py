"""Who may do what through the API (the roles of docs/architecture.md, docs/api.md)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.auth.gate import PUBLIC_ENDPOINTS, permission_of
from hub.auth.policy import PERMISSIONS, PUBLIC
from hub.db import db
from hub.models import ApiToken, User
from tests.api.conftest import CHIYODA, CHUO, response_url
from tests.conftest import Api, complete_answers


def test_respondent_cannot_read_or_write_another_municipality(
    round_id: int, chiyoda: Api, staff: Api
) -> None:
    staff.save(round_id, CHUO, {"plan_status": "no_plan", "comments": "中央区の回答"}, 0)
    read = chiyoda.get(response_url(round_id, CHUO))
    assert read.status_code == 403
    assert "中央区の回答" not in read.get_data(as_text=True)
    assert chiyoda.get(response_url(round_id, CHUO, "revisions")).status_code == 403
    write = chiyoda.save(round_id, CHUO, {"plan_status": "formulated"}, version=1)
    assert write.status_code == 403
    submit = chiyoda.post(
        response_url(round_id, CHUO, "submit"), {"answers": complete_answers(), "version": 1}
    )
    assert submit.status_code == 403
    after = staff.get(response_url(round_id, CHUO)).get_json()
    assert (after["version"], after["answers"]["plan_status"]) == (1, "no_plan")


def test_respondent_cannot_list_every_municipalitys_state(round_id: int, chiyoda: Api) -> None:
    assert chiyoda.get(f"/rounds/{round_id}/responses").status_code == 403


@pytest.mark.parametrize("code", ["999999", "13101", "１３１０１６", "131016 ", "../131024"])
def test_respondent_guessing_codes_gets_nothing(round_id: int, chiyoda: Api, code: str) -> None:
    r = chiyoda.get(f"/rounds/{round_id}/responses/{code}")
    assert r.status_code in (403, 404)
    assert "answers" not in (r.get_json() or {})


def test_no_token_is_401_everywhere(client: FlaskClient, round_id: int) -> None:
    for method, path in [
        ("GET", "/api/v1/rounds"),
        ("GET", f"/api/v1/rounds/{round_id}"),
        ("GET", f"/api/v1{response_url(round_id)}"),
        ("PUT", f"/api/v1{response_url(round_id)}"),
        ("POST", f"/api/v1{response_url(round_id, action='submit')}"),
        ("GET", f"/api/v1/rounds/{round_id}/summary"),
    ]:
        r = client.open(path, method=method, json={"answers": {}, "version": 0})
        assert r.status_code == 401, (method, path)
        assert set(r.get_json()) == {"message"}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer hub_not-a-real-token",
        "Bearer ",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "bearer hub_" + "x" * 500,
        "Bearer ＨＵＢ＿トークン",
        "Token hub_abc",
    ],
)
def test_bad_token_is_401(client: FlaskClient, round_id: int, header: str) -> None:
    r = client.get("/api/v1/rounds", headers={"Authorization": header})
    assert r.status_code == 401
    assert "message" in r.get_json()


def test_revoked_token_and_deactivated_user_are_401(
    app: Flask, client: FlaskClient, round_id: int
) -> None:
    from hub.services.users import create_token, revoke_token
    from tests.conftest import make_user

    with app.app_context():
        user = make_user(role="staff")
        revoked = create_token(user)
        kept = create_token(user)
        db.session.commit()
        first_id = db.session.scalars(select(ApiToken.id).order_by(ApiToken.id)).first()
        assert first_id is not None
        revoke_token(first_id, actor=None)
        db.session.commit()
    assert Api(client, revoked).get("/rounds").status_code == 401
    assert Api(client, kept).get("/rounds").status_code == 200
    with app.app_context():
        db.session.get(User, user.id).active = False  # type: ignore[union-attr]
        db.session.commit()
    assert Api(client, kept).get("/rounds").status_code == 401


def test_counterpart_is_refused_per_municipality_data(
    round_id: int, api_as: Callable[..., Api], min_responses: Callable[[int], None]
) -> None:
    moj = api_as("counterpart", recipient="moj")
    assert moj.get(response_url(round_id)).status_code == 403
    assert moj.save(round_id, CHIYODA, {"plan_status": "no_plan"}, version=0).status_code == 403
    assert moj.get(response_url(round_id, action="revisions")).status_code == 403
    assert moj.get(f"/rounds/{round_id}/responses").status_code == 403
    # the aggregated tables are theirs once enough municipalities answered (item 27)
    assert moj.get(f"/rounds/{round_id}/summary").status_code == 409
    min_responses(0)
    assert moj.get(f"/rounds/{round_id}/summary").status_code == 200


def test_admin_gets_no_survey_data(round_id: int, api_as: Callable[..., Api]) -> None:
    admin = api_as("admin")
    assert admin.get(response_url(round_id)).status_code == 403
    assert admin.save(round_id, CHIYODA, {"plan_status": "no_plan"}, version=0).status_code == 403
    assert admin.get(f"/rounds/{round_id}/summary").status_code == 403
    assert admin.get(f"/rounds/{round_id}/responses").status_code == 403


def test_staff_may_read_and_write_any_municipality(round_id: int, staff: Api) -> None:
    for code in (CHIYODA, "132012", "133639"):
        saved = staff.save(round_id, code, {"plan_status": "no_plan"}, version=0)
        assert saved.status_code == 200, code
        assert saved.get_json()["updated_on_behalf"] is True
        assert staff.get(response_url(round_id, code)).get_json()["version"] == 1


def test_respondent_own_save_is_not_on_behalf(round_id: int, chiyoda: Api) -> None:
    saved = chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan"}, version=0)
    assert saved.get_json()["updated_on_behalf"] is False


def test_every_api_endpoint_declares_a_known_permission(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    api_endpoints = {e for e in endpoints if e.startswith("api.")}
    assert len(api_endpoints) >= 9
    with app.test_request_context():
        for endpoint in endpoints:
            permission = permission_of(endpoint)
            assert permission is not None, f"{endpoint} declares no permission"
            assert permission == PUBLIC or permission in PERMISSIONS, endpoint
        for endpoint in api_endpoints:
            assert permission_of(endpoint) != PUBLIC, f"{endpoint} is open to anyone"
    assert {"health.healthz", "api-docs.openapi_json"} <= PUBLIC_ENDPOINTS


def test_view_without_a_permission_is_refused(app: Flask) -> None:
    """The gate fails closed: a view that forgot its decorator answers 403, not its content."""
    probe = Flask("probe")
    from hub.auth import gate

    probe.config.update(app.config)

    @probe.get("/api/v1/forgotten")
    def forgotten() -> str:
        return "secret"

    gate.init_app(probe)
    from hub import errors_http

    errors_http.init_app(probe)
    probe.extensions.update(app.extensions)
    r = probe.test_client().get("/api/v1/forgotten")
    assert r.status_code == 403
    assert "secret" not in r.get_data(as_text=True)


def test_openapi_and_healthz_need_no_token(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = spec.get_json()["paths"]
    for path in (
        "/api/v1/rounds",
        "/api/v1/rounds/{round_id}/responses/{code}",
        "/api/v1/rounds/{round_id}/responses/{code}/submit",
        "/api/v1/rounds/{round_id}/summary",
    ):
        assert path in paths, path
    health = client.get("/healthz")
    assert (health.status_code, health.get_json()["database"]) == (200, "ok")


def test_the_openapi_document_declares_bearer_auth_and_the_error_body(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["security"] == [{"bearerAuth": []}]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    error = document["components"]["schemas"]["ErrorOut"]
    assert {"message", "errors", "current_version"} <= set(error["properties"])
    put = document["paths"]["/api/v1/rounds/{round_id}/responses/{code}"]["put"]
    assert "default" in put["responses"]
