"""Reading the dates and times staff type: 和暦 or western, times in Asia/Tokyo."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from forms.normalize import InvalidValue, normalize_text, parse_date

TOKYO = ZoneInfo("Asia/Tokyo")
_TIME_RE = re.compile(r"(?P<h>[0-9]{1,2})(?:[:時](?P<m>[0-9]{1,2})?分?)?")
_SPLIT_RE = re.compile(r"^(?P<day>.+?)(?:[T\s]+(?P<time>[0-9]{1,2}(?:[:時][0-9]{0,2}分?)?))$")


def parse_day(text: str) -> date:
    """A date as typed (``2021-04-01``, ``令和3年4月1日``, ``R3.4.1`` ...)."""
    return parse_date(text)


def parse_tokyo_datetime(text: str) -> datetime:
    """``2021-05-31 17:00`` (or ``令和3年5月31日 17:00``, ``2021-05-31T17:00``) in Asia/Tokyo."""
    cleaned = normalize_text(text or "")
    if not cleaned:
        raise InvalidValue(_("日時を入力してください（例: 2021-05-31 17:00）。"))
    match = _SPLIT_RE.match(cleaned)
    if match is None:
        raise InvalidValue(_("時刻も入力してください（例: 2021-05-31 17:00）。"))
    day = parse_date(match.group("day"))
    clock = _TIME_RE.fullmatch(match.group("time"))
    if clock is None:
        raise InvalidValue(_("時刻は 17:00 のように入力してください。"))
    hour, minute = int(clock.group("h")), int(clock.group("m") or 0)
    if hour > 23 or minute > 59:
        raise InvalidValue(_("時刻は 00:00〜23:59 で入力してください。"))
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO)
