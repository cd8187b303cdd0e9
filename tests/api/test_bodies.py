"""How a body reaches the API: its content type (JSON, or 415), a UTF-8 byte order mark before it,
and its size when it is sent in chunks without a Content-Length."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import response_url
from tests.conftest import Api

BOM = "\ufeff"
NOT_JSON = "本文は JSON で送ってください（Content-Type: application/json）。"


def send(
    client: FlaskClient, api: Api, method: str, path: str, data: Any, content_type: str | None
) -> Any:
    headers = {**api.headers()}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return client.open(f"/api/v1{path}", method=method, data=data, headers=headers)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ('{"answers": {}, "version": 0}', "text/plain"),
        ('{"answers": {}, "version": 0}', "text/plain; charset=utf-8"),
        ("answers=1&version=0", "application/x-www-form-urlencoded"),
        ("<answers/>", "application/xml"),
        ('{"answers": {}, "version": 0}', None),
    ],
)
def test_a_body_that_is_not_json_is_415_and_saves_nothing(
    client: FlaskClient, staff: Api, round_id: int, data: str, content_type: str | None
) -> None:
    answer = send(client, staff, "PUT", response_url(round_id), data, content_type)
    assert answer.status_code == 415, answer.get_json()
    assert answer.get_json() == {"message": NOT_JSON}
    assert staff.get(response_url(round_id)).get_json()["version"] == 0


def test_the_415_is_in_english_when_asked(client: FlaskClient, staff: Api, round_id: int) -> None:
    answer = send(client, staff, "PUT", response_url(round_id) + "?lang=en", "x=1", "text/plain")
    assert answer.status_code == 415
    assert answer.get_json() == {
        "message": "Send the body as JSON (Content-Type: application/json)."
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/rounds"),
        ("PATCH", "/rounds/{round}"),
        ("POST", "/rounds/{round}/responses/131016/submit"),
        ("POST", "/rounds/{round}/responses/131016/return"),
        ("POST", "/consultations"),
        ("POST", "/referrals"),
        ("POST", "/referrals/1/reroute"),
        ("PUT", "/rounds/{round}/notes/plan_status/formulated"),
    ],
)
def test_every_json_taking_endpoint_answers_415(
    client: FlaskClient, staff: Api, round_id: int, method: str, path: str
) -> None:
    answer = send(client, staff, method, path.format(round=round_id), "reason=x", "text/plain")
    assert answer.status_code == 415, (path, answer.get_json())
    assert answer.get_json()["message"] == NOT_JSON


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_no_body_is_still_no_body_whatever_type_it_names(
    client: FlaskClient, staff: Api, round_id: int, content_type: str | None
) -> None:
    saved = staff.save(round_id, "131016", {"plan_status": "no_plan"})
    assert saved.status_code == 200
    submit = send(client, staff, "POST", response_url(round_id, action="submit"), "", content_type)
    assert submit.status_code == 422, submit.get_json()
    assert "lead_department" in submit.get_json()["errors"], "the saved answers were checked"


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "application/merge-patch+json", "application/vnd.x+json"],
)
def test_json_content_types_are_taken(
    client: FlaskClient, staff: Api, round_id: int, content_type: str
) -> None:
    body = json.dumps({"answers": {"plan_name": "計画"}, "version": 0})
    answer = send(client, staff, "PUT", response_url(round_id), body, content_type)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["answers"] == {"plan_name": "計画"}


def test_a_byte_order_mark_before_the_json_is_ignored(
    client: FlaskClient, staff: Api, round_id: int
) -> None:
    body = BOM + json.dumps({"answers": {"plan_name": "計画"}, "version": 0}, ensure_ascii=False)
    answer = send(client, staff, "PUT", response_url(round_id), body.encode(), "application/json")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["answers"] == {"plan_name": "計画"}


def test_a_byte_order_mark_reaches_the_nul_check_and_the_referral_checks(
    client: FlaskClient, staff: Api, round_id: int
) -> None:
    nul = BOM + '{"answers": {"plan_name": "a\\u0000b"}, "version": 0}'
    answer = send(client, staff, "PUT", response_url(round_id), nul.encode(), "application/json")
    assert answer.status_code == 422, answer.get_json()
    assert list(answer.get_json()["errors"]) == ["plan_name"]
    referral = BOM + json.dumps({"municipality": "132012"})
    answer = send(client, staff, "POST", "/referrals", referral.encode(), "application/json")
    assert answer.status_code == 422
    assert "consent" in answer.get_json()["errors"], "read as an object, checked field by field"


def test_a_byte_order_mark_alone_is_no_body(client: FlaskClient, staff: Api, round_id: int) -> None:
    answer = send(client, staff, "PUT", response_url(round_id), BOM.encode(), "application/json")
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == {"answers", "version"}


def chunked(client: FlaskClient, api: Api, path: str, body: bytes) -> Any:
    """A body as a server hands on one sent with ``Transfer-Encoding: chunked``: no
    Content-Length, the stream ended by the server (gunicorn and Werkzeug's own set
    ``wsgi.input_terminated``)."""
    return client.put(
        f"/api/v1{path}",
        input_stream=io.BytesIO(body),
        headers={
            **api.headers(),
            "Content-Type": "application/json",
            "Transfer-Encoding": "chunked",
        },
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_chunked_body_over_the_limit_is_413(
    client: FlaskClient, staff: Api, round_id: int
) -> None:
    raw = json.dumps({"answers": {"comments": "x" * (6 * 1024 * 1024)}, "version": 0})
    answer = chunked(client, staff, response_url(round_id), raw.encode())
    assert answer.status_code == 413, answer.get_json()
    assert answer.get_json() == {"message": "ファイルまたはリクエストが大きすぎます。"}


def test_a_chunked_body_within_the_limit_is_read_whole(
    app: Any, client: FlaskClient, staff: Api, round_id: int
) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    head = b'{"answers": {"plan_name": "'
    tail = b'"}, "version": 0}'
    exactly = head + b"x" * (limit - len(head) - len(tail)) + tail
    assert len(exactly) == limit
    answer = chunked(client, staff, response_url(round_id), exactly)
    assert answer.status_code == 422, "read whole: the name is too long, not the JSON unreadable"
    assert list(answer.get_json()["errors"]) == ["plan_name"]
    small = chunked(
        client, staff, response_url(round_id), b'{"answers": {"plan_name": "x"}, "version": 0}'
    )
    assert small.status_code == 200, small.get_json()
