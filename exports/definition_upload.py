"""Reading an uploaded questionnaire definition (an XLSForm ``.xlsx``), defensively.

The file passes the checks every uploaded workbook passes (:mod:`exports.safe_xlsx`: size, a
real ``.xlsx``, no macros, zip-bomb ratios, no DTD) and is opened read-only; then
:mod:`forms.xlsform` reads it. Any refusal, of the container or of the content, is a
:class:`~forms.xlsform.DefinitionError` whose problems name sheet, row, column and cause (a
container problem names no sheet), so a caller shows one kind of answer for every bad file.
"""

from __future__ import annotations

from exports.safe_xlsx import Limits, UploadRejected, open_workbook
from forms.model import Questionnaire
from forms.xlsform import DefinitionError, Problem, read_workbook

LIMITS = Limits(max_bytes=2 * 1024 * 1024, max_unzipped_bytes=20 * 1024 * 1024)
"""A definition is a few hundred rows: 2 MB is generous."""


def read_definition(data: bytes, filename: str = "", limits: Limits = LIMITS) -> Questionnaire:
    """The definition in an uploaded file; ``filename`` gives the form_id when the file has no
    ``settings`` sheet. Raises :class:`DefinitionError` and nothing else for a bad file."""
    try:
        workbook = open_workbook(data, limits)
    except UploadRejected as exc:
        raise DefinitionError([Problem("", None, "", exc.message)]) from exc
    try:
        return read_workbook(
            workbook, filename, lambda: open_workbook(data, limits, data_only=True)
        )
    finally:
        workbook.close()
