"""The consolidated workbook over the API."""

from __future__ import annotations

from flask import Response

from hub.api import blp
from hub.auth.policy import allow
from hub.files import XLSX_MIMETYPE, round_workbook_response

_XLSX = {XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}}}


@blp.route("/rounds/<int:round_id>/workbook", methods=["GET"])
@blp.doc(
    responses={
        "200": {"description": "the consolidated workbook (.xlsx)", "content": _XLSX},
        "401": {"description": "no or unknown token"},
        "403": {"description": "role may not"},
        "404": {"description": "no such round"},
    }
)
@allow("workbook.read")
def round_workbook_xlsx(round_id: int) -> Response:
    """The round's consolidated workbook (staff): 集計, 提出状況, 回答一覧, 経年比較, 定義."""
    return round_workbook_response(round_id)
