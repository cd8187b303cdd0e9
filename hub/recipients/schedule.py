"""The delivery schedule as choices (手動のみ / 締切後に1回 / 毎日 / 毎週 曜日 / 毎月 日, each with
a time), with cron as the advanced option (issue 14, item 10).

Stored as before — ``off``, ``on-close`` or a cron expression in Tokyo time — so ``hub recipient
set --schedule`` and the API stay as they are; this module only translates between the page's
choices and that string, both ways.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forms.normalize import fold_text
from hub.errors import Invalid
from hub.services.recipients import OFF, ON_CLOSE

KINDS = ("off", "on-close", "daily", "weekly", "monthly", "cron")
KIND_LABELS = {
    "off": _l("手動のみ（「今すぐ送信」のときだけ）"),
    "on-close": _l("締切後に1回"),
    "daily": _l("毎日"),
    "weekly": _l("毎週（曜日を選ぶ）"),
    "monthly": _l("毎月（日を選ぶ）"),
    "cron": _l("詳細設定（cron 式）"),
}
WEEKDAY_LABELS = (
    _l("日曜日"),
    _l("月曜日"),
    _l("火曜日"),
    _l("水曜日"),
    _l("木曜日"),
    _l("金曜日"),
    _l("土曜日"),
)
"""Index = crontab's day of the week (0 Sunday)."""
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
"""A time as folded (``fold_text``): ９：００ typed with the IME is 9:00."""
_SIMPLE = re.compile(r"^(\d{1,2}) (\d{1,2}) (\*|\d{1,2}) \* (\*|[0-6])$")


@dataclass(frozen=True)
class Choice:
    kind: str = "off"
    weekday: int = 1
    month_day: int = 1
    at: str = "09:00"
    cron: str = ""


def to_schedule(choice: Choice) -> str:
    """The stored schedule for the page's choice; ``Invalid`` naming the field otherwise."""
    if choice.kind == "off":
        return OFF
    if choice.kind == "on-close":
        return ON_CLOSE
    if choice.kind == "cron":
        if not choice.cron.strip():
            raise Invalid({"cron": [_("cron 式を入力してください（例: 0 9 * * 1）。")]})
        return " ".join(choice.cron.split())
    if choice.kind not in KINDS:
        raise Invalid({"schedule_kind": [_("配信のタイミングを選んでください。")]})
    match = _TIME.fullmatch(fold_text(choice.at))
    if match is None:
        raise Invalid({"at": [_("時刻は 9:00 や 17:30 のように入力してください。")]})
    hour, minute = int(match.group(1)), int(match.group(2))
    if choice.kind == "daily":
        return f"{minute} {hour} * * *"
    if choice.kind == "weekly":
        if not 0 <= choice.weekday <= 6:
            raise Invalid({"weekday": [_("曜日を選んでください。")]})
        return f"{minute} {hour} * * {choice.weekday}"
    if not 1 <= choice.month_day <= 28:
        raise Invalid({"month_day": [_("日は1日〜28日から選んでください（どの月にもある日）。")]})
    return f"{minute} {hour} {choice.month_day} * *"


def from_schedule(schedule: str) -> Choice:
    """The page's choice showing a stored schedule (cron when no simpler choice says it)."""
    if schedule == OFF:
        return Choice("off")
    if schedule == ON_CLOSE:
        return Choice("on-close")
    match = _SIMPLE.match(" ".join(schedule.split()))
    if match is not None:
        minute, hour, day, weekday = match.groups()
        at = f"{int(hour):02d}:{int(minute):02d}"
        if int(hour) <= 23 and int(minute) <= 59:
            if day == "*" and weekday == "*":
                return Choice("daily", at=at)
            if day == "*":
                return Choice("weekly", weekday=int(weekday), at=at)
            if weekday == "*" and 1 <= int(day) <= 28:
                return Choice("monthly", month_day=int(day), at=at)
    return Choice("cron", cron=schedule)


def describe(schedule: str) -> str:
    """The schedule in the reader's words: 毎週月曜日 9:00（日本時間）."""
    choice = from_schedule(schedule)
    if choice.kind == "off":
        return _("手動のみ")
    if choice.kind == "on-close":
        return _("締切後に1回")
    if choice.kind == "daily":
        return _("毎日 %(at)s（日本時間）", at=choice.at)
    if choice.kind == "weekly":
        return _("毎週%(day)s %(at)s（日本時間）", day=WEEKDAY_LABELS[choice.weekday], at=choice.at)
    if choice.kind == "monthly":
        return _("毎月%(day)s日 %(at)s（日本時間）", day=choice.month_day, at=choice.at)
    return _("cron「%(cron)s」（日本時間）", cron=schedule)
