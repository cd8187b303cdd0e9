"""Security headers, JSON nesting limits and request size limits."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.security import CSP, MAX_JSON_DEPTH, json_depth


@pytest.mark.parametrize(
    "path", ["/login", "/healthz", "/api/v1/rounds", "/api/v1/openapi.json", "/nowhere"]
)
def test_every_answer_carries_the_security_headers(client, path: str) -> None:
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP
    assert "unsafe-inline" not in CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_hsts_only_over_tls(client) -> None:
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://hub.example.jp")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_api_answers_are_not_cached(client) -> None:
    assert client.get("/api/v1/rounds").headers["Cache-Control"] == "no-store"


def test_deeply_nested_json_is_a_400_not_a_500(client, api_as) -> None:
    api = api_as("staff")
    body = "[" * 100_000 + "]" * 100_000
    response = api.client.put(
        "/api/v1/rounds/1/responses/131016",
        data=body,
        content_type="application/json",
        headers=api.headers(),
    )
    assert response.status_code == 400
    assert "message" in response.get_json()


def test_oversized_body_is_413(client, api_as, app) -> None:
    api = api_as("staff")
    body = json.dumps(
        {"answers": {"comments": "あ" * app.config["MAX_CONTENT_LENGTH"]}, "version": 0}
    )
    response = api.client.put(
        "/api/v1/rounds/1/responses/131016",
        data=body,
        content_type="application/json",
        headers=api.headers(),
    )
    assert response.status_code == 413
    assert response.get_json()["message"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab'),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=20,
)


def _true_depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_true_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_true_depth(v) for v in value.values()), default=0)
    return 0


@given(json_values)
def test_json_depth_matches_the_parsed_structure(value: object) -> None:
    assert json_depth(json.dumps(value).encode()) == _true_depth(value)


def test_depth_limit_is_generous_for_real_bodies() -> None:
    real = {"answers": {"programs": ["shamei_campaign"], "plan_status": "formulated"}, "version": 3}
    assert json_depth(json.dumps(real).encode()) < MAX_JSON_DEPTH


def test_an_integer_literal_of_thousands_of_digits_is_a_400(client, api_as) -> None:
    api = api_as("staff")
    body = '{"answers": {}, "version": ' + "9" * 5000 + "}"
    response = api.client.put(
        "/api/v1/rounds/1/responses/131016",
        data=body,
        content_type="application/json",
        headers=api.headers(),
    )
    assert response.status_code == 400
    assert response.get_json()["message"]


def test_a_get_that_names_json_but_sends_no_body_is_fine(client, api_as) -> None:
    api = api_as("staff")
    response = api.client.get(
        "/api/v1/rounds", headers={**api.headers(), "Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert client.get("/healthz", headers={"Content-Type": "application/json"}).status_code == 200
