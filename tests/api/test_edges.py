"""Requests at the edges of what the API reads (found by a schemathesis run and a review): none
of them is a 500, each gets the 404 or 422 a person can act on."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.api.test_malformed import JAPANESE
from tests.conftest import Api, complete_answers
from tests.referrals.conftest import SENT_ON, Cast, cast, refer, referral_body  # noqa: F401

BIG = ["2147483648", "9223372036854775808", "99999999999999999999"]


@pytest.mark.parametrize("number", BIG)
def test_ids_past_any_stored_one_are_404(
    cast: Cast,  # noqa: F811
    staff: Api,
    number: str,
):
    assert cast.staff.get(f"/referrals/{number}").status_code == 404
    assert cast.staff.get(f"/referrals/{number}/access-log").status_code == 404
    for step in ("accept", "decline", "contacts", "close"):
        assert cast.window.post(f"/referrals/{number}/{step}", {}).status_code == 404
    for step in ("reroute", "withdraw-consent"):
        assert cast.staff.post(f"/referrals/{number}/{step}", {}).status_code == 404
    assert staff.get(f"/questionnaires/torikumi/versions/{number}").status_code == 404
    assert staff.get(f"/rounds/{number}").status_code == 404
    answer = staff.get(f"/rounds/{number}/responses/131016")
    assert answer.status_code == 404
    assert answer.get_json()["message"]


@pytest.mark.parametrize("number", [2147483648, 99999999999999999999])
def test_numbers_past_any_stored_one_in_bodies_and_queries_are_422(
    staff: Api, round_id: int, number: int
):
    opened = staff.post(
        "/rounds",
        {
            "survey": "torikumi",
            "survey_version": number,
            "reference_date": "2026-04-01",
            "deadline": "2027-01-20T17:00",
        },
    )
    assert opened.status_code == 422
    assert "survey_version" in opened.get_json()["errors"]
    saved = staff.put(f"/rounds/{round_id}/responses/131016", {"answers": {}, "version": number})
    assert saved.status_code == 422
    assert "version" in saved.get_json()["errors"]


def test_a_page_past_any_stored_one_is_422(staff: Api):
    answer = staff.get("/referrals?page=4611686018427387904")
    assert answer.status_code == 422
    assert "page" in answer.get_json()["errors"]
    assert staff.get("/referrals?page=2147483647").status_code == 200


def test_pagination_header_is_declared_as_the_json_text_it_is(staff: Api):
    spec = staff.get("/openapi.json").get_json()
    header = spec["paths"]["/api/v1/referrals"]["get"]["responses"]["200"]["headers"][
        "X-Pagination"
    ]
    assert "application/json" in header["content"]
    assert "schema" not in header


@pytest.mark.parametrize("needs", [[["housing"]], [{"a": 1}], ["housing", None]])
def test_a_list_or_object_where_a_need_is_expected_is_named(
    cast: Cast,  # noqa: F811
    needs: list[object],
):
    answer = cast.staff.post("/referrals", referral_body(needs=needs))
    assert answer.status_code == 422, answer.get_data(as_text=True)
    message = answer.get_json()["errors"]["needs"][0]
    assert "'" not in message  # shown as JSON, not as a Python repr
    assert "None" not in message


def test_a_list_where_a_method_or_outcome_is_expected_is_named(
    cast: Cast,  # noqa: F811
    refer: Callable[..., int],  # noqa: F811
):
    referral_id = refer(sent_on=SENT_ON)
    assert cast.window.post(f"/referrals/{referral_id}/accept").status_code == 200
    contact = cast.window.post(
        f"/referrals/{referral_id}/contacts", {"on": "2025-04-02", "method": ["phone"]}
    )
    assert contact.status_code == 422
    assert "method" in contact.get_json()["errors"]
    closed = cast.window.post(f"/referrals/{referral_id}/close", {"outcome": ["connected"]})
    assert closed.status_code == 422
    assert "outcome" in closed.get_json()["errors"]


def test_the_labels_a_refusal_lists_are_taken(
    cast: Cast,  # noqa: F811
    refer: Callable[..., int],  # noqa: F811
):
    referral_id = refer(sent_on=SENT_ON, needs=["住居", "Employment"])
    assert cast.staff.get(f"/referrals/{referral_id}").get_json()["needs"] == [
        "employment",
        "housing",
    ]
    assert cast.window.post(f"/referrals/{referral_id}/accept").status_code == 200
    by_label = cast.window.post(
        f"/referrals/{referral_id}/contacts", {"on": "2025-04-02", "method": "電話"}
    )
    assert by_label.status_code == 201, by_label.get_json()
    english = cast.window.post(
        f"/referrals/{referral_id}/contacts", {"on": "2025-04-03", "method": "home visit"}
    )
    assert english.status_code == 201, english.get_json()
    methods = [e.get("method") for e in english.get_json()["timeline"] if e.get("method")]
    assert set(methods) == {"phone", "home_visit"}
    closed = cast.window.post(f"/referrals/{referral_id}/close", {"outcome": "支援につながった"})
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["outcome"] == "connected"


@pytest.mark.parametrize("until", ["9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59+14:00"])
def test_an_extension_past_the_years_dates_may_have_is_422(staff: Api, round_id: int, until: str):
    answer = staff.post(f"/rounds/{round_id}/responses/131016/extension", {"until": until})
    assert answer.status_code == 422
    assert "2200" in answer.get_json()["errors"]["until"][0]
    english = staff.post(f"/rounds/{round_id}/responses/131016/extension?lang=en", {"until": until})
    assert "2200" in english.get_json()["errors"]["until"][0]
    assert not JAPANESE.search(english.get_json()["errors"]["until"][0])


def round_body(**overrides: object) -> dict[str, object]:
    return {
        "survey": "torikumi",
        "reference_date": "2026-04-01",
        "deadline": "2099-01-20T17:00",
        **overrides,
    }


def test_a_title_too_long_is_refused_on_opening_as_on_changing(staff: Api, round_id: int):
    opened = staff.post("/rounds", round_body(title="あ" * 201))
    assert opened.status_code == 422, opened.get_data(as_text=True)
    changed = staff.patch(f"/rounds/{round_id}", {"title": "あ" * 201})
    assert opened.get_json()["errors"]["title"] == changed.get_json()["errors"]["title"]
    assert staff.post("/rounds", round_body(title="あ" * 200)).status_code == 201


def test_nul_is_refused_at_the_edge(staff: Api):
    assert staff.get("/questionnaires/%00/versions/1").status_code == 404
    query = staff.get("/deliveries?recipient=%00")
    assert query.status_code == 422
    assert "recipient" in query.get_json()["errors"]
    assert "NUL" in query.get_json()["errors"]["recipient"][0]
    body = staff.post("/rounds", round_body(survey="tori\u0000kumi", municipalities=["a\u0000"]))
    assert body.status_code == 422
    assert set(body.get_json()["errors"]) == {"survey", "municipalities"}
    english = staff.post("/rounds?lang=en", round_body(title="\u0000"))
    assert english.get_json()["errors"]["title"] == ["The NUL character (\\u0000) cannot be used."]


@pytest.mark.parametrize("named", [[], [""], [" ", ""]])
def test_a_round_for_no_municipality_named_is_refused(staff: Api, named: list[str]):
    answer = staff.post("/rounds", round_body(municipalities=named))
    assert answer.status_code == 422
    assert "municipalities" in answer.get_json()["errors"]
    assert staff.get("/rounds").get_json() == []


def test_answers_submitted_without_their_version_are_refused(chiyoda: Api, round_id: int):
    url = f"/rounds/{round_id}/responses/131016"
    answer = chiyoda.post(f"{url}/submit", {"answers": complete_answers()})
    assert answer.status_code == 422
    assert list(answer.get_json()["errors"]) == ["version"]
    assert chiyoda.get(url).get_json()["state"] == "not_started"
    stale = chiyoda.post(f"{url}/submit", {"answers": complete_answers(), "version": 5})
    assert stale.status_code == 409
    fresh = chiyoda.post(f"{url}/submit", {"answers": complete_answers(), "version": 0})
    assert fresh.status_code == 200, fresh.get_json()


def test_marshmallow_choices_and_lengths_are_said_in_japanese(staff: Api):
    status = staff.get("/municipalities?status=bogus").get_json()["errors"]["status"]
    assert status == ["active, retired, all のいずれかで指定してください。"]
    recipient = staff.get("/deliveries?recipient=").get_json()["errors"]["recipient"]
    assert recipient == ["1文字以上50文字以内で指定してください。"]


def test_refusals_are_said_in_the_language_asked_for(
    client: FlaskClient, chiyoda: Api, round_id: int
):
    unauthenticated = client.get("/api/v1/rounds?lang=en")
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["WWW-Authenticate"] == "Bearer"
    assert not JAPANESE.search(unauthenticated.get_json()["message"])
    forbidden = chiyoda.get(f"/rounds/{round_id}/responses/131024?lang=en")
    assert forbidden.status_code == 403
    assert not JAPANESE.search(forbidden.get_json()["message"])
    invalid = chiyoda.post(f"/rounds/{round_id}/responses/131016/submit?lang=en", {"answers": {}})
    assert invalid.status_code == 422
    assert not JAPANESE.search(invalid.get_json()["message"])


def test_a_method_not_allowed_says_which_are(staff: Api, round_id: int):
    answer = staff.client.delete(f"/api/v1/rounds/{round_id}", headers=staff.headers())
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "PATCH"}


def test_a_flood_of_made_up_answer_ids_is_refused_naming_the_first_few(chiyoda: Api, round_id: int):
    """250,000 made-up ids in one save had been answered with every one of them (13 MB, after
    14 s): past 20 the refusal names the first 20 and counts the rest. A few unknown ids are
    still named one by one, beside the other problems of the answers."""
    url = f"/rounds/{round_id}/responses/131016"
    flood = {f"q{i}": 1 for i in range(5000)}
    answer = chiyoda.put(url, {"answers": {**complete_answers(), **flood}, "version": 0})
    assert answer.status_code == 422
    errors = answer.get_json()["errors"]
    assert len(errors) == 21
    assert errors["q0"] == ["この調査票にない項目です。"]
    assert "5000件" in errors["answers"][0]
    few = chiyoda.put(
        url, {"answers": {"q1": 1, "q2": 2, "cooperating_employers": "x"}, "version": 0}
    )
    assert few.status_code == 422
    assert set(few.get_json()["errors"]) == {"q1", "q2", "cooperating_employers"}
    assert chiyoda.get(url).get_json()["version"] == 0


def test_a_lone_surrogate_in_a_name_looked_up_is_dropped_not_a_500(staff: Api, round_id: int):
    """Half of a character a program cut in two (``"\\ud800"``, which no text can hold) reached
    the database's query as it came where a questionnaire or a municipality is looked up: 500.
    It is left out, as from any text the hub stores."""
    opened = staff.post("/rounds", round_body(survey="tori\ud800kumi"))
    assert opened.status_code == 201, opened.get_data(as_text=True)
    assert opened.get_json()["survey"] == "torikumi"
    unknown = staff.post("/rounds", round_body(survey="\udfff"))
    assert unknown.status_code == 422
    assert "survey" in unknown.get_json()["errors"]
    reminded = staff.post(f"/rounds/{round_id}/reminders", {"municipalities": ["\ud800"]})
    assert reminded.status_code == 422, reminded.get_data(as_text=True)
    assert "municipalities" in reminded.get_json()["errors"]


@pytest.mark.parametrize(
    "body",
    [
        '{"survey": "tori\\u0000kumi"}',  # a NUL: 422 to staff
        '{"survey": ',  # unreadable: 400
        "[" * 100 + "]" * 100,  # too deep: 400
    ],
)
def test_who_may_not_is_told_so_whatever_the_body(
    api_as: Callable[..., Api], client: FlaskClient, round_id: int, body: str
):
    """docs/api.md: no or an unknown token is 401, a role that may not 403 — not, before, a
    refusal of the body it sent (the body's checks ran before the gate)."""
    callers = {
        "admin": (api_as("admin").headers(), 403),
        "respondent": (api_as("respondent", municipality="131016").headers(), 403),
        "no token": ({}, 401),
    }
    for role, (headers, expected) in callers.items():
        for method, path in (("POST", "/rounds"), ("PATCH", f"/rounds/{round_id}")):
            answer = client.open(
                f"/api/v1{path}",
                method=method,
                data=body,
                content_type="application/json",
                headers=headers,
            )
            assert answer.status_code == expected, (role, path, answer.get_data(as_text=True))
    nul_query = client.get("/api/v1/rounds?x=%00")
    assert nul_query.status_code == 401
