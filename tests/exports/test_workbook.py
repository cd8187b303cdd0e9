"""The consolidated workbook as openpyxl reads it back, and as raw XML."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime

from flask import Flask
from openpyxl.worksheet.worksheet import Worksheet

from exports.cells import looks_like_formula
from exports.print_plan import LEGIBLE_SCALE
from exports.tables import Table
from exports.workbook import build_workbook, workbook_filename
from exports.xlsx import MAX_WIDTH, display_width
from hub.services import responses
from tests.exports.conftest import open_xlsx, sheet_xml
from tests.exports.seed import HOSTILE, SOURCE_COUNTS, contact_values

RAW_HOSTILE = Table.of(
    "pasted",
    "貼り付けられた文字列",
    ("文字列", "数値"),
    [(text, -3) for text in HOSTILE],
    user_text=frozenset({0}),
)


def build(app: Flask, round_id: int, **kwargs: object) -> bytes:
    with app.app_context():
        return build_workbook(responses.get_round(round_id), **kwargs)  # type: ignore[arg-type]


def rows_of(ws: Worksheet) -> list[tuple[object, ...]]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def test_sheets_and_headline_numbers(app: Flask, seeded_round: int) -> None:
    book = open_xlsx(build(app, seeded_round))
    assert book.sheetnames == ["集計", "提出状況", "回答一覧", "定義"]
    rows = rows_of(book["集計"])
    assert rows[0][0] == "区市町村における再犯防止等の推進に向けた取組状況調査　集計"
    assert str(rows[1][0]).startswith("令和3年4月1日現在　　作成: ")
    assert str(rows[1][0]).endswith("（日本時間）")
    start = [r[:3] for r in rows].index(("区市町村の計画の策定状況", "自治体数", "備考"))
    assert set(rows[start][3:]) <= {None}
    table = rows[start + 1 : start + 8]
    assert [r[1] for r in table] == [*SOURCE_COUNTS.values(), 62]
    assert table[-1][0] == "合計"
    assert any(r[0] == "9/62 区市町村" and set(r[1:]) <= {None} for r in rows)


def test_no_cell_of_any_sheet_is_a_formula(app: Flask, seeded_round: int) -> None:
    data = build(app, seeded_round, extra_sheets=[("貼り付け", [RAW_HOSTILE])])
    for part, xml in sheet_xml(data):
        assert "<f>" not in xml, part
        assert "<f " not in xml, part
    book = open_xlsx(data)
    seen: set[str] = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and looks_like_formula(cell.value):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
                    seen.add(cell.value)
    assert set(HOSTILE) <= seen, "the raw strings, tab and CR included, reach the sheet as text"
    assert {"=1", "+1+2", "-3", "@SUM(A1)", '=HYPERLINK("http://x","y")'} <= seen


def test_hostile_answers_are_quoted_text_on_every_sheet_they_reach(
    app: Flask, seeded_round: int
) -> None:
    book = open_xlsx(build(app, seeded_round))
    answers = book["回答一覧"]
    comments = list(next(answers.iter_cols(min_col=1, max_col=1)))
    assert comments[6].value == "131016"
    values = {cell.value: cell for row in answers.iter_rows(min_row=7) for cell in row}
    for text in ("+1+2", "-3", "@SUM(A1)", "=cmd|' /C calc'!A0", "=1"):
        assert values[text].data_type == "s"
        assert values[text].quotePrefix
    plain = values["福祉部 地域福祉課"]
    assert plain.quotePrefix, "text typed by users stays text when edited"


def test_numbers_dates_and_codes_keep_their_types(app: Flask, seeded_round: int) -> None:
    book = open_xlsx(build(app, seeded_round))
    answers = book["回答一覧"]
    keys = [c.value for c in answers[5]]
    first = answers[7]
    assert first[0].value == "131016"
    assert first[0].data_type == "s"
    employers = first[keys.index("cooperating_employers")]
    assert employers.value == 0
    assert employers.data_type == "n"
    assert first[keys.index("programs.shamei_campaign")].value == 1
    plan_date = first[keys.index("plan_date")]
    assert plan_date.is_date
    assert plan_date.value.date() == date(2021, 3, 31)
    status = book["提出状況"]
    submitted = status[7][4]
    assert isinstance(submitted.value, datetime)
    assert submitted.number_format == "yyyy/m/d h:mm"
    summary = rows_of(book["集計"])
    share_row = next(r for r in summary if r[0] == "社会を明るくする運動")
    assert isinstance(share_row[2], float)


def test_presentation_frozen_headers_filter_print_and_properties(
    app: Flask, seeded_round: int
) -> None:
    data = build(app, seeded_round, generated_at=datetime(2021, 8, 2, 1, 30, tzinfo=UTC))
    book = open_xlsx(data)
    answers = book["回答一覧"]
    assert answers["A6"].value == "団体コード"
    assert answers.freeze_panes == "C7"
    assert answers.auto_filter.ref == f"A6:{answers.cell(6, answers.max_column).column_letter}68"
    assert answers.print_title_rows == "$5:$6", "key and header rows on every page"
    assert answers.print_area.startswith("'回答一覧'!$A$5:"), "heading and title not cut at B"
    assert answers.oddHeader.left.text.startswith("区市町村における再犯防止等"), "in the header"
    assert answers.print_title_cols == "$A:$B", "団体コード and 区市町村 on every page"
    fit = answers.sheet_properties.pageSetUpPr
    assert fit is None or not fit.fitToPage, "a fixed scale: Excel keeps manual breaks"
    assert (answers.page_setup.paperSize, answers.page_setup.scale) == (8, LEGIBLE_SCALE)
    assert answers.page_setup.pageOrder in (None, "downThenOver"), "a column group's rows together"
    keys = [c.value for c in answers[5]]
    column_breaks = [b.id for b in answers.col_breaks.brk]
    assert column_breaks, "pages of column groups"
    for column in column_breaks:  # between two fields: a many-of question's choices stay together
        field = keys[column].split(".")[0]
        assert field != keys[column - 1].split(".")[0], keys[column - 1 : column + 1]
        assert not keys[column - 1].startswith(field.removesuffix("_other")), keys[column]
    assert answers["A6"].font.name == "游ゴシック"
    plain = answers.cell(7, keys.index("programs.shamei_campaign") + 1)
    assert plain.value == 1
    assert plain.font.name == "游ゴシック", "the default font is Japanese too"
    assert answers["A6"].alignment.wrap_text
    summary = book["集計"]
    assert summary.freeze_panes == "A3"
    assert summary.page_setup.orientation == "landscape"
    assert summary.page_setup.paperSize in (8, 9)
    fit = summary.sheet_properties.pageSetUpPr
    assert fit is None or not fit.fitToPage, "a fixed scale: Excel keeps manual breaks"
    assert summary.page_setup.scale >= LEGIBLE_SCALE
    assert [b.man for b in summary.row_breaks.brk], "manual breaks between the tables"
    assert summary.print_title_rows == "$1:$2"
    assert summary.column_dimensions["A"].width > 30, "fits the long Japanese labels"
    assert str(rows_of(summary)[1][0]).endswith("作成: 令和3年8月2日（月）10:30（日本時間）")
    long_texts = [
        c
        for row in book["定義"].iter_rows(min_row=4)
        if sum(c.value is not None for c in row) > 1  # table rows, not titles and notes
        for c in row
        if isinstance(c.value, str) and display_width(c.value) > MAX_WIDTH
    ]
    assert long_texts
    assert all(c.alignment.wrap_text for c in long_texts), "定義 wraps its long texts"
    props = book.properties
    assert props.title == "区市町村における再犯防止等の推進に向けた取組状況調査"
    assert props.creator == "再犯防止 連携調査ハブ"


def test_charts_are_drawn_from_the_summary_sheet(app: Flask, seeded_round: int) -> None:
    data = build(app, seeded_round)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        xml = [archive.read(n).decode("utf-8").replace("<c:", "<") for n in charts]
    assert len(charts) == 2
    by_region, setup = xml
    assert "'集計'!$B$" in by_region
    assert "'集計'!$D$" in by_region
    assert '<grouping val="stacked"/>' in by_region
    assert '<overlap val="100"/>' in by_region
    assert '<orientation val="maxMin"/>' in by_region, "bars in the table's order, top down"
    assert "計画の策定状況（地域別）" in by_region
    assert "相談支援体制（地域別）" in setup
    assert '<grouping val="stacked"/>' in setup, "every one-of question: a chart by region"


def test_the_shared_workbook_carries_no_personal_data(app: Flask, seeded_round: int) -> None:
    staff = build(app, seeded_round)
    shared = build(app, seeded_round, for_staff=False)
    staff_xml = "".join(xml for _, xml in sheet_xml(staff))
    shared_xml = "".join(xml for _, xml in sheet_xml(shared))
    assert "staff0@example.lg.jp" in staff_xml
    for value in contact_values():
        assert value not in shared_xml
    assert "03-5320-0000" in staff_xml
    assert "説明「例: 03-5321-1111」" in shared_xml, "the hint is the definition's, not an answer"
    assert "最終入力者" not in shared_xml


def test_extra_sheets_go_before_the_definitions(app: Flask, seeded_round: int) -> None:
    data = build(app, seeded_round, extra_sheets=[("聞き取り", [RAW_HOSTILE]), ("空", [])])
    book = open_xlsx(data)
    assert book.sheetnames == ["集計", "提出状況", "回答一覧", "聞き取り", "定義"]
    rows = rows_of(book["聞き取り"])
    assert ("=cmd|' /C calc'!A0", -3) in rows


def test_history_sheet_and_filename(
    app: Flask, seeded_round: int, open_round_at: Callable[[date], int]
) -> None:
    later = open_round_at(date(2022, 4, 1))
    book = open_xlsx(build(app, later))
    assert book.sheetnames == ["集計", "提出状況", "回答一覧", "経年比較", "定義"]
    rows = rows_of(book["経年比較"])
    assert ("① 策定済み", 9, 0, -9) in rows
    with app.app_context():
        name = workbook_filename(responses.get_round(later))
    assert name == "区市町村における再犯防止等の推進に向けた取組状況調査_令和4年4月1日現在.xlsx"


def test_a_round_nobody_answered_yet_still_builds(
    app: Flask, open_round_at: Callable[[date], int]
) -> None:
    book = open_xlsx(build(app, open_round_at(date(2021, 4, 1))))
    rows = rows_of(book["集計"])
    assert ("合計", 0, "未回答 62 自治体", None, None, None) in rows
    assert ("社会を明るくする運動", 0, None, None, None, None) in rows
    assert ("0/62 区市町村", None, None, None, None, None) in rows
    answers = rows_of(book["回答一覧"])
    assert len(answers) == 6 + 62 + 1
