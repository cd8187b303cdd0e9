"""Referrals across the turn of a fiscal year and of a calendar year, with the clock moved: the
fiscal year a referral counts in is Tokyo's, and its 5 working days skip 年末年始."""

from __future__ import annotations

from collections.abc import Callable

from tests.clock import TokyoClock
from tests.conftest import HubRunner
from tests.referrals.conftest import Cast
from tests.web.conftest import Web, page


def test_a_referral_counts_in_the_fiscal_year_of_its_tokyo_day(
    cast: Cast, refer: Callable[..., int], tokyo_clock: TokyoClock
) -> None:
    tokyo_clock.set("2027-03-31 23:30")  # 14:30 UTC, the same day
    last_of_year = refer()
    tokyo_clock.set("2027-04-01 08:30")  # 23:30 UTC on 31 March
    first_of_year = refer()

    assert cast.staff.get(f"/referrals/{last_of_year}").get_json()["fiscal_year"] == 2026
    assert cast.staff.get(f"/referrals/{first_of_year}").get_json()["fiscal_year"] == 2027
    counts = {
        year: cast.staff.get(f"/referrals/summary?fiscal_year={year}").get_json()["total"]
        for year in (2026, 2027)
    }
    assert counts == {2026: 1, 2027: 1}


def test_five_working_days_skip_the_year_end_closure(
    cast: Cast, refer: Callable[..., int], tokyo_clock: TokyoClock
) -> None:
    tokyo_clock.set("2026-12-28 16:00")  # the last office day of 2026
    referral = refer()
    tokyo_clock.set("2027-01-08 12:00")  # 4 Jan is the 1st working day after, 8 Jan the 5th
    assert cast.staff.get(f"/referrals/{referral}").get_json()["late"] is False
    tokyo_clock.set("2027-01-12 09:00")  # 11 Jan is 成人の日
    assert cast.staff.get(f"/referrals/{referral}").get_json()["late"] is True


def test_the_statistics_page_opens_on_the_year_just_closed_until_the_new_one_has_a_referral(
    desk: Web, refer: Callable[..., int], tokyo_clock: TokyoClock
) -> None:
    tokyo_clock.set("2027-03-31 23:30")
    refer()
    tokyo_clock.set("2027-04-01 09:00")
    assert _selected_year(desk) == "2026", "the new year has no referral yet"
    assert _selected_year(desk, "?fiscal_year=2027") == "2027", "a year asked for wins"
    refer()
    assert _selected_year(desk) == "2027"


def _selected_year(client: Web, query: str = "") -> str:
    years = page(client.get(f"/referrals/statistics{query}")).xpath(
        "//select[@name='fiscal_year']/option[@selected]/@value"
    )
    assert len(years) == 1
    return str(years[0])


def test_retention_counts_days_across_the_year_end_and_a_leap_day(
    runner: HubRunner, cast: Cast, refer: Callable[..., int], tokyo_clock: TokyoClock
) -> None:
    """Closed at 23:30 on 31 March 2027 (Tokyo), a referral is kept 365 days: 2028 has a 29
    February, so the last day is 30 March 2028, and ``hub referrals purge`` erases it after."""
    tokyo_clock.set("2027-03-20 10:00")
    referral = refer()
    assert cast.window.post(f"/referrals/{referral}/accept").status_code == 200
    tokyo_clock.set("2027-03-31 23:30")
    assert (
        cast.window.post(f"/referrals/{referral}/close", {"outcome": "connected"}).status_code
        == 200
    )
    tokyo_clock.set("2028-03-30 23:29")
    assert runner("referrals", "purge").exit_code == 0
    assert cast.staff.get(f"/referrals/{referral}").get_json()["erased"] is False
    tokyo_clock.set("2028-03-30 23:31")
    assert runner("referrals", "purge").exit_code == 0
    assert cast.staff.get(f"/referrals/{referral}").get_json()["erased"] is True
