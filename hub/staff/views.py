"""都 staff: the rounds, opening one, the progress board, one response with its history and
the review actions (差し戻し, 受理, 期限延長), and 代理入力 on a municipality's behalf."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from wtforms import SelectChoice

from forms.normalize import InvalidValue
from forms.numbers import whole_number
from forms.tokyo import in_tokyo, parse_datetime
from hub.auth.gate import require_actor
from hub.auth.policy import allow
from hub.db import db, utcnow
from hub.errors import Conflict, Invalid
from hub.models import Municipality, Response, Revision, Round, history_events, ordered_regions
from hub.services import (
    mail_queue,
    mails,
    municipal_mail,
    progress,
    questionnaires,
    reminders,
    responses,
    rounds,
)
from hub.staff.forms import ChangeRoundForm, ExtensionForm, OpenRoundForm, ReturnForm
from hub.web.carried import carries, refill_form, refilled_list
from hub.web.display import data_choice, joined, locale_code, place, round_title
from hub.web.editing import (
    Pages,
    confirm_page,
    form_page,
    load_response,
    register,
    submit_post,
)

bp = Blueprint("staff", __name__, url_prefix="/staff")

PAGES = register(
    Pages(
        form="staff.edit",
        confirm="staff.edit_confirm",
        submit="staff.edit_submit",
        done="staff.response",
        on_behalf=True,
    )
)


@bp.get("/")
@allow("response.review")
def home() -> ResponseReturnValue:
    """Every round, newest first, with how many municipalities have submitted."""
    lines = progress.overview(rounds.list_rounds())
    return render_template("staff/home.html", lines=lines, now=utcnow())


@bp.route("/rounds/new", methods=["GET", "POST"])
@allow("rounds.manage")
@carries()
def new_round() -> ResponseReturnValue:
    form = OpenRoundForm()
    offered = _stored_choices()
    form.survey.choices = list(offered.values())
    if request.method == "GET":
        asked = request.args.get("survey", "")
        if asked in offered:
            form.survey.data = asked
        return _new_round_page(refill_form(form), {})
    errors: dict[str, list[str]] = {}
    chosen = _chosen_version(form.survey.data or "", offered)
    if chosen is None:
        errors["survey"] = [_("調査票を選んでください。")]
    values: dict[str, Any] = {}
    try:
        values = rounds.typed_round(
            reference_date=form.reference_date.data or "",
            deadline=form.deadline.data or "",
            opens_at=form.opens_at.data or "",
            title=form.title.data or "",
            municipalities=form.municipalities.data or "",
        )
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        return _new_round_page(form, errors), 422
    if request.form.get("action") == "preview":
        return _new_round_page(
            form,
            {},
            preview=rounds.to_be_asked(values["municipality_codes"]),
            deadline_notes=rounds.deadline_notes(values["deadline"], values["reference_date"]),
        )
    key, version = chosen or ("", None)
    try:
        opened = rounds.open_round(
            key,
            version=version,
            user=require_actor(),
            invite=bool(form.invite.data),
            **values,
        )
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _new_round_page(form, exc.errors), 422
    asked = db.session.scalar(
        select(func.count()).select_from(Response).where(Response.round_id == opened.id)
    )
    flash(
        ngettext(
            "調査回を開始しました: %(title)s（%(count)s団体）",
            "調査回を開始しました: %(title)s（%(count)s団体）",
            asked,
            title=round_title(opened),
            count=asked,
        ),
        "success",
    )
    _say_deadline_notes(opened.deadline, opened.reference_date)
    return redirect(url_for("staff.board", round_id=opened.id))


def _say_deadline_notes(deadline: datetime, reference_date: date | None = None) -> None:
    """Flash a warning for each thing staff seldom mean about a deadline just set: a day the
    offices are closed, a day before the round's 基準日 (``rounds.deadline_notes``)."""
    for note in rounds.deadline_notes(deadline, reference_date):
        flash(note, "warning")


def _new_round_page(
    form: OpenRoundForm,
    errors: Mapping[str, list[str]],
    *,
    preview: list[Municipality] | None = None,
    deadline_notes: list[str] | None = None,
) -> str:
    """The form, saying how many municipalities the round will ask and which of them are to be
    retired (asked until their day); with ``preview``, the municipalities what was typed asks,
    region by region, before anything is opened."""
    asked = rounds.asked_by_a_new_round()
    return render_template(
        "staff/new_round.html",
        form=form,
        errors=errors,
        asked=len(asked),
        leaving=[m for m in asked if not m.active],
        preview=preview,
        preview_regions=ordered_regions({m.region for m in preview or ()}),
        deadline_notes=deadline_notes or [],
    )


def _stored_choices() -> dict[str, SelectChoice]:
    """``{"id@version": option}`` for every stored questionnaire version, newest version first
    (an option marked Japanese when its title is, on an English page)."""
    versions = sorted(
        questionnaires.stored_versions(), key=lambda s: (s.key != "torikumi", s.key, -s.version)
    )
    latest = {s.key: max(v.version for v in versions if v.key == s.key) for s in versions}
    locale = locale_code()
    choices = {}
    for survey in versions:
        title = survey.questionnaire.title.get(locale)
        if survey.version == latest[survey.key]:
            label = _(
                "%(title)s（%(id)s 第%(version)s版・最新）",
                title=title,
                id=survey.key,
                version=survey.version,
            )
        else:
            label = _(
                "%(title)s（%(id)s 第%(version)s版）",
                title=title,
                id=survey.key,
                version=survey.version,
            )
        value = f"{survey.key}@{survey.version}"
        choices[value] = data_choice(value, label, title)
    return choices


def _chosen_version(value: str, offered: dict[str, SelectChoice]) -> tuple[str, int | None] | None:
    """``(id, version)`` of the chosen option; a bare id (``torikumi``) means its latest."""
    if value in offered:
        key, _at, version = value.rpartition("@")
        return key, int(version)
    if value and value in {option.rpartition("@")[0] for option in offered}:
        return value, None
    return None


@dataclass(frozen=True)
class BoardFilters:
    """The board's filters as read from the query string; unknown values are ignored."""

    region: str | None
    state: str | None
    overdue: bool
    prefecture: str | None = None
    search: str = ""

    @property
    def any(self) -> bool:
        return bool(self.region or self.state or self.overdue or self.prefecture or self.search)

    @property
    def args(self) -> dict[str, str]:
        """The filters as the query string carries them, for the links to the board's pages."""
        given = {
            "q": self.search,
            "prefecture": self.prefecture or "",
            "region": self.region or "",
            "state": self.state or "",
            "overdue": "1" if self.overdue else "",
        }
        return {name: value for name, value in given.items() if value}


@bp.get("/rounds/<int:round_id>")
@allow("response.review")
def board(round_id: int) -> ResponseReturnValue:
    """The progress board: counts by state and region, and every municipality (filterable);
    the municipalities ticked for a reminder ticked again when that typing is given back."""
    ticked = refilled_list("municipality", posted_to="staff.reminders_preview")
    return _board_page(responses.get_round(round_id), chosen=ticked or ())


def _board_page(
    round_: Round,
    *,
    errors: Mapping[str, list[str]] | None = None,
    chosen: Collection[str] = (),
    status: int = 200,
) -> ResponseReturnValue:
    now = utcnow()
    summary = progress.progress(round_, now=now)
    mail = mail_queue.of_round(round_.id)
    region = request.args.get("region") or None
    state = request.args.get("state") or None
    prefecture = request.args.get("prefecture") or None
    filters = BoardFilters(
        region=region if region in summary.regions else None,
        state=state if state in progress.STATES else None,
        overdue=request.args.get("overdue") == "1",
        prefecture=prefecture if prefecture in summary.prefectures else None,
        search=request.args.get("q", "").strip(),
    )
    rows = progress.board_page(
        round_,
        request.args.get("page"),
        region=filters.region,
        state=filters.state,
        overdue_only=filters.overdue,
        prefecture=filters.prefecture,
        search=filters.search,
        now=now,
    )
    return (
        render_template(
            "staff/board.html",
            round=round_,
            summary=summary,
            rows=rows,
            filters=filters,
            states=progress.STATES,
            late=reminders.late_codes(round_, now),
            last_reminded=reminders.last_reminded(round_),
            invited=reminders.invited(round_) if round_.invite else 0,
            unreachable=reminders.unreachable(round_),
            mail=mail,
            given_up=_named(mail.given_up),
            chosen=set(chosen),
            errors=dict(errors or {}),
            now=now,
        ),
        status,
    )


def _named(errors: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``(code, name, error)`` of the municipalities the queue gave up on, read in one query
    (a mail server that refused a whole national round's mails gives up on 1,741)."""
    if not errors:
        return []
    found = db.session.scalars(select(Municipality).where(Municipality.code.in_(list(errors))))
    names = {m.code: place(m) for m in found}
    return [(code, names.get(code, code), error) for code, error in errors.items()]


@bp.post("/rounds/<int:round_id>/mail/given-up")
@allow("reminders.send")
def given_up_mail(round_id: int) -> ResponseReturnValue:
    """The mails the queue gave up on: sent again (an address mended), or taken off the board
    once staff told those municipalities otherwise. Audited with codes only."""
    round_ = responses.get_round(round_id)
    codes = set(request.form.getlist("municipality"))
    action = request.form.get("action")
    if not codes or action not in ("retry", "dismiss"):
        flash(_("もう一度送る、または一覧から外す区市町村を選んでください。"), "error")
        return redirect(url_for("staff.board", round_id=round_id))
    user = require_actor()
    if action == "retry":
        done = mail_queue.retry_given_up(round_.id, codes, utcnow(), user=user)
        message = ngettext(
            "%(n)s団体へのメールを、もう一度送信待ちに入れました。",
            "%(n)s団体へのメールを、もう一度送信待ちに入れました。",
            len(done),
            n=len(done),
        )
    else:
        done = mail_queue.dismiss_given_up(round_.id, codes, user=user)
        message = ngettext(
            "%(n)s団体を「送れなかったメール」の一覧から外しました。",
            "%(n)s団体を「送れなかったメール」の一覧から外しました。",
            len(done),
            n=len(done),
        )
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("staff.board", round_id=round_id))


@bp.post("/rounds/<int:round_id>/reminders")
@allow("reminders.send")
@carries(page="staff.board")
def reminders_preview(round_id: int) -> ResponseReturnValue:
    """督促メール: the chosen late municipalities, their addressees and the mail, to confirm.
    「遅れている団体をすべて選んで確認へ」 (``all_late``) chooses every late municipality of the
    round, whatever was ticked or filtered: the server decides which are late."""
    round_ = responses.get_round(round_id)
    now = utcnow()
    all_late = request.form.get("all_late") == "1"
    codes = (
        sorted(reminders.late_codes(round_, now))
        if all_late
        else request.form.getlist("municipality")
    )
    chosen = reminders.preview_chosen(round_, codes, now)
    if not chosen:
        return _no_choice(round_, codes, all_late=all_late)
    texts = reminders.mail_texts(chosen)
    return render_template(
        "staff/reminders_preview.html",
        round=round_,
        chosen=chosen,
        texts=texts,
        text_of={code: text.number for text in texts for code in text.codes},
        name_slot=reminders.NAME_SLOT,
        code_slot=reminders.CODE_SLOT,
        mail_ready=mails.mail_configured(),
    )


@bp.post("/rounds/<int:round_id>/reminders/send")
@allow("reminders.send")
def reminders_send(round_id: int) -> ResponseReturnValue:
    round_ = responses.get_round(round_id)
    codes = request.form.getlist("municipality")
    reminders.hold_sending(round_)
    chosen = reminders.preview_chosen(round_, codes, utcnow())
    if not chosen:
        return _no_choice(round_, codes)
    outcome = reminders.queue_chosen(
        round_, chosen, user=require_actor(), resend=request.form.get("resend") == "1"
    )
    db.session.commit()
    if outcome.no_server:
        flash(
            _(
                "メールサーバー（HUB_SMTP_URL）が設定されていないため送信できません。"
                "システム管理者に設定を依頼してください。"
            ),
            "error",
        )
    if outcome.queued:
        flash(
            ngettext(
                "%(n)s団体への督促メールを送信待ちに入れました。1分ほどで送られます。",
                "%(n)s団体への督促メールを送信待ちに入れました。1分ほどで送られます。",
                len(outcome.queued),
                n=len(outcome.queued),
            ),
            "success",
        )
    if outcome.no_address:
        flash(
            ngettext(
                "宛先なしのため%(n)s団体には送信していません。",
                "宛先なしのため%(n)s団体には送信していません。",
                len(outcome.no_address),
                n=len(outcome.no_address),
            ),
            "warning",
        )
    if outcome.reminded_today:
        flash(
            ngettext(
                "本日すでに督促した%(n)s団体には送信していません。再送するには、確認画面で"
                "「本日送信済みの団体にも再送する」を選んでください。",
                "本日すでに督促した%(n)s団体には送信していません。再送するには、確認画面で"
                "「本日送信済みの団体にも再送する」を選んでください。",
                len(outcome.reminded_today),
                n=len(outcome.reminded_today),
            ),
            "warning",
        )
    return redirect(url_for("staff.board", round_id=round_id, _anchor="municipalities"))


def _no_choice(round_: Round, codes: list[str], *, all_late: bool = False) -> ResponseReturnValue:
    message = reminders.nobody_to_chase(None if all_late else codes)
    return _board_page(round_, errors={"municipality": [message]}, chosen=codes, status=422)


@bp.route("/rounds/<int:round_id>/change", methods=["GET", "POST"])
@allow("rounds.manage")
@carries()
def change_round(round_id: int) -> ResponseReturnValue:
    """A new title or deadline for an opened round; a closed one takes answers again."""
    round_ = responses.get_round(round_id)
    form = ChangeRoundForm()
    if request.method == "GET":
        form.title.data = round_.title
        form.opens_at.data = f"{in_tokyo(round_.opens_at):%Y-%m-%d %H:%M}"
        form.deadline.data = f"{in_tokyo(round_.deadline):%Y-%m-%d %H:%M}"
        return _change_round_page(round_, refill_form(form), {})
    try:
        change = rounds.change_round(
            round_,
            title=form.title.data or "",
            deadline=form.deadline.data or "",
            opens_at=(form.opens_at.data or "") if "opens_at" in request.form else None,
            user=require_actor(),
        )
        told = municipal_mail.Queued()
        if form.notify.data and change.newly_due:
            told = municipal_mail.tell_new_deadline(change.newly_due)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _change_round_page(round_, form, exc.errors, 422)
    flash(_("調査回の設定を変更しました。"), "success")
    if change.reopened:
        flash(_("締め切っていた調査回の受付を再開しました。"), "info")
    if change.deadline_moved:
        _say_deadline_notes(round_.deadline, round_.reference_date)
    _say_queued(
        told,
        ngettext(
            "%(n)s団体の回答者に、新しい提出期限をメールで知らせます。",
            "%(n)s団体の回答者に、新しい提出期限をメールで知らせます。",
            len(told.queued),
            n=len(told.queued),
        ),
    )
    if told.by_invitation:
        flash(
            ngettext(
                "%(n)s団体にはまだ依頼メールを送っていないため、期限の変更はメールで知らせず、"
                "依頼メールに新しい提出期限を書きます。",
                "%(n)s団体にはまだ依頼メールを送っていないため、期限の変更はメールで知らせず、"
                "依頼メールに新しい提出期限を書きます。",
                len(told.by_invitation),
                n=len(told.by_invitation),
            ),
            "info",
        )
    return redirect(url_for("staff.board", round_id=round_id))


def _change_round_page(
    round_: Round, form: ChangeRoundForm, errors: Mapping[str, list[str]], status: int = 200
) -> ResponseReturnValue:
    page = render_template(
        "staff/change_round.html",
        round=round_,
        form=form,
        errors=errors,
        round_state=round_.state_at(utcnow()),
    )
    return page, status


@bp.route("/rounds/<int:round_id>/remove", methods=["GET", "POST"])
@allow("rounds.manage")
def remove_round(round_id: int) -> ResponseReturnValue:
    """Take back a round opened by mistake (the wrong questionnaire or 基準日), before anyone
    answered: GET says what goes, or why it cannot; POST removes it."""
    round_ = responses.get_round(round_id)
    reasons = rounds.why_not_removable(round_)
    if request.method == "GET" or reasons:
        page = render_template("staff/remove_round.html", round=round_, reasons=reasons)
        return page, 409 if reasons and request.method == "POST" else 200
    title = round_title(round_)
    rounds.remove_round(round_, user=require_actor())
    db.session.commit()
    flash(_("調査回「%(title)s」を取り消しました。", title=title), "success")
    return redirect(url_for("staff.home"))


@bp.post("/rounds/<int:round_id>/close")
@allow("rounds.manage")
def close_round(round_id: int) -> ResponseReturnValue:
    try:
        rounds.close_round(responses.get_round(round_id), user=require_actor())
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(url_for("staff.board", round_id=round_id))
    db.session.commit()
    flash(_("調査回を締め切りました。"), "success")
    return redirect(url_for("staff.board", round_id=round_id))


@bp.get("/rounds/<int:round_id>/responses/<code>")
@allow("response.review")
def response(round_id: int, code: str) -> ResponseReturnValue:
    """One response; a return's reason or an extension's date typed before the session ended
    given back in its form (``hub.web.carried``)."""
    return _response_page(
        load_response(round_id, code),
        return_form=refill_form(ReturnForm(formdata=None), posted_to="staff.return_response"),
        extension_form=refill_form(ExtensionForm(formdata=None), posted_to="staff.extension"),
    )


def _response_page(
    response: Response,
    *,
    errors: Mapping[str, list[str]] | None = None,
    return_form: ReturnForm | None = None,
    extension_form: ExtensionForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """One response: answers, state, review actions, revision history and a diff of two."""
    history = responses.revisions(response)
    older, newer = _compared(history)
    return (
        render_template(
            "staff/response.html",
            response=response,
            round=response.round,
            questionnaire=response.round.questionnaire,
            history=list(reversed(history)),
            events=history_events(history),
            older=older,
            newer=newer,
            changes=responses.diff(older.answers, newer.answers) if older and newer else {},
            errors=dict(errors or {}),
            return_form=return_form or ReturnForm(formdata=None),
            extension_form=extension_form or ExtensionForm(formdata=None),
            mails=reminders.mails_to(response.round_id, response.municipality_code),
            now=utcnow(),
        ),
        status,
    )


def _compared(history: list[Revision]) -> tuple[Revision | None, Revision | None]:
    """The two revisions to compare: ``?from=&to=`` numbers, by default the last two."""
    if not history:
        return None, None
    by_number = {r.number: r for r in history}
    newer = by_number.get(request.args.get("to", type=int) or -1, history[-1])
    default_older = next((r for r in reversed(history) if r.number < newer.number), None)
    older = by_number.get(request.args.get("from", type=int) or -1, default_older)
    return older, newer


@bp.post("/rounds/<int:round_id>/responses/<code>/return")
@allow("response.review")
@carries(page="staff.response")
def return_response(round_id: int, code: str) -> ResponseReturnValue:
    response = load_response(round_id, code)
    form = ReturnForm()
    try:
        responses.return_response(response, form.reason.data or "", user=require_actor())
        queued = municipal_mail.tell_returned([response])
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _response_page(response, errors=exc.errors, return_form=form, status=422)
    except Conflict as exc:
        return _changed_meanwhile(response, exc, return_form=form)
    flash(_("%(name)sの回答を差し戻しました。", name=place(response.municipality)), "success")
    _say_returned(queued)
    return redirect(url_for("staff.response", round_id=round_id, code=code))


def _changed_meanwhile(
    response: Response, refusal: Conflict, *, return_form: ReturnForm | None = None
) -> ResponseReturnValue:
    """A decision the response's state no longer allows — a second click, or another member of
    staff (or the municipality) first: the response's page as it is now, saying why nothing was
    done, with a return's reason given back, since its form may no longer be shown."""
    db.session.rollback()
    db.session.refresh(response)
    messages = [refusal.message, _("この回答の現在の状態を確かめてください。")]
    typed = (return_form.reason.data or "").strip() if return_form else ""
    if typed:
        messages.append(_("入力した差し戻しの理由（保存されていません）: %(reason)s", reason=typed))
    return _response_page(response, errors={"state": messages}, return_form=return_form, status=409)


def _say_returned(queued: municipal_mail.Queued) -> None:
    told = ngettext(
        "%(n)s団体の回答者に、差し戻したことをメールで知らせます。",
        "%(n)s団体の回答者に、差し戻したことをメールで知らせます。",
        len(queued.queued),
        n=len(queued.queued),
    )
    _say_queued(queued, told)


def _say_queued(queued: municipal_mail.Queued, told: str) -> None:
    """Flash whom the mails will reach (``told``), and whom they will not, so that staff phone."""
    if queued.queued:
        flash(told, "info")
    if queued.no_server:
        flash(
            _(
                "メールサーバー（HUB_SMTP_URL）が設定されていないため、メールでは知らせていません。"
                "電話などで知らせてください。"
            ),
            "warning",
        )
    if queued.no_address:
        flash(
            _(
                "次の団体には回答者のアカウントがないため、メールで知らせていません: %(names)s",
                names=_names(queued.no_address),
            ),
            "warning",
        )


@bp.post("/rounds/<int:round_id>/responses/<code>/accept")
@allow("response.review")
def accept(round_id: int, code: str) -> ResponseReturnValue:
    response = load_response(round_id, code)
    try:
        responses.accept(response, user=require_actor())
    except Conflict as exc:
        return _changed_meanwhile(response, exc)
    db.session.commit()
    flash(_("%(name)sの回答を受理しました。", name=place(response.municipality)), "success")
    return redirect(url_for("staff.response", round_id=round_id, code=code))


@bp.post("/rounds/<int:round_id>/responses/<code>/unaccept")
@allow("response.review")
def unaccept(round_id: int, code: str) -> ResponseReturnValue:
    """Take back an acceptance made by mistake: the response is submitted again."""
    response = load_response(round_id, code)
    try:
        responses.unaccept(response, user=require_actor())
    except Conflict as exc:
        return _changed_meanwhile(response, exc)
    db.session.commit()
    flash(
        _(
            "%(name)sの回答の受理を取り消しました。提出済みに戻っています。",
            name=place(response.municipality),
        ),
        "success",
    )
    return redirect(url_for("staff.response", round_id=round_id, code=code))


@bp.get("/rounds/<int:round_id>/accept")
@allow("response.review")
def accept_many_preview(round_id: int) -> ResponseReturnValue:
    """The submitted responses, each ticked, to accept together once staff have read them."""
    return _decide_many_page(responses.get_round(round_id), "accept")


@bp.get("/rounds/<int:round_id>/return")
@allow("response.review")
def return_many_preview(round_id: int) -> ResponseReturnValue:
    """The submitted responses, none ticked, to return together with one reason (those ticked
    and the reason typed before the session ended when they are given back)."""
    ticked = refilled_list("municipality", posted_to="staff.return_many")
    return _decide_many_page(
        responses.get_round(round_id),
        "return",
        ticked=None if ticked is None else set(ticked),
        return_form=refill_form(ReturnForm(formdata=None), posted_to="staff.return_many"),
    )


def _decide_many_page(
    round_: Round,
    action: str,
    *,
    errors: Mapping[str, list[str]] | None = None,
    ticked: Collection[str] | None = None,
    return_form: ReturnForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    waiting = responses.submitted_in(round_)
    if ticked is None:
        ticked = {r.municipality_code for r in waiting} if action == "accept" else set()
    page = render_template(
        "staff/decide_many.html",
        round=round_,
        action=action,
        waiting=waiting,
        ticked=ticked,
        return_form=return_form or ReturnForm(),
        errors=errors or {},
    )
    return page, status


def _seen_versions() -> dict[str, int]:
    """The ticked municipalities, each with the version of its response the list showed (-1,
    which no response has, when what came is no version: it is named as changed)."""
    return {
        code: -1
        if (version := whole_number(request.form.get(f"version-{code}"))) is None
        else version
        for code in request.form.getlist("municipality")
    }


@bp.post("/rounds/<int:round_id>/accept")
@allow("response.review")
def accept_many(round_id: int) -> ResponseReturnValue:
    """Accept the ticked responses that are still the version the list showed."""
    round_ = responses.get_round(round_id)
    seen = _seen_versions()
    if not seen:
        errors = {"municipality": [_("受理する回答を選んでください。")]}
        return _decide_many_page(round_, "accept", errors=errors, ticked=(), status=422)
    outcome = responses.accept_many(round_, seen, user=require_actor())
    db.session.commit()
    if outcome.done:
        flash(
            ngettext(
                "%(n)s件の回答を受理しました。",
                "%(n)s件の回答を受理しました。",
                len(outcome.done),
                n=len(outcome.done),
            ),
            "success",
        )
    if outcome.changed:
        flash(
            _(
                "次の団体の回答は、一覧を表示した後に変わったため受理していません"
                "（回答を開いて確かめてください）: %(names)s",
                names=_names(outcome.changed),
            ),
            "warning",
        )
    return redirect(url_for("staff.board", round_id=round_id))


@bp.post("/rounds/<int:round_id>/return")
@allow("response.review")
@carries(page="staff.return_many_preview")
def return_many(round_id: int) -> ResponseReturnValue:
    """Return the ticked responses that are still the version the list showed, with one reason,
    and tell their municipalities by mail."""
    round_ = responses.get_round(round_id)
    seen = _seen_versions()
    reason = ReturnForm().reason.data or ""
    errors: dict[str, list[str]] = {}
    if not seen:
        errors["municipality"] = [_("差し戻す回答を選んでください。")]
    try:
        outcome = responses.return_many(round_, seen, reason, user=require_actor())
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        db.session.rollback()
        return _decide_many_page(round_, "return", errors=errors, ticked=set(seen), status=422)
    queued = municipal_mail.tell_returned(outcome.done)
    db.session.commit()
    if outcome.done:
        flash(
            ngettext(
                "%(n)s件の回答を差し戻しました。",
                "%(n)s件の回答を差し戻しました。",
                len(outcome.done),
                n=len(outcome.done),
            ),
            "success",
        )
        _say_returned(queued)
    if outcome.changed:
        flash(
            _(
                "次の団体の回答は、一覧を表示した後に変わったため差し戻していません"
                "（回答を開いて確かめてください）: %(names)s",
                names=_names(outcome.changed),
            ),
            "warning",
        )
    return redirect(url_for("staff.board", round_id=round_id))


def _names(codes: Collection[str]) -> str:
    return joined(place(db.session.get(Municipality, c)) for c in codes)


@bp.post("/rounds/<int:round_id>/responses/<code>/extension")
@allow("response.review")
@carries(page="staff.response")
def extension(round_id: int, code: str) -> ResponseReturnValue:
    response = load_response(round_id, code)
    form = ExtensionForm()
    try:
        until = parse_datetime(form.until.data or "")
    except InvalidValue as exc:
        errors = {"until": [str(exc)]}
        return _response_page(response, errors=errors, extension_form=form, status=422)
    try:
        responses.grant_extension(response, until, user=require_actor())
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _response_page(response, errors=exc.errors, extension_form=form, status=422)
    flash(_("%(name)sの提出期限を延長しました。", name=place(response.municipality)), "success")
    _say_deadline_notes(until, response.round.reference_date)
    return redirect(url_for("staff.response", round_id=round_id, code=code))


@bp.route("/rounds/<int:round_id>/responses/<code>/edit", methods=["GET", "POST"])
@allow("response.review")
def edit(round_id: int, code: str) -> ResponseReturnValue:
    """代理入力: the municipality's questionnaire, saved as staff acting on its behalf."""
    return form_page(load_response(round_id, code), PAGES)


@bp.get("/rounds/<int:round_id>/responses/<code>/edit/confirm")
@allow("response.review")
def edit_confirm(round_id: int, code: str) -> ResponseReturnValue:
    return confirm_page(load_response(round_id, code), PAGES)


@bp.post("/rounds/<int:round_id>/responses/<code>/edit/submit")
@allow("response.review")
def edit_submit(round_id: int, code: str) -> ResponseReturnValue:
    return submit_post(load_response(round_id, code), PAGES)
