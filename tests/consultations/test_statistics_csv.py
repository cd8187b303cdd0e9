"""The desk's statistics page as CSV, its share cells in the three projections, and the year.

The CSV holds what the Excel file holds for the same reader, both decided by one function
(``hub/web/statistics_file.py``); a share cell reads the same in the page, the xlsx and the CSV:
``＊`` where a count it needs is hidden, ``-`` where its whole is 0 (nothing referred, an empty
year), ``39.7%`` otherwise (a number formatted as a percentage in the xlsx)."""

from __future__ import annotations

from collections.abc import Callable

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import db
from hub.models import AuditEvent
from hub.services.consultations import record_case
from tests.consultations.test_statistics_download import CHIYODA, DOWNLOAD, HACHIOJI, _case, _seed
from tests.statistics_files import (
    PageTable,
    csv_downloaded,
    csv_rows,
    csv_tables,
    csv_titles,
    downloaded,
    file_cells,
    file_tables,
    only_sheet,
    page_tables,
)

Browser = Callable[..., FlaskClient]
PAGE = "/consultations/statistics"
CSV = "/consultations/statistics.csv"
READERS = [
    ("respondent", {"municipality": CHIYODA}),
    ("counterpart", {"recipient": "moj"}),
    ("staff", {}),
]


def _three(client: FlaskClient, year: int) -> tuple[list[PageTable], list[PageTable]]:
    """The page's tables, checked to be the xlsx's and the CSV's, and the CSV's rows."""
    query = f"?fiscal_year={year}"
    page = page_tables(client.get(PAGE + query))
    sheet = only_sheet(downloaded(client.get(DOWNLOAD + query)).data)
    rows = csv_rows(csv_downloaded(client.get(CSV + query)).data)
    assert file_tables(sheet, page) == page
    assert csv_tables(rows, page) == page
    assert csv_titles(rows) == [caption for caption, _, _ in page]
    cells = [cell for row in rows for cell in row]
    assert cells.count("＊") == file_cells(sheet).count("＊")
    return page, csv_tables(rows, page)


@pytest.mark.parametrize(("role", "extra"), READERS)
def test_the_csv_holds_the_pages_tables_for_the_same_reader(
    app: Flask, browser: Browser, role: str, extra: dict[str, str]
) -> None:
    _seed(app)
    reader = browser(role, **extra)
    shown = reader.get(f"{PAGE}?fiscal_year=2020").get_data(as_text=True)
    links = lxml.html.fromstring(shown).xpath(f"//main//a[starts-with(@href, '{CSV}')]/@href")
    assert links == [f"{CSV}?fiscal_year=2020", f"{CSV}?fiscal_year=2020&encoding=cp932"]
    page, _ = _three(reader, 2020)
    cells = [c for _, _, rows in page for row in rows for c in row]
    assert ("＊" in cells) == (role != "staff")
    response = csv_downloaded(reader.get(f"{CSV}?fiscal_year=2020"))
    rows = csv_rows(response.data)
    assert rows[0] == ["令和2年度 犯罪お悩みなんでも相談の実績　相談窓口の統計"]
    assert "consultation-statistics-2020.csv" in response.headers["Content-Disposition"]
    own = [t for t in csv_titles(rows) if "に住む方からの相談" in t]
    assert own == (["令和2年度 千代田区に住む方からの相談"] if role == "respondent" else [])
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "consultation.statistics_download_csv")
        ).all()
        assert [e.target for e in events] == ["fiscal_year/2020"] * 2


@pytest.mark.parametrize(("role", "extra"), READERS)
def test_the_shift_jis_csv_is_made_on_english_pages_too(
    app: Flask, browser: Browser, role: str, extra: dict[str, str]
) -> None:
    """The English page's Shift_JIS CSV is made: the audience row's em dash is written as cp932's
    ―, the note under a suppressed table says 「1 or 2」, not 「1–2」, and the years' total
    「5 years (FY2016 to FY2020)」 (an en dash, U+2013, that Shift_JIS has not). Before, every English reader was sent back to the page, whatever the counts."""
    _seed(app)
    reader = browser(role, **extra)
    reader.get("/language/en")
    response = csv_downloaded(reader.get(f"{CSV}?fiscal_year=2020&encoding=cp932"))
    rows = csv_rows(response.data, "cp932")
    assert rows[1][0].startswith("For "), rows[1]
    assert " ― made " in rows[1][0], "the em dash as Shift_JIS holds it"
    page = page_tables(reader.get(f"{PAGE}?fiscal_year=2020"))
    assert csv_tables(rows, page) == page


def test_a_window_gets_no_csv(app: Flask, browser: Browser) -> None:
    assert browser("window", municipality=CHIYODA).get(CSV).status_code == 403


def _column(tables: list[PageTable], caption_part: str, column: int) -> list[str]:
    found = [rows for caption, _, rows in tables if caption_part in caption]
    assert len(found) == 1, ([caption for caption, _, _ in tables], caption_part)
    (rows,) = found
    return [row[column] for row in rows]


@pytest.mark.parametrize(("role", "extra"), READERS[1:])
def test_share_cells_agree_hidden_nothing_and_empty(
    app: Flask, browser: Browser, role: str, extra: dict[str, str]
) -> None:
    """令和3年度: 6 cases, one about a crime, none referred; 令和4年度: no case at all."""
    with app.app_context():
        for answers in [
            _case("2021-06-01", "40s", HACHIOJI, crime="shoplifting"),
            *[_case("2021-06-02", "50s", HACHIOJI)] * 5,
        ]:
            record_case(answers, user=None)
        db.session.commit()
    reader = browser(role, **extra)
    for tables in _three(reader, 2021):
        crime = _column(tables, "相談にかかる犯罪の種類", 2)
        # the total's share: its whole (1) hidden for the counterpart, shown for staff
        assert crime[-1] == ("100.0%" if role == "staff" else "＊")
        assert _column(tables, "実績", 1)[-1] == "-", "nothing referred: no share of windows"
        ages = _column(tables, "年代", 2)
        assert ages[-1] == "100.0%"
        if role == "staff":
            assert "83.3%" in ages, "5 of 6 in their fifties"
    for tables in _three(reader, 2022):
        assert set(_column(tables, "年代", 2)) == {"-"}, "an empty year: no share anywhere"
        assert _column(tables, "実績", 1)[-1] == "-"


def test_a_year_without_cases_or_one_that_cannot_be_shown_is_said(
    app: Flask, browser: Browser
) -> None:
    _seed(app)
    moj = browser("counterpart", recipient="moj")

    def notices(query: str) -> list[str]:
        doc = lxml.html.fromstring(moj.get(PAGE + query).get_data(as_text=True))
        return [" ".join(n.text_content().split()) for n in doc.xpath("//*[@data-year-notice]")]

    assert notices("?fiscal_year=2018") == ["平成30年度の相談の記録はありません。"]
    assert notices("?fiscal_year=2020") == []
    assert notices("?fiscal_year=2017") == [
        "指定された年度「2017」は表示できないため、令和2年度を表示しています。"
        "年度は一覧から選んでください。"
    ]
    offered = lxml.html.fromstring(moj.get(PAGE).get_data(as_text=True)).xpath(
        "//select[@name='fiscal_year']/option/@value"
    )
    assert {"2018", "2019", "2020"} <= set(offered)
