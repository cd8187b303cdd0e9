"""What a table cell may become in a spreadsheet: the one place that decides, for every renderer.

Spreadsheet programs run text that starts with ``=`` or ``@`` (and, after a tab, CR or LF, some
still do) as a formula or a DDE link; text that starts with ``+`` or ``-`` they run only when the
rest reads as a formula — an expression (``+1+2``, ``-A1``, ``+81 3-1234-5678``, ``-SUM(…)``,
``-cmd|…``) — or they turn it into a number (``-3``). Japanese text that merely starts with a sign,
such as 「-1 件(前年比)」 or 「- 箇条書き」, Excel and LibreOffice keep as text: it is left alone.
Text typed by users must never become a formula:

- xlsx: every text is written as a string cell, never a formula; text from users and any text that
  looks like a formula also get Excel's quote prefix, so that editing the cell keeps it text.
- CSV: text that looks like a formula gets a leading ``'`` (OWASP's advice); numbers never do.

Renderers call :func:`safe_cell` for every cell and follow its answer; they never look at raw
values themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from forms.tokyo import TOKYO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""Text starting with one of these may be taken as a formula (or DDE link) by a spreadsheet."""
ALWAYS_FORMULA = ("=", "@", "\t", "\r", "\n")
"""Text starting with one of these is always treated as formula-like."""
SIGNS = ("+", "-")

_NUMBER = re.compile(r"\s*(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?\s*\Z")
_EXPRESSION = re.compile(
    r"""[=@!|"$:;&^*/<>]"""  # references, DDE, strings and operators only formulas use
    r"|[A-Za-z_][\w.]*\s*\("  # a function call: SUM(, HYPERLINK(
    r"|[\w)%.]\s*[-+]\s*[\w(.$]"  # a sign between two operands: 1+2, 3-1234, A1-B1
    r"|\A\s*[(A-Za-z+\-]",  # a parenthesis, a name or another sign right after the sign
    re.ASCII,
)

CSV_QUOTE = "'"

_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_TEXT = 32_767
"""Excel's limit for the text of one cell."""


class CellKind(StrEnum):
    EMPTY = "empty"
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"


@dataclass(frozen=True, slots=True)
class SafeCell:
    """A cell as a renderer must write it.

    ``value`` is ``None`` (empty), ``str`` (text, cleaned of characters XML cannot hold), ``int`` or
    ``float`` (a number, to be written as a number), ``date``, or a ``datetime`` in Asia/Tokyo.
    ``formula_like`` is true for text that a spreadsheet would run; ``keep_text`` for text that must
    stay text when edited (formula-like text and any text typed by users).
    """

    kind: CellKind
    value: str | int | float | date | datetime | None
    formula_like: bool = False
    keep_text: bool = False

    def csv(self) -> str:
        """The cell as CSV text: numbers as digits, dates ISO, formula-like text behind a ``'``."""
        value = self.value
        if value is None:
            return ""
        if self.kind is CellKind.DATETIME:
            assert isinstance(value, datetime)
            return value.strftime("%Y-%m-%d %H:%M:%S")
        if self.kind is CellKind.DATE:
            assert isinstance(value, date)
            return value.isoformat()
        if self.kind is CellKind.TEXT:
            assert isinstance(value, str)
            return CSV_QUOTE + value if self.formula_like else value
        return repr(value) if isinstance(value, float) else str(value)


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` (or read it as a number): see the module
    docstring."""
    if text.startswith(ALWAYS_FORMULA):
        return True
    if text.startswith(SIGNS):
        rest = text[1:]
        return bool(_NUMBER.match(rest) or _EXPRESSION.search(rest))
    return False


def clean_text(text: str) -> str:
    """Drop the characters an xlsx file cannot hold and cut at Excel's length limit."""
    return _NOT_IN_XML.sub("", text)[:MAX_TEXT]


def safe_cell(value: object, *, user_text: bool = False) -> SafeCell:
    """How to write ``value``: the decision every renderer follows (see the module docstring).

    ``user_text`` says the value comes from a column of text typed by users. Booleans become 0/1;
    timezone-aware datetimes are shown in Asia/Tokyo.
    """
    if value is None:
        return SafeCell(CellKind.EMPTY, None)
    if isinstance(value, bool):
        return SafeCell(CellKind.INTEGER, int(value))
    if isinstance(value, int):
        return SafeCell(CellKind.INTEGER, value)
    if isinstance(value, float):
        return SafeCell(CellKind.DECIMAL, value)
    if isinstance(value, datetime):
        shown = value.astimezone(TOKYO) if value.tzinfo is not None else value.replace(tzinfo=TOKYO)
        return SafeCell(CellKind.DATETIME, shown)
    if isinstance(value, date):
        return SafeCell(CellKind.DATE, value)
    text = clean_text(value if isinstance(value, str) else str(value))
    formula_like = looks_like_formula(text)
    return SafeCell(CellKind.TEXT, text, formula_like, keep_text=formula_like or user_text)
