"""No request, however malformed, gets a 500 or a traceback; errors are JSON and in Japanese."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms import registry
from tests.api.conftest import CHIYODA, response_url
from tests.conftest import Api

TORIKUMI = registry.latest("torikumi")

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
QUESTION_IDS = [q.id for q in TORIKUMI]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=15,
)


def assert_clean_error(r: Any, allowed: set[int]) -> dict[str, Any]:
    """A JSON error body of the interface's shape, in Japanese, with an allowed status."""
    assert r.status_code in allowed, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.content_type.startswith("application/json")
    text = r.get_data(as_text=True)
    assert "Traceback" not in text
    body = r.get_json()
    assert isinstance(body, dict)
    if r.status_code >= 400:
        assert JAPANESE.search(body["message"]), body
        if r.status_code == 422:
            assert isinstance(body["errors"], dict)
            assert body["errors"]
            for field, messages in body["errors"].items():
                assert isinstance(field, str)
                assert all(JAPANESE.search(m) for m in messages), (field, messages)
    return body


def put_raw(client: FlaskClient, api: Api, path: str, data: Any, content_type: str) -> Any:
    return client.put(
        f"/api/v1{path}", data=data, headers={**api.headers(), "Content-Type": content_type}
    )


@FUZZ
@given(body=json_values)
def test_any_json_body_is_answered_cleanly(
    client: FlaskClient, staff: Api, round_id: int, body: Any
) -> None:
    r = put_raw(client, staff, response_url(round_id), json.dumps(body), "application/json")
    assert_clean_error(r, {400, 409, 422})


@FUZZ
@given(
    answers=st.dictionaries(
        st.sampled_from(QUESTION_IDS) | st.text(max_size=8), json_values, max_size=8
    ),
    version=json_values,
)
def test_any_answers_and_version_are_answered_cleanly(
    staff: Api, round_id: int, answers: dict[str, Any], version: Any
) -> None:
    r = staff.put(response_url(round_id), {"answers": answers, "version": version})
    body = assert_clean_error(r, {200, 409, 422})
    if r.status_code == 422:
        assert set(body["errors"]) <= {*QUESTION_IDS, "answers", "version", *answers}


@FUZZ
@given(answers=st.fixed_dictionaries({}, optional=dict.fromkeys(QUESTION_IDS, st.text())))
def test_any_text_typed_into_any_field_is_saved_or_refused_per_field(
    staff: Api, round_id: int, answers: dict[str, str]
) -> None:
    current = staff.get(response_url(round_id)).get_json()["version"]
    r = staff.put(response_url(round_id), {"answers": answers, "version": current})
    body = assert_clean_error(r, {200, 422})
    if r.status_code == 422:
        assert set(body["errors"]) <= set(answers)
        assert staff.get(response_url(round_id)).get_json()["version"] == current
    else:
        assert body["version"] == current + 1
        assert set(body["answers"]) <= set(answers)


@FUZZ
@given(body=json_values)
def test_any_json_body_on_submit_and_return(staff: Api, round_id: int, body: Any) -> None:
    assert_clean_error(staff.post(response_url(round_id, action="submit"), body), {400, 409, 422})
    assert_clean_error(staff.post(response_url(round_id, action="return"), body), {400, 409, 422})
    assert_clean_error(
        staff.post(response_url(round_id, action="extension"), body), {200, 400, 422}
    )


@FUZZ
@given(raw=st.binary(max_size=200))
def test_any_bytes_sent_as_json(client: FlaskClient, staff: Api, round_id: int, raw: bytes) -> None:
    r = put_raw(client, staff, response_url(round_id), raw, "application/json")
    assert_clean_error(r, {400, 409, 422})


@pytest.mark.parametrize(
    "text",
    [
        "{bad",
        "",
        "null",
        "[]",
        '"answers"',
        "{'answers': {}}",
        '{"answers": {}, "version": 0',
        '{"answers": {"comments": NaN}, "version": 0}',
        '{"answers": {"cooperating_employers": Infinity}, "version": 0}',
        "\ufeff{}",
        "[" * 50_000 + "]" * 50_000,
        '{"a":' * 20_000 + "1" + "}" * 20_000,
    ],
)
def test_bad_json_text(client: FlaskClient, staff: Api, round_id: int, text: str) -> None:
    r = put_raw(client, staff, response_url(round_id), text, "application/json")
    body = assert_clean_error(r, {400, 422})
    if r.status_code == 400:
        assert set(body) == {"message"}


def test_invalid_json_message_is_japanese(client: FlaskClient, staff: Api, round_id: int) -> None:
    r = put_raw(client, staff, response_url(round_id), "{bad", "application/json")
    assert r.status_code == 400
    assert r.get_json() == {"message": "リクエスト本文を JSON として読めません。"}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"answers": [], "version": 0}, "answers", "オブジェクト（{…}）で指定してください。"),
        ({"answers": {}, "version": "0"}, "version", "整数で指定してください。"),
        ({"answers": {}, "version": 1.5}, "version", "整数で指定してください。"),
        ({"answers": {}, "version": -1}, "version", "0以上2147483647以下で指定してください。"),
        ({"answers": {}, "version": None}, "version", "null は指定できません。"),
        ({"version": 0}, "answers", "必須の項目です。"),
        ({"answers": {}, "version": 0, "extra": 1}, "extra", "この項目は受け付けていません。"),
    ],
)
def test_wrong_types_get_japanese_field_errors(
    staff: Api, round_id: int, body: dict[str, Any], field: str, message: str
) -> None:
    r = staff.put(response_url(round_id), body)
    assert r.status_code == 422
    assert r.get_json()["errors"][field] == [message]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("answers=1&version=0", "application/x-www-form-urlencoded"),
        ('{"answers": {}, "version": 0}', "text/plain"),
        ("<answers/>", "application/xml"),
        ("", "multipart/form-data; boundary=x"),
    ],
)
def test_wrong_content_types(
    client: FlaskClient, staff: Api, round_id: int, data: str, content_type: str
) -> None:
    r = put_raw(client, staff, response_url(round_id), data, content_type)
    assert_clean_error(r, {400, 415, 422})
    assert staff.get(response_url(round_id)).get_json()["version"] == 0


def test_huge_values(staff: Api, round_id: int) -> None:
    r = staff.put(
        response_url(round_id),
        {"answers": {"comments": "あ" * 200_000, "plan_name": "x" * 5000}, "version": 0},
    )
    body = assert_clean_error(r, {422})
    assert set(body["errors"]) == {"comments", "plan_name"}
    many = staff.put(
        response_url(round_id),
        {"answers": {"programs": ["shamei_campaign"] * 10_000}, "version": 0},
    )
    assert many.status_code == 200
    assert many.get_json()["answers"]["programs"] == ["shamei_campaign"]


def test_body_larger_than_the_limit_is_413(client: FlaskClient, staff: Api, round_id: int) -> None:
    raw = json.dumps({"answers": {"comments": "x" * (6 * 1024 * 1024)}, "version": 0})
    r = put_raw(client, staff, response_url(round_id), raw, "application/json")
    assert_clean_error(r, {413})


@pytest.mark.parametrize(
    "path",
    [
        "/rounds/999999",
        "/rounds/999999/summary",
        "/rounds/999999/responses",
        f"/rounds/999999/responses/{CHIYODA}",
        f"/rounds/999999/responses/{CHIYODA}/revisions",
        f"/rounds/99999999999999999999999/responses/{CHIYODA}",
        "/rounds/99999999999999999999999/summary",
        "/rounds/0",
        "/rounds/-1",
        "/rounds/abc",
        "/rounds/1.5/summary",
        "/rounds/%E4%B8%80/responses",
        "/rounds/１/summary",
        "/nothing-here",
    ],
)
def test_unknown_and_non_numeric_round_ids_are_404(staff: Api, path: str) -> None:
    assert_clean_error(staff.get(path), {404})


@pytest.mark.parametrize(
    "code",
    [
        "999999",
        "00000",
        "1310160",
        "abc",
        "%00",
        "%E5%8D%83%E4%BB%A3%E7%94%B0",
        "'%20OR%201=1",
        "x" * 300,
    ],
)
def test_weird_municipality_codes(staff: Api, round_id: int, code: str) -> None:
    assert_clean_error(staff.get(f"/rounds/{round_id}/responses/{code}"), {404})
    put = staff.put(f"/rounds/{round_id}/responses/{code}", {"answers": {}, "version": 0})
    assert_clean_error(put, {404})
    assert_clean_error(staff.post(f"/rounds/{round_id}/responses/{code}/submit", {}), {404})


@pytest.mark.parametrize("method", ["DELETE", "PATCH", "POST"])
def test_wrong_methods_are_405(staff: Api, round_id: int, method: str) -> None:
    r = staff.client.open(
        f"/api/v1{response_url(round_id)}", method=method, headers=staff.headers()
    )
    assert_clean_error(r, {405})


def test_a_lone_surrogate_is_dropped_and_the_workbook_still_builds(
    client: FlaskClient, staff: Api, round_id: int
) -> None:
    saved = staff.save(round_id, "131016", {"comments": "特に\ud800なし"})
    assert saved.status_code == 200
    assert saved.get_json()["answers"]["comments"] == "特になし"
    assert staff.get(f"/rounds/{round_id}/workbook").status_code == 200


def test_a_two_sided_range_reads_as_one_japanese_sentence(client: FlaskClient, staff: Api) -> None:
    answer = staff.get("/consultations/summary?fiscal_year=" + "9" * 30)
    assert answer.status_code == 422
    (message,) = answer.get_json()["errors"]["fiscal_year"]
    assert message == "1989以上2200以下で指定してください。"
