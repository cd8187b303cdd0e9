"""The statistics page's fiscal-year switcher as an adversary uses it: every year's page has a
three-year row, and the rows of two pages a year apart must not give a hidden year back."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from hub.db import db
from hub.services.consultations import record_case

Browser = Callable[..., FlaskClient]
CHIYODA = "131016"
LOCAL_WINDOW = 4
"""The column of the three-year table that counts cases referred to a local window."""


def _three_year_rows(client: FlaskClient, year: int) -> dict[str, list[str]]:
    page = client.get(f"/consultations/statistics?fiscal_year={year}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    table = re.search(r'data-table="consultation_three_years".*?</table>', html, re.S)
    assert table, year
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)[1:]:
        label = re.search(r"<th[^>]*>(.*?)</th>", row, re.S)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        assert label
        rows[label.group(1)] = [re.sub(r"<[^>]+>", "", c).replace("秘匿", "") for c in cells]
    return rows


def test_the_three_year_sums_of_two_years_pages_do_not_give_a_hidden_year_back(
    app: Flask, browser: Browser
) -> None:
    """One, two and one case sent to a local window in 平成30年度, 令和元年度 and 令和2年度, each year
    hidden. The 令和元年度 page's sum (0 + 1 + 2 = 3) beside the 令和2年度 page's (1 + 2 + 1 = 4)
    gave 令和2年度's 1 away (4 - 3 + 0, 平成29年度 having none): a sum is shown only where the three
    years are."""
    with app.app_context():
        for year, local in ((2018, 1), (2019, 2), (2020, 1)):
            for sent in [["other"]] * 5 + [[]] * 5 + [["municipal_window"]] * local:
                record_case(
                    {
                        "received_on": f"{year}-06-01",
                        "channel": "phone",
                        "age_group": "40s",
                        "caller": "self",
                        "crime_related": False,
                        "referred_to": sent,
                        "municipality": CHIYODA,
                    },
                    user=None,
                )
        db.session.commit()
    for reader in (
        browser("respondent", municipality=CHIYODA),
        browser("counterpart", recipient="moj"),
    ):
        pages = {year: _three_year_rows(reader, year) for year in range(2018, 2023)}
        for year, rows in pages.items():
            *years, total = rows.values()
            assert [row[LOCAL_WINDOW - 1] for row in years] == [
                "0" if y < 2018 or y > 2020 else "＊" for y in range(year - 2, year + 1)
            ], year
            assert total[LOCAL_WINDOW - 1] == "＊", (year, "a sum beside a hidden year")
            assert total[0] != "＊", "totals the years show are summed"
    staff = _three_year_rows(browser("staff"), 2020)
    assert [row[LOCAL_WINDOW - 1] for row in staff.values()] == ["1", "2", "1", "4"]
