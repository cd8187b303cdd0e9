"""The Excel round trip over the API: download a municipality's template, upload it back.

``POST`` turns the uploaded file into a draft through the same schema and service as ``PUT``;
its 422 errors are keyed by the cell the bad value came from (``回答!C12``).
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from marshmallow import Schema, fields
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as WerkzeugResponse

from exports import upload
from forms.numbers import whole_number
from hub.api import blp
from hub.api.rounds import response_json
from hub.api.schemas import RESPONSE_ERRORS, ResponseOut, UploadedFile
from hub.auth.gate import require_actor
from hub.auth.policy import allow
from hub.db import MAX_ID, db
from hub.errors import Invalid
from hub.files import XLSX_MIMETYPE, limits, read_upload, template_download
from hub.services import excel, responses

FILE_ERRORS = {
    "400": {"description": "damaged file or unsafe XML"},
    "409": {"description": "the response is submitted/accepted, or the version is stale"},
    "413": {"description": "the file, or its decompressed content, is too large"},
    "415": {"description": "not an .xlsx (xls, xlsm with macros, not a zip)"},
    "422": {"description": "another municipality's or round's template, edited keys, bad values"},
}


class TemplateFileIn(Schema):
    file = UploadedFile(metadata={"description": "the filled template (.xlsx)"})


class TemplateUploadOut(ResponseOut):
    ignored_keys = fields.List(
        fields.String(),
        metadata={"description": "keys of an earlier questionnaire version that were ignored"},
    )
    changed = fields.List(fields.String(), metadata={"description": "question ids changed"})
    identified = fields.Boolean(
        metadata={"description": "false when the file had no _meta sheet naming its target"}
    )
    notices = fields.List(
        fields.String(), metadata={"description": "what to check before relying on the upload"}
    )


def _version_field() -> int | None:
    raw = request.form.get("version", "").strip()
    if not raw:
        return None
    version = whole_number(raw)
    if version is None or version > MAX_ID:
        raise Invalid({"version": [_("version は0以上の整数で指定してください。")]})
    return version


@blp.route("/rounds/<int:round_id>/responses/<code>/template", methods=["GET"])
@blp.doc(
    responses={
        "200": {
            "description": "the municipality's pre-filled Excel template",
            "content": {XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}}},
        },
        **RESPONSE_ERRORS,
    }
)
@allow("template.use")
def download_template(round_id: int, code: str) -> WerkzeugResponse:
    """That municipality's Excel template, pre-filled with its current answers."""
    user = require_actor()
    return template_download(responses.response_for(round_id, code, user), user)


@blp.route("/rounds/<int:round_id>/responses/<code>/template", methods=["POST"])
@blp.arguments(TemplateFileIn, location="files", as_kwargs=True)
@blp.response(200, TemplateUploadOut)
@blp.doc(responses=FILE_ERRORS)
@allow("template.use")
def upload_template(round_id: int, code: str, file: FileStorage) -> dict[str, Any]:
    """An uploaded template becomes the draft (same validation as the form and ``PUT``).

    The multipart body may also hold ``version``: the response version the upload replaces
    (409 when stale). Without it, the version the template was downloaded at is used, so a
    template downloaded before someone else's save is refused rather than overwriting it.
    """
    version = _version_field()
    user = require_actor()
    response = responses.response_for(round_id, code, user)
    prepared = upload.prepare_upload(response, read_upload(file), limits())
    if version is None:
        upload.check_fresh(prepared, response, user.id)
    excel.save_upload(
        response,
        prepared.raw,
        version=response.version if version is None else version,
        user=user,
        cells=prepared.cells,
    )
    db.session.commit()
    return {
        **response_json(response),
        "ignored_keys": prepared.ignored,
        "changed": [change.question_id for change in prepared.changes],
        "identified": prepared.identified,
        "notices": list(prepared.notices),
    }
