"""What a user may see of referrals: lists, the window's inbox, one case (its personal data read
through the access log), its timeline and its access log.

Lists carry no personal data; only one case at a time opens the person's data, and every such
read is logged (``personal.read_person``). The referrer sees status and outcome but not the
window's contact notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, false, func, select

from forms import tokyo
from hub.auth.policy import is_receiving_window, referrer_of, see_referral
from hub.config import office_days
from hub.db import db
from hub.models import (
    Municipality,
    Referral,
    ReferralEvent,
    ReferralRead,
    ReferralStatus,
    Role,
    User,
)
from hub.services.paging import Page, page_of
from hub.services.referrals import personal

WORKING_DAYS_TO_ACCEPT = 5
PER_PAGE = 50
OPEN = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)
"""A window's work: every open referral is listed at once, in the order it is due."""


def visible(user: User) -> Select[Any]:
    """The referrals ``user`` may see (the referrer's organisation, or the receiving window)."""
    query = select(Referral)
    if user.role == Role.WINDOW and user.municipality_code:
        return query.where(Referral.municipality_code == user.municipality_code)
    referrer = referrer_of(user)
    if referrer is not None:
        return query.where(Referral.referrer == referrer)
    return query.where(false())


def get(user: User, referral_id: int) -> Referral:
    """The referral if ``user`` may see it; ``NotFound`` otherwise (as if it did not exist)."""
    return see_referral(user, db.session.get(Referral, referral_id))


def listing(
    user: User,
    wanted_page: str | int | None,
    *,
    status: str | None = None,
    per_page: int = PER_PAGE,
    nearest: bool = True,
) -> Page[Referral]:
    """A page of the referrals ``user`` may see, newest first: the referrer's list, or every
    referral of the window's municipality (see ``paging.page_of`` for ``nearest``)."""
    query = visible(user)
    if status:
        query = query.where(Referral.status == status)
    return page_of(_newest_first(query), wanted_page, per_page, nearest=nearest)


def finished(user: User, wanted_page: str | int | None) -> Page[Referral]:
    """A page of the window's referrals that are no longer open (declined and waiting to be
    re-routed, or closed), newest first: what its inbox lists below the open ones."""
    query = visible(user).where(Referral.status.not_in(OPEN))
    return page_of(_newest_first(query), wanted_page, PER_PAGE)


def _newest_first(query: Select[Any]) -> Select[Any]:
    return query.order_by(Referral.sent_at.desc(), Referral.id.desc())


def inbox(user: User) -> list[Referral]:
    """The window's open referrals by due date: new (not yet accepted) ones first, oldest first,
    then accepted ones by their next follow-up date (none last)."""
    query = visible(user).where(Referral.status.in_(OPEN))
    new_first = case((Referral.status == ReferralStatus.SENT, 0), else_=1)
    no_date_last = case((Referral.next_follow_up.is_(None), 1), else_=0)
    return list(
        db.session.scalars(
            query.order_by(
                new_first, no_date_last, Referral.next_follow_up, Referral.sent_at, Referral.id
            )
        )
    )


def referral_years() -> list[int]:
    """Every fiscal year that has referrals, oldest first (the statistics page offers each)."""
    found = select(Referral.fiscal_year).distinct().order_by(Referral.fiscal_year)
    return list(db.session.scalars(found))


def latest_referral_year(current: int) -> int:
    """The fiscal year the statistics page opens on: ``current`` when it has referrals or when no
    year up to it has any, else the latest year before it that has (on 1 April the new year has
    none yet, and the year just closed is what people come to read; the desk's pages do the same,
    :func:`hub.services.consultations.latest_case_year`)."""
    latest = db.session.scalar(
        select(func.max(Referral.fiscal_year)).where(Referral.fiscal_year <= current)
    )
    return latest if latest is not None else current


def is_overdue(referral: Referral, today: date | None = None) -> bool:
    """An accepted referral whose next follow-up date has passed (Tokyo dates)."""
    today = today or tokyo.today()
    return (
        referral.status == ReferralStatus.ACCEPTED
        and referral.next_follow_up is not None
        and referral.next_follow_up < today
    )


def add_working_days(start: date, days: int) -> date:
    """``days`` working days after ``start``: days the offices are open (``tokyo.is_office_day``:
    no weekend, national holiday, year-end closure or day 都 closes on, ``HUB_CLOSED_DAYS``)."""
    office = office_days()
    day = start
    while days > 0:
        day += timedelta(days=1)
        if tokyo.is_office_day(day, office):
            days -= 1
    return day


def acceptance_due(referral: Referral) -> date:
    """The last day a window should accept: 5 working days after it was sent (Tokyo dates)."""
    return add_working_days(referral.sent_at.astimezone(tokyo.TOKYO).date(), WORKING_DAYS_TO_ACCEPT)


def is_late(referral: Referral, today: date | None = None) -> bool:
    """Not accepted within 5 working days."""
    today = today or tokyo.today()
    return referral.status == ReferralStatus.SENT and acceptance_due(referral) < today


@dataclass(frozen=True)
class TimelineEntry:
    action: str
    at: datetime
    by: str
    municipality_code: str | None
    municipality: Municipality | None
    """The municipality of ``municipality_code``, which pages name (retired ones too)."""
    contact_on: date | None
    method: str | None
    next_follow_up: date | None
    outcome: str | None
    text: str | None
    """The decline reason (for both sides) or a contact note (for the window only); None when
    the viewer may not see it, "" when erased or empty."""


TEXT_SHOWN_TO_ALL = frozenset({"declined", "consent_reconfirmed"})
"""Steps whose sealed text everyone who sees the case reads: the reason a window gave for not
accepting (for the referrer, who re-routes), and the consent scope a re-route replaced. A
window's notes of its contacts and its closing are the receiving window's alone."""


def timeline(referral: Referral, user: User) -> list[TimelineEntry]:
    window = is_receiving_window(user, referral)
    return [
        _entry(event, shows_text=window or event.action in TEXT_SHOWN_TO_ALL)
        for event in referral.events
    ]


def _entry(event: ReferralEvent, *, shows_text: bool) -> TimelineEntry:
    return TimelineEntry(
        action=event.action,
        at=event.at,
        by=event.user.label if event.user is not None else "",
        municipality_code=event.municipality_code,
        municipality=(
            db.session.get(Municipality, event.municipality_code)
            if event.municipality_code
            else None
        ),
        contact_on=event.contact_on,
        method=event.method,
        next_follow_up=event.next_follow_up,
        outcome=event.outcome,
        text=personal.open_text(event) if shows_text else None,
    )


READS_PER_PAGE = 50
"""The case page's access log, a page at a time: every showing of the case is a row."""


def _reads(referral: Referral) -> Select[Any]:
    return (
        select(ReferralRead)
        .where(ReferralRead.referral_id == referral.id)
        .order_by(ReferralRead.at.desc(), ReferralRead.id.desc())
    )


def access_log(referral: Referral) -> list[ReferralRead]:
    """Every read of ``referral``'s person, newest first (the API's whole log)."""
    return list(db.session.scalars(_reads(referral)))


def access_log_page(referral: Referral, wanted: str | None) -> Page[ReferralRead]:
    """Page ``wanted`` of the access log, newest first (the case page)."""
    return page_of(_reads(referral), wanted, READS_PER_PAGE)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def summary_json(referral: Referral) -> dict[str, Any]:
    """A referral without personal data (lists)."""
    return {
        "id": referral.id,
        "municipality": referral.municipality_code,
        "status": referral.status,
        "needs": list(referral.needs),
        "outcome": referral.outcome,
        "referrer": referral.referrer,
        "fiscal_year": referral.fiscal_year,
        "sent_at": _iso(referral.sent_at),
        "accepted_at": _iso(referral.accepted_at),
        "closed_at": _iso(referral.closed_at),
        "next_follow_up": _iso(referral.next_follow_up),
        "overdue": is_overdue(referral),
        "late": is_late(referral),
        "erased": referral.erased,
    }


def detail_json(referral: Referral, *, user: User, via: str) -> dict[str, Any]:
    """One referral with the person's data (this read is logged), its consent and timeline."""
    personal_data = personal.read_person(referral, user=user, via=via)
    return {
        **summary_json(referral),
        "person": personal_data.get("person") if personal_data is not None else None,
        "summary": personal_data.get("summary", "") if personal_data is not None else None,
        "needs_other": personal_data.get("needs_other", "") if personal_data is not None else None,
        "consent": {
            "obtained_on": _iso(referral.consent_obtained_on),
            "obtained_by": referral.consent_obtained_by,
            "scope": personal_data["consent_scope"] if personal_data is not None else None,
        },
        "erased_at": _iso(referral.erased_at),
        "erased_because": referral.erased_because,
        "timeline": [
            {
                "action": e.action,
                "at": _iso(e.at),
                "by": e.by,
                "municipality": e.municipality_code,
                "on": _iso(e.contact_on),
                "method": e.method,
                "next_follow_up": _iso(e.next_follow_up),
                "outcome": e.outcome,
                **({"text": e.text} if e.text is not None else {}),
            }
            for e in timeline(referral, user)
        ],
    }


def access_log_json(referral: Referral) -> list[dict[str, Any]]:
    return [
        {
            "at": _iso(read.at),
            "user": read.user.label if read.user is not None else None,
            "role": read.user.role if read.user is not None else None,
            "fields": read.fields.split(",") if read.fields else [],
            "via": read.via,
        }
        for read in access_log(referral)
    ]
