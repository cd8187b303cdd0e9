"""What the browser pages and the API share: finding the response, sending and receiving files."""

from __future__ import annotations

import io

from flask import current_app, send_file
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as WerkzeugResponse

from exports import safe_xlsx, template
from exports.xlsx import XLSX_MIMETYPE
from hub.auth.policy import ensure_municipality
from hub.db import db
from hub.models import Response, User
from hub.services import excel, responses


def response_for(round_id: int, code: str, user: User) -> Response:
    """The response behind a template URL, once the user may see that municipality."""
    responses.get_round(round_id)
    ensure_municipality(user, code)
    return responses.get_response(round_id, code)


def limits() -> safe_xlsx.Limits:
    """The parser's limits, with the size limit of the app (``MAX_CONTENT_LENGTH``)."""
    return safe_xlsx.Limits.for_upload(current_app.config.get("MAX_CONTENT_LENGTH"))


def read_upload(file: FileStorage) -> bytes:
    """The uploaded bytes, never more than the limit plus one (so that the parser can refuse)."""
    return file.stream.read(limits().max_bytes + 1)


def xlsx_download(response: Response, user: User) -> WerkzeugResponse:
    """The template as an attachment; the download is written to the audit log and committed."""
    data = template.template_for(response)
    excel.record_download(response, user)
    db.session.commit()
    sent = send_file(
        io.BytesIO(data),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=template.filename_for(response),
        max_age=0,
    )
    sent.headers["Cache-Control"] = "no-store"
    return sent
