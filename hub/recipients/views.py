"""Staff page for the national counterparts: profiles, their edit form, the delivery log and
「今すぐ送信」, which queues a request row for the scheduler (the web worker never sends); the
page tells what became of the recent requests (sent, waiting for responses, refused and why)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from exports.channels import CHANNEL_LABELS, CHANNELS
from forms.numbers import whole_number
from hub.auth.gate import current_actor
from hub.auth.policy import allow
from hub.db import db, utcnow
from hub.errors import Conflict, Invalid
from hub.models import DeliveryRequest, Recipient, Round
from hub.recipients import schedule
from hub.services import deliveries
from hub.services.delivered_files import files_kept, manifest_offered
from hub.services.recipients import (
    FORMATS,
    Changes,
    get_recipient,
    list_recipients,
    update_recipient,
)
from hub.web.carried import carries, refill_form
from hub.web.display import round_title

bp = Blueprint("recipients", __name__, url_prefix="/staff/recipients")


class RecipientForm(FlaskForm):
    schedule_kind = RadioField(
        _l("配信のタイミング"),
        choices=[SelectChoice(k, schedule.KIND_LABELS[k]) for k in schedule.KINDS],
        validate_choice=False,
    )
    weekday = SelectField(
        _l("曜日（毎週のとき）"),
        choices=[SelectChoice(str(i), label) for i, label in enumerate(schedule.WEEKDAY_LABELS)],
        validate_choice=False,
    )
    month_day = SelectField(
        _l("日（毎月のとき）"),
        choices=[SelectChoice(str(d), str(d)) for d in range(1, 29)],
        validate_choice=False,
    )
    at = StringField(
        _l("時刻（日本時間）"),
        description=_l("毎日・毎週・毎月のときの送信時刻。例: 9:00"),
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )
    cron = StringField(
        _l("cron 式（詳細設定のとき）"),
        description=_l("分 時 日 月 曜日（日本時間）。例: 0 9 * * 1-5 = 平日の9時"),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    channel = SelectField(
        _l("送信方法"),
        choices=[SelectChoice(c, CHANNEL_LABELS.get(c, c)) for c in CHANNELS],
        validate_choice=False,
    )
    address = StringField(
        _l("送信先"),
        description=_l(
            "メール: メールアドレス（複数はカンマ区切り）。HTTPS: https:// で始まるURL。"
        ),
        render_kw={"autocomplete": "off"},
    )
    formats = SelectMultipleField(
        _l("形式"),
        choices=[SelectChoice(f, f) for f in FORMATS],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    include_detail = BooleanField(
        _l("自治体別の回答（個票）を含める（氏名・電話・メールは常に除外）")
    )
    csv_encoding = SelectField(
        _l("CSVの文字コード"),
        choices=[
            SelectChoice("utf-8-sig", _l("UTF-8（BOM付き、既定）")),
            SelectChoice("cp932", _l("Shift_JIS（cp932）")),
        ],
        description=_l(
            "Shift_JIS しか読めないシステムには cp932 を選びます。"
            "cp932 で書けない文字があるときは、送る前にその表・行・文字を知らせます（置き換えません）。"
        ),
        validate_choice=False,
    )
    active = BooleanField(_l("定期配信を有効にする"))
    new_secret = BooleanField(_l("HTTPS の共有シークレットを作り直す"))


class SendForm(FlaskForm):
    round_id = SelectField(_l("調査回"), coerce=int, validate_choice=False)
    force = BooleanField(_l("送信済みと同じ内容でも送る"))
    """Set only by 「同じ内容をもう一度送る」 beside a request that found nothing new (a choice
    made after the page asked to confirm it); without it the same content is not sent again."""


def _send_form() -> SendForm:
    form = SendForm()
    rounds = db.session.scalars(
        select(Round).order_by(Round.reference_date.desc(), Round.id.desc())
    )
    form.round_id.choices = [
        SelectChoice(str(r.id), _("%(title)s（ID %(id)s）", title=round_title(r), id=r.id))
        for r in rounds
    ]
    return form


@bp.get("/")
@allow("recipients.manage")
def index() -> ResponseReturnValue:
    waiting = db.session.scalars(
        select(DeliveryRequest)
        .where(DeliveryRequest.picked_at.is_(None))
        .order_by(DeliveryRequest.id)
    )
    handled = deliveries.handled_requests()
    return render_template(
        "recipients/index.html",
        recipients=list_recipients(),
        log=deliveries.delivery_log(limit=deliveries.LOG_ON_THE_PAGE),
        log_limit=deliveries.LOG_ON_THE_PAGE,
        files_kept=files_kept,
        manifest_offered=manifest_offered,
        waiting=list(waiting),
        handled=handled,
        resend_offered=_resend_offered(handled),
        request_result=deliveries.request_result,
        send_form=_send_form(),
        describe_schedule=schedule.describe,
        channel_labels=CHANNEL_LABELS,
        status_labels=deliveries.STATUS_LABELS,
        trigger_labels=deliveries.TRIGGER_LABELS,
        delivery_error=deliveries.delivery_error,
        changed_tables=deliveries.changed_tables,
    )


def _resend_offered(handled: list[DeliveryRequest]) -> set[int]:
    """The requests beside which the page offers 「同じ内容をもう一度送る」: those that sent
    nothing because the recipient already had the content, each the newest request for its
    recipient and round (an older one's answer may no longer hold)."""
    newest: dict[tuple[str, int | None], DeliveryRequest] = {}
    for request_ in handled:  # newest first
        newest.setdefault((request_.recipient_name, request_.round_id), request_)
    return {
        r.id
        for r in newest.values()
        if r.outcome == "unchanged" and r.round_id is not None and r.delivery is not None
    }


@bp.route("/<name>", methods=["GET", "POST"])
@allow("recipients.manage")
@carries()
def edit(name: str) -> ResponseReturnValue:
    recipient = get_recipient(name)
    if request.method == "GET":
        return _edit_page(recipient, refill_form(_filled_form(recipient)), {})
    form = RecipientForm()
    choice = _choice_of(form)
    schedule_errors: dict[str, list[str]] = {}
    try:
        chosen = schedule.to_schedule(choice)
    except Invalid as exc:
        schedule_errors, chosen = dict(exc.errors), recipient.schedule
    changes = Changes(
        schedule=chosen,
        channel=form.channel.data or "",
        address=form.address.data or "",
        formats=form.formats.data or [],
        include_detail=bool(form.include_detail.data),
        csv_encoding=form.csv_encoding.data or None,
        active=bool(form.active.data),
        new_secret=bool(form.new_secret.data),
    )
    if not form.validate():
        return _edit_page(recipient, form, dict(form.errors), status=400)
    try:
        updated, secret = update_recipient(name, changes, user=current_actor())
        if schedule_errors:
            raise Invalid(schedule_errors)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        errors = {**_schedule_errors(exc.errors, choice), **schedule_errors}
        return _edit_page(get_recipient(name), form, errors, status=422)
    if secret:
        return render_template("recipients/secret.html", recipient=updated, secret=secret)
    flash(_("%(title)s の設定を保存しました。", title=updated.title), "success")
    return redirect(url_for("recipients.index"))


def _filled_form(recipient: Recipient) -> RecipientForm:
    shown = schedule.from_schedule(recipient.schedule)
    form = RecipientForm(obj=recipient)
    form.schedule_kind.data = shown.kind
    form.weekday.data = str(shown.weekday)
    form.month_day.data = str(shown.month_day)
    form.at.data = shown.at
    form.cron.data = shown.cron
    return form


def _schedule_errors(errors: dict[str, list[str]], choice: schedule.Choice) -> dict[str, list[str]]:
    """A cron expression the service refused is shown at the cron field."""
    if choice.kind == "cron" and "schedule" in errors:
        errors = {**errors, "cron": errors["schedule"]}
        del errors["schedule"]
    return errors


def _choice_of(form: RecipientForm) -> schedule.Choice:
    def number(text: str | None, default: int) -> int:
        value = whole_number(text)
        return default if value is None else value

    return schedule.Choice(
        kind=form.schedule_kind.data or "",
        weekday=number(form.weekday.data, -1),
        month_day=number(form.month_day.data, 0),
        at=form.at.data or "",
        cron=form.cron.data or "",
    )


def _edit_page(
    recipient: Recipient, form: RecipientForm, errors: dict[str, list[str]], status: int = 200
) -> ResponseReturnValue:
    seen = deliveries.scheduler_seen()
    return (
        render_template(
            "recipients/edit.html",
            recipient=recipient,
            form=form,
            errors=errors,
            log=deliveries.delivery_log(recipient.name, limit=deliveries.LOG_OF_ONE_RECIPIENT),
            look=deliveries.last_look(recipient.name),
            seen=seen,
            quiet=seen is None or seen < utcnow() - deliveries.SCHEDULER_QUIET,
            log_limit=deliveries.LOG_OF_ONE_RECIPIENT,
            files_kept=files_kept,
            manifest_offered=manifest_offered,
            status_labels=deliveries.STATUS_LABELS,
            trigger_labels=deliveries.TRIGGER_LABELS,
            delivery_error=deliveries.delivery_error,
            changed_tables=deliveries.changed_tables,
        ),
        status,
    )


@bp.post("/<name>/send")
@allow("recipients.manage")
def send_now(name: str) -> ResponseReturnValue:
    """Queue a delivery; the scheduler sends it within a few seconds — unless the recipient
    already has this content for the round, then it says which delivery carried it. ``force``
    (「同じ内容をもう一度送る」) sends it again all the same."""
    recipient = get_recipient(name)
    form = _send_form()
    if not form.validate():
        flash(_("送信を受け付けられませんでした。ページを読み込み直してください。"), "error")
        return redirect(url_for("recipients.index"))
    forced = bool(form.force.data)
    try:
        deliveries.request_delivery(
            recipient.name, form.round_id.data, user=current_actor(), force=forced
        )
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(url_for("recipients.index"))
    db.session.commit()
    if forced:
        flash(
            _(
                "%(title)s へ、送信済みと同じ内容をもう一度送る依頼を受け付けました。まもなく送信され、"
                "結果はこのページの「今すぐ送信の結果」に表示されます。",
                title=recipient.title,
            ),
            "success",
        )
        return redirect(url_for("recipients.index"))
    flash(
        _(
            "%(title)s への送信を受け付けました。まもなく送信され、結果はこのページの"
            "「今すぐ送信の結果」に表示されます。",
            title=recipient.title,
        ),
        "success",
    )
    return redirect(url_for("recipients.index"))
