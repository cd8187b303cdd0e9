"""Requests at the edges of what the API reads (found by a schemathesis run and a review): none
of them is a 500, each gets the 404 or 422 a person can act on."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.referrals.conftest import Cast, cast, refer  # noqa: F401  (fixtures)

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
