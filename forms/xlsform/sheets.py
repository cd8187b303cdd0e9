"""The sheets of a definition file as text, read defensively.

openpyxl reads in read-only mode (it parses with defusedxml), no formula is evaluated and every
cell becomes text as the person typed it: a text that starts with ``=`` (``=SUM(A1)`` typed as
text) stays that text, a number cell ``1`` is ``"1"``, a date cell is ``YYYY-MM-DD``. A real
formula cell is what Excel last computed for it (the value the person saw), read from a second,
``data_only`` opening of the file; a formula with no computed value (a file written by a program
that does not calculate) is refused, naming the cell. Sheet names and headers are matched without
regard to case and spacing. Limits on rows, columns and cell length keep a hostile file from
costing more than a real one: a sheet is read whole, and anything beyond a limit refuses the file,
naming the row or column — never a part of it read as the whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from defusedxml import DefusedXmlException
from flask_babel import gettext as _
from openpyxl.utils import get_column_letter

from forms.model import Label
from forms.xlsform.problems import DefinitionError, Problem
from forms.xlsform.vocabulary import split_header

MAX_ROWS = 3000
MAX_COLUMNS = 100
MAX_CELL = 5000


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    """As written in the file."""
    name: str
    """The header's column name (``label`` for ``label::English (en)``)."""
    language: str | None


@dataclass
class Row:
    number: int
    texts: dict[int, str] = field(default_factory=dict)
    """Non-empty cells by column index."""


@dataclass
class Sheet:
    name: str
    """As written in the file."""
    columns: list[Column]
    rows: list[Row]

    def __post_init__(self) -> None:
        self._named: dict[str, list[Column]] = {}
        """The columns of each name, in the sheet's order: a lookup per cell read, not a scan
        of the header (every row of a 3,000-row choices sheet reads several columns)."""
        for column in self.columns:
            self._named.setdefault(column.name, []).append(column)

    def column(self, name: str, language: str | None = None) -> Column | None:
        return next((c for c in self._named.get(name, ()) if c.language == language), None)

    def columns_named(self, name: str) -> list[Column]:
        return list(self._named.get(name, ()))

    def text(self, row: Row, name: str) -> str:
        column = self.column(name)
        return row.texts.get(column.index, "") if column is not None else ""

    def header(self, name: str) -> str:
        column = self.column(name)
        return column.header if column is not None else name

    def label(self, row: Row, name: str, default_language: str) -> Label | None:
        """The texts of the ``name`` columns (``label``, ``label::ja``, ``label::English (en)``)
        as a Label; a plain column is in ``default_language``, and a text in one language
        serves both."""
        texts: dict[str, str] = {}
        for column in self.columns_named(name):
            text = row.texts.get(column.index, "")
            if text:
                texts.setdefault(column.language or default_language, text)
        if not texts:
            return None
        others = [t for lang, t in texts.items() if lang not in ("ja", "en")]
        ja = texts.get("ja") or texts.get("en") or others[0]
        en = texts.get("en") or texts.get("ja") or others[0]
        return Label(ja, en)


def read_sheets(workbook: Any, cached: Callable[[], Any] | None = None) -> dict[str, Sheet]:
    """``{lower-case sheet name: Sheet}`` of an opened workbook; :class:`DefinitionError` when
    a sheet cannot be read. ``cached`` opens the same file with ``data_only=True`` (the values
    Excel computed for its formulas); it is called only when a sheet holds a formula."""
    try:
        sheets = {name: _sheet(workbook[name], name) for name in workbook.sheetnames}
        formulas = [s for s in sheets.values() if s.formulas]
        if formulas:
            _computed(formulas, cached)
        return {name.strip().lower(): sheet.sheet() for name, sheet in sheets.items()}
    except DefinitionError:
        raise
    except Exception as exc:
        raise DefinitionError([Problem("", None, "", unreadable(exc))]) from exc


def unreadable(exc: Exception) -> str:
    """Why openpyxl could not read a file, for the person who uploaded it."""
    if isinstance(exc, DefusedXmlException) or isinstance(exc.__cause__, DefusedXmlException):
        return _("ファイルに安全でない XML が含まれているため読み込めません。")
    return _(
        "ファイルが壊れているため読み込めません。Excel で開いて .xlsx 形式で保存し直してください。"
    )


@dataclass
class _Read:
    """A sheet as read, before its formulas are given their computed values."""

    name: str
    rows: dict[int, dict[int, str]]
    formulas: dict[tuple[int, int], str]
    """``{(row, column index): formula}`` of the cells holding a formula."""

    def sheet(self) -> Sheet:
        header = self.rows.get(1, {})
        columns = [Column(i, text, *split_header(text)) for i, text in sorted(header.items())]
        body = [Row(n, texts) for n, texts in sorted(self.rows.items()) if n > 1 and texts]
        return Sheet(self.name, columns, body)

    def column_name(self, index: int) -> str:
        """The header of column ``index``, or its letter when it has none."""
        return self.rows.get(1, {}).get(index) or get_column_letter(index + 1)


def _sheet(worksheet: Any, name: str) -> _Read:
    """Every row of the sheet: the read-only reader otherwise trusts the size the file states
    (its ``dimension``), which may be wrong, and a window would drop what lies beyond it."""
    if hasattr(worksheet, "reset_dimensions"):
        worksheet.reset_dimensions()
    read = _Read(name, {}, {})
    for number, cells in enumerate(worksheet.iter_rows(min_row=1), start=1):
        texts: dict[int, str] = {}
        for index, cell in enumerate(cells):
            text = _text(cell)
            if not text:
                continue
            if getattr(cell, "data_type", None) == "f":
                read.formulas[(number, index)] = text
            texts[index] = text
        if number == 1:  # a header past the limit with nothing under it holds nothing to lose
            texts = {i: t for i, t in texts.items() if i < MAX_COLUMNS}
        if texts:
            _check_size(name, number, texts)
            read.rows[number] = texts
    return read


def _computed(sheets: list[_Read], cached: Callable[[], Any] | None) -> None:
    """Each formula cell becomes the value Excel computed for it; a formula without one is
    refused, naming the cell."""
    workbook = cached() if cached is not None else None
    problems: list[Problem] = []
    try:
        for read in sheets:
            values: dict[tuple[int, int], str] = {}
            if workbook is not None:
                worksheet = workbook[read.name]
                if hasattr(worksheet, "reset_dimensions"):
                    worksheet.reset_dimensions()
                last = max(row for row, _column in read.formulas)
                for number, cells in enumerate(worksheet.iter_rows(max_row=last), start=1):
                    for index, cell in enumerate(cells):
                        if (number, index) in read.formulas and cell.value is not None:
                            values[(number, index)] = _text(cell)
            for (number, index), formula in sorted(read.formulas.items()):
                if (number, index) in values:
                    if values[(number, index)]:
                        read.rows[number][index] = values[(number, index)]
                    else:
                        del read.rows[number][index]
                    continue
                message = _(
                    "セル %(cell)s は数式（%(formula)s）で、計算結果がファイルに保存されて"
                    "いません。Excel で開いて保存し直すか、数式を値に置き換えてください。",
                    cell=f"{get_column_letter(index + 1)}{number}",
                    formula=formula,
                )
                column = read.column_name(index) if number > 1 else get_column_letter(index + 1)
                problems.append(Problem(read.name, number, column, message))
    finally:
        if workbook is not None:
            workbook.close()
    if problems:
        raise DefinitionError(problems)


def _check_size(sheet: str, number: int, texts: dict[int, str]) -> None:
    if number > MAX_ROWS:
        message = _("行が多すぎます（%(max)s行まで）。", max=MAX_ROWS)
        raise DefinitionError([Problem(sheet, number, "", message)])
    wide = max(texts)
    if wide >= MAX_COLUMNS:
        message = _("列が多すぎます（%(max)s列まで）。", max=MAX_COLUMNS)
        raise DefinitionError([Problem(sheet, number, get_column_letter(wide + 1), message)])
    long = next((i for i, text in texts.items() if len(text) > MAX_CELL), None)
    if long is not None:
        message = _("セルの文字が多すぎます（%(max)s文字まで）。", max=MAX_CELL)
        raise DefinitionError([Problem(sheet, number, get_column_letter(long + 1), message)])


def _text(cell: Any) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()
