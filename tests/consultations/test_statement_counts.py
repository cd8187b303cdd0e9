"""The statistics page in SQL statements (counts, not times): a respondent's page reads the
year's counts once and its own residents' once more, whatever the number of municipalities with
cases or of years recorded (``bench/pages.py`` measures the same page at national scale)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from exports.consultation_counts import case_counts
from hub.db import counting_statements, db
from hub.services.consultations import record_case

Browser = Callable[..., FlaskClient]
CHIYODA = "131016"
URL = "/consultations/statistics?fiscal_year=2020"
OWN_COUNTS = 6
"""The GROUP BYs of one municipality's residents: ages, crimes, referrals, regions, the cases
referred and those referred to a local window."""


def _cases(app: Flask, homes: list[str | None], years: list[int]) -> None:
    with app.app_context():
        for year in years:
            for n, home in enumerate(homes):
                record_case(
                    {
                        "received_on": f"{year}-0{4 + n % 6}-01",
                        "channel": "phone",
                        "age_group": ("20s", "30s", "40s")[n % 3],
                        "caller": "self",
                        "municipality": home,
                    },
                    user=None,
                )
        db.session.commit()


def _statements(app: Flask, clients: dict[str, FlaskClient]) -> dict[str, int]:
    counted = {}
    for role, client in clients.items():
        assert client.get(URL).status_code == 200  # the sign-in's first request behind it
        with app.app_context(), counting_statements() as log:
            page = client.get(URL)
        assert page.status_code == 200, role
        counted[role] = len(log)
    return counted


def test_a_respondents_statistics_page_reads_its_own_counts_once_however_much_is_recorded(
    app: Flask, browser: Browser, municipalities: dict[str, tuple[str, str]]
) -> None:
    clients = {
        "staff": browser("staff"),
        "counterpart": browser("counterpart", recipient="moj"),
        "respondent": browser("respondent", municipality=CHIYODA),
    }
    _cases(app, [CHIYODA, "131024", None], [2020])
    few = _statements(app, clients)
    assert few["respondent"] == few["counterpart"] + OWN_COUNTS, few
    # the user; the years with cases (the year picker's); the regions and the year's 6 counts;
    # the residents' 6; the regions and the three years' 6 counts together (31 before: the
    # year's counts read twice, the regions once for each year asked)
    assert few["respondent"] == 22, few

    others = sorted(set(municipalities) - {CHIYODA})[:40]
    _cases(app, [CHIYODA, *others, None], [2018, 2019, 2020, 2021, 2022])
    assert _statements(app, clients) == few, "more municipalities and years, the same reads"


def test_the_counts_of_many_years_take_as_many_statements_as_one_year(app: Flask) -> None:
    """The regions were read once for each year asked (the three-year table read them thrice)."""
    _cases(app, [CHIYODA, "131024", None], [2018, 2019, 2020])
    with app.app_context():
        with counting_statements() as one:
            case_counts([2020])
        with counting_statements() as five:
            case_counts([2018, 2019, 2020, 2021, 2022])
    assert len(five) == len(one) == 7, (len(one), len(five))
