"""What is wrong with a definition file, one problem per sheet, row and column."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _


@dataclass(frozen=True)
class Problem:
    sheet: str
    """``survey``, ``choices``, ``settings``, or "" for the file as a whole."""
    row: int | None
    """The spreadsheet row (1 is the header row); ``None`` for a sheet or the file."""
    column: str
    """The column's header as written in the file (``relevant``, ``label::ja``), or ""."""
    message: str

    def __str__(self) -> str:
        return self.worded(_)

    def worded(self, gettext: Callable[..., str]) -> str:
        """Where the problem is (``survey シート 3行目 relevant列``) and what it is, the place
        worded through ``gettext`` — flask_babel's on a page; ``hub questionnaire import``
        passes the command's (:func:`hub.cli.words`), as it prints once no app context is left.
        One wording for the page and the command; the message was worded where it was found."""
        if not self.sheet:
            return self.message
        if self.row is None:
            return gettext("%(sheet)sシート: %(message)s", sheet=self.sheet, message=self.message)
        if not self.column:
            return gettext(
                "%(sheet)sシート %(row)s行目: %(message)s",
                sheet=self.sheet,
                row=self.row,
                message=self.message,
            )
        return gettext(
            "%(sheet)sシート %(row)s行目 %(column)s列: %(message)s",
            sheet=self.sheet,
            row=self.row,
            column=self.column,
            message=self.message,
        )

    def as_dict(self) -> dict[str, str | int | None]:
        """``{sheet, row, column, message}`` as the API returns it."""
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class DefinitionError(ValueError):
    """A definition file refused as a whole; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
