"""Tables to an .xlsx file, streamed: openpyxl's write-only mode (with lxml), so that memory stays
flat however many municipalities a round has.

The renderer knows nothing about surveys: it lays out ``(sheet name, tables)`` groups, one table
under the other, with a heading, Japanese fonts, fitted column widths, frozen headers, A4
landscape print setup and the charts the tables ask for. Every cell goes through
:func:`exports.cells.safe_cell`, so no text ever becomes a formula.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.properties import PageSetupProperties

from exports.cells import CellKind, SafeCell, safe_cell
from exports.tables import Chart, Table

FONT_NAME = "游ゴシック"
"""Excel's Japanese UI font since 2016; Excel and LibreOffice substitute Meiryo or another
Japanese Gothic face where it is missing."""
CREATOR = "再犯防止 連携調査ハブ"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
"""The media type of every .xlsx the hub serves or delivers (workbook, template, deliveries)."""

SheetSpec = tuple[str, Sequence[Table]]

HEADING_ROWS = 2
MIN_WIDTH = 6
MAX_WIDTH = 60
MAX_WIDTH_FILTERABLE = 40
HEADER_WRAP = 18
WIDTH_SAMPLE = 500
POINTS_PER_LINE = 15.0
CHART_ROWS = 16
FIT_COLUMNS = 16

_ILLEGAL_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Document:
    """What the file says about itself: the heading on every sheet and the file properties."""

    title: str
    subtitle: str
    created: datetime
    subject: str = ""
    creator: str = CREATOR


def display_width(text: str) -> int:
    """Width in Excel column units: East Asian wide characters count twice."""
    longest = max(text.split("\n"), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in longest)


def sheet_title(name: str) -> str:
    """A name Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    return _ILLEGAL_SHEET_CHARS.sub("_", name).strip("'")[:31] or "Sheet"


# --- styles ----------------------------------------------------------------------------------

_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_NUMBER_FORMATS = {
    CellKind.INTEGER: "#,##0",
    CellKind.DECIMAL: "#,##0.0",
    CellKind.DATE: "yyyy/m/d",
    CellKind.DATETIME: "yyyy/m/d h:mm",
}
BODY_SIZE = 11


def _font(**kwargs: object) -> Font:
    return Font(name=FONT_NAME, family=3, charset=128, **kwargs)


def _use_japanese_default_font(workbook: Workbook) -> None:
    """Make 游ゴシック the workbook's default font (style 0, the Normal style).

    Cells written as plain values (the bulk of 回答一覧) carry no style of their own; without this
    they would show in Calibri. openpyxl has no public setter for the default font.
    """
    workbook._fonts = IndexedList([_font(size=BODY_SIZE)])


@dataclass(frozen=True)
class Look:
    """How a cell looks: its role on the sheet and what its value needs."""

    role: str
    kind: CellKind = CellKind.TEXT
    total: bool = False
    wrap: bool = False
    share: bool = False
    quote: bool = False
    boxed: bool = True


class _Styles:
    """One prepared style per look, shared by every cell that looks that way.

    Styling each cell through openpyxl's descriptors costs more than writing it; a prepared
    style array is built once with the public descriptors and then handed to each cell.
    """

    def __init__(self) -> None:
        self.prepared: dict[Look, StyleArray] = {}

    def of(self, ws: WriteOnlyWorksheet, look: Look) -> StyleArray:
        found = self.prepared.get(look)
        if found is None:
            proto = WriteOnlyCell(ws)
            _dress(proto, look)
            found = self.prepared[look] = proto._style
        return found


def _dress(cell: WriteOnlyCell, look: Look) -> None:
    role = look.role
    if role == "heading":
        cell.font = _font(size=14, bold=True)
    elif role == "subheading":
        cell.font = _font(size=10, color="595959")
    elif role == "title":
        cell.font = _font(size=12, bold=True)
    elif role == "note":
        cell.font = _font(size=9, color="595959")
    elif role == "key":
        cell.font = _font(size=8, color="808080")
    elif role == "header":
        cell.font = _font(size=BODY_SIZE, bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.border = _BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    else:
        cell.font = _font(size=BODY_SIZE, bold=look.total)
        if look.boxed:
            cell.border = _BOX
            cell.alignment = Alignment(wrap_text=look.wrap, vertical="top")
        if look.share:
            cell.number_format = "0.0%"
        elif look.kind in _NUMBER_FORMATS:
            cell.number_format = _NUMBER_FORMATS[look.kind]
        if look.total:
            cell.fill = PatternFill("solid", fgColor="F2F2F2")
    cell.quotePrefix = look.quote


# --- cells -----------------------------------------------------------------------------------


def _excel_value(safe: SafeCell) -> object:
    value = safe.value
    if safe.kind is CellKind.DATETIME and isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def _cell(ws: WriteOnlyWorksheet, safe: SafeCell, style: StyleArray) -> WriteOnlyCell:
    """A styled cell; text is always a string cell, never a formula or an error value."""
    cell = WriteOnlyCell(ws, _excel_value(safe))
    if safe.kind is CellKind.TEXT:
        cell.data_type = "s"
    cell._style = style
    return cell


def _plain(safe: SafeCell) -> object | None:
    """The value itself when openpyxl may write it unstyled, else ``None``.

    Numbers and text that neither looks like a formula nor came from users (nor reads as
    an Excel error value such as ``#N/A``) are safe to hand over as they are.
    """
    if safe.kind is CellKind.TEXT:
        if safe.keep_text or safe.value in ERROR_CODES:
            return None
        return safe.value
    if safe.kind in (CellKind.INTEGER, CellKind.DECIMAL):
        return safe.value
    return None


# --- layout ----------------------------------------------------------------------------------


def _natural_width(table: Table, column: int) -> int:
    widest = 0
    for row in table.rows[:WIDTH_SAMPLE]:
        safe = safe_cell(row[column])
        if safe.kind is CellKind.TEXT:
            widest = max(widest, display_width(str(safe.value)))
        elif safe.kind is CellKind.INTEGER:
            widest = max(widest, len(f"{safe.value:,}"))
        elif safe.kind is CellKind.DECIMAL:
            widest = max(widest, 7)
        elif safe.kind is CellKind.DATE:
            widest = max(widest, 10)
        elif safe.kind is CellKind.DATETIME:
            widest = max(widest, 16)
    return widest


@dataclass(frozen=True)
class _Plan:
    """The column widths of a sheet and, per table, each column's natural width."""

    widths: list[float]
    natural: dict[int, list[int]]

    @classmethod
    def of(cls, tables: Sequence[Table]) -> _Plan:
        count = max((len(t.headers) for t in tables), default=0)
        widths = [float(MIN_WIDTH)] * count
        natural: dict[int, list[int]] = {}
        for table in tables:
            limit = MAX_WIDTH_FILTERABLE if table.filterable else MAX_WIDTH
            natural[id(table)] = [_natural_width(table, i) for i in range(len(table.headers))]
            for i, header in enumerate(table.headers):
                wanted = max(natural[id(table)][i], min(display_width(header), HEADER_WRAP))
                widths[i] = max(widths[i], min(wanted + 2, limit))
        return cls(widths, natural)

    def wraps(self, table: Table) -> list[bool]:
        """Text columns of ``table`` too wide for their column wrap (lists never do)."""
        natural = self.natural[id(table)]
        return [
            not table.filterable and natural[i] + 2 > self.widths[i]
            for i in range(len(table.headers))
        ]


def _lines(text: str, width: float) -> int:
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n"))


class _SheetWriter:
    """Appends rows to one write-only sheet, remembering where each table landed."""

    def __init__(self, ws: WriteOnlyWorksheet, styles: _Styles, plan: _Plan) -> None:
        self.ws = ws
        self.styles = styles
        self.plan = plan
        self.widths = plan.widths
        self.row = 0
        self.chart_column = len(plan.widths) + 2
        self.filtered = False

    def append(self, cells: list[object], height: float | None = None) -> int:
        self.row += 1
        if height is not None:
            self.ws.row_dimensions[self.row].height = height
        self.ws.append(cells)
        return self.row

    def blank(self) -> None:
        self.append([])

    def text(self, text: str, role: str) -> WriteOnlyCell:
        safe = safe_cell(text)
        return _cell(self.ws, safe, self.styles.of(self.ws, Look(role, quote=safe.keep_text)))

    def heading(self, document: Document, sheet: str) -> None:
        self.append([self.text(f"{document.title}　{sheet}", "heading")], height=21)
        self.append([self.text(document.subtitle, "subheading")])

    def table(self, table: Table) -> tuple[int, int]:
        """Write ``table``; return the rows of its header and its last data row."""
        first = self.row + 1
        self.append([self.text(table.title, "title")], height=18)
        if table.keys:
            self.append([self.text(key, "key") for key in table.keys])
        header_lines = max(
            (_lines(h, self.widths[i]) for i, h in enumerate(table.headers)), default=1
        )
        header_row = self.append(
            [self.text(h, "header") for h in table.headers],
            height=POINTS_PER_LINE * header_lines + 3 if header_lines > 1 else None,
        )
        wrap = self.plan.wraps(table)
        body = len(table.rows) - table.total_rows
        for number, row in enumerate(table.rows):
            if table.filterable and number < body:
                self._list_row(table, row)
            else:
                self._boxed_row(table, row, wrap, total=number >= body)
        last = self.row
        for note in table.notes:
            self.append([self.text(f"※ {note}", "note")])
        if table.filterable and not self.filtered and table.rows:
            end = get_column_letter(len(table.headers))
            self.ws.auto_filter.ref = f"A{header_row}:{end}{last}"
            self.filtered = True
        if table.chart is not None and table.rows:
            self._chart(table, table.chart, first, header_row)
        return header_row, last

    def _boxed_row(
        self, table: Table, row: Sequence[object], wrap: list[bool], *, total: bool
    ) -> None:
        """A row of a summary table: every cell boxed and styled for its kind."""
        cells: list[object] = []
        lines = 1
        for i, value in enumerate(row):
            safe = safe_cell(value, user_text=i in table.user_text)
            look = Look(
                "cell",
                safe.kind,
                total=total,
                wrap=wrap[i],
                share=i in table.shares,
                quote=safe.keep_text,
            )
            cells.append(_cell(self.ws, safe, self.styles.of(self.ws, look)))
            if wrap[i] and safe.kind is CellKind.TEXT:
                lines = max(lines, _lines(str(safe.value), self.widths[i]))
        self.append(cells, height=POINTS_PER_LINE * min(lines, 27) if lines > 1 else None)

    def _list_row(self, table: Table, row: Sequence[object]) -> None:
        """A row of a long list (回答一覧): plain values wherever that is safe, streamed fast.

        Integers and empty cells need no decision; everything else goes through ``safe_cell``,
        and only text that must stay text (users' text, formula-like text) gets a styled cell.
        """
        cells: list[object] = []
        for i, value in enumerate(row):
            if value is None or (type(value) is int and i not in table.shares):
                cells.append(value)
                continue
            safe = safe_cell(value, user_text=i in table.user_text)
            plain = _plain(safe)
            if plain is not None and i not in table.shares:
                cells.append(plain)
                continue
            look = Look(
                "cell", safe.kind, share=i in table.shares, quote=safe.keep_text, boxed=False
            )
            cells.append(_cell(self.ws, safe, self.styles.of(self.ws, look)))
        self.append(cells)

    def _chart(self, table: Table, spec: Chart, first: int, header_row: int) -> None:
        plotted = spec.rows if spec.rows is not None else len(table.rows) - table.total_rows
        chart = BarChart()
        chart.type = "bar"
        chart.title = spec.title
        chart.style = 10
        if spec.stacked:
            chart.grouping = "stacked"
            chart.overlap = 100
        for column in spec.values:
            chart.add_data(
                Reference(
                    self.ws, min_col=column + 1, min_row=header_row, max_row=header_row + plotted
                ),
                titles_from_data=True,
            )
        chart.set_categories(
            Reference(
                self.ws,
                min_col=spec.categories + 1,
                min_row=header_row + 1,
                max_row=header_row + plotted,
            )
        )
        chart.x_axis.scaling.orientation = "maxMin"
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.majorGridlines = None
        if len(spec.values) == 1:
            chart.legend = None
        chart.width = 18
        chart.height = 7.5
        self.ws.add_chart(chart, f"{get_column_letter(self.chart_column)}{first}")
        while self.row < first + CHART_ROWS:
            self.blank()


def _setup_page(
    ws: WriteOnlyWorksheet, widths: list[float], freeze: str, title_rows: int, title_columns: int
) -> None:
    """Column widths, frozen panes and A4 landscape printing with repeated titles.

    Sheets up to :data:`FIT_COLUMNS` columns print fitted to the page width; wider ones (回答一覧)
    print at full size across pages, repeating their identifying columns on each.
    """
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"
    if len(widths) <= FIT_COLUMNS:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    elif title_columns:
        ws.print_title_cols = f"A:{get_column_letter(title_columns)}"
    ws.print_title_rows = f"1:{title_rows}"
    ws.oddFooter.center.text = "&P / &N"
    ws.oddFooter.right.text = "&A"


def _header_row_of_single(table: Table) -> int:
    """Where :class:`_SheetWriter` puts the header of a sheet's only table: heading rows, a blank
    row, the title, the keys row if any. Frozen panes must be set before the first row is written."""
    return HEADING_ROWS + 1 + 1 + (1 if table.keys else 0) + 1


def _write_sheet(
    workbook: Workbook, styles: _Styles, name: str, tables: Sequence[Table], document: Document
) -> None:
    ws = workbook.create_sheet(title=sheet_title(name))
    plan = _Plan.of(tables)
    widths = plan.widths
    if len(tables) == 1:
        header_row = _header_row_of_single(tables[0])
        frozen = get_column_letter(tables[0].frozen_columns + 1)
        _setup_page(ws, widths, f"{frozen}{header_row + 1}", header_row, tables[0].frozen_columns)
    else:
        _setup_page(ws, widths, f"A{HEADING_ROWS + 1}", HEADING_ROWS, 0)
    writer = _SheetWriter(ws, styles, plan)
    writer.heading(document, name)
    for table in tables:
        writer.blank()
        writer.table(table)


def write_xlsx(
    sheets: Sequence[SheetSpec], target: str | Path | IO[bytes], *, document: Document
) -> None:
    """Stream ``sheets`` into an xlsx file at ``target`` (a path or a binary file object)."""
    workbook = Workbook(write_only=True)
    props = workbook.properties
    created = document.created.astimezone(UTC).replace(tzinfo=None)
    props.title = document.title
    props.subject = document.subject or None
    props.creator = document.creator
    props.lastModifiedBy = document.creator
    props.created = created
    props.modified = created
    props.language = "ja-JP"
    _use_japanese_default_font(workbook)
    styles = _Styles()
    for name, tables in sheets:
        _write_sheet(workbook, styles, name, tables, document)
    workbook.save(target)


def render_xlsx(sheets: Sequence[SheetSpec], *, document: Document) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer, document=document)
    return buffer.getvalue()
