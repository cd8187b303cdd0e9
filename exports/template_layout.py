"""The Excel template's layout, shared by the parts that write it (:mod:`exports.template`,
:mod:`exports.template_lists`) and the part that reads it back (:mod:`exports.upload`):
docs/excel-template.md."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import Cell

from exports.cells import CellKind, safe_cell

SHEET = "回答"
INSTRUCTIONS_SHEET = "記入方法"
LISTS_SHEET = "_lists"
META_SHEET = "_meta"
FORMAT = "saihan-hub-template"
FORMAT_VERSION = 1
KEY_COLUMN, LABEL_COLUMN, ANSWER_COLUMN, REQUIRED_COLUMN, HINT_COLUMN = 1, 2, 3, 4, 5
MARK = "○"
YES, NO = "はい", "いいえ"


def put(cell: Cell, value: Any, *, user_text: bool = False) -> None:
    """Write ``value`` as :func:`exports.cells.safe_cell` decides: text never becomes a formula."""
    safe = safe_cell(value, user_text=user_text)
    cell.value = safe.value
    if safe.kind is CellKind.TEXT:
        cell.data_type = "s"
        if safe.keep_text:
            cell.quotePrefix = True
