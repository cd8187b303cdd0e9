"""The print settings a clerk relies on, read back from the written xlsx with openpyxl (fast):
a text too long for one row runs on over rows instead of being cut, the table after a block
taller than a page starts a new page, and every page of a sheet says what it is from (the
heading rows, or the page header where other rows repeat).

``tests/exports/test_print.py`` prints the same cases through LibreOffice."""

from __future__ import annotations

from datetime import UTC, datetime

from openpyxl.worksheet.worksheet import Worksheet

from exports.tables import Table
from exports.xlsx import MAX_ROW_LINES, Document, page_heading, render_xlsx
from tests.exports.conftest import open_xlsx

DOCUMENT = Document(
    "区市町村における再犯防止等の推進に向けた取組状況調査",
    "令和3年4月1日現在　　作成: 令和3年8月2日（月）10:30（日本時間）",
    datetime(2021, 8, 2, 1, 30, tzinfo=UTC),
)
EXCEL_MAX_ROW_POINTS = 409.0
NAMES = [f"沖縄県架空町{n}" for n in range(1, 400)]
"""Enough municipalities with a plan for one region's list to need many rows (national)."""


def long_list_tables() -> list[Table]:
    """The shape of 集計's 「策定済みの区市町村」 at national scale, then the next table."""
    listed = Table.of(
        "formulated",
        "策定済みの区市町村",
        ("策定済みの区市町村",),
        [("【区部】千代田区、大田区",), ("【町村部】" + "、".join(NAMES),), ("291/1741 区市町村",)],
        total_rows=1,
    )
    after = Table.of(
        "integrated",
        "一体的に策定した計画",
        ("選択肢", "自治体数"),
        [("地域福祉計画", 10), ("防犯に関する計画", 0)],
    )
    return [listed, after]


def wide_list() -> Table:
    """A 回答一覧 too wide for A3: it prints in column groups."""
    headers = ("団体コード", "区市町村", *(f"設問{n}の回答" for n in range(60)))
    return Table.of(
        "answers",
        "回答一覧（令和3年4月1日現在）",
        headers,
        [(f"13{i:04d}", f"架空市{i}", *range(60)) for i in range(80)],
        keys=("code", "name", *(f"q{n}" for n in range(60))),
        filterable=True,
        frozen_columns=2,
        sections=(2, 22, 42),
    )


def column_text(ws: Worksheet, first_row: int) -> list[str]:
    return [str(c.value) for (c,) in ws.iter_rows(min_row=first_row, max_col=1) if c.value]


def test_a_text_too_long_for_a_row_runs_on_over_rows_beneath_it() -> None:
    ws = open_xlsx(render_xlsx([("集計", long_list_tables())], document=DOCUMENT))["集計"]
    cells = column_text(ws, 6)
    town = next(i for i, text in enumerate(cells) if text.startswith("【町村部】"))
    total = cells.index("291/1741 区市町村")
    assert total - town > 1, "the long text takes several rows"
    assert "".join(cells[town:total]) == "【町村部】" + "、".join(NAMES), "none of it is lost"
    for row in range(6, ws.max_row + 1):
        height = ws.row_dimensions[row].height
        assert height is None or height <= EXCEL_MAX_ROW_POINTS, (row, height)
    assert all(text.endswith("、") for text in cells[town : total - 1]), "cut after a 、"
    assert MAX_ROW_LINES * 16.5 < EXCEL_MAX_ROW_POINTS


def test_the_table_after_a_block_taller_than_a_page_starts_a_page() -> None:
    ws = open_xlsx(render_xlsx([("集計", long_list_tables())], document=DOCUMENT))["集計"]
    title = next(
        c.row for (c,) in ws.iter_rows(min_row=1, max_col=1) if c.value == "一体的に策定した計画"
    )
    # a break's id is the last row (1-based) of the page before it
    assert title - 1 in [b.id for b in ws.row_breaks.brk], "its title is not left at a page's foot"


def test_a_list_in_column_groups_prints_its_heading_in_the_page_header() -> None:
    book = open_xlsx(render_xlsx([("回答一覧", [wide_list()])], document=DOCUMENT))
    ws = book["回答一覧"]
    assert [b.id for b in ws.col_breaks.brk], "pages of column groups"
    # heading (rows 1-2), blank, title (row 4), keys (row 5), header (row 6)
    assert ws.print_title_rows == "$5:$6", "keys and header rows on every page"
    assert ws.print_title_cols == "$A:$B"
    assert ws.print_area == "'回答一覧'!$A$5:$BJ$86", "heading and title only in the header"
    header = ws.oddHeader
    assert header.left.text == f"{DOCUMENT.title}　&A"
    assert header.right.text == DOCUMENT.subtitle
    assert ws.oddFooter.center.text == "&P / &N"


def test_sheets_whose_heading_repeats_have_no_page_header_and_the_others_do() -> None:
    notes = Table.of(
        "hearings",
        "聞き取りの記録",
        ("実施日", "区市町村", "メモ"),
        [(f"2021/6/{i % 28 + 1}", "架空市", "課題の聞き取り") for i in range(120)],
    )
    book = open_xlsx(
        render_xlsx([("集計", long_list_tables()[1:]), ("聞き取り", [notes])], document=DOCUMENT)
    )
    summary, hearings = book["集計"], book["聞き取り"]
    assert summary.print_title_rows == "$1:$2"
    assert not summary.oddHeader.left.text
    assert not summary.print_area
    assert hearings.print_title_rows == "$5:$5", "the record's header repeats"
    assert hearings.oddHeader.left.text == f"{DOCUMENT.title}　&A"
    assert not hearings.print_area, "the first page prints the heading itself"


def test_the_page_header_keeps_to_excels_limit() -> None:
    long = Document("調査" * 200, "令和3年4月1日現在 & 付記", DOCUMENT.created)
    heading = page_heading(long)
    assert len(heading.encode("utf-16-le")) // 2 <= 255
    assert heading.startswith("&L&11調査調査")
    assert "…　&A" in heading
    assert page_heading(Document("A&B", "S", DOCUMENT.created)) == "&L&11A&&B　&A&R&11S"
