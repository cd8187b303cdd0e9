"""Files that signed-in people download in the browser: the consolidated workbook.

The same response is served to API clients by ``hub.api.exports``; both go through
:func:`round_workbook_response`, so the file is identical whichever way it was fetched.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response

from exports.workbook import build_workbook, workbook_filename
from exports.xlsx import XLSX_MIMETYPE
from hub.auth.gate import current_actor
from hub.auth.policy import allow
from hub.db import db
from hub.services import audit
from hub.services.responses import get_round

bp = Blueprint("downloads", __name__)


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment`` with the Japanese name (RFC 6266 ``filename*``) and an ASCII fallback."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def xlsx_response(data: bytes, *, filename: str, fallback: str) -> Response:
    """An xlsx download that no shared cache keeps (the workbook holds personal data)."""
    response = Response(data, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(filename, fallback)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def round_workbook_response(round_id: int) -> Response:
    """The staff workbook of a round (404 for an unknown round); the download is audited."""
    round_ = get_round(round_id)
    data = build_workbook(round_, for_staff=True)
    audit.record("workbook.download", user=current_actor(), target=f"round/{round_id}")
    db.session.commit()
    return xlsx_response(
        data, filename=workbook_filename(round_), fallback=f"round-{round_id}-workbook.xlsx"
    )


@bp.get("/rounds/<int:round_id>/workbook.xlsx")
@allow("workbook.read")
def round_workbook(round_id: int) -> Response:
    """The consolidated workbook of the round, for the staff board's download button."""
    return round_workbook_response(round_id)
