"""Dates and times typed by staff (deadlines, extensions) are read in Asia/Tokyo."""

from __future__ import annotations

from datetime import UTC

import pytest

from forms.normalize import InvalidValue
from hub.staff.parsing import parse_tokyo_datetime


@pytest.mark.parametrize(
    ("typed", "utc"),
    [
        ("2021-05-31 17:00", "2021-05-31T08:00:00+00:00"),
        ("2021-05-31T17:00", "2021-05-31T08:00:00+00:00"),
        ("２０２１／５／３１　１７：３０", "2021-05-31T08:30:00+00:00"),
        ("令和3年5月31日 17時", "2021-05-31T08:00:00+00:00"),
        ("R3.6.1 0:05", "2021-05-31T15:05:00+00:00"),
    ],
)
def test_tokyo_times(typed, utc):
    assert parse_tokyo_datetime(typed).astimezone(UTC).isoformat() == utc


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
        parse_tokyo_datetime(typed)
