"""The desk at the turn of the fiscal year, with the clock moved: a case is dated by Tokyo's day
(08:30 on 1 April is 23:30 UTC on 31 March), and the pages open on the year just closed until
the new one has a case."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from tests.clock import TokyoClock
from tests.conftest import csrf_of

Browser = Callable[..., FlaskClient]
CHIYODA = "131016"


def _record(staff: FlaskClient, received_on: str) -> tuple[int, str]:
    token = csrf_of(staff.get("/consultations/new").get_data(as_text=True))
    done = staff.post(
        "/consultations/new",
        data={
            "received_on": received_on,
            "channel": "phone",
            "age_group": "70s",
            "caller": "self",
            "municipality": CHIYODA,
            "csrf_token": token,
        },
    )
    return done.status_code, done.get_data(as_text=True)


def _shown_year(client: FlaskClient) -> str:
    page = client.get("/consultations/statistics").get_data(as_text=True)
    found = re.search(r"<h1[^>]*>[^<]*?(令和\S+?年度)", page)
    assert found is not None, page[:2000]
    return found.group(1)


def test_the_first_morning_of_a_fiscal_year(browser: Browser, tokyo_clock: TokyoClock) -> None:
    tokyo_clock.set("2027-03-31 23:30")
    staff = browser("staff")
    assert _record(staff, "R9.3.31")[0] == 302
    tokyo_clock.set("2027-04-01 08:30")  # still 31 March in UTC
    assert _shown_year(staff) == "令和8年度", "the new year has no case yet: the year just closed"
    status, page = _record(staff, "令和9年4月2日")
    assert status == 422, "tomorrow in Tokyo is refused"
    assert "令和9年4月2日" in page, "what was typed is kept"
    assert _record(staff, "令和9年4月1日")[0] == 302, "today in Tokyo is no future day"
    assert _shown_year(staff) == "令和9年度"
    listing = staff.get("/consultations?fiscal_year=2026").get_data(as_text=True)
    assert "令和9年3月31日" in listing
    assert "令和9年4月1日" not in listing
