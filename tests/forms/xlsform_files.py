"""Definition files for the tests, built the way a person lays them out in Excel."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

Rows = Sequence[Sequence[Any]]

SURVEY_HEADER = ("type", "name", "label", "required", "relevant", "constraint")
CHOICES_HEADER = ("list_name", "name", "label")


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
