"""The sheets of a definition file as text, read defensively.

openpyxl reads in read-only mode (it parses with defusedxml), no formula is evaluated and every
cell becomes text as the person typed it: a formula is its text (``=SUM(A1)`` stays a label,
never a computed value), a number cell ``1`` is ``"1"``, a date cell is ``YYYY-MM-DD``. Sheet
names and headers are matched without regard to case and spacing. Limits on rows, columns and
cell length keep a hostile file from costing more than a real one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from defusedxml import DefusedXmlException
from flask_babel import gettext as _

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

    def column(self, name: str, language: str | None = None) -> Column | None:
        return next((c for c in self.columns if c.name == name and c.language == language), None)

    def columns_named(self, name: str) -> list[Column]:
        return [c for c in self.columns if c.name == name]

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


def read_sheets(workbook: Any) -> dict[str, Sheet]:
    """``{lower-case sheet name: Sheet}`` of an opened workbook; :class:`DefinitionError` when
    a sheet cannot be read."""
    try:
        return {name.strip().lower(): _sheet(workbook[name], name) for name in workbook.sheetnames}
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


def _sheet(worksheet: Any, name: str) -> Sheet:
    rows = worksheet.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS + 1)
    columns: list[Column] = []
    body: list[Row] = []
    for number, cells in enumerate(rows, start=1):
        texts = {i: _text(cell) for i, cell in enumerate(cells) if _text(cell)}
        if number == 1:
            columns = _columns(name, texts)
            continue
        if not texts:
            continue
        _check_size(name, number, texts)
        body.append(Row(number, texts))
    return Sheet(name, columns, body)


def _columns(sheet: str, texts: dict[int, str]) -> list[Column]:
    if max(texts, default=0) >= MAX_COLUMNS:
        message = _("列が多すぎます（%(max)s列まで）。", max=MAX_COLUMNS)
        raise DefinitionError([Problem(sheet, 1, "", message)])
    return [Column(i, header, *split_header(header)) for i, header in sorted(texts.items())]


def _check_size(sheet: str, number: int, texts: dict[int, str]) -> None:
    if number > MAX_ROWS:
        message = _("行が多すぎます（%(max)s行まで）。", max=MAX_ROWS)
        raise DefinitionError([Problem(sheet, number, "", message)])
    if max(texts) >= MAX_COLUMNS:
        message = _("列が多すぎます（%(max)s列まで）。", max=MAX_COLUMNS)
        raise DefinitionError([Problem(sheet, number, "", message)])
    long = next((i for i, text in texts.items() if len(text) > MAX_CELL), None)
    if long is not None:
        message = _("セルの文字が多すぎます（%(max)s文字まで）。", max=MAX_CELL)
        raise DefinitionError([Problem(sheet, number, "", message)])


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
