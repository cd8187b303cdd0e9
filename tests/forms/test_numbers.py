"""Whole numbers the app wrote or a machine sends (a version, a year, a page, a step)."""

from __future__ import annotations

import pytest

from forms.numbers import whole_number


@pytest.mark.parametrize(
    ("text", "number"),
    [("3", 3), (" 12 ", 12), ("0", 0), ("007", 7), ("999999999", 999_999_999)],
)
def test_ascii_digits_read_as_the_number(text: str, number: int) -> None:
    assert whole_number(text) == number


@pytest.mark.parametrize(
    "text",
    [None, "", " ", "-1", "1.5", "1e3", "３", "²", "abc", "1 2", "1234567890", "9" * 5000],
)
def test_anything_else_is_none_never_an_error(text: str | None) -> None:
    assert whole_number(text) is None


def test_the_number_of_digits_is_the_callers() -> None:
    assert whole_number("12", digits=1) is None
    assert whole_number("2026", digits=4) == 2026
