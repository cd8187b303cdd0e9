"""Pages of a long list (the audit log, the referral lists, the desk's cases, the accounts): a
fixed number of rows a page, the page people ask for read as typed, and an out-of-range or
unreadable number answered with the nearest page rather than an error — as the lists of DHIS2 and
KoboToolbox behave."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from hub.db import db

Item = TypeVar("Item")


@dataclass(frozen=True)
class Page(Generic[Item]):
    items: Sequence[Item]
    number: int
    total: int
    per_page: int

    @property
    def last(self) -> int:
        return last_page(self.total, self.per_page)

    @property
    def first_shown(self) -> int:
        return 0 if not self.total else (self.number - 1) * self.per_page + 1

    @property
    def last_shown(self) -> int:
        return min(self.total, self.number * self.per_page)


def last_page(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def page_number(wanted: str | int | None, last: int) -> int:
    """``wanted`` as typed (``"3"``, ``"３"``, ``3``), within 1…``last``: a number past the last
    page is the last page (however many digits it has), anything else that is not a number is
    page 1."""
    text = str(wanted) if wanted is not None else ""
    if not text.isdecimal():
        return 1
    number = int(text) if len(text) <= 9 else last
    return min(max(number, 1), last)


def page_of(
    query: Select[Any], wanted: str | int | None, per_page: int, *, nearest: bool = True
) -> Page[Any]:
    """Page ``wanted`` of ``query`` (ordered by the caller) and how many rows it has in all.
    ``nearest=False`` (the API, whose page numbers are validated): a page past the last is
    empty, as REST lists answer, instead of the last page."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    total = total or 0
    number = page_number(wanted, last_page(total, per_page)) if nearest else int(wanted or 1)
    items = db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(items=list(items), number=number, total=total, per_page=per_page)
