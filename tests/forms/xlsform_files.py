"""Definition files for the tests, built the way a person lays them out in Excel."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

Rows = Sequence[Sequence[Any]]

SURVEY_HEADER = ("type", "name", "label", "required", "relevant", "constraint")
CHOICES_HEADER = ("list_name", "name", "label")


class Formula(str):
    """A cell written as a formula (``Formula("=D2")``); any other text is typed text."""


def xlsx(sheets: dict[str, Rows]) -> bytes:
    """An .xlsx with one sheet per entry, each a list of rows (the first is the header)."""
    workbook = Workbook()
    first = True
    for name, rows in sheets.items():
        sheet = workbook.active if first else workbook.create_sheet()
        assert sheet is not None
        sheet.title = name
        first = False
        for row in rows:
            sheet.append(list(row))
            for value, cell in zip(row, sheet[sheet.max_row], strict=False):
                if isinstance(value, str) and not isinstance(value, Formula):
                    cell.data_type = "s"  # typed text, even when it starts with "="
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def form(
    survey: Rows,
    choices: Rows = (),
    settings: Rows | None = (("form_id", "version", "form_title"), ("kenshu", 1, "研修会調査")),
    *,
    survey_header: Sequence[str] = SURVEY_HEADER,
    choices_header: Sequence[str] = CHOICES_HEADER,
) -> bytes:
    """A file with the usual headers; ``settings=None`` leaves the settings sheet out."""
    sheets: dict[str, Rows] = {"survey": [survey_header, *survey]}
    if choices:
        sheets["choices"] = [choices_header, *choices]
    if settings is not None:
        sheets["settings"] = settings
    return xlsx(sheets)


YES_NO = (("yes_no", "yes", "はい"), ("yes_no", "no", "いいえ"))


def with_computed_values(data: bytes, values: dict[str, str]) -> bytes:
    """``data`` with the text Excel would have saved as each formula's computed value
    (``{formula: value}``, the formula without ``=``): openpyxl writes formulas without one."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            part = source.read(entry.filename)
            if entry.filename.startswith("xl/worksheets/"):
                for formula, value in values.items():
                    pattern = rb'(<c r="[A-Z]+[0-9]+")[^>]*><f>' + re.escape(formula.encode())
                    pattern += rb"</f><v\s*/?>(</v>)?"
                    cell = rb'\1 t="str"><f>' + formula.encode() + b"</f><v>" + value.encode()
                    part = re.sub(pattern, cell + b"</v>", part)
            target.writestr(entry, part)
    return buffer.getvalue()
