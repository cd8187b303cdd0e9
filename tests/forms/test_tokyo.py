"""Dates and times as people type them (deadlines, extensions; the staff page and
``hub round open --deadline`` alike) are read in Asia/Tokyo."""

from __future__ import annotations

from datetime import UTC

import pytest

from forms.normalize import InvalidValue
from forms.tokyo import TIMEZONE, TOKYO, parse_datetime


@pytest.mark.parametrize(
    ("typed", "utc"),
    [
        ("2021-05-31 17:00", "2021-05-31T08:00:00+00:00"),
        ("2021-05-31T17:00", "2021-05-31T08:00:00+00:00"),
        ("２０２１／５／３１　１７：３０", "2021-05-31T08:30:00+00:00"),
        ("令和3年5月31日 17時", "2021-05-31T08:00:00+00:00"),
        ("R3.6.1 0:05", "2021-05-31T15:05:00+00:00"),
        ("令和8年12月28日 17時", "2026-12-28T08:00:00+00:00"),
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
        ("2021-05-31 24:00", "00:00〜23:59"),
        ("2021-02-30 17:00", "2月"),
        ("令和1年4月30日 17:00", "令和"),
    ],
)
def test_bad_times_say_what_is_wrong(typed, problem):
    with pytest.raises(InvalidValue, match=problem):
        parse_datetime(typed)


def test_the_zone_is_written_once_and_is_the_apps():
    from hub.config import Settings

    assert TOKYO.key == TIMEZONE == "Asia/Tokyo"
    assert Settings.timezone == TIMEZONE
