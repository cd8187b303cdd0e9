"""The consolidated workbook for the staff board's download button (the API serves the same file:
:func:`hub.files.round_workbook_response`)."""

from __future__ import annotations

from flask import Blueprint, Response

from hub.auth.policy import allow
from hub.files import round_workbook_response

bp = Blueprint("downloads", __name__)


@bp.get("/rounds/<int:round_id>/workbook.xlsx")
@allow("workbook.read")
def round_workbook(round_id: int) -> Response:
    """The consolidated workbook of the round, for the staff board's download button."""
    return round_workbook_response(round_id)
