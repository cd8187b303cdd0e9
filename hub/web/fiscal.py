"""The fiscal year a statistics page shows: read from ``?fiscal_year=``, and the years to choose.

The desk's consultations and the referrals keep statistics from different first years; both
pages read the year the same way (an unreadable or out-of-range value shows the default year,
not an error: the page is a report and the year a filter)."""

from __future__ import annotations

from collections.abc import Callable, Collection

from flask import request
from flask_babel import gettext as _

from forms.consultation import current_fiscal_year, fiscal_year_label
from forms.numbers import whole_number
from hub.web.display import locale_code


def fiscal_year_arg(
    first: int,
    *,
    default: Callable[[int], int] | None = None,
    with_data: Collection[int] = (),
) -> int:
    """``?fiscal_year=2020`` when it is a year from ``first`` to next fiscal year, or one of
    ``with_data`` (the years that have records); otherwise ``default(current)`` or, without one,
    the current fiscal year."""
    current = current_fiscal_year()
    year = whole_number(request.args.get("fiscal_year"))
    if year is not None and (first <= year <= current + 1 or year in with_data):
        return year
    return default(current) if default is not None else current


def year_choices(
    first: int, selected: int, with_data: Collection[int] = ()
) -> list[tuple[int, str]]:
    """The years from ``first`` to the current one (Tokyo's fiscal year: from 1 April), every
    year of ``with_data`` (the years that have records), newest first, with ``selected`` among
    them (next fiscal year may be asked for before it starts)."""
    years = set(range(first, current_fiscal_year() + 1)) | set(with_data) | {selected}
    return [(y, fiscal_year_text(y)) for y in sorted(years, reverse=True)]


ASKED_SHOWN = 20
"""Characters of an unusable ``?fiscal_year=`` repeated on the page."""


def year_notices(year: int, *, has_data: bool, nothing: str) -> list[str]:
    """What a statistics page says above its tables about the year it shows: that the year
    asked for in the address (``?fiscal_year=``) could not be shown and which one is shown
    instead; ``nothing`` (「令和6年度のつなぎはありません。」) when the year shown has no records,
    so that a table of zeros never stands without a word."""
    notices = []
    asked = (request.args.get("fiscal_year") or "").strip()
    if asked and whole_number(asked) != year:
        notices.append(
            _(
                "指定された年度「%(asked)s」は表示できないため、%(year)sを表示しています。"
                "年度は一覧から選んでください。",
                asked=asked[:ASKED_SHOWN],
                year=fiscal_year_text(year),
            )
        )
    if not has_data:
        notices.append(nothing)
    return notices


def fiscal_year_text(year: int) -> str:
    """A fiscal year in the page's language: 令和2年度, or FY2020 (April 2020 to March 2021)."""
    return fiscal_year_label(year, locale_code())
