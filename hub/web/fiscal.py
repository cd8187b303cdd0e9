"""The fiscal year a statistics page shows: read from ``?fiscal_year=``, and the years to choose.

The desk's consultations and the referrals keep statistics from different first years; both
pages read the year the same way (an unreadable or out-of-range value shows the default year,
not an error: the page is a report and the year a filter)."""

from __future__ import annotations

from collections.abc import Callable

from flask import request

from forms.consultation import current_fiscal_year, fiscal_year_label
from forms.numbers import whole_number
from hub.web.display import locale_code


def fiscal_year_arg(first: int, *, default: Callable[[int], int] | None = None) -> int:
    """``?fiscal_year=2020`` when it is a year from ``first`` to next fiscal year; otherwise
    ``default(current)`` or, without one, the current fiscal year."""
    current = current_fiscal_year()
    year = whole_number(request.args.get("fiscal_year"))
    if year is not None and first <= year <= current + 1:
        return year
    return default(current) if default is not None else current


def year_choices(first: int, selected: int) -> list[tuple[int, str]]:
    """The years from ``first`` to the current one, newest first, with ``selected`` among them
    (next fiscal year may be asked for before it starts)."""
    years = set(range(first, current_fiscal_year() + 1)) | {selected}
    return [(y, fiscal_year_text(y)) for y in sorted(years, reverse=True)]


def fiscal_year_text(year: int) -> str:
    """A fiscal year in the page's language: 令和2年度, or FY2020 (April 2020 to March 2021)."""
    return fiscal_year_label(year, locale_code())
