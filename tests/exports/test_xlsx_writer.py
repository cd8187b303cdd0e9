"""The xlsx writer's own cell XML: escaping, the formula guard on both paths (boxed tables and
the streamed list rows), types, and the rule that one module writes spreadsheets."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree

from exports.cells import safe_cell
from exports.tables import Table
from exports.xlsx import Document, cell_xml, render_xlsx, text_xml
from tests.exports.conftest import open_xlsx, sheet_xml
from tests.exports.seed import HOSTILE

XML_SHAPED = (
    "<r><t>太字</t></r>",
    '</t></is></c><c r="Z1"><f>1+1</f></c><c><is><t>',
    "A & B <b>",
    "_x0041_ は A ではない",
    "行1\r\n行2",
    " 前後に空白 ",
    "\t先頭タブ",
    "]]><![CDATA[",
)
"""Text shaped like the file's own markup, or like Excel's character escapes."""
DOCUMENT = Document("表題", "副題", datetime(2021, 8, 2, 1, 30, tzinfo=UTC))


def workbook_of(*tables: Table) -> bytes:
    return render_xlsx([("表", list(tables))], document=DOCUMENT)


def texts(*values: str, filterable: bool) -> Table:
    return Table.of(
        "pasted",
        "貼り付け",
        ("団体コード", "文字列", "数"),
        [(f"{i:06d}", v, i) for i, v in enumerate(values)],
        user_text=frozenset({1}),
        filterable=filterable,
    )


@pytest.mark.parametrize("filterable", [False, True], ids=["boxed table", "streamed list"])
def test_markup_and_formulas_come_back_as_the_same_text(filterable: bool) -> None:
    values = (*XML_SHAPED, *HOSTILE)
    data = workbook_of(texts(*values, filterable=filterable))
    for part, xml in sheet_xml(data):
        etree.fromstring(xml.encode())  # well-formed: no text escaped the cell it belongs to
        assert "<f>" not in xml, part
        assert "<f " not in xml, part
    ws = open_xlsx(data)["表"]
    cells = [row[1] for row in ws.iter_rows(min_row=6, max_row=5 + len(values))]
    read = [cell.value for cell in cells]
    # openpyxl does not undo Excel's _xHHHH_ escape (Excel and LibreOffice do; the LibreOffice
    # test reads it back); the escape itself is what matters here.
    assert read[3] == "_x005F_x0041_ は A ではない"
    assert read[:3] + read[4:] == list(values[:3] + values[4:])
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)


def test_text_xml_escapes_markup_cr_and_excel_escapes() -> None:
    assert text_xml("<r>x</r>") == "&lt;r&gt;x&lt;/r&gt;"
    assert text_xml("a&b") == "a&amp;b"
    assert text_xml("1\r\n2") == "1&#13;\n2"
    assert text_xml("_x000D_") == "_x005F_x000D_"
    assert text_xml("普通の文") == "普通の文"


def test_cells_keep_their_types_and_the_guard() -> None:
    assert cell_xml("A1", safe_cell(3), 0) == '<c r="A1"><v>3</v></c>'
    assert cell_xml("A1", safe_cell(0.351), 5) == '<c r="A1" s="5"><v>0.351</v></c>'
    assert cell_xml("A1", safe_cell(None), 0) == ""
    assert cell_xml("A1", safe_cell(None), 4) == '<c r="A1" s="4"/>'
    assert cell_xml("A1", safe_cell(date(2021, 4, 1)), 2) == '<c r="A1" s="2"><v>44287.0</v></c>'
    noon = datetime(2021, 4, 1, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo
    assert cell_xml("A1", safe_cell(noon), 2) == '<c r="A1" s="2"><v>44287.5</v></c>'
    formula = cell_xml("A1", safe_cell("=1+1"), 7)
    assert formula == '<c r="A1" s="7" t="inlineStr"><is><t>=1+1</t></is></c>'
    assert "<v>" not in cell_xml("A1", safe_cell(float("nan")), 0), "never a NaN number"


def test_list_rows_style_only_what_needs_it() -> None:
    table = Table.of(
        "list",
        "一覧",
        ("コード", "件数", "割合", "日付", "所管部署", "状態"),
        [("131016", 3, 0.5, date(2021, 3, 31), "福祉部", "提出済み")],
        user_text=frozenset({4}),
        shares=frozenset({2}),
        filterable=True,
    )
    ws = open_xlsx(workbook_of(table))["表"]
    code, count, share, day, department, state = next(ws.iter_rows(min_row=6, max_row=6))
    assert (code.value, code.data_type, code.quotePrefix) == ("131016", "s", False)
    assert (count.value, count.data_type) == (3, "n")
    assert (share.value, share.number_format) == (0.5, "0.0%")
    assert day.is_date
    assert day.value.date() == date(2021, 3, 31)
    assert department.quotePrefix, "users' text stays text when edited"
    assert not state.quotePrefix


def test_one_module_writes_spreadsheets() -> None:
    """XlsxWriter is imported by exports/xlsx.py alone; openpyxl reads uploads and writes the
    template (its cell protection and workbook-level settings are openpyxl's)."""
    root = Path(__file__).parents[2]
    importing = re.compile(r"^\s*(import|from)\s+xlsxwriter\b", re.MULTILINE)
    holders = sorted(
        path.relative_to(root).as_posix()
        for package in ("hub", "exports", "forms")
        for path in (root / package).rglob("*.py")
        if importing.search(path.read_text(encoding="utf-8"))
    )
    assert holders == ["exports/xlsx.py"]


def test_the_file_is_streamed_with_inline_strings() -> None:
    """constant_memory: no shared-string table that would hold every text in memory."""
    data = workbook_of(texts("一", "二", filterable=True))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "xl/sharedStrings.xml" not in archive.namelist()
