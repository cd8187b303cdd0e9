"""The audit log: writing an event (callers pass who acted; the request's address is added when
there is one), and the queries of the audit page (filters, pages of events, newest first)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import has_request_context, request
from sqlalchemy import Select, func, or_, select

from forms.normalize import search_key
from forms.numbers import whole_number
from forms.tokyo import TOKYO
from hub.db import MAX_ID, db, searchable, utcnow
from hub.models import AuditEvent, Municipality, Recipient, Round, User
from hub.services.paging import Page, page_of

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


def row(
    action: str,
    *,
    user: User | None,
    target: str = "",
    municipality_code: str | None = None,
    on_behalf: bool = False,
    at: datetime | None = None,
    **details: Any,
) -> dict[str, Any]:
    """An event as a row for a plain INSERT that the caller sends (the save path batches it)."""
    row = _row(action, user, target, municipality_code, on_behalf, details)
    return {"at": at or utcnow(), **row}


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
        wanted = search_key(filters.user)  # 高橋 finds 髙橋, as on ユーザー管理
        query = query.where(
            or_(
                func.lower(User.email).contains(wanted, autoescape=True),
                searchable(User.display_name).contains(wanted, autoescape=True),
                searchable(User.organisation).contains(wanted, autoescape=True),
            )
        )
    if filters.municipality:
        query = query.where(AuditEvent.municipality_code == filters.municipality)
    if filters.date_from:
        query = query.where(AuditEvent.at >= _utc_start_of(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.at < _utc_start_of(filters.date_to + timedelta(days=1)))
    return query


def find_events(filters: Filters, wanted_page: str) -> Page[AuditEvent]:
    """The page of events the audit page shows, newest first (out of range or unreadable: the
    nearest page)."""
    newest_first = filtered(filters).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    return page_of(newest_first, wanted_page, PER_PAGE)


def events_in_chunks(filters: Filters, size: int = 500) -> Iterator[list[AuditEvent]]:
    """Every event the filters select, newest first, ``size`` at a time (the CSV download of a
    long period reads them as it writes them)."""
    newest_first = filtered(filters).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    result = db.session.scalars(newest_first.execution_options(yield_per=size))
    yield from (list(chunk) for chunk in result.partitions(size))


def recorded_actions() -> list[str]:
    """Every action the log holds, sorted (for the page's action filter)."""
    return sorted(db.session.scalars(select(AuditEvent.action).distinct()))


def municipality_names() -> list[tuple[str, str, str]]:
    """``(code, name, name_en)`` of every municipality, active or not (old events name them too)."""
    rows = db.session.execute(
        select(Municipality.code, Municipality.name, Municipality.name_en).order_by(
            Municipality.code
        )
    )
    return [(code, name, name_en) for code, name, name_en in rows]


def is_municipality(code: str) -> bool:
    return db.session.get(Municipality, code) is not None


@dataclass(frozen=True)
class Names:
    """What the events of one page refer to, by the names people use (one query per kind)."""

    rounds: dict[int, Round]
    municipalities: dict[str, tuple[str, str]]
    """``{code: (name, name_en)}``: the page names them in its language."""
    recipients: dict[str, str]
    people: dict[str, str]
    """``{e-mail: 「氏名（所属）」}`` of the accounts the targets name."""


def _round_id(text: Any) -> int | None:
    number = whole_number(str(text), digits=10)
    return number if number is not None and number <= MAX_ID else None


def looks_like_code(value: Any) -> bool:
    """A municipality code as details list them (``131016``)."""
    return isinstance(value, str) and len(value) == 6 and value.isdecimal()


def names_for(events: Sequence[AuditEvent]) -> Names:
    """The names of the rounds, municipalities, recipients and people ``events`` refer to, by
    their targets (``round/12/response/131016``, ``recipient/moj``, an e-mail) and details."""
    rounds: set[int] = set()
    codes: set[str] = set()
    recipients: set[str] = set()
    emails: set[str] = set()
    for event in events:
        parts = event.target.split("/")
        if parts[0] == "round" and len(parts) > 1 and (rid := _round_id(parts[1])):
            rounds.add(rid)
        if len(parts) == 4 and parts[2] == "response":
            codes.add(parts[3])
        if parts[0] == "recipient" and len(parts) == 2:
            recipients.add(parts[1])
        if "@" in event.target:
            emails.add(event.target)
        if event.municipality_code:
            codes.add(event.municipality_code)
        details = event.details or {}
        if (rid := _round_id(details.get("round", ""))) is not None:
            rounds.add(rid)
        for key in ("recipient", "recipient_before"):
            if isinstance(details.get(key), str):
                recipients.add(details[key])
        if looks_like_code(details.get("municipality_before")):
            codes.add(details["municipality_before"])
        for value in details.values():
            if isinstance(value, list):
                codes.update(v for v in value if looks_like_code(v))
    return Names(
        rounds={r.id: r for r in (db.session.scalars(select(Round).where(Round.id.in_(rounds))))},
        municipalities={
            code: (name, name_en)
            for code, name, name_en in (
                db.session.execute(
                    select(Municipality.code, Municipality.name, Municipality.name_en).where(
                        Municipality.code.in_(codes)
                    )
                )
                if codes
                else []
            )
        },
        recipients=_lookup(Recipient.name, Recipient.title, recipients),
        people={
            u.email: u.label
            for u in (
                db.session.scalars(select(User).where(User.email.in_(emails))) if emails else []
            )
        },
    )


def _lookup(key: Any, value: Any, wanted: set[Any]) -> dict[Any, str]:
    if not wanted:
        return {}
    rows = db.session.execute(select(key, value).where(key.in_(wanted)))
    return {row[0]: row[1] for row in rows}
