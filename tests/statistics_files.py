"""Reading a statistics page and its Excel download side by side, as a person reads each: the
tables of the page (``<table data-table>``: caption, headers, rows; ＊ where a count is hidden)
and the same tables found in the file's one sheet at the page's captions. The desk's statistics
(``tests/consultations/test_statistics_download.py``) and the referrals'
(``tests/referrals/test_statistics_download.py``) are checked with these."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from typing import Any

import lxml.html
from openpyxl import load_workbook
from werkzeug.test import TestResponse

from exports.suppression import SUPPRESSED_MARK

PageTable = tuple[str, list[str], list[list[str]]]


def cell_text(cell: Any) -> str:
    """A cell as the page shows it: ＊ where hidden, ``-`` for a share of nothing, ``39.7%``."""
    if "suppressed" in (cell.get("class") or ""):
        return "＊"
    return " ".join(cell.text_content().split())


def page_tables(response: TestResponse) -> list[PageTable]:
    """``(caption, headers, rows)`` of every table of the page, in order, as a person reads them."""
    doc = lxml.html.fromstring(response.get_data(as_text=True))
    found = []
    for table in doc.xpath("//main//table[@data-table]"):
        caption = " ".join(table.xpath("string(caption)").split())
        headers = [cell_text(th) for th in table.xpath("thead/tr/th")]
        rows = [[cell_text(c) for c in tr.xpath("th|td")] for tr in table.xpath("tbody/tr")]
        found.append((caption, headers, rows))
    return found


def page_cells(page: list[PageTable]) -> list[str]:
    """Every body cell of the page's tables."""
    return [cell for _, _, rows in page for row in rows for cell in row]


def shown(cell: Any) -> str:
    """A cell as Excel shows it: a share formatted ``0.0%`` as 39.7%; text (＊, ``-``) as it is."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, float) and cell.number_format.endswith("%"):
        return f"{value * 100:.1f}%"
    return str(value)


def only_sheet(data: bytes) -> Any:
    """The file's one sheet (a statistics file has no other)."""
    book = load_workbook(io.BytesIO(data))
    assert len(book.worksheets) == 1
    return book.worksheets[0]


def file_cells(sheet: Any) -> list[Any]:
    """Every value of the sheet."""
    return [c.value for row in sheet.iter_rows() for c in row]


def file_tables(sheet: Any, page: list[PageTable]) -> list[PageTable]:
    """The file's tables at the page's captions, read as wide as the page's headers."""
    rows = list(sheet.iter_rows())
    firsts = [row[0].value for row in rows]
    found = []
    start = 0
    for caption, headers, body in page:
        at = firsts.index(caption, start)
        width = len(headers)
        file_headers = [shown(c) for c in rows[at + 1][:width]]
        file_rows = [[shown(c) for c in r[:width]] for r in rows[at + 2 : at + 2 + len(body)]]
        after = rows[at + 2 + len(body)][0].value if at + 2 + len(body) < len(rows) else None
        assert after is None or str(after).startswith("※"), (caption, after)
        assert all(c.value is None for c in rows[at + 1][width:]), caption
        found.append((caption, file_headers, file_rows))
        start = at + 1
    return found


def titles(sheet: Any) -> list[str]:
    """Every table title of the file: below the two heading rows, a row with text in its first
    cell alone that is not a note (※) and has a header row (two cells or more) under it."""
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    return [
        row[0]
        for i, row in enumerate(rows[2:-1], start=2)
        if isinstance(row[0], str)
        and not row[0].startswith("※")
        and all(v is None for v in row[1:])
        and sum(v is not None for v in rows[i + 1]) >= 2
    ]


def csv_rows(data: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    """The CSV file's rows as a spreadsheet reads them (UTF-8 files begin with a BOM)."""
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf"), "a BOM, so that Excel reads Japanese"
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def csv_tables(rows: list[list[str]], page: list[PageTable]) -> list[PageTable]:
    """The CSV's tables at the page's captions: a blank row, the title alone on its row, the
    header row, the rows, then notes (※) or the next blank row."""
    found = []
    start = 0
    for caption, _headers, body in page:
        at = rows.index([caption], start)
        assert rows[at - 1] == [], ("a blank row before each table", caption)
        file_rows = rows[at + 2 : at + 2 + len(body)]
        after = rows[at + 2 + len(body) :][:1]
        assert after in ([], [[]]) or after[0][0].startswith("※"), (caption, after)
        found.append((caption, rows[at + 1], file_rows))
        start = at + 1
    return found


def csv_titles(rows: list[list[str]]) -> list[str]:
    """Every table title of the CSV: a row of one cell right after a blank row."""
    return [row[0] for before, row in itertools.pairwise(rows) if before == [] and row]


def csv_downloaded(response: TestResponse) -> TestResponse:
    """``response`` checked as a statistics CSV: 200, an attachment, CSV, never kept by a cache."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "text/csv"
    return response


def downloaded(response: TestResponse) -> TestResponse:
    """``response`` checked as a statistics file: 200, an attachment, xlsx, never kept by a cache."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return response


def has_formula(data: bytes) -> bool:
    """Whether any worksheet of the xlsx holds a formula (``<f>``)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        return any(b"<f>" in package.read(n) for n in sheets)


def hidden_cells(rows: list[list[str]]) -> int:
    """How many cells of a file read as rows are a hidden count (``＊`` alone): the note that
    explains the mark is not one."""
    return sum(cell.strip() == SUPPRESSED_MARK for row in rows for cell in row)
