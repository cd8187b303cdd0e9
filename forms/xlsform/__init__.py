"""Questionnaire definitions as XLSForm files (the spreadsheet layout of ODK and KoboToolbox).

- :func:`read_workbook` — an opened workbook into a :class:`~forms.model.Questionnaire`, or
  :class:`DefinitionError` listing every :class:`Problem` (sheet, row, column, message);
- :func:`read_xlsform` — the same from ``.xlsx`` bytes the hub trusts (the definitions shipped in
  ``forms/definitions/``); an uploaded file is read by :func:`exports.definition_upload.read_definition`,
  which runs the upload's container checks first;
- :func:`write_xlsform` — a definition back to ``.xlsx`` bytes; reading them gives an equal one;
- :mod:`~forms.xlsform.vocabulary` — the sheet, column and type names read, and those refused.

The supported subset is described in ``docs/questionnaires.md``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from openpyxl import load_workbook

from forms.model import Questionnaire
from forms.xlsform.problems import DefinitionError, Problem
from forms.xlsform.reader import Reader
from forms.xlsform.sheets import read_sheets, unreadable
from forms.xlsform.writer import write_xlsform, xlsform_rows


def read_workbook(
    workbook: Any,
    filename: str = "",
    cached: Callable[[], Any] | None = None,
    *,
    plain: bool = True,
) -> Questionnaire:
    """The definition in an opened (read-only) openpyxl workbook; ``filename`` gives the
    form_id when the file has no ``settings`` sheet; ``cached`` opens the same file with
    ``data_only=True`` for the values of its formulas (without it, a formula is refused);
    ``plain=False`` reads ODK's formatting in a text as typed instead of refusing it (a stored
    definition: :func:`read_xlsform`). Raises :class:`DefinitionError` only."""
    return Reader(read_sheets(workbook, cached), filename, plain=plain).questionnaire()


def read_xlsform(data: bytes, filename: str = "") -> Questionnaire:
    """The definition in ``.xlsx`` bytes the hub trusts (no container checks): a shipped or a
    stored one, checked when it was stored and never changed since — so a text it holds that
    the upload now refuses as ODK formatting (``**備考**``) still reads, as typed."""
    try:
        workbook = _open(data, data_only=False)
    except Exception as exc:
        raise DefinitionError([Problem("", None, "", unreadable(exc))]) from exc
    try:
        return read_workbook(workbook, filename, lambda: _open(data, data_only=True), plain=False)
    finally:
        workbook.close()


def _open(data: bytes, *, data_only: bool) -> Any:
    return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False)


__all__ = [
    "DefinitionError",
    "Problem",
    "read_workbook",
    "read_xlsform",
    "write_xlsform",
    "xlsform_rows",
]
