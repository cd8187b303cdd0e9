"""Tokyo's time, written once: the zone every time is shown and typed in, the reader of the
date-times people type (a deadline on the staff page, ``hub round open --deadline``), and the
days the offices are open (:func:`is_office_day`, for deadlines counted in working days).

Times are stored in UTC (``hub.db.UTCDateTime``) and shown and read in :data:`TOKYO`; the app's
``Settings.timezone`` (Flask-Babel's zone) and the scheduler take :data:`TIMEZONE` from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jpholiday
from flask_babel import gettext as _

from forms.normalize import (
    InvalidValue,
    english_messages,
    fold_text,
    month_and_day,
    nearest_day,
    parse_date,
    to_wareki,
)

TIMEZONE = "Asia/Tokyo"
TOKYO = ZoneInfo(TIMEZONE)

_TIME_RE = re.compile(r"(?P<h>[0-9]{1,2})(?:[:時](?P<m>[0-9]{1,2})?分?)?")
_SPLIT_RE = re.compile(
    r"^(?P<day>.+?)(?:[T\s]+|(?<=[日)]))(?P<time>[0-9]{1,2}(?:[:時][0-9]{0,2}分?)?)$"
)


def now() -> datetime:
    """The current time in Tokyo."""
    return datetime.now(TOKYO)


def today() -> date:
    """Today's date in Tokyo (a day that starts at 0:00 JST, whatever the server's zone)."""
    return now().date()


def parse_datetime(text: str) -> datetime:
    """A date and a time as people type them, in Tokyo unless an offset is given.

    ``2021-05-31 17:00``, ``2021-05-31T17:00``, ``２０２１／５／３１　１７：３０``,
    ``令和3年5月31日 17時`` (or ``令和3年5月31日17時``, the time right after 日), ``R3.6.1 0:05``,
    the way the pages write one back (``令和3年5月31日（月）17:00``: a weekday typed must be the
    day's) and ISO 8601 with seconds or an offset (``2021-05-31T17:00:00+09:00``). A date alone is
    refused: a deadline needs its time; a month and day without their year (``12/25``,
    ``１２月２５日 17時``) too, the message naming the year the next such day falls in.
    Raises :class:`~forms.normalize.InvalidValue` with a message naming the problem.
    """
    cleaned = fold_text(text or "")
    if not cleaned:
        raise InvalidValue(_("日時を入力してください（例: 2021-05-31 17:00）。"))
    match = _SPLIT_RE.match(cleaned)
    if match is None:
        exact = _iso_datetime(cleaned)
        if exact is not None:
            return exact
        _refuse_without_year(cleaned, "")
        day = _day_alone(cleaned)
        if day is not None:  # the example is the day typed, at the usual closing time
            raise InvalidValue(
                _("時刻も入力してください（例: %(example)s）。", example=f"{day.isoformat()} 17:00")
            )
        raise InvalidValue(
            _(
                "日付と時刻として読めません。2021-05-31 17:00、令和3年5月31日 17:00 のように入力してください。"
            )
        )
    _refuse_without_year(match.group("day"), match.group("time"))
    day = parse_date(match.group("day"))
    clock = _TIME_RE.fullmatch(match.group("time"))
    if clock is None:
        raise InvalidValue(_("時刻は 17:00 のように入力してください。"))
    hour, minute = int(clock.group("h")), int(clock.group("m") or 0)
    if hour > 23 or minute > 59:
        raise InvalidValue(_("時刻は 00:00〜23:59 で入力してください。"))
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO)


def _refuse_without_year(day: str, clock: str) -> None:
    """Refuse a month and day typed without their year (``12/25``, ``12月25日``), naming the next
    such day with its year — and the time typed, or 17:00 — as the example to type."""
    month_day = month_and_day(day.replace(" ", ""))
    if month_day is None:
        return
    try:
        meant = nearest_day(*month_day, after=today())
    except InvalidValue:
        return
    typed = _TIME_RE.fullmatch(clock)
    at = f"{int(typed.group('h')):02}:{int(typed.group('m') or 0):02}" if typed else "17:00"
    raise InvalidValue(_("年も入力してください（例: %(example)s）。", example=f"{meant} {at}"))


def parse_day(text: str, *, past: bool = False) -> date:
    """A day as people type it (:func:`forms.normalize.parse_date`); one typed without its year
    (``12/1``, ``12月1日``, ``１２/１``) is refused with the year to add, the next such day as the
    example — the last one so far with ``past`` (a day to look back to: the audit log's filter)."""
    month_day = month_and_day(fold_text(text).replace(" ", ""))
    if month_day is not None:
        try:
            meant = (
                nearest_day(*month_day, before=today())
                if past
                else nearest_day(*month_day, after=today())
            )
        except InvalidValue:
            meant = None
        if meant is not None:
            raise InvalidValue(_("年も入力してください（例: %(example)s）。", example=meant))
    return parse_date(text)


def _day_alone(text: str) -> date | None:
    """The day of ``text`` when it is a date alone (``令和3年5月31日``), what lacks is the time;
    ``None`` otherwise."""
    try:
        return parse_date(text)
    except InvalidValue:
        return None


def _iso_datetime(text: str) -> datetime | None:
    """``2021-05-31T17:00:00+09:00`` and the like (a time is required); ``None`` otherwise."""
    if "T" not in text and " " not in text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=TOKYO)


WEEKDAYS_JA = "月火水木金土日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def in_tokyo(value: datetime) -> datetime:
    """``value`` (stored in UTC; a naive value is UTC) as Tokyo's wall-clock time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TOKYO)


def format_datetime(
    value: datetime, locale: str = "ja", *, seconds: bool = False, clock: bool = True
) -> str:
    """The one way a date-time reads: ``令和8年12月29日（火）17:00`` in Japanese,
    ``Tue 29 Dec 2026 17:00`` in English, in Tokyo's time (``seconds`` for the audit log;
    ``clock=False`` for the day alone: ``令和8年12月29日（火）``, ``Tue 29 Dec 2026``)."""
    local = in_tokyo(value)
    hour = (" " if locale.startswith("en") else "") + local.strftime(
        "%H:%M:%S" if seconds else "%H:%M"
    )
    hour = hour if clock else ""
    day = local.date()
    if locale.startswith("en"):
        weekday, month = WEEKDAYS_EN[day.weekday()], MONTHS_EN[day.month - 1]
        return f"{weekday} {day.day} {month} {day.year}{hour}"
    try:
        written = to_wareki(day)
    except InvalidValue:
        written = f"{day.year}年{day.month}月{day.day}日"
    return f"{written}（{WEEKDAYS_JA[day.weekday()]}）{hour}"


def in_message(value: datetime) -> str:
    """A date-time inside a message, in the language it is read in: :func:`format_datetime` in
    English on an English page, in Japanese on a Japanese one and in commands, jobs and mails."""
    return format_datetime(value, "en" if english_messages() else "ja")


def format_day(day: date, locale: str = "ja") -> str:
    """A day as the pages write it: ``令和3年4月1日`` in Japanese, ``2021-04-01`` in English (and
    for a day before the first era)."""
    if locale.startswith("en"):
        return day.isoformat()
    try:
        return to_wareki(day)
    except InvalidValue:
        return day.isoformat()


def days_until(deadline: datetime, now: datetime) -> int:
    """Calendar days in Tokyo from ``now`` to ``deadline``: 0 on the day itself, negative after."""
    return (in_tokyo(deadline).date() - in_tokyo(now).date()).days


YEAR_END_CLOSURE = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))
"""年末年始の休日 (month, day): 東京都の休日に関する条例 closes the offices from 29 December to
3 January, and the municipalities' ordinances (地方自治法第4条の2) say the same."""


HOLIDAY_NAMES = {
    "元日": "New Year's Day",
    "成人の日": "Coming of Age Day",
    "建国記念の日": "National Foundation Day",
    "天皇誕生日": "The Emperor's Birthday",
    "春分の日": "Vernal Equinox Day",
    "昭和の日": "Showa Day",
    "憲法記念日": "Constitution Memorial Day",
    "みどりの日": "Greenery Day",
    "こどもの日": "Children's Day",
    "海の日": "Marine Day",
    "山の日": "Mountain Day",
    "敬老の日": "Respect for the Aged Day",
    "秋分の日": "Autumnal Equinox Day",
    "体育の日": "Health and Sports Day",
    "スポーツの日": "Sports Day",
    "文化の日": "Culture Day",
    "勤労感謝の日": "Labor Thanksgiving Day",
    "国民の休日": "Citizens' Holiday",
    "天皇の即位の日": "Day of the Emperor's Enthronement",
    "即位礼正殿の儀": "Ceremony of the Enthronement",
    "即位の礼正殿の儀": "Ceremony of the Enthronement",
    "昭和天皇の大喪の礼": "Funeral of Emperor Showa",
    "皇太子・明仁親王の結婚の儀": "Wedding of the Crown Prince",
    "皇太子・皇太子徳仁親王の結婚の儀": "Wedding of the Crown Prince",
}
"""The English names of the holidays ``jpholiday`` names in Japanese (内閣府「国民の祝日」について's
English names), for English pages; a name missing here is shown as ``jpholiday`` writes it."""

TRANSFERRED = " 振替休日"
"""How ``jpholiday`` names a 振替休日: the holiday it stands for, a space, 振替休日."""


def holiday_name(day: date) -> str | None:
    """The name of the national holiday ``day`` is, in the page's language (文化の日, Culture Day),
    or ``None``."""
    name = jpholiday.is_holiday_name(day)
    if not name or not english_messages():
        return name
    if name.endswith(TRANSFERRED):
        original = name.removesuffix(TRANSFERRED)
        return f"substitute holiday for {HOLIDAY_NAMES.get(original, original)}"
    return HOLIDAY_NAMES.get(name, name)


OFFICE_OPENS = time(8, 30)
"""When an office day starts (開庁時刻), in Tokyo, unless the hub's ``HUB_OFFICE_OPENS`` says
otherwise (:class:`OfficeDays`): the scheduler's own mails — deadline reminders, the つなぎ
follow-ups — go on office days from this time (:func:`office_open`) and wait otherwise."""

LONGEST_CLOSURE = 14
"""The most days in a row the offices are ever closed (年末年始 with a weekend is 6, a Golden
Week 5): the reminders look this far ahead for a due-soon point brought forward
(``hub.services.reminders.HELD_AT_MOST``), and ``HUB_CLOSED_DAYS`` may not close more."""


@dataclass(frozen=True)
class OfficeDays:
    """When the offices are open: every day but the national calendar's closed ones
    (:data:`CLOSED_DAY_KINDS`) and the days 都 closes on its own (``closed``), from ``opens``.

    The hub builds its own from ``HUB_OFFICE_OPENS`` and ``HUB_CLOSED_DAYS`` (``hub.config``) and
    hands it to the functions below; without one they use :data:`NATIONAL` (8:30, no day of
    都's own)."""

    opens: time = OFFICE_OPENS
    closed: frozenset[date] = frozenset()
    """Days 都 closes its offices on besides the national calendar (``HUB_CLOSED_DAYS``)."""


NATIONAL = OfficeDays()
"""The offices as the national calendar alone opens them, from :data:`OFFICE_OPENS`."""


CLOSED_DAY_KINDS = (
    "year_end",
    "holiday",
    "substitute_holiday",
    "closed_by_tokyo",
    "saturday",
    "sunday",
)
"""Why the offices can be closed on a day, as programs read it (the API's ``deadline_closed_day``),
in the order :func:`closed_day` tries them: ``closed_by_tokyo`` is a day 都 named
(``HUB_CLOSED_DAYS``)."""


@dataclass(frozen=True)
class ClosedDay:
    """Why the offices are closed on a day, in words no reader's language changes."""

    kind: str
    """One of :data:`CLOSED_DAY_KINDS`."""
    holiday: str | None = None
    """For a national holiday, its name as the Cabinet Office lists it, in Japanese (勤労感謝の日,
    国民の休日); for a 振替休日 (``substitute_holiday``), the holiday it stands for."""


def closed_day(day: date, office: OfficeDays = NATIONAL) -> ClosedDay | None:
    """Why the offices are closed on ``day`` (年末年始 first, then a national holiday, then a day
    都 named in ``office``, then the weekend); ``None`` on a day they are open
    (:func:`is_office_day`)."""
    if (day.month, day.day) in YEAR_END_CLOSURE:
        return ClosedDay("year_end")
    name = jpholiday.is_holiday_name(day)
    if name and name.endswith(TRANSFERRED):
        return ClosedDay("substitute_holiday", name.removesuffix(TRANSFERRED))
    if name:
        return ClosedDay("holiday", name)
    if day in office.closed:
        return ClosedDay("closed_by_tokyo")
    if day.weekday() == 5:
        return ClosedDay("saturday")
    if day.weekday() == 6:
        return ClosedDay("sunday")
    return None


def closed_because(day: date, office: OfficeDays = NATIONAL) -> str | None:
    """Why the offices are closed on ``day`` (:func:`closed_day`), as a person reads it in the
    page's language (土曜日, 祝日（元日）, 年末年始, 都の指定); ``None`` on a day they are open."""
    closed = closed_day(day, office)
    if closed is None:
        return None
    if closed.kind == "year_end":
        return _("年末年始")
    if closed.kind == "closed_by_tokyo":
        return _("都の指定")
    if closed.holiday:
        return _("祝日（%(name)s）", name=holiday_name(day))
    return _("土曜日") if closed.kind == "saturday" else _("日曜日")


def is_office_day(day: date, office: OfficeDays = NATIONAL) -> bool:
    """Whether Tokyo's and the municipalities' offices are open on ``day`` (開庁日): no reason of
    :func:`closed_day` — not a Saturday or Sunday, not a national holiday (国民の祝日, 振替休日 and
    国民の休日, as ``jpholiday`` knows them from the Cabinet Office's list), not the year-end
    closure, not a day 都 named in ``office``."""
    return closed_day(day, office) is None


def office_open(moment: datetime, office: OfficeDays = NATIONAL) -> bool:
    """``moment`` is on an office day (:func:`is_office_day`) at or after the offices open
    (``office.opens``), in Tokyo: when the scheduler may send a mail of its own."""
    local = in_tokyo(moment)
    return is_office_day(local.date(), office) and local.time() >= office.opens


def _opening(day: date, office: OfficeDays) -> datetime:
    return datetime.combine(day, office.opens, tzinfo=TOKYO).astimezone(UTC)


def last_opening_before(moment: datetime, office: OfficeDays = NATIONAL) -> datetime:
    """The start (``office.opens``) of the last office day that starts before ``moment``."""
    day = in_tokyo(moment).date()
    if in_tokyo(moment).time() <= office.opens:
        day -= timedelta(days=1)
    while not is_office_day(day, office):
        day -= timedelta(days=1)
    return _opening(day, office)


def next_opening(moment: datetime, office: OfficeDays = NATIONAL) -> datetime:
    """``moment`` itself while the offices are open (:func:`office_open`), else the next time they
    open: the same morning, or the next office day's."""
    if office_open(moment, office):
        return moment
    day = in_tokyo(moment).date()
    if in_tokyo(moment).time() >= office.opens:
        day += timedelta(days=1)
    while not is_office_day(day, office):
        day += timedelta(days=1)
    return _opening(day, office)
