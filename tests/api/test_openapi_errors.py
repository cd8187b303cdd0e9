"""The OpenAPI document says what each response operation may answer besides success — the 401,
403, 404 and 409 of docs/api.md — and describes ``/healthz``, as INTERFACES.md promises that
``/api/v1/openapi.json`` describes every interface."""

from __future__ import annotations

from flask.testing import FlaskClient

RESPONSE = "/api/v1/rounds/{round_id}/responses/{code}"


def _operations(client: FlaskClient) -> dict[str, dict]:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    return {
        f"{method.upper()} {path}": op for path, ops in paths.items() for method, op in ops.items()
    }


def test_every_response_operation_names_its_errors(client: FlaskClient) -> None:
    ops = _operations(client)
    expected = {
        f"GET {RESPONSE}": {"401", "403", "404"},
        f"PUT {RESPONSE}": {"401", "403", "404", "409", "422"},
        f"POST {RESPONSE}/submit": {"401", "403", "404", "409", "422"},
        f"POST {RESPONSE}/return": {"404", "409", "422"},
        f"POST {RESPONSE}/accept": {"404", "409"},
        f"POST {RESPONSE}/unaccept": {"404", "409"},
        f"POST {RESPONSE}/extension": {"404", "422"},
        f"GET {RESPONSE}/revisions": {"401", "404"},
        f"GET {RESPONSE}/template": {"401", "403", "404"},
        "GET /api/v1/rounds/{round_id}": {"401", "404"},
        "GET /api/v1/rounds/{round_id}/responses": {"404"},
        "GET /api/v1/rounds/{round_id}/summary": {"404", "409"},
    }
    for operation, statuses in expected.items():
        documented = set(ops[operation]["responses"])
        assert statuses <= documented, (operation, sorted(documented))
    assert "stale version" in ops[f"PUT {RESPONSE}"]["responses"]["409"]["description"]


def test_healthz_is_described_and_needs_no_token(client: FlaskClient) -> None:
    health = _operations(client)["GET /healthz"]
    assert set(health["responses"]) == {"200", "503"}
    assert health["security"] == []
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
