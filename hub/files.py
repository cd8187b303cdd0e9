"""Files over HTTP, for the pages and the API alike: xlsx attachments, delivered files and upload
limits.

The consolidated workbook and a municipality's template are served through here whichever way
they are fetched (the staff board's button, a respondent's page, ``/api/v1``), so the file and its
headers are the same; every download is written to the audit log.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, current_app
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as WerkzeugResponse

from exports import safe_xlsx, template
from exports.workbook import build_workbook, workbook_filename
from exports.xlsx import XLSX_MIMETYPE
from hub.auth.gate import current_actor, require_actor
from hub.auth.policy import see_delivery
from hub.db import db
from hub.models import Response as SurveyResponse
from hub.models import User
from hub.services import audit, delivered_files, excel
from hub.services.responses import get_round

__all__ = [
    "XLSX_MIMETYPE",
    "content_disposition",
    "delivered_file_response",
    "limits",
    "read_upload",
    "round_workbook_response",
    "template_download",
    "xlsx_response",
]


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment`` with the Japanese name (RFC 6266 ``filename*``) and an ASCII fallback."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def xlsx_response(data: bytes, *, filename: str, fallback: str) -> Response:
    """An xlsx download that no shared cache keeps (the workbook holds personal data)."""
    return _download(Response(data, mimetype=XLSX_MIMETYPE), filename, fallback)


def csv_response(data: bytes, *, charset: str, filename: str, fallback: str) -> Response:
    """A CSV download (``charset``: ``utf-8`` or ``shift_jis``), kept by no shared cache."""
    response = Response(data, content_type=f"text/csv; charset={charset}")
    return _download(response, filename, fallback)


def _download(response: Response, filename: str, fallback: str) -> Response:
    response.headers["Content-Disposition"] = content_disposition(filename, fallback)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def delivered_file_response(delivery_id: str, name: str) -> Response:
    """One file of a delivery as it was delivered, to staff or the delivery's own counterpart
    (404 to everyone else, as if it did not exist); the download is audited. The file name is
    the delivery's own ASCII one (``r12_20261001_moj.xlsx``), given both ways for safety."""
    user = require_actor()
    delivery = see_delivery(user, delivered_files.find_delivery(delivery_id))
    found = delivered_files.delivered_file(delivery, name, user=user)
    db.session.commit()
    response = Response(found.content, content_type=found.media_type)
    response.headers["Content-Disposition"] = content_disposition(found.name, found.name)
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


def limits() -> safe_xlsx.Limits:
    """The parser's limits, with the size limit of the app (``MAX_CONTENT_LENGTH``)."""
    return safe_xlsx.Limits.for_upload(current_app.config.get("MAX_CONTENT_LENGTH"))


def read_upload(file: FileStorage) -> bytes:
    """The uploaded bytes, never more than the limit plus one (so that the parser can refuse)."""
    return file.stream.read(limits().max_bytes + 1)


def template_download(response: SurveyResponse, user: User) -> WerkzeugResponse:
    """The template as an attachment; the download is written to the audit log and committed."""
    data = template.template_for(response)
    excel.record_download(response, user)
    db.session.commit()
    return xlsx_response(
        data,
        filename=template.filename_for(response),
        fallback=template.ascii_filename_for(response),
    )
