"""The audit log: writing an event (callers pass who acted; the request's address is added when
there is one), and the queries of the audit page (filters, pages of events, newest first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import has_request_context, request
from sqlalchemy import Select, func, or_, select
from sqlalchemy import insert as sql_insert

from forms.tokyo import TOKYO
from hub.db import db, utcnow
from hub.models import AuditEvent, Municipality, User

PER_PAGE = 50
FAMILY_SUFFIX = ".*"
"""``user.*`` filters a whole family of actions (``user.create``, ``user.deactivate`` …)."""


def record(
    action: str,
    *,
    user: User | None,
    target: str = "",
    municipality_code: str | None = None,
    on_behalf: bool = False,
    **details: Any,
) -> AuditEvent:
    """Add an event to the session (written at the next flush, with the caller's other rows)."""
    event = AuditEvent(**_row(action, user, target, municipality_code, on_behalf, details))
    db.session.add(event)
    return event


def insert(
    action: str,
    *,
    user: User | None,
    target: str = "",
    municipality_code: str | None = None,
    on_behalf: bool = False,
    **details: Any,
) -> None:
    """Write an event at once as one plain INSERT, nothing read back: for the save path."""
    row = _row(action, user, target, municipality_code, on_behalf, details)
    db.session.execute(sql_insert(AuditEvent), [{"at": utcnow(), **row}])


def _row(
    action: str,
    user: User | None,
    target: str,
    municipality_code: str | None,
    on_behalf: bool,
    details: dict[str, Any],
) -> dict[str, Any]:
    return {
        "action": action,
        "user_id": user.id if user is not None else None,
        "target": target,
        "municipality_code": municipality_code,
        "on_behalf": on_behalf,
        "address": request.remote_addr if has_request_context() else None,
        "details": details,
    }


@dataclass(frozen=True)
class Filters:
    action: str = ""
    user: str = ""
    municipality: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _utc_start_of(day: date) -> datetime:
    """The first instant of a day in Tokyo, as stored (UTC)."""
    return datetime.combine(day, time.min, tzinfo=TOKYO).astimezone(UTC)


def filtered(filters: Filters) -> Select[Any]:
    """The events the filters select (dates are whole days in Tokyo, both ends included)."""
    query = select(AuditEvent).outerjoin(User, AuditEvent.user_id == User.id)
    if filters.action.endswith(FAMILY_SUFFIX):
        family = filters.action.removesuffix(FAMILY_SUFFIX)
        query = query.where(AuditEvent.action.startswith(family + ".", autoescape=True))
    elif filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.user:
        wanted = filters.user.lower()
        query = query.where(
            or_(
                func.lower(User.email).contains(wanted, autoescape=True),
                func.lower(User.display_name).contains(wanted, autoescape=True),
                func.lower(User.organisation).contains(wanted, autoescape=True),
            )
        )
    if filters.municipality:
        query = query.where(AuditEvent.municipality_code == filters.municipality)
    if filters.date_from:
        query = query.where(AuditEvent.at >= _utc_start_of(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.at < _utc_start_of(filters.date_to + timedelta(days=1)))
    return query


@dataclass(frozen=True)
class Page:
    events: list[AuditEvent]
    number: int
    total: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total // PER_PAGE))

    @property
    def first_shown(self) -> int:
        return 0 if not self.total else (self.number - 1) * PER_PAGE + 1

    @property
    def last_shown(self) -> int:
        return min(self.total, self.number * PER_PAGE)


def page_of(query: Select[Any], wanted: str) -> Page:
    """Page ``wanted`` (as typed; out of range or unreadable: the nearest page) of ``query``."""
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    last = max(1, -(-total // PER_PAGE))
    number = int(wanted) if wanted.isdecimal() else 1
    number = min(max(number, 1), last)
    events = db.session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(PER_PAGE)
        .offset((number - 1) * PER_PAGE)
    ).all()
    return Page(events=list(events), number=number, total=total)


def find_events(filters: Filters, wanted_page: str) -> Page:
    """The page of events the audit page shows, newest first."""
    return page_of(filtered(filters), wanted_page)


def recorded_actions() -> list[str]:
    """Every action the log holds, sorted (for the page's action filter)."""
    return sorted(db.session.scalars(select(AuditEvent.action).distinct()))


def municipality_names() -> list[tuple[str, str]]:
    """``(code, name)`` of every municipality, active or not (old events name them too)."""
    rows = db.session.execute(
        select(Municipality.code, Municipality.name).order_by(Municipality.code)
    )
    return [(code, name) for code, name in rows]


def is_municipality(code: str) -> bool:
    return db.session.get(Municipality, code) is not None
