"""Dates and times as people type them (deadlines, extensions; the staff page and
``hub round open --deadline`` alike) are read in Asia/Tokyo."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from forms.normalize import InvalidValue
from forms.tokyo import (
    TIMEZONE,
    TOKYO,
    ClosedDay,
    OfficeDays,
    closed_day,
    days_until,
    format_datetime,
    is_office_day,
    next_opening,
    office_open,
    parse_datetime,
)


@pytest.mark.parametrize(
    ("typed", "utc"),
    [
        ("2021-05-31 17:00", "2021-05-31T08:00:00+00:00"),
        ("2021-05-31T17:00", "2021-05-31T08:00:00+00:00"),
        ("２０２１／５／３１　１７：３０", "2021-05-31T08:30:00+00:00"),
        ("令和3年5月31日 17時", "2021-05-31T08:00:00+00:00"),
        ("R3.6.1 0:05", "2021-05-31T15:05:00+00:00"),
        ("令和8年12月28日 17時", "2026-12-28T08:00:00+00:00"),
        ("令和8年12月28日17時30分", "2026-12-28T08:30:00+00:00"),
        ("2026年12月28日17:00", "2026-12-28T08:00:00+00:00"),
        # as the pages write it, copied back into the field (the board, a mail, a flash)
        ("令和9年1月4日（月）17:00", "2027-01-04T08:00:00+00:00"),
        ("令和９年１月４日（月）１７時", "2027-01-04T08:00:00+00:00"),
        ("2027/1/4(月曜日) 17:00", "2027-01-04T08:00:00+00:00"),
        ("2021-05-31T17:00:00", "2021-05-31T08:00:00+00:00"),
        ("2021-05-31T17:00+09:00", "2021-05-31T08:00:00+00:00"),
        ("2021-05-31T08:00:00+00:00", "2021-05-31T08:00:00+00:00"),
    ],
)
def test_tokyo_times(typed, utc):
    assert parse_datetime(typed).astimezone(UTC).isoformat() == utc


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "日時を入力してください"),
        ("2021-05-31", "時刻も入力してください"),
        ("令和3年6月30日", r"時刻も入力してください（例: 2021-06-30 17:00）"),
        ("来週金曜", "日付と時刻として読めません。"),
        ("5/31", "年も入力してください"),
        ("2021-05-31 24:00", "00:00〜23:59"),
        ("2021-02-30 17:00", "2月"),
        ("令和1年4月30日 17:00", "令和"),
        ("令和9年1月4日（土）17:00", "月曜日です（土曜日と入力されています）"),
    ],
)
def test_bad_times_say_what_is_wrong(typed, problem):
    with pytest.raises(InvalidValue, match=problem):
        parse_datetime(typed)


def test_the_zone_is_written_once_and_is_the_apps():
    from hub.config import Settings

    assert TOKYO.key == TIMEZONE == "Asia/Tokyo"
    assert Settings.timezone == TIMEZONE


# --- the one way a date-time reads (issue 14, item 9) ----------------------------------------


def test_a_date_time_reads_in_wareki_with_the_weekday_in_tokyo():
    at = datetime(2026, 12, 29, 8, 0, tzinfo=UTC)  # 17:00 in Tokyo
    assert format_datetime(at) == "令和8年12月29日（火）17:00"
    assert format_datetime(at, "en") == "Tue 29 Dec 2026 17:00"
    assert format_datetime(datetime(2019, 5, 1, 0, 0, 5, tzinfo=UTC), seconds=True) == (
        "令和元年5月1日（水）09:00:05"
    )
    late_evening = datetime(2026, 12, 28, 15, 30, tzinfo=UTC)  # 00:30 on the 29th in Tokyo
    assert format_datetime(late_evening).startswith("令和8年12月29日（火）")


def test_days_until_counts_calendar_days_in_tokyo():
    deadline = datetime(2026, 12, 29, 8, 0, tzinfo=UTC)
    assert days_until(deadline, datetime(2026, 12, 26, 0, 0, tzinfo=UTC)) == 3
    assert days_until(deadline, datetime(2026, 12, 28, 14, 59, tzinfo=UTC)) == 1  # 23:59 JST
    assert days_until(deadline, datetime(2026, 12, 28, 15, 0, tzinfo=UTC)) == 0  # 00:00 JST
    assert days_until(deadline, datetime(2026, 12, 31, 1, 0, tzinfo=UTC)) == -2


def test_the_day_alone_reads_the_same_way_without_the_clock():
    at = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)
    assert format_datetime(at, clock=False) == "令和8年11月29日（日）"
    assert format_datetime(at, "en", clock=False) == "Sun 29 Nov 2026"


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 11, 28), "土曜日"),
        (date(2026, 11, 29), "日曜日"),
        (date(2026, 11, 23), "勤労感謝の日"),
        (date(2026, 5, 6), "憲法記念日の振替休日"),
        (date(2026, 9, 22), "国民の休日 (敬老の日と秋分の日の間)"),
        (date(2027, 1, 11), "成人の日 (1月の第2月曜日)"),
        (date(2026, 12, 29), "年末年始"),
        (date(2026, 12, 31), "年末年始"),
        (date(2027, 1, 1), "元日"),
        (date(2027, 1, 4) - timedelta(days=1), "年末年始 (1月3日)"),
    ],
)
def test_offices_are_closed_on_weekends_holidays_and_the_year_end(day: date, why: str) -> None:
    assert not is_office_day(day), why


@pytest.mark.parametrize(
    "day",
    [date(2026, 11, 27), date(2026, 12, 28), date(2027, 1, 4), date(2026, 5, 7), date(2026, 9, 24)],
)
def test_offices_are_open_on_the_other_weekdays(day: date) -> None:
    assert is_office_day(day)


@pytest.mark.parametrize(
    ("moment", "opening"),
    [
        ("2027-02-16 10:00", "2027-02-16 10:00"),  # Tuesday, open: at once
        ("2027-02-16 07:00", "2027-02-16 08:30"),  # the same morning
        ("2027-02-19 23:59", "2027-02-19 23:59"),  # Friday night: still the office day
        ("2027-02-20 00:00", "2027-02-22 08:30"),  # Saturday: Monday
        ("2026-12-29 09:00", "2027-01-04 08:30"),  # over 年末年始
    ],
)
def test_next_opening(moment: str, opening: str) -> None:
    at = datetime.fromisoformat(moment).replace(tzinfo=TOKYO)
    assert next_opening(at) == datetime.fromisoformat(opening).replace(tzinfo=TOKYO)


def test_a_day_tokyo_names_and_its_own_hour_close_and_open_the_offices() -> None:
    office = OfficeDays(opens=time(9, 0), closed=frozenset({date(2027, 2, 22)}))
    assert closed_day(date(2027, 2, 22), office) == ClosedDay("closed_by_tokyo")
    assert is_office_day(date(2027, 2, 22))
    assert not is_office_day(date(2027, 2, 22), office)
    saturday = datetime(2027, 2, 20, 0, 0, tzinfo=TOKYO)
    # Monday 22nd is 都's, Tuesday 23rd 天皇誕生日: Wednesday at 9:00
    assert next_opening(saturday, office) == datetime(2027, 2, 24, 9, 0, tzinfo=TOKYO)
    assert not office_open(datetime(2027, 2, 25, 8, 45, tzinfo=TOKYO), office)
    assert office_open(datetime(2027, 2, 25, 8, 45, tzinfo=TOKYO))
