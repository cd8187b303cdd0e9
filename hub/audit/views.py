"""The audit log page for staff and administrators: who did what, when (shown in Asia/Tokyo),
from which address and on whose behalf, filtered by action, user, municipality and dates, paged.

Read only: nothing on this page changes the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectChoice, SelectField, StringField

from forms.normalize import InvalidValue, parse_date
from hub.auth.policy import allow
from hub.services import audit

bp = Blueprint("audit", __name__, url_prefix="/audit")


ACTION_LABELS: dict[str, Any] = {
    "auth.login": _l("ログイン"),
    "auth.login_failed": _l("ログイン失敗"),
    "auth.login_throttled": _l("ログイン一時停止（失敗の連続）"),
    "auth.logout": _l("ログアウト"),
    "user.create": _l("ユーザー作成"),
    "user.deactivate": _l("ユーザー無効化"),
    "user.reset_password": _l("パスワード再設定"),
    "user.change_password": _l("パスワード変更"),
    "user.bind_municipality": _l("自治体の設定"),
    "user.profile": _l("氏名・所属の変更"),
    "token.create": _l("APIトークン発行"),
    "token.revoke": _l("APIトークン無効化"),
    "round.open": _l("調査回の開始"),
    "round.close": _l("調査回の締切"),
    "response.save": _l("回答の一時保存"),
    "response.submit": _l("回答の提出"),
    "response.return": _l("回答の差し戻し"),
    "response.accept": _l("回答の受理"),
    "response.upload": _l("Excelアップロード"),
    "response.extend": _l("提出期限の延長"),
    "template.download": _l("Excelテンプレートのダウンロード"),
    "workbook.download": _l("集計表のダウンロード"),
    "recipient.update": _l("送付先の設定変更"),
    "delivery.create": _l("送付データの作成"),
    "delivery.request": _l("今すぐ送信の依頼"),
    "delivery.sent": _l("送付完了"),
    "delivery.attempt_failed": _l("送付の失敗"),
    "delivery.interrupted": _l("送付の中断"),
    "consultation.record": _l("相談記録の登録"),
    "consultation.import": _l("相談記録の取込"),
    "hearing.record": _l("ヒアリング記録"),
    "summary_note.set": _l("集計表の備考の更新"),
}
FAMILY_LABELS: dict[str, Any] = {
    "auth": _l("ログイン・ログアウト"),
    "user": _l("ユーザー"),
    "token": _l("APIトークン"),
    "round": _l("調査回"),
    "response": _l("回答"),
    "delivery": _l("送付"),
    "consultation": _l("相談記録"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


class FilterForm(Form):
    """The filters, read from the query string (a GET form: nothing to protect with CSRF)."""

    action = SelectField(_l("操作"), validate_choice=False)
    user = StringField(
        _l("利用者（氏名・所属・メールアドレスの一部）"),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    municipality = SelectField(_l("区市町村"), validate_choice=False)
    date_from = StringField(
        _l("期間（から）"), description=_l("例: 2021-04-01、令和3年4月1日"), render_kw={"size": 16}
    )
    date_to = StringField(_l("期間（まで）"), render_kw={"size": 16})


def _typed(args: Mapping[str, str], name: str) -> str:
    return (args.get(name) or "").strip()[:200]


def read_filters(args: Mapping[str, str]) -> tuple[audit.Filters, dict[str, list[str]]]:
    """The filters as typed, and a message per field that cannot be read."""
    errors: dict[str, list[str]] = {}
    days: dict[str, date | None] = {}
    for name in ("date_from", "date_to"):
        typed = _typed(args, name)
        days[name] = None
        if typed:
            try:
                days[name] = parse_date(typed)
            except InvalidValue as exc:
                errors[name] = [str(exc)]
    start, end = days["date_from"], days["date_to"]
    if start and end and start > end:
        errors["date_to"] = [_("「まで」は「から」と同じ日か後の日にしてください。")]
    municipality = _typed(args, "municipality")
    if municipality and not audit.is_municipality(municipality):
        errors["municipality"] = [
            _("自治体コード %(code)s は登録されていません。", code=municipality)
        ]
    filters = audit.Filters(
        action=_typed(args, "action"),
        user=_typed(args, "user"),
        municipality=municipality,
        date_from=start,
        date_to=end,
    )
    return filters, errors


def _action_choices() -> list[SelectChoice]:
    present = audit.recorded_actions()
    families = sorted({a.split(".", 1)[0] for a in present if "." in a})
    choices = [SelectChoice("", _("すべて"))]
    for family in families:
        label = FAMILY_LABELS.get(family, family)
        choices.append(
            SelectChoice(family + audit.FAMILY_SUFFIX, _("%(family)s（すべて）", family=label))
        )
    choices.extend(SelectChoice(action, action_label(action)) for action in present)
    return choices


def _municipality_choices() -> list[SelectChoice]:
    rows = audit.municipality_names()
    return [SelectChoice("", _("すべて")), *(SelectChoice(c, f"{c} {n}") for c, n in rows)]


def event_time(value: datetime) -> str:
    """``2021/04/01 17:00:05`` in Asia/Tokyo (the configured zone)."""
    return format_datetime(value, "yyyy/MM/dd HH:mm:ss")


def details_text(details: Mapping[str, Any] | None) -> str:
    if not details:
        return ""
    parts = []
    for key, value in details.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{key}: {shown[:200]}")
    return " / ".join(parts)


@bp.get("/")
@allow("audit.read")
def index() -> ResponseReturnValue:
    form = FilterForm(request.args)
    form.action.choices = _action_choices()
    form.municipality.choices = _municipality_choices()
    filters, errors = read_filters(request.args)
    if errors:
        page = audit.Page(events=[], number=1, total=0)
    else:
        page = audit.find_events(filters, request.args.get("page", ""))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return (
        render_template(
            "audit/index.html", form=form, errors=errors, page=page, args=args, filters=filters
        ),
        422 if errors else 200,
    )


bp.add_app_template_global(action_label, "audit_action_label")
bp.add_app_template_filter(event_time, "audit_time")
bp.add_app_template_filter(details_text, "audit_details")
