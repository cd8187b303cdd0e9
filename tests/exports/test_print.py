"""The workbook on paper: LibreOffice prints the 62-municipality workbook (with a year of the
consultation desk's cases and the hearings) to PDF, and the pages are read back.

Issue 14, item 15: at most 25 pages; 回答一覧 one page wide with its header rows on every page;
in 集計 and 相談窓口 no table or chart cut by a page break.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader

from exports.tables import Sheet, Table
from exports.workbook import build_workbook, workbook_sheets
from hub.db import db
from hub.services import responses
from hub.services.demo_consultations import add_demo_cases, add_demo_hearings
from tests import libreoffice

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(libreoffice.SOFFICE is None, reason=libreoffice.MISSING),
]

MAX_PAGES = 25
UNSPLIT = ("集計", "相談窓口")
_SPACE = re.compile(r"\s+")
_FOOTER = re.compile(r"\d+/\d+")


def squeeze(text: str) -> str:
    """Text without white space: PDF text extraction breaks lines where the cell wrapped."""
    return _SPACE.sub("", text)


def printed_pages(app: Flask, round_id: int, tmp_path: Path) -> tuple[list[Sheet], list[str]]:
    with app.app_context():
        add_demo_cases(2020)
        add_demo_hearings(date(2022, 3, 31))
        db.session.commit()
        round_ = responses.get_round(round_id)
        sheets = workbook_sheets(round_)
        data = build_workbook(round_)
    xlsx = tmp_path / "workbook.xlsx"
    xlsx.write_bytes(data)
    done = libreoffice.convert(xlsx, "pdf", tmp_path)
    assert done.returncode == 0, done.stderr
    reader = PdfReader(tmp_path / "workbook.pdf")
    return sheets, [squeeze(page.extract_text()) for page in reader.pages]


def sheet_of(page: str, names: list[str]) -> str:
    """The sheet a page belongs to: its footer (read first) is 「1/25集計」 (``&P / &N``, ``&A``)."""
    footer = _FOOTER.match(page)
    assert footer is not None, page[:80]
    rest = page[footer.end() :]
    return max((name for name in names if rest.startswith(name)), key=len)


def missing_from_its_page(table: Table, pages: list[str]) -> list[str]:
    """What of the table (its rows' first cells, its chart's title) is not on the page that
    prints its title: empty when the table and its chart print whole on one page."""
    title = squeeze(table.title)
    page = next(page for page in pages if title in page)
    markers = [squeeze(str(row[0])) for row in table.rows if row and row[0] not in (None, "")]
    if table.chart is not None:
        markers.append(squeeze(table.chart.title))
    return [marker for marker in markers if marker not in page]


def test_the_workbook_prints_in_few_pages_and_cuts_no_table(
    app: Flask, seeded_round: int, tmp_path: Path
) -> None:
    sheets, pages = printed_pages(app, seeded_round, tmp_path)
    names = [sheet.name for sheet in sheets]
    per_sheet = [sheet_of(page, names) for page in pages]
    counts = {name: per_sheet.count(name) for name in names}
    assert len(pages) <= MAX_PAGES, counts
    assert set(UNSPLIT) <= set(names)

    answers = [page for page, name in zip(pages, per_sheet, strict=True) if name == "回答一覧"]
    assert len(answers) <= 3, "回答一覧 is one page wide: 62 rows on a few pages"
    last_header = squeeze(next(s for s in sheets if s.name == "回答一覧").tables[0].headers[-1])
    assert all("団体コード" in page and last_header in page for page in answers), (
        "every page carries the header row, down to the last column"
    )

    for sheet in sheets:
        if sheet.name not in UNSPLIT:
            continue
        own = [i for i, name in enumerate(per_sheet) if name == sheet.name]
        for table in sheet.tables:
            missing = missing_from_its_page(table, [pages[i] for i in own])
            assert not missing, f"{sheet.name}: {table.title} is cut before {missing}"
