"""The national counterparts' delivery profiles: reading them and changing them with validation.

A schedule is ``off``, ``on-close`` (when a round's deadline passes) or a five-field cron
expression evaluated in Asia/Tokyo. Every change is checked here, so the CLI and the staff page
reject the same mistakes with the same messages (Japanese, English on an English page).
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from apscheduler.triggers.cron import CronTrigger
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from exports.assembly import deliverable_table_names
from exports.channels import CHANNELS
from exports.channels.https import url_problem
from exports.channels.smtp import addresses
from exports.text import CSV_ENCODINGS
from forms.normalize import InvalidValue, normalize_email
from forms.numbers import whole_number
from forms.tokyo import TOKYO
from forms.wording import listed, noted
from hub.accesslog import SECRET_NAME
from hub.db import db
from hub.errors import Invalid, NotFound
from hub.models import Recipient, Round, Survey, User
from hub.services import audit

OFF = "off"
ON_CLOSE = "on-close"
FORMATS = ("xlsx", "csv", "json")


@dataclass(frozen=True)
class Changes:
    """What a caller asks to change; ``None`` leaves a setting as it is."""

    schedule: str | None = None
    channel: str | None = None
    address: str | None = None
    formats: Sequence[str] | None = None
    include_detail: bool | None = None
    tables: Sequence[str] | None = None
    active: bool | None = None
    new_secret: bool = False
    csv_encoding: str | None = None


def list_recipients() -> list[Recipient]:
    return list(db.session.scalars(select(Recipient).order_by(Recipient.name)))


def get_recipient(name: str) -> Recipient:
    recipient = db.session.get(Recipient, name)
    if recipient is None:
        known = ", ".join(r.name for r in list_recipients()) or _("なし")
        raise NotFound(
            _("送付先 %(name)s はありません（登録済み: %(known)s）。", name=name, known=known)
        )
    return recipient


CRON_FIELDS = (
    ("minute", _l("分"), 0, 59),
    ("hour", _l("時"), 0, 23),
    ("day", _l("日"), 1, 31),
    ("month", _l("月"), 1, 12),
)
"""The first four fields of a crontab line, each checked alone so that a refusal names it (the
day of the week is read by :func:`crontab_weekdays`)."""


def cron_trigger(schedule: str) -> CronTrigger:
    """The trigger of a cron schedule, in Asia/Tokyo; ``Invalid`` naming the field if bad.

    Days of the week follow crontab (0 or 7 Sunday, 1 Monday …), which APScheduler 3 numbers
    differently (0 Monday); they are translated to names first.
    """
    fields = " ".join(schedule.split()).split(" ")
    if len(fields) != 5:
        raise Invalid(
            {
                "schedule": [
                    _(
                        "cron は「分 時 日 月 曜日」の5項目で指定してください: %(cron)s",
                        cron=repr(schedule),
                    )
                ]
            }
        )
    for (name, label, low, high), value in zip(CRON_FIELDS, fields, strict=False):
        try:
            CronTrigger(**{name: value}, timezone=TOKYO)
        except ValueError:
            raise Invalid(
                {
                    "schedule": [
                        _(
                            "cron の%(field)s「%(value)s」が正しくありません（%(low)s〜%(high)s の数、"
                            "* 、範囲 1-5、間隔 */15 を、カンマで区切って書けます）: %(cron)s",
                            field=label,
                            value=value,
                            low=low,
                            high=high,
                            cron=repr(schedule),
                        )
                    ]
                }
            ) from None
    try:
        fields[4] = crontab_weekdays(fields[4])
        return CronTrigger.from_crontab(" ".join(fields), timezone=TOKYO)
    except ValueError as exc:
        raise Invalid(
            {
                "schedule": [
                    _(
                        "cron の書き方が正しくありません（%(reason)s）: %(cron)s",
                        reason=exc,
                        cron=repr(schedule),
                    )
                ]
            }
        ) from None


WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field as APScheduler day names: ``1-5`` → ``mon,tue,wed,thu,fri``."""
    days: set[int] = set()
    for part in field.lower().split(","):
        days |= _weekday_part(part)
    if len(days) == len(WEEKDAYS):
        return "*"
    return ",".join(WEEKDAYS[d] for d in sorted(days))


def _weekday_part(part: str) -> set[int]:
    span, __, step_text = part.partition("/")
    step = whole_number(step_text) if step_text else 1
    if not step:
        raise ValueError(
            _("曜日の間隔 %(step)s は正の整数で指定してください", step=repr(step_text))
        )
    if span == "*":
        first, last = 0, 6
    else:
        low, __, high = span.partition("-")
        first = _weekday(low)
        last = _weekday(high) if high else (6 if step_text else first)
    if last < first:
        raise ValueError(_("曜日の範囲 %(part)s は小さい方から書いてください", part=repr(part)))
    return {d % 7 for d in range(first, last + 1, step)}


def _weekday(text: str) -> int:
    if text in WEEKDAYS:
        return WEEKDAYS.index(text)
    number = whole_number(text, digits=2)
    if number is not None and number <= 7:
        return number
    raise ValueError(_("曜日は 0〜7 または sun〜sat で指定してください: %(text)s", text=repr(text)))


def normalize_schedule(schedule: str) -> str:
    """``off``, ``on-close`` or a valid cron text that fires some day (not ``0 9 30 2 *``); 全角
    characters typed in are made half-width."""
    text = " ".join(unicodedata.normalize("NFKC", schedule).strip().split())
    if text.lower() in (OFF, ON_CLOSE):
        return text.lower()
    if cron_trigger(text).get_next_fire_time(None, datetime.now(TOKYO)) is None:
        raise Invalid(
            {
                "schedule": [
                    _(
                        "cron 式 %(cron)s に当てはまる日時がなく、一度も送信されません"
                        "（2月30日のような、ない日を指定していないか確かめてください）。",
                        cron=repr(text),
                    )
                ]
            }
        )
    return text


def normalize_formats(formats: Sequence[str]) -> list[str]:
    chosen = [f.strip().lower() for f in formats if f.strip()]
    unknown = sorted(set(chosen) - set(FORMATS))
    if unknown:
        raise Invalid(
            {
                "formats": [
                    ngettext(
                        "使えない形式: %(unknown)s（%(formats)s から選択）",
                        "使えない形式: %(unknown)s（%(formats)s から選択）",
                        len(unknown),
                        unknown=", ".join(unknown),
                        formats=", ".join(FORMATS),
                    )
                ]
            }
        )
    if not chosen:
        raise Invalid(
            {
                "formats": [
                    _("形式を1つ以上選んでください（%(formats)s）。", formats=", ".join(FORMATS))
                ]
            }
        )
    return [f for f in FORMATS if f in chosen]


def normalize_csv_encoding(text: str) -> str:
    """``utf-8-sig`` or ``cp932``; also read as people write them (UTF-8, Shift_JIS, SJIS …)."""
    key = text.strip().lower().replace("_", "-")
    aliases = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "utf-8-bom": "utf-8-sig"}
    aliases |= dict.fromkeys(("shift-jis", "sjis", "windows-31j", "ms932", "cp-932"), "cp932")
    key = aliases.get(key, key)
    if key not in CSV_ENCODINGS:
        raise Invalid(
            {
                "csv_encoding": [
                    _("CSVの文字コードは utf-8-sig か cp932 です: %(text)s", text=repr(text))
                ]
            }
        )
    return key


def known_table_names() -> list[str] | None:
    """Names of the tables a delivery can hold, the consultation desk's included: those of the
    latest round of every questionnaire, in that order (``None`` if there is no round)."""
    rounds = db.session.scalars(
        select(Round)
        .join(Survey, Survey.id == Round.survey_id)
        .order_by(Round.reference_date.desc(), Round.id.desc())
    )
    latest: dict[str, Round] = {}
    for round_ in rounds:
        latest.setdefault(round_.survey.key, round_)
    if not latest:
        return None
    names: list[str] = []
    for round_ in latest.values():
        names += [n for n in deliverable_table_names(round_) if n not in names]
    return names


def normalize_tables(names: Sequence[str]) -> list[str] | None:
    """The chosen table names (``None``: every table); unknown names are refused."""
    chosen = [n.strip() for n in names if n.strip()]
    if not chosen:
        return None
    known = known_table_names()
    unknown = [n for n in chosen if known is not None and n not in known]
    if unknown and known is not None:
        raise Invalid(
            {
                "tables": [
                    ngettext(
                        "ない表の名前: %(unknown)s（使える名前: %(known)s）",
                        "ない表の名前: %(unknown)s（使える名前: %(known)s）",
                        len(unknown),
                        unknown=", ".join(unknown),
                        known=", ".join(known),
                    )
                ]
            }
        )
    return chosen


def normalize_address(channel: str, address: str) -> str:
    """The address as stored. For mail, each address as an account's is (``normalize_email``:
    ｍｏｊ＠… typed with the IME is moj@…), joined by ", " whatever separated them (、 ， ；);
    one that cannot be read is kept as typed, for :func:`address_problem` to name."""
    if channel != "smtp":
        return address.strip()
    return ", ".join(_mail_address(a)[0] for a in addresses(address))


def _mail_address(text: str) -> tuple[str, str | None]:
    """One address of a mail list, normalized, and why it is not an address (``None``: it is)."""
    try:
        return normalize_email(text), None
    except InvalidValue as exc:
        return text, str(exc)


def address_problem(channel: str, address: str) -> str | None:
    """Why ``address`` does not suit ``channel`` (``None`` when it does)."""
    if channel == "smtp":
        found = addresses(address)
        if not found:
            return _("メール送信にはメールアドレスが必要です。")
        bad = [
            noted(typed, problem)
            for typed, problem in map(_mail_address, found)
            if problem is not None
        ]
        if bad:
            return ngettext(
                "メールアドレスの形式が正しくありません: %(addresses)s",
                "メールアドレスの形式が正しくありません: %(addresses)s",
                len(bad),
                addresses=listed(bad),
            )
        return None
    if channel == "https":
        return url_problem(address.strip()) or _secret_in_query(address.strip())
    return None


def _secret_in_query(url: str) -> str | None:
    """Why a URL carrying a secret in its query string (``?token=…``, ``?api_key=…``) cannot be
    an address: like a ``user:password@``, it would be shown on pages, printed by the CLI and
    kept in the audit log; the receiver checks the signature instead."""
    names = [name for name, _value in parse_qsl(urlsplit(url).query) if SECRET_NAME.search(name)]
    if not names:
        return None
    return _(
        "送信先のURLにトークンやパスワードなどの秘密（%(names)s）を含めないでください。"
        "URLは画面と監査ログに表示されます。受け手は共有シークレットによる署名"
        "（X-Hub-Signature-256）で送り手を確認します。",
        names=", ".join(dict.fromkeys(names)),
    )


def update_recipient(
    name: str, changes: Changes, *, user: User | None
) -> tuple[Recipient, str | None]:
    """Apply ``changes`` after validating all of them; returns the recipient and a new secret.

    The new secret (created when the channel becomes ``https`` without one, or on request) is
    returned once so that it can be handed to the counterpart; it is never shown again.
    """
    recipient = get_recipient(name)
    errors: dict[str, list[str]] = {}
    values = _validated(recipient, changes, errors)
    if errors:
        raise Invalid(errors, message=_("送付先の設定に誤りがあります。"))
    new_secret = None
    if changes.new_secret or (
        values.get("channel", recipient.channel) == "https" and not recipient.secret
    ):
        new_secret = secrets.token_urlsafe(32)
        values["secret"] = new_secret
    changed = sorted(k for k, v in values.items() if getattr(recipient, k) != v)
    for key, value in values.items():
        setattr(recipient, key, value)
    audit.record(
        "recipient.update",
        user=user,
        target=f"recipient/{name}",
        changed=changed,
        values={k: v for k, v in values.items() if k != "secret"},
    )
    db.session.flush()
    return recipient, new_secret


def _validated(
    recipient: Recipient, changes: Changes, errors: dict[str, list[str]]
) -> dict[str, object]:
    values: dict[str, object] = {}
    if changes.schedule is not None:
        _collect(errors, values, "schedule", normalize_schedule, changes.schedule)
    if changes.formats is not None:
        _collect(errors, values, "formats", normalize_formats, changes.formats)
    if changes.channel is not None:
        channel = changes.channel.strip().lower()
        if channel not in CHANNELS:
            errors["channel"] = [
                _(
                    "送信方法は %(channels)s のいずれかです: %(channel)s",
                    channels=", ".join(CHANNELS),
                    channel=repr(changes.channel),
                )
            ]
        values["channel"] = channel
    if changes.include_detail is not None:
        values["include_detail"] = changes.include_detail
    if changes.tables is not None:
        _collect(errors, values, "tables", normalize_tables, changes.tables)
    if changes.active is not None:
        values["active"] = changes.active
    if changes.csv_encoding is not None:
        _collect(errors, values, "csv_encoding", normalize_csv_encoding, changes.csv_encoding)
    channel = str(values.get("channel", recipient.channel))
    if changes.address is not None:
        values["address"] = normalize_address(channel, changes.address)
    if "channel" not in errors:
        problem = address_problem(channel, str(values.get("address", recipient.address)))
        if problem:
            errors.setdefault("address", []).append(problem)
    return values


def _collect(
    errors: dict[str, list[str]],
    values: dict[str, object],
    field: str,
    normalize: Callable[[Any], object],
    raw: object,
) -> None:
    try:
        values[field] = normalize(raw)
    except Invalid as exc:
        for key, messages in exc.errors.items():
            errors.setdefault(key, []).extend(messages)


def describe_schedule(schedule: str) -> str:
    """The schedule in words, for lists and pages (in Japanese outside a request: commands)."""
    if schedule == OFF:
        return _("停止中（手動のみ）")
    if schedule == ON_CLOSE:
        return _("締切時（調査回の締切後）")
    return _("cron「%(cron)s」（日本時間）", cron=schedule)
