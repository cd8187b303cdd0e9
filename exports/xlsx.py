"""Tables to an .xlsx file, streamed: the one module that writes spreadsheets (XlsxWriter).

The renderer knows nothing about surveys: it lays out ``(sheet name, tables)`` groups, one table
under the other, with a heading, Japanese fonts, fitted column widths, frozen headers, the charts
the tables ask for and the print plan of :mod:`exports.print_plan`. XlsxWriter writes the file in
``constant_memory`` mode: each row goes to a temporary file as it is finished, so memory stays
flat however many municipalities a round has.

Cells are written by this module, one row of XML at a time (:func:`row_xml`), not through
XlsxWriter's per-cell calls: that is most of the time of a national workbook, and it keeps the
two rules that matter in one place here:

- every value goes through :func:`exports.cells.safe_cell` first; text is always an inline string
  (never a formula), and text from users or text that looks like a formula carries the quote
  prefix, so that editing it in Excel keeps it text;
- text is XML-escaped here (``&``, ``<``, ``>``, CR as ``&#13;``, and Excel's own ``_xHHHH_``
  escape escaped), whatever it looks like — XlsxWriter's own constant-memory path would pass a
  string shaped like ``<r>…</r>`` through unescaped.
"""

from __future__ import annotations

import functools
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from exports import print_plan
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
MAX_WIDTH_FILTERABLE = 24
"""Columns of a list stay narrow (their headers wrap) so that a printed page holds many."""
HEADER_WRAP = 12
WIDTH_SAMPLE = 500
BODY_SIZE = 11
ROW_POINTS = 18.75
"""The height of a one-line row with the 11 pt Japanese body font (Excel's default for it)."""
POINTS_PER_LINE = 16.5
WIDE_FONT = 1.0
"""How many of its display units (a kanji counts two) a character is taken to fill when text
wraps: LibreOffice draws an 11 pt kanji 1.6 of its 7 pt units wide, and Excel's units are
no narrower than a kanji's half, so counting two never makes a row too short for its text."""
LIST_ROW_POINTS = 15.0
"""A row of a long list: one line, no wrapping; lower than :data:`ROW_POINTS`, so that more rows
fit a printed page."""
MAX_ROW_LINES = 24
"""The most lines of wrapped text one row is made tall for: 398.25 pt, under Excel's limit of a
row's height (409 pt). A longer text (the national list of the municipalities with a plan)
runs on over rows beneath it (:func:`_pieces`), so that none of it is cut off on screen or on
paper and a page can break between its rows."""
CHART_ROWS = 16
CHART_WIDTH_PX = 680
CHART_HEIGHT_PX = 283
"""18 × 7.5 cm at 96 dpi."""
CHART_OFFSET_PX = 4
DEFAULT_COLUMN_PX = 64
"""The width XlsxWriter gives a column left at its default width, in pixels."""

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


# --- cells as XML ----------------------------------------------------------------------------

_NEEDS_ESCAPE = re.compile(r"[&<>\r]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_EXCEL_ESCAPE = re.compile(r"(_x[0-9A-Fa-f]{4}_)")
_EPOCH = datetime(1899, 12, 30)


def text_xml(text: str) -> str:
    """``text`` as the content of a ``<t>`` element: read back exactly as it was, by any program.

    XML's ``&``, ``<`` and ``>`` are escaped; CR is a character reference (a literal CR would be
    read as LF); a literal ``_x0041_`` gets Excel's escape of the underscore, so that Excel does
    not read it as the character it names.
    """
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F\1", text)
    if _NEEDS_ESCAPE.search(text):
        text = text.translate(_XML_ESCAPES)
    return text


def _serial(value: date) -> float:
    """Excel's serial day number (1900 date system) of a date or a naive local date-time."""
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    delta = moment.replace(tzinfo=None) - _EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000


def cell_tail(safe: SafeCell, style: int) -> str:
    """A ``<c>`` element after its ``r`` attribute; ``""`` for an empty cell (``None`` or empty
    text) with no style.

    ``style`` 0 is the workbook's default look. A cell's tail depends on its value and look
    alone, so the list rows reuse it for every repeat of a value.
    """
    s = f' s="{style}"' if style else ""
    value = safe.value
    kind = safe.kind
    if kind is CellKind.EMPTY or value == "":
        return f"{s}/>" if style else ""
    if kind is CellKind.TEXT:
        assert isinstance(value, str)
        space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
        return f'{s} t="inlineStr"><is><t{space}>{text_xml(value)}</t></is></c>'
    if kind in (CellKind.DATE, CellKind.DATETIME):
        assert isinstance(value, date)
        return f"{s}><v>{_serial(value)!r}</v></c>"
    if isinstance(value, float) and not math.isfinite(value):
        return cell_tail(safe_cell(str(value)), style)
    return f"{s}><v>{value!r}</v></c>"


def cell_xml(ref: str, safe: SafeCell, style: int) -> str:
    """One ``<c>`` element at ``ref`` (``B7``); ``""`` for an empty cell with no style."""
    tail = cell_tail(safe, style)
    return f'<c r="{ref}"{tail}' if tail else ""


def row_xml(row: int, cells: str, height: float | None = None) -> str:
    """One ``<row>`` (``row`` 0-based) holding the ``<c>`` elements ``cells``."""
    ht = f' ht="{height:g}" customHeight="1"' if height is not None else ""
    return f'<row r="{row + 1}"{ht}>{cells}</row>'


class StreamedWorksheet(Worksheet):
    """XlsxWriter's worksheet in constant-memory mode, taking whole rows of cell XML.

    Everything else (columns, panes, filter, charts, print setup) uses XlsxWriter's public
    methods. Rows must come in order and no cell may be written through ``write*``.
    """

    def append_row(self, row: int, last_column: int, xml: str) -> None:
        assert self.constant_memory, "rows are streamed in constant_memory mode only"
        self._check_dimensions(row, 0)
        self._check_dimensions(row, last_column)
        self.previous_row = row
        self.fh.write(xml)


# --- looks -----------------------------------------------------------------------------------

_BORDER = {"border": 1, "border_color": "#A6A6A6"}
DECIMAL_FORMAT = "#,##0.0" + "#" * 14
"""A decimal as it was typed: one decimal at least (1.0), and every digit a number holds (the
hub keeps 15 significant digits) — ``#,##0.0`` showed 1.25 as 1.3."""
_NUMBER_FORMATS = {
    CellKind.INTEGER: "#,##0",
    CellKind.DECIMAL: DECIMAL_FORMAT,
    CellKind.DATE: "yyyy/m/d",
    CellKind.DATETIME: "yyyy/m/d h:mm",
}
SHARE_FORMAT = "0.0%"
_ROLES: dict[str, dict[str, Any]] = {
    "heading": {"font_size": 14, "bold": True},
    "subheading": {"font_size": BODY_SIZE, "font_color": "#595959"},
    "title": {"font_size": 12, "bold": True},
    "note": {"font_size": BODY_SIZE, "font_color": "#595959"},
    "key": {"font_size": BODY_SIZE, "font_color": "#808080"},
    "header": {
        "bold": True,
        "bg_color": "#DDEBF7",
        "text_wrap": True,
        "valign": "vcenter",
        "align": "center",
        **_BORDER,
    },
}


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


def _properties(look: Look) -> dict[str, Any]:
    if look.role in _ROLES:
        props = dict(_ROLES[look.role])
    else:
        props = {"bold": look.total}
        if look.boxed:
            props.update(_BORDER, text_wrap=look.wrap, valign="top")
        if look.share:
            props["num_format"] = SHARE_FORMAT
        elif look.kind in _NUMBER_FORMATS:
            props["num_format"] = _NUMBER_FORMATS[look.kind]
        if look.total:
            props["bg_color"] = "#F2F2F2"
    if look.quote:
        props["quote_prefix"] = True
    return props


@dataclass
class _Looks:
    """One XlsxWriter format per look, made on first use and shared by every cell that looks so.

    ``tails`` holds the finished XML of the list cells seen so far, per kind of column (users'
    text or not, share or not), for the whole workbook: a style index is the workbook's, so a
    value's tail is the same on every sheet (提出状況 and 回答一覧 share codes and names).
    """

    workbook: Workbook
    formats: dict[Look, Format] = field(default_factory=dict)
    styles: dict[Look, int] = field(default_factory=dict)
    tails: dict[tuple[bool, bool], dict[object, str]] = field(default_factory=dict)

    list_styles: dict[tuple[str, bool, bool], int] = field(default_factory=dict)

    def style(self, look: Look) -> int:
        """The ``s`` index of ``look`` in the file's cell styles."""
        found = self.styles.get(look)
        if found is None:
            fmt = self.formats[look] = self.workbook.add_format(_properties(look))
            found = self.styles[look] = fmt._get_xf_index()
        return found

    def list_style(self, kind: CellKind, share: bool, quote: bool) -> int:
        """The style of an unboxed list cell, by plain values (hashing a ``Look`` costs more
        than the rest of a cell's decision)."""
        key = (kind._value_, share, quote)
        found = self.list_styles.get(key)
        if found is None:
            look = Look("cell", kind, share=share, quote=quote, boxed=False)
            found = self.list_styles[key] = self.style(look)
        return found


# --- layout ----------------------------------------------------------------------------------


def _natural_width(table: Table, column: int) -> int:
    """The widest value of the column (in its first :data:`WIDTH_SAMPLE` rows), as shown: each
    distinct value (with its type: ``1`` and ``1.0`` are shown differently) measured once."""
    sample = [row[column] for row in table.rows[:WIDTH_SAMPLE]]
    try:
        distinct: Iterable[tuple[type, object]] = set(zip(map(type, sample), sample, strict=True))
    except TypeError:  # a value that cannot be hashed: measure every one
        distinct = zip(map(type, sample), sample, strict=True)
    widest = 0
    for cls, value in distinct:
        if value is None:
            continue
        if cls is str:
            assert isinstance(value, str)
            fast = value.isascii() and "\n" not in value
            width = len(value) if fast else _text_width(value)
        elif cls is int or cls is bool:
            width = len(f"{value:,}")
        elif cls is float:
            width = 7
        elif isinstance(value, datetime):
            width = 16
        elif isinstance(value, date):
            width = 10
        else:
            width = _text_width(str(value))
        widest = max(widest, width)
    return widest


@functools.lru_cache(maxsize=8192)
def _text_width(text: str) -> int:
    return display_width(text)


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
            limit = min(limit, table.max_column_width or limit)
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
    """Lines ``text`` wraps to in a column ``width`` wide, counted with :data:`WIDE_FONT`, so
    that a row is never too short for its text."""
    usable = max(width - 1, 1)
    return sum(
        max(1, math.ceil(display_width(part) * WIDE_FONT / usable)) for part in text.split("\n")
    )


def _height(lines: int) -> float | None:
    """A row's height for ``lines`` lines of wrapped text (at most :data:`MAX_ROW_LINES`);
    ``None``: the default height."""
    return ROW_POINTS + POINTS_PER_LINE * (min(lines, MAX_ROW_LINES) - 1) if lines > 1 else None


_BREAK_AFTER = re.compile(r"(?<=[、。，,\n])")


def _pieces(text: str, width: float, most: int = MAX_ROW_LINES) -> list[str]:
    """``text`` cut into pieces of at most ``most`` wrapped lines in a column ``width`` wide
    (:func:`_lines`), after a 、 or 。 or a line break where it can, else between characters;
    joined they are ``text`` again."""
    pieces: list[str] = []
    piece = ""
    for token in _BREAK_AFTER.split(text):
        if _lines(piece + token, width) <= most:
            piece += token
            continue
        if piece:
            pieces.append(piece)
            piece = ""
        for character in token:  # a token longer than a whole piece: cut between characters
            if piece and _lines(piece + character, width) > most:
                pieces.append(piece)
                piece = ""
            piece += character
    pieces.append(piece)
    return [p for p in pieces if p] or [text]


class _SheetWriter:
    """Appends rows to one sheet, remembering their heights and where each table landed."""

    def __init__(
        self, workbook: Workbook, ws: StreamedWorksheet, looks: _Looks, plan: _Plan
    ) -> None:
        self.workbook = workbook
        self.ws = ws
        self.looks = looks
        self.plan = plan
        self.widths = plan.widths
        self.refs = [xl_col_to_name(i) for i in range(max(len(plan.widths), 1))]
        self.heights: list[float] = []
        self.blocks: list[print_plan.Block] = []
        self.chart_column = len(plan.widths) + 1
        self.charted = False
        self.filtered = False
        self.openings = [f'<c r="{ref}' for ref in self.refs]

    @property
    def row(self) -> int:
        """The next row to be written (0-based)."""
        return len(self.heights)

    def append(self, cells: str, height: float | None = None, last_column: int = 0) -> int:
        row = self.row
        if cells:
            self.ws.append_row(row, last_column, row_xml(row, cells, height))
        self.heights.append(height or ROW_POINTS)
        return row

    def blank(self) -> None:
        self.append("")

    def text(self, column: int, text: str, role: str) -> str:
        safe = safe_cell(text)
        style = self.looks.style(Look(role, quote=safe.keep_text))
        return cell_xml(f"{self.refs[column]}{self.row + 1}", safe, style)

    def heading(self, document: Document, sheet: str) -> None:
        self.append(self.text(0, f"{document.title}　{sheet}", "heading"), height=24)
        self.append(self.text(0, document.subtitle, "subheading"))

    def table(self, table: Table) -> tuple[int, int]:
        """Write ``table``; return the 0-based rows of its header and its last data row."""
        first = self.row
        last_column = len(table.headers) - 1
        self.append(self.text(0, table.title, "title"), height=21)
        if table.keys:
            self.append(
                "".join(self.text(i, key, "key") for i, key in enumerate(table.keys)),
                last_column=last_column,
            )
        header_lines = max(
            (_lines(h, self.widths[i]) for i, h in enumerate(table.headers)), default=1
        )
        header_row = self.append(
            "".join(self.text(i, h, "header") for i, h in enumerate(table.headers)),
            height=_height(header_lines),
            last_column=last_column,
        )
        wrap = self.plan.wraps(table)
        body = len(table.rows) - table.total_rows
        known = self._tails_of(table) if table.filterable else []
        for number, row in enumerate(table.rows):
            if table.filterable and number < body:
                self._list_row(table, row, last_column, known)
            else:
                self._boxed_row(table, row, wrap, last_column, total=number >= body)
        last = self.row - 1
        for note in table.notes:
            self.append(self.text(0, f"※ {note}", "note"))
        if table.filterable and not self.filtered and table.rows:
            self.ws.autofilter(header_row, 0, last, last_column)
            self.filtered = True
        if table.chart is not None and table.rows:
            self._chart(table, table.chart, first, header_row)
        self.blocks.append(print_plan.Block(first, self.row - 1, header=header_row))
        return header_row, last

    def _boxed_row(
        self,
        table: Table,
        row: Sequence[object],
        wrap: list[bool],
        last_column: int,
        *,
        total: bool,
    ) -> None:
        """A row of a summary table: every cell boxed and styled for its kind."""
        number = self.row + 1
        cells = []
        lines = 1
        rest: dict[int, list[str]] = {}
        for i, value in enumerate(row):
            safe = safe_cell(value, user_text=i in table.user_text)
            if wrap[i] and safe.kind is CellKind.TEXT:
                text = str(safe.value)
                if table.chart is None and _lines(text, self.widths[i]) > MAX_ROW_LINES:
                    first, *rest[i] = _pieces(text, self.widths[i])
                    safe = safe_cell(first, user_text=i in table.user_text)
                lines = max(lines, _lines(str(safe.value), self.widths[i]))
            cells.append(
                cell_xml(
                    f"{self.refs[i]}{number}",
                    safe,
                    self._cell_style(table, safe, wrap[i], total, i),
                )
            )
        self.append("".join(cells), height=_height(lines), last_column=last_column)
        if rest:
            self._run_on(table, rest, wrap, last_column, total=total)

    def _cell_style(
        self, table: Table, safe: SafeCell, wrap: bool, total: bool, column: int
    ) -> int:
        look = Look(
            "cell",
            safe.kind,
            total=total,
            wrap=wrap,
            share=column in table.shares and safe.kind is CellKind.DECIMAL,
            quote=safe.keep_text,
        )
        return self.looks.style(look)

    def _run_on(
        self,
        table: Table,
        rest: dict[int, list[str]],
        wrap: list[bool],
        last_column: int,
        *,
        total: bool,
    ) -> None:
        """Rows beneath a row whose text was too long for one (:func:`_pieces`): the rest of that
        text, piece by piece, in its column; the other cells boxed and empty."""
        empty = safe_cell(None)
        for index in range(max(len(pieces) for pieces in rest.values())):
            number = self.row + 1
            cells = []
            lines = 1
            for i in range(len(table.headers)):
                pieces = rest.get(i, [])
                if index < len(pieces):
                    safe = safe_cell(pieces[index], user_text=i in table.user_text)
                    lines = max(lines, _lines(pieces[index], self.widths[i]))
                else:
                    safe = empty
                style = self._cell_style(table, safe, wrap[i], total, i)
                cells.append(cell_xml(f"{self.refs[i]}{number}", safe, style))
            self.append("".join(cells), height=_height(lines), last_column=last_column)

    def _list_row(
        self,
        table: Table,
        row: Sequence[object],
        last_column: int,
        known: list[dict[object, str]],
    ) -> None:
        """A row of a long list (回答一覧): unboxed, streamed fast.

        Integers and empty cells need no decision. Every other value goes through ``safe_cell``
        the first time it appears in its kind of column (users' text or not, share or not) in
        the workbook; the finished XML after the cell reference is kept and reused for its
        repeats (codes, names, regions, states, choices). Only what needs it (users' text,
        formula-like text, dates, shares) gets a style.
        """
        number = self.row + 1
        openings = self.openings
        cells = []
        for i, value in enumerate(row):
            if value is None:
                continue
            cls = value.__class__
            if cls is int:
                cells.append(f'{openings[i]}{number}"><v>{value}</v></c>')
                continue
            tails = known[i]
            # text is looked up by itself; anything else with its type (1.0 is not True)
            key = value if cls is str else (cls, value)
            tail = tails.get(key)
            if tail is None:
                tail = tails[key] = self._list_tail(value, i in table.user_text, i in table.shares)
            if tail:
                cells.append(f'{openings[i]}{number}"{tail}')
        self.append("".join(cells), height=LIST_ROW_POINTS, last_column=last_column)

    def _tails_of(self, table: Table) -> list[dict[object, str]]:
        """For each column of ``table``, the workbook's finished tails of its kind of column."""
        found = self.looks.tails
        return [
            found.setdefault((i in table.user_text, i in table.shares), {})
            for i in range(len(table.headers))
        ]

    def _list_tail(self, value: object, user_text: bool, share: bool) -> str:
        safe = safe_cell(value, user_text=user_text)
        kind = safe.kind
        share = share and kind is CellKind.DECIMAL
        style = 0
        if safe.keep_text or share or kind is CellKind.DATE or kind is CellKind.DATETIME:
            style = self.looks.list_style(kind, share, safe.keep_text)
        return cell_tail(safe, style)

    def _chart(self, table: Table, spec: Chart, first: int, header_row: int) -> None:
        plotted = spec.rows if spec.rows is not None else len(table.rows) - table.total_rows
        sheet = "'" + self.ws.name.replace("'", "''") + "'"

        def column(index: int, top: int, bottom: int) -> str:
            ref = self.refs[index]
            return f"={sheet}!${ref}${top + 1}:${ref}${bottom + 1}"

        chart = self.workbook.add_chart(
            {"type": "bar", "subtype": "stacked"} if spec.stacked else {"type": "bar"}
        )
        for index in spec.values:
            ref = self.refs[index]
            chart.add_series(
                {
                    "name": f"={sheet}!${ref}${header_row + 1}",
                    "categories": column(spec.categories, header_row + 1, header_row + plotted),
                    "values": column(index, header_row + 1, header_row + plotted),
                }
            )
        chart.set_title({"name": _literal(spec.title), "name_font": {"size": 12}})
        chart.set_style(10)
        # Labels at the body size: they print as small as the table beside them, no smaller.
        label = {"size": BODY_SIZE}
        # the category axis of a bar chart: rows top down
        chart.set_y_axis({"reverse": True, "num_font": label})
        chart.set_x_axis({"major_gridlines": {"visible": False}, "num_font": label})
        if len(spec.values) == 1:
            chart.set_legend({"none": True})
        else:
            chart.set_legend({"font": label})
        chart.set_size({"width": CHART_WIDTH_PX, "height": CHART_HEIGHT_PX})
        # a few pixels below its row: a chart on the row boundary is also drawn (clipped) on the
        # page before, which a reader of the PDF text would count as a cut chart
        self.ws.insert_chart(first, self.chart_column, chart, {"y_offset": CHART_OFFSET_PX})
        self.charted = True
        while self.row < first + CHART_ROWS:
            self.blank()


def _literal(text: str) -> str:
    """A chart title XlsxWriter takes as text, never as a reference (``=…``)."""
    return " " + text if text.startswith("=") else text


# --- sheets ----------------------------------------------------------------------------------


def _header_row_of_single(table: Table) -> int:
    """Where :class:`_SheetWriter` puts the header of a sheet's only table (0-based): heading
    rows, a blank row, the title, the keys row if any."""
    return HEADING_ROWS + 1 + 1 + (1 if table.keys else 0)


def _chart_points() -> float:
    """Points the charts take beside the tables: a blank column and the chart, which a
    spreadsheet program stretches over the default-width columns it is anchored to."""
    return (1 + CHART_WIDTH_PX / DEFAULT_COLUMN_PX) * print_plan.DEFAULT_COLUMN_POINTS


def _set_up_page(ws: StreamedWorksheet, layout: print_plan.Layout, document: Document) -> None:
    """Carry out the sheet's print plan: paper, scale, repeated rows and columns, page breaks,
    print area, page header and footer. Pages print down, then over (the default order)."""
    planned = print_plan.plan(layout)
    ws.set_landscape()
    ws.set_paper(planned.paper)
    ws.set_print_scale(planned.scale)
    ws.repeat_rows(planned.repeat_first, planned.repeat_first + planned.repeat_rows - 1)
    if planned.repeat_columns:
        ws.repeat_columns(0, planned.repeat_columns - 1)
    if planned.breaks:
        ws.set_h_pagebreaks(list(planned.breaks))
    if planned.column_breaks:
        ws.set_v_pagebreaks(list(planned.column_breaks))
    if planned.first_row:
        ws.print_area(planned.first_row, 0, len(layout.heights) - 1, len(layout.widths) - 1)
    if planned.page_heading:
        ws.set_header(page_heading(document))
    ws.set_footer(f"&C&{BODY_SIZE}&P / &N&R&{BODY_SIZE}&A")


PAGE_HEADER_LIMIT = 255
"""Excel's limit of a page header's length (UTF-16 code units, codes included)."""


def page_heading(document: Document) -> str:
    """The page header of a sheet whose heading rows do not repeat: the survey's title and the
    sheet's name on the left, 基準日 and the time of making on the right, as in the heading.
    A title too long for Excel's limit is shortened (…), never dropped."""
    right = f"&R&{BODY_SIZE}{_header_text(document.subtitle)}"
    for title in (document.title, *(document.title[:n] + "…" for n in range(100, 0, -10))):
        left = f"&L&{BODY_SIZE}{_header_text(title)}　&A"
        for heading in (left + right, left):
            if len(heading.encode("utf-16-le")) // 2 <= PAGE_HEADER_LIMIT:
                return heading
    return f"&L&{BODY_SIZE}&A"


def _header_text(text: str) -> str:
    """``text`` as literal text of a page header (``&`` starts a code there)."""
    return text.replace("&", "&&")


def _write_sheet(
    workbook: Workbook, looks: _Looks, name: str, tables: Sequence[Table], document: Document
) -> None:
    ws = workbook.add_worksheet(sheet_title(name), worksheet_class=StreamedWorksheet)
    plan = _Plan.of(tables)
    for i, width in enumerate(plan.widths):
        ws.set_column(i, i, width)
    ws.set_default_row(ROW_POINTS)  # every row's height is known: the print plan counts on it
    single = tables[0] if len(tables) == 1 else None
    if single is not None:
        header_row = _header_row_of_single(single)
        ws.freeze_panes(header_row + 1, single.frozen_columns)
        repeat = header_row + 1
    else:
        ws.freeze_panes(HEADING_ROWS, 0)
        repeat = HEADING_ROWS
    writer = _SheetWriter(workbook, ws, looks, plan)
    writer.heading(document, name)
    for table in tables:
        writer.blank()
        writer.table(table)
    is_list = single is not None and single.filterable
    layout = print_plan.Layout(
        widths=plan.widths,
        heights=writer.heights,
        blocks=writer.blocks,
        is_list=is_list,
        repeat_rows=repeat if is_list else HEADING_ROWS,
        extra_width=_chart_points() if writer.charted else 0.0,
        repeat_columns=single.frozen_columns if single is not None else 0,
        fields=single.fields if single is not None else (),
        sections=single.sections if single is not None else (),
    )
    _set_up_page(ws, layout, document)


def write_xlsx(
    sheets: Sequence[SheetSpec], target: str | Path | IO[bytes], *, document: Document
) -> None:
    """Stream ``sheets`` into an xlsx file at ``target`` (a path or a binary file object)."""
    workbook = Workbook(
        str(target) if isinstance(target, Path) else target,
        {
            "constant_memory": True,
            "default_format_properties": {
                "font_name": FONT_NAME,
                "font_size": BODY_SIZE,
                "font_charset": 128,
                "font_family": 3,
            },
        },
    )
    created = document.created.astimezone(UTC).replace(tzinfo=None)
    workbook.set_properties(
        {
            "title": document.title,
            "subject": document.subject,
            "author": document.creator,
            "created": created,
        }
    )
    looks = _Looks(workbook)
    for name, tables in sheets:
        _write_sheet(workbook, looks, name, tables, document)
    workbook.close()


def render_xlsx(sheets: Sequence[SheetSpec], *, document: Document) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer, document=document)
    return buffer.getvalue()
