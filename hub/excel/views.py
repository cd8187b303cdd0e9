"""Pages of the Excel round trip: download, upload with a preview of the changes, confirm.

Nothing is saved until the user confirms the preview. Errors are shown per cell (``回答!C12``)
with the question's label, and the draft stays as it was.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from exports import upload
from hub.auth.gate import require_actor
from hub.auth.policy import allow
from hub.db import db
from hub.errors import Conflict, HubError, Invalid
from hub.excel import pending
from hub.files import limits, read_upload, template_download
from hub.models import Response, Role, User
from hub.services import excel, responses
from hub.web.display import place
from hub.web.nav import has_endpoint

bp = Blueprint("excel", __name__)


class UploadForm(FlaskForm):
    file = FileField(
        _l("記入したExcelファイル（.xlsx）"),
        validators=[FileRequired(_l("ファイルを選択してください。"))],
    )


class ConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Length(max=pending.MAX_TOKEN_CHARS)])


@bp.get("/rounds/<int:round_id>/responses/<code>/template.xlsx")
@allow("template.use")
def download(round_id: int, code: str) -> ResponseReturnValue:
    """The municipality's template, pre-filled with its current answers."""
    user = require_actor()
    return template_download(responses.response_for(round_id, code, user), user)


@bp.route(
    "/rounds/<int:round_id>/responses/<code>/template/upload",
    methods=["GET", "POST"],
    endpoint="upload",
)
@allow("template.use")
def upload_page(round_id: int, code: str) -> ResponseReturnValue:
    """The upload form; a valid file shows the preview of its changes (nothing saved yet)."""
    user = require_actor()
    response = responses.response_for(round_id, code, user)
    form = UploadForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return _upload_page(response, form, status=status)
    try:
        prepared = upload.prepare_upload(response, read_upload(form.file.data), limits())
    except HubError as exc:
        return _upload_page(response, form, problem=exc)
    token = pending.sign(
        response,
        user,
        pending.Pending(answers=prepared.answers, version=response.version, cells=prepared.cells),
    )
    return render_template(
        "excel/preview.html",
        response=response,
        prepared=prepared,
        stale=prepared.is_stale(response, user.id),
        confirm=ConfirmForm(token=token),
        on_behalf=_on_behalf(user, response),
        closed=_closed(user, response),
    )


@bp.post("/rounds/<int:round_id>/responses/<code>/template/confirm")
@allow("template.use")
def confirm(round_id: int, code: str) -> ResponseReturnValue:
    """Save the previewed upload as the draft, if nobody saved the response since the preview."""
    user = require_actor()
    response = responses.response_for(round_id, code, user)
    form = ConfirmForm()
    try:
        if not form.validate_on_submit():
            raise pending.PendingExpired(_("確認画面の内容が正しくありません。"))
        kept = pending.load(form.token.data or "", response, user)
        excel.save_upload(response, kept.answers, version=kept.version, user=user, cells=kept.cells)
    except HubError as exc:
        db.session.rollback()
        return _upload_page(response, UploadForm(formdata=None), problem=exc)
    db.session.commit()
    flash(_saved_message(user, response), "success")
    return redirect(_after_save(user, response))


def _upload_page(
    response: Response, form: UploadForm, *, problem: HubError | None = None, status: int = 200
) -> ResponseReturnValue:
    cell_errors: dict[str, list[str]] = {}
    if isinstance(problem, Invalid):
        cell_errors = {k: v for k, v in problem.errors.items() if v != [problem.message]}
    if problem is not None:
        status = problem.status
    return (
        render_template(
            "excel/upload.html",
            response=response,
            form=form,
            problem=problem.message if problem else None,
            conflict=isinstance(problem, Conflict),
            cell_errors=cell_errors,
            max_megabytes=f"{limits().max_bytes / (1024 * 1024):g}",
            on_behalf=_on_behalf(require_actor(), response),
            closed=_closed(require_actor(), response),
        ),
        status,
    )


def _closed(user: User, response: Response) -> bool:
    """A respondent's round closed (no extension running): say so before they fill a file in,
    not only when the upload is refused."""
    return user.role != Role.STAFF and responses.closed_to_respondents(response)


def _on_behalf(user: User, response: Response) -> bool:
    return user.municipality_code != response.municipality_code


def _saved_message(user: User, response: Response) -> str:
    """After a confirmed upload, for whoever confirmed it (the clerk, or 都 staff on the
    municipality's behalf)."""
    if _on_behalf(user, response):
        return _(
            "%(name)sのExcelの内容を代理入力として一時保存しました。まだ提出されていません。",
            name=place(response.municipality),
        )
    return _("Excelの内容を一時保存しました。提出はまだ済んでいません。")


def _after_save(user: User, response: Response) -> str:
    """Back to the questionnaire the user came from (staff: the response's page)."""
    target: dict[str, Any] = {"round_id": response.round_id, "code": response.municipality_code}
    if user.role == Role.STAFF and has_endpoint("staff.response"):
        return url_for("staff.response", **target)
    if user.role == Role.RESPONDENT and has_endpoint("respond.form"):
        return url_for("respond.form", **target)
    return url_for("excel.upload", **target)
