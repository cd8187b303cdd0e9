"""The audit log page for staff and administrators: who did what, when (shown in Asia/Tokyo),
from which address and on whose behalf, filtered by action, user, municipality and dates, paged.

Read only: nothing on this page changes the log.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext, ngettext
from markupsafe import Markup, escape
from wtforms import Form, SelectChoice, SelectField, StringField

from exports.cells import safe_cell
from forms.normalize import InvalidValue, fold_text
from forms.tokyo import format_datetime as format_tokyo
from forms.tokyo import now as tokyo_now
from forms.tokyo import parse_day
from hub.auth.gate import require_actor
from hub.auth.policy import allow
from hub.db import db
from hub.files import content_disposition
from hub.models import AuditEvent, Round
from hub.models.referral import OUTCOMES
from hub.services import audit
from hub.services.paging import Page
from hub.web.display import (
    data_text,
    joined,
    locale_code,
    place_name,
    role_label,
    round_title,
    source_label,
)

bp = Blueprint("audit", __name__, url_prefix="/audit")


ACTION_LABELS: dict[str, Any] = {
    "auth.login": _l("ログイン"),
    "auth.login_failed": _l("ログイン失敗"),
    "auth.login_throttled": _l("ログイン一時停止（失敗の連続）"),
    "auth.logout": _l("ログアウト"),
    "user.create": _l("ユーザー作成"),
    "user.deactivate": _l("ユーザー無効化"),
    "user.reactivate": _l("ユーザー再有効化"),
    "user.reset_password": _l("パスワード再設定"),
    "user.change_password": _l("パスワード変更"),
    "user.bind_municipality": _l("自治体の設定"),
    "user.change_role": _l("役割・所属の変更"),
    "user.profile": _l("氏名・所属の変更"),
    "token.create": _l("APIトークン発行"),
    "token.revoke": _l("APIトークン無効化"),
    "round.open": _l("調査回の開始"),
    "round.close": _l("調査回の締切"),
    "round.change": _l("調査回の変更（提出期限・名称）"),
    "round.remove": _l("調査回の取り消し"),
    "round.deadline_mail": _l("提出期限の変更のお知らせメール"),
    "reminder.invite": _l("依頼メールの送信"),
    "reminder.due_soon": _l("期限前のお知らせメールの送信"),
    "reminder.overdue": _l("期限超過のお知らせメールの送信"),
    "reminder.send": _l("督促メールの送信"),
    "reminder.chosen": _l("督促メール（選択した団体）"),
    "response.save": _l("回答の一時保存"),
    "response.submit": _l("回答の提出"),
    "response.return": _l("回答の差し戻し"),
    "response.return_mail": _l("差し戻しのお知らせメール"),
    "response.accept": _l("回答の受理"),
    "response.unaccept": _l("回答の受理の取り消し"),
    "mail.retry": _l("送れなかったメールの再送"),
    "mail.dismiss": _l("送れなかったメールを一覧から外す"),
    "response.upload": _l("Excelアップロード"),
    "response.extend": _l("提出期限の延長"),
    "template.download": _l("Excelテンプレートのダウンロード"),
    "workbook.download": _l("集計表のダウンロード"),
    "recipient.update": _l("送付先の設定変更"),
    "delivery.create": _l("送付データの作成"),
    "delivery.request": _l("今すぐ送信の依頼"),
    "delivery.request_outcome": _l("今すぐ送信の結果"),
    "delivery.sent": _l("送付完了"),
    "delivery.attempt_failed": _l("送付の失敗"),
    "delivery.interrupted": _l("送付の中断"),
    "delivery.download": _l("配信ファイルのダウンロード"),
    "delivery.file_unavailable": _l("配信ファイルを渡せなかった（出力フォルダにない・内容が違う）"),
    "delivery.refused": _l("見られない配信のファイルへのアクセス（404）"),
    "consultation.record": _l("相談記録の登録"),
    "consultation.correct": _l("相談記録の修正"),
    "consultation.remove": _l("相談記録の削除"),
    "consultation.import": _l("相談記録の取込"),
    "consultation.statistics_download": _l("相談窓口の統計のダウンロード"),
    "consultation.statistics_download_csv": _l("相談窓口の統計のダウンロード（CSV）"),
    "hearing.record": lazy_pgettext("audit action", "聞き取りの記録"),
    "hearing.remove": _l("聞き取りの記録の削除"),
    "summary_note.set": _l("集計表の備考の更新"),
    "questionnaire.import": _l("調査票の登録"),
    "questionnaire.draft": _l("調査票のアップロード（公開前）"),
    "questionnaire.discard": _l("アップロードした調査票の取り消し"),
    "questionnaire.expire": _l("公開されなかった調査票の破棄（期限切れ）"),
    "questionnaire.supersede": _l("別の下書きの公開による調査票の下書きの取り消し"),
    "referral.create": _l("つなぎの依頼"),
    "referral.accept": _l("つなぎの受理"),
    "referral.decline": _l("つなぎを受理できないと回答"),
    "referral.reroute": _l("つなぎ先の変更"),
    "referral.contact": _l("つなぎの連絡の記録"),
    "referral.close": _l("つなぎの終了"),
    "referral.withdraw_consent": _l("つなぎの同意の撤回"),
    "referral.purge": _l("つなぎの個人情報の消去（保存期間の経過）"),
    "referral.refused": _l("見られないつなぎの番号への閲覧・操作（404）"),
    "referral.forbidden": _l("権限のない役割によるつなぎの操作（403）"),
    "referral.statistics_download": _l("つなぎの統計のダウンロード"),
    "referral.statistics_download_csv": _l("つなぎの統計のダウンロード（CSV）"),
    "keys.rotate": _l("個人情報の暗号鍵の切り替え"),
    "municipality.import": _l("区市町村一覧の取り込み"),
    "municipality.retire": _l("区市町村の廃止（合併など）"),
    "municipality.reactivate": _l("廃止した区市町村の再開"),
    "municipality.redate": _l("区市町村の廃止日の変更"),
    "audit.export": _l("監査ログのダウンロード"),
}
FAMILY_LABELS: dict[str, Any] = {
    "auth": _l("ログイン・ログアウト"),
    "user": _l("ユーザー"),
    "token": _l("APIトークン"),
    "round": _l("調査回"),
    "response": _l("回答"),
    "template": _l("Excelテンプレート"),
    "workbook": _l("集計表"),
    "recipient": _l("送付先"),
    "delivery": _l("送付"),
    "consultation": _l("相談記録"),
    "questionnaire": _l("調査票"),
    "hearing": _l("聞き取り"),
    "summary_note": _l("集計表の備考"),
    "reminder": _l("依頼・督促メール"),
    "mail": _l("区市町村へのメール"),
    "municipality": _l("区市町村"),
    "referral": _l("つなぎ"),
    "keys": _l("暗号鍵"),
    "audit": _l("監査ログ"),
}
"""Every family of ``ACTION_LABELS`` has one (a test holds it): the filter never shows a code."""

REQUEST_OUTCOME_LABELS: dict[str, Any] = {
    "sending": _l("送信中"),
    "sent": _l("送信した"),
    "superseded": _l("新しい配信に置き換えられた"),
    "unchanged": _l("内容に変更がないため送らなかった"),
    "busy": _l("同じ内容を送信中のため送らなかった"),
    "retrying": _l("送信に失敗し、再試行を待っている"),
    "failed": _l("送れなかった"),
    "waiting": _l("提出済みの回答が足りないため送らなかった"),
    "refused": _l("送付データを作れなかった"),
}
"""A 今すぐ送信's outcome (``delivery.request_outcome``), as the audit page says it; a
referral's ``outcome`` codes are the referral's own (:data:`OUTCOMES`)."""

DETAIL_LABELS: dict[str, Any] = {
    "round": _l("調査回"),
    "request": _l("依頼番号"),
    "delivery": _l("送付"),
    "recipient": _l("送付先"),
    "version": _l("版"),
    "draft": _l("下書きの番号"),
    "published_draft": _l("公開した下書きの番号"),
    "changed": _l("変更した項目"),
    "source": _l("入力方法"),
    "file": _l("ファイル名"),
    "role": _l("役割"),
    "role_before": _l("変更前の役割"),
    "municipality_before": _l("変更前の区市町村"),
    "recipient_before": _l("変更前の送付先"),
    "attempt": _l("試行回数"),
    "prefix": _l("トークンの先頭"),
    "delivered": _l("伝え方"),
    "until": _l("延長後の期限"),
    "survey": _l("調査票"),
    "consent_reconfirmed": _l("新しいつなぎ先への本人の同意"),
    "route": _l("操作（メソッドとURL）"),
    "outcome": _l("結果"),
    "added": _l("件数"),
    "before": _l("変更前"),
    "error": _l("エラー"),
    "forced": _l("強制"),
    "trigger": _l("きっかけ"),
    "correction_of": _l("訂正元の送付"),
    "location": _l("送付先の場所"),
    "gave_up": _l("再試行の打ち切り"),
    "channel": _l("受付方法"),
    "deadline": _l("提出期限"),
    "reference_date": _l("基準日"),
    "municipalities": _l("対象の区市町村数"),
    "prefilled": _l("前回の回答を引き継ぎ"),
    "received_on": _l("受付日"),
    "fiscal_year": _l("年度"),
    "values": _l("値"),
    "kind": _l("督促の種類"),
    "recipients": _l("宛先の数"),
    "sent": _l("送信した区市町村"),
    "codes": _l("区市町村"),
    "queued": _l("送信待ちに入れた区市町村"),
    "no_address": _l("宛先なしの区市町村"),
    "failed": _l("送信できなかった区市町村"),
    "reminded_today": _l("本日督促済みのため送らなかった区市町村"),
    "out_of_time": _l("時間内に送れなかった区市町村"),
    "resend": _l("本日送信済みの団体にも再送"),
    "unchanged": _l("変更のない区市町村の数"),
    "added_codes": _l("追加した区市町村"),
    "updated_codes": _l("名称などを更新した区市町村"),
    "reactivated_codes": _l("再開した区市町村"),
    "retired_codes": _l("廃止にした区市町村"),
    "retired_on": _l("廃止日"),
    "was": _l("変更前"),
    "deadline_before": _l("変更前の提出期限"),
    "reopened": _l("受付の再開"),
    "title": _l("名称"),
    "survey_version": _l("調査票の版"),
    "invite": _l("依頼メール"),
    "erased": _l("消去した件数"),
    "by_action": _l("絞り込み（操作）"),
    "by_user": _l("絞り込み（利用者）"),
    "by_municipality": _l("絞り込み（区市町村）"),
    "by_date_from": _l("絞り込み（期間から）"),
    "by_date_to": _l("絞り込み（期間まで）"),
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
                days[name] = parse_day(typed, past=True)
            except InvalidValue as exc:
                errors[name] = [str(exc)]
    start, end = days["date_from"], days["date_to"]
    if start and end and start > end:
        errors["date_to"] = [_("「まで」は「から」と同じ日か後の日にしてください。")]
    municipality = fold_text(_typed(args, "municipality"))  # １３１０１６ typed into the URL
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
    return [
        SelectChoice("", _("すべて")),
        *(SelectChoice(c, f"{c} {place_name(n, en)}") for c, n, en in rows),
    ]


def event_time(value: datetime) -> str:
    """``令和3年4月1日（木）17:00:05``: the pages' one way of writing a time, to the second."""
    return format_tokyo(value, locale_code(), seconds=True)


OPEN, CLOSE = "\ue000", "\ue001"
"""Around a name inside a page's audit text (private-use characters no datum holds): where
:func:`marked` puts ``<span lang="ja">`` when the name is Japanese on an English page."""


def datum(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


def marked(text: str) -> Markup:
    """A text built with :func:`datum`'s names, escaped, each name marked as :func:`data_text`
    marks it (the CSV's text is built without them)."""
    pieces = re.split(f"{OPEN}(.*?){CLOSE}", text, flags=re.DOTALL)
    return Markup("").join(
        data_text(piece) if i % 2 else escape(piece) for i, piece in enumerate(pieces)
    )


def page_target(event: AuditEvent, names: audit.Names) -> Markup:
    """:func:`target_text` as the page shows it, its names marked Japanese where they are."""
    return marked(target_text(event, names, name=datum))


def target_text(event: AuditEvent, names: audit.Names, name: Callable[[str], str] = str) -> str:
    """What an event was about, by name: 調査回「…」の千代田区の回答, 送付先「法務省」, a person
    (each passed through ``name``)."""
    parts = event.target.split("/")
    if parts[0] == "round" and len(parts) > 1 and parts[1].isdecimal():
        round_ = names.rounds.get(int(parts[1]))
        if round_ is None:
            text = _("取り消された調査回（番号 %(id)s）", id=parts[1])
        else:
            text = _("調査回「%(title)s」", title=name(round_title(round_)))
        if len(parts) == 4 and parts[2] == "response":
            text = _("%(round)sの%(name)sの回答", round=text, name=name(_place(names, parts[3])))
        return text
    if parts[0] == "recipient" and len(parts) == 2:
        return _("送付先「%(title)s」", title=name(names.recipients.get(parts[1], parts[1])))
    if parts[0] == "delivery" and len(parts) == 2:
        return _("送付 %(id)s", id=parts[1])
    return name(names.people.get(event.target, event.target))


SHOWN_DETAIL = 200
"""Characters of one detail the page shows; the CSV download holds it whole."""


def details_text(
    event: AuditEvent,
    names: audit.Names,
    limit: int | None = None,
    name: Callable[[str], str] = str,
) -> str:
    """The event's details with labels and names in the reader's language (the questions a
    response event changed by their labels in the round's questionnaire, municipalities by
    name, times in Tokyo's); ``limit``: each detail cut there, saying so (the page)."""
    details = event.details
    if not details:
        return ""
    parts_of_target = event.target.split("/")
    round_ = None
    if parts_of_target[0] == "round" and len(parts_of_target) > 1:
        round_ = (
            names.rounds.get(int(parts_of_target[1])) if parts_of_target[1].isdecimal() else None
        )
    parts = []
    for key, value in details.items():
        shown = _detail_value(key, value, names, round_=round_, name=name)
        label = DETAIL_LABELS.get(key, key)
        if limit is not None and len(unmarked(shown)) > limit:
            shown = unmarked(shown)[:limit] + _("…（続きはCSVで）")
        elif key in NAMES:
            shown = name(shown)
        parts.append(f"{label}: {shown}")
    return " / ".join(parts)


NAMES = ("round", "recipient", "recipient_before", "municipality_before", "file")
"""The details that name a datum (marked Japanese on an English page)."""


def page_details(event: AuditEvent, names: audit.Names) -> Markup:
    """The details as the audit page shows them: each cut at :data:`SHOWN_DETAIL`, the names
    marked Japanese where they are."""
    return marked(details_text(event, names, SHOWN_DETAIL, name=datum))


def unmarked(text: str) -> str:
    """``text`` without :func:`datum`'s marks (a detail cut short is not marked)."""
    return text.replace(OPEN, "").replace(CLOSE, "")


def _detail_value(
    key: str,
    value: Any,
    names: audit.Names,
    *,
    round_: Round | None,
    name: Callable[[str], str] = str,
) -> str:
    if key == "round" and str(value).isdecimal():
        named = names.rounds.get(int(value))
        return round_title(named) if named else str(value)
    if key == "changed" and value == []:  # a response's change (it has a round), or another's
        return _("なし（回答の変更はありません）") if round_ is not None else _("なし")
    if key == "changed" and round_ is not None and isinstance(value, list):
        questionnaire = round_.questionnaire
        locale = locale_code()
        labels = [
            (name(q.label.get(locale)) if (q := questionnaire.get(str(v))) else str(v))
            for v in value
        ]
        return joined(labels)
    if key in ("recipient", "recipient_before") and isinstance(value, str):
        return names.recipients.get(value, value)
    if key == "municipality_before" and isinstance(value, str):
        return _place(names, value)
    if key == "source" and isinstance(value, str):
        return source_label(value)
    if key in ("role", "role_before") and isinstance(value, str):
        return role_label(value)
    if key == "outcome" and isinstance(value, str) and value in OUTCOMES:
        return OUTCOMES[value].get(locale_code())
    if key == "outcome" and isinstance(value, str) and value in REQUEST_OUTCOME_LABELS:
        return str(REQUEST_OUTCOME_LABELS[value])
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    if isinstance(value, list):
        if value and all(audit.looks_like_code(v) for v in value):
            places = joined(_place(names, str(v)) for v in value)
            return ngettext(
                "%(n)s団体（%(places)s）",
                "%(n)s団体（%(places)s）",
                len(value),
                n=len(value),
                places=places,
            )
        return ", ".join(map(str, value))
    if isinstance(value, str) and (moment := _moment(value)) is not None:
        return format_tokyo(moment, locale_code())
    return str(value)


def _place(names: audit.Names, code: str) -> str:
    """A municipality named by an event, in the page's language (its code when unknown)."""
    found = names.municipalities.get(code)
    return place_name(*found) if found is not None else code


def _moment(text: str) -> datetime | None:
    """A time as details store it (ISO 8601 with its offset, ``2026-12-30T08:00:00+00:00``);
    ``None`` for any other text."""
    if "T" not in text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@bp.get("/")
@allow("audit.read")
def index() -> ResponseReturnValue:
    form = FilterForm(request.args)
    form.action.choices = _action_choices()
    form.municipality.choices = _municipality_choices()
    filters, errors = read_filters(request.args)
    page: Page[AuditEvent]
    if errors:
        page = Page(items=[], number=1, total=0, per_page=audit.PER_PAGE)
    else:
        page = audit.find_events(filters, request.args.get("page", ""))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return (
        render_template(
            "audit/index.html",
            form=form,
            errors=errors,
            page=page,
            args=args,
            filters=filters,
            names=audit.names_for(page.items),
        ),
        422 if errors else 200,
    )


@bp.get("/export.csv")
@allow("audit.read")
def export() -> ResponseReturnValue:
    """The events the filters select, all of them, as a CSV file Excel opens (UTF-8 with a BOM;
    text a spreadsheet would run is written behind a ``'``). The download is audited."""
    filters, errors = read_filters(request.args)
    if errors:
        return index()
    chosen: dict[str, Any] = {
        f"by_{k}": v.isoformat() if isinstance(v, date) else v
        for k in EXPORT_FILTERS
        if (v := getattr(filters, k))
    }
    if "by_user" in chosen:  # part of a person's name or address: said, not kept
        chosen["by_user"] = True
    audit.record("audit.export", user=require_actor(), **chosen)
    db.session.commit()
    stamp = f"{tokyo_now():%Y%m%d-%H%M}"
    return Response(
        stream_with_context(_csv_lines(filters)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": content_disposition(
                _("監査ログ_%(stamp)s.csv", stamp=stamp), f"audit-log-{stamp}.csv"
            )
        },
    )


EXPORT_FILTERS = ("action", "user", "municipality", "date_from", "date_to")


def _csv_lines(filters: audit.Filters) -> Iterator[str]:
    yield "\ufeff"
    yield _csv_row(
        [
            _("日時（日本時間）"),
            _("操作"),
            _("代理入力"),
            _("利用者"),
            _("対象"),
            _("区市町村"),
            _("接続元"),
            _("詳細"),
        ]
    )
    for chunk in audit.events_in_chunks(filters):
        names = audit.names_for(chunk)
        for event in chunk:
            yield _csv_row(
                [
                    event.at,
                    action_label(event.action),
                    _("はい") if event.on_behalf else "",
                    event.user.label if event.user else _("（システム・未ログイン）"),
                    target_text(event, names),
                    _place(names, event.municipality_code) if event.municipality_code else "",
                    event.address or "",
                    details_text(event, names),
                ]
            )


def _csv_row(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(
        safe_cell(v, user_text=isinstance(v, str)).csv() for v in values
    )
    return buffer.getvalue()


bp.add_app_template_global(action_label, "audit_action_label")
bp.add_app_template_filter(event_time, "audit_time")
bp.add_app_template_global(page_details, "audit_details")
bp.add_app_template_global(page_target, "audit_target")
bp.add_app_template_global(_place, "audit_place")
