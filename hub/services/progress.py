"""Where a round stands: counts by state and region, the board of every municipality, overdue.

Everything is counted by SQL (GROUP BY over ``response`` joined to ``municipality``), so the board
of a national round (1,741 municipalities) costs a handful of queries, not one per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from forms.model import Kind
from forms.tokyo import in_tokyo
from hub.db import db, utcnow
from hub.models import (
    COUNTED,
    Municipality,
    Response,
    ResponseState,
    Revision,
    Round,
    User,
    ordered_regions,
)
from hub.models.survey import (
    RETURNED,
    SHOWN_STATES,
    after_return_sql,
    revision_event,
    shown_state,
    shown_state_sql,
)
from hub.models.user import person_label
from hub.services.municipalities import matching
from hub.services.paging import Page, last_page, page_number

STATES: tuple[str, ...] = SHOWN_STATES
"""The board counts and filters by the states people see: a returned draft is 差し戻し."""


def effective_deadline() -> ColumnElement[Any]:
    """The round's deadline, or the municipality's extension when that is later."""
    return case(
        (Response.extension_until > Round.deadline, Response.extension_until),
        else_=Round.deadline,
    )


def is_overdue(now: datetime) -> ColumnElement[bool]:
    """Not yet submitted although its (possibly extended) deadline has passed."""
    return and_(Response.state.not_in([str(s) for s in COUNTED]), effective_deadline() < now)


@dataclass(frozen=True)
class Progress:
    round: Round
    regions: tuple[str, ...]
    by_region: dict[str, dict[str, int]]
    """``{region: {state: n}}``, every state of :data:`STATES` present (zero when none)."""
    overdue: int
    prefectures: tuple[str, ...] = ()
    """The codes of the prefectures whose municipalities the round asks, in code order."""

    @property
    def by_state(self) -> dict[str, int]:
        return {s: sum(row[s] for row in self.by_region.values()) for s in STATES}

    @property
    def returned(self) -> int:
        return self.by_state[RETURNED]

    @property
    def asked(self) -> int:
        return sum(self.by_state.values())

    @property
    def done(self) -> int:
        """Submitted or accepted: what the "n/62" of the source document counts."""
        return sum(self.by_state[str(s)] for s in COUNTED)

    def asked_in(self, region: str) -> int:
        return sum(self.by_region[region].values())

    def done_in(self, region: str) -> int:
        return sum(self.by_region[region][str(s)] for s in COUNTED)


def progress(round_: Round, *, now: datetime | None = None) -> Progress:
    now = now or utcnow()
    returned = Response.return_reason.is_not(None)
    rows = db.session.execute(
        select(Municipality.region, Response.state, returned, func.count())
        .join(Response, Response.municipality_code == Municipality.code)
        .where(Response.round_id == round_.id)
        .group_by(Municipality.region, Response.state, returned)
    ).all()
    regions = ordered_regions({row[0] for row in rows})
    by_region = {r: dict.fromkeys(STATES, 0) for r in regions}
    for region, state, was_returned, n in rows:
        by_region[region][shown_state(state, returned=bool(was_returned))] += int(n)
    overdue = db.session.scalar(
        select(func.count())
        .select_from(Response)
        .join(Round, Round.id == Response.round_id)
        .where(Response.round_id == round_.id, is_overdue(now))
    )
    prefectures = db.session.scalars(
        select(Municipality.prefecture_code)
        .distinct()
        .join(Response, Response.municipality_code == Municipality.code)
        .where(Response.round_id == round_.id)
        .order_by(Municipality.prefecture_code)
    ).all()
    return Progress(round_, regions, by_region, int(overdue or 0), tuple(prefectures))


@dataclass(frozen=True)
class BoardRow:
    code: str
    name: str
    region: str
    state: str
    returned: bool
    submitted_at: datetime | None
    updated_at: datetime | None
    updated_by: str | None
    on_behalf: bool
    answers_updated_at: datetime | None
    answers_updated_by: str | None
    """Who last entered or changed the answers (an acceptance or a return leaves it): whom to
    call about them."""
    event: str | None
    """What the latest revision did (a key of ``REVISION_EVENT_LABELS``, ``resubmitted`` after a
    return as the history says it); ``None`` if untouched."""
    deadline: datetime
    extension_until: datetime | None
    overdue: bool
    name_en: str = ""
    gone: bool = False
    """The municipality no longer exists (retired, its day passed): it is not chased."""
    retired_on: date | None = None
    contact: Contact | None = None
    """Whom staff call about this response (the answers' department and phone, else the
    municipality's respondent account)."""


@dataclass(frozen=True)
class Contact:
    department: str
    phone: str
    source: str
    """``answers`` or ``account``: where the department and phone were found."""


BOARD_PER_PAGE = 100
"""Rows of the progress board a page: Tokyo's 62 on one page, as before; a national round's 1,741
in 18 pages of about 55 KB instead of one page of 900 KB that took a second to draw
(docs/performance.md, "Every page at national scale")."""


def board_page(
    round_: Round,
    wanted: str | int | None,
    *,
    per_page: int | None = None,
    region: str | None = None,
    state: str | None = None,
    overdue_only: bool = False,
    prefecture: str | None = None,
    search: str = "",
    now: datetime | None = None,
) -> Page[BoardRow]:
    """Page ``wanted`` (as typed; :func:`hub.services.paging.page_number`) of the municipalities
    asked in the round, in code order, optionally filtered (``search`` as
    :func:`hub.services.municipalities.matching` reads it), and how many rows match in all: three statements however many
    municipalities the round asks (the count, the page, its contacts)."""
    now = now or utcnow()
    per_page = per_page or BOARD_PER_PAGE
    query = _board_query(round_, region, state, overdue_only, prefecture, search, now)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    number = page_number(wanted, last_page(total or 0, per_page))
    found = db.session.execute(query.limit(per_page).offset((number - 1) * per_page))
    rows = _with_contacts(round_, [_board_row(row, round_) for row in found])
    return Page(items=rows, number=number, total=total or 0, per_page=per_page)


def _with_contacts(round_: Round, rows: list[BoardRow]) -> list[BoardRow]:
    contacts = contacts_for(round_, [r.code for r in rows])
    return [replace(r, contact=contacts.get(r.code)) for r in rows]


def _board_query(
    round_: Round,
    region: str | None,
    state: str | None,
    overdue_only: bool,
    prefecture: str | None,
    search: str,
    now: datetime,
) -> Select[*tuple[Any, ...]]:
    editor, enterer = aliased(User), aliased(User)
    query = (
        select(
            Municipality.code,
            Municipality.name,
            Municipality.region,
            Response.state,
            Response.return_reason.is_not(None),
            Response.submitted_at,
            Response.updated_at,
            editor.display_name,
            editor.organisation,
            editor.email,
            Response.updated_on_behalf,
            effective_deadline(),
            Response.extension_until,
            is_overdue(now),
            Revision.action,
            Revision.source,
            Revision.on_behalf,
            Municipality.name_en,
            Municipality.existed_on(in_tokyo(now).date()),
            Municipality.retired_on,
            after_return_sql(Response.id, Response.version),
            Response.answers_entered_at,
            enterer.display_name,
            enterer.organisation,
            enterer.email,
        )
        .join(Response, Response.municipality_code == Municipality.code)
        .join(Round, Round.id == Response.round_id)
        .outerjoin(editor, editor.id == Response.updated_by_id)
        .outerjoin(
            Revision,
            and_(Revision.response_id == Response.id, Revision.number == Response.version),
        )
        .outerjoin(enterer, enterer.id == Response.answers_entered_by_id)
        .where(Response.round_id == round_.id)
        .order_by(Municipality.code)
    )
    if region:
        query = query.where(Municipality.region == region)
    if state:
        query = query.where(shown_state_sql() == state)
    if overdue_only:
        query = query.where(is_overdue(now))
    if prefecture:
        query = query.where(Municipality.prefecture_code == prefecture)
    found = matching(search)
    if found is not None:
        query = query.where(found)
    return query


def contacts_for(round_: Round, codes: list[str]) -> dict[str, Contact]:
    """Whom to call at each municipality: the department and phone its answers give (the
    questionnaire's personal department and phone questions), else its respondent account's
    organisation and phone. Two queries, whatever the number of municipalities."""
    if not codes:
        return {}
    questionnaire = round_.questionnaire
    personal = [q for q in questionnaire if q.personal]
    phone_q = next((q.id for q in personal if q.kind == Kind.PHONE), None)
    department_q = next(
        (q.id for q in personal if q.kind == Kind.TEXT and q.id.endswith("department")), None
    )
    found: dict[str, Contact] = {}
    answered = db.session.execute(
        select(Response.municipality_code, Response.answers).where(
            Response.round_id == round_.id, Response.municipality_code.in_(codes)
        )
    )
    for code, answers in answered:
        phone = str((answers or {}).get(phone_q) or "") if phone_q else ""
        department = str((answers or {}).get(department_q) or "") if department_q else ""
        if phone or department:
            found[code] = Contact(department, phone, "answers")
    accounts = db.session.execute(
        select(User.municipality_code, User.organisation, User.phone)
        .where(
            User.municipality_code.in_([c for c in codes if c not in found]),
            User.active.is_(True),
            or_(User.phone != "", User.organisation != ""),
        )
        .order_by(User.municipality_code, User.id)
    )
    for code, organisation, phone in accounts:
        if code is not None:
            found.setdefault(code, Contact(organisation, phone, "account"))
    return found


def _board_row(row: Sequence[Any], round_: Round) -> BoardRow:
    (code, name, region, state, has_reason, submitted_at, updated_at) = row[:7]
    (display_name, organisation, email, on_behalf, deadline, extension_until, overdue) = row[7:14]
    (action, source, revision_on_behalf, name_en, exists, retired_on, after_return) = row[14:21]
    (entered_at, entered_name, entered_organisation, entered_email) = row[21:]
    return BoardRow(
        code=code,
        name=name,
        region=region,
        state=state,
        returned=bool(has_reason) and state == ResponseState.DRAFT,
        submitted_at=submitted_at,
        updated_at=updated_at,
        updated_by=person_label(display_name, organisation, email) if email else None,
        on_behalf=bool(on_behalf),
        answers_updated_at=entered_at,
        answers_updated_by=(
            person_label(entered_name, entered_organisation, entered_email)
            if entered_email
            else None
        ),
        event=(
            revision_event(action, source, revision_on_behalf, after_return=bool(after_return))
            if action
            else None
        ),
        deadline=deadline,
        extension_until=extension_until,
        overdue=bool(overdue),
        name_en=name_en or "",
        gone=not exists,
        retired_on=retired_on,
    )


@dataclass(frozen=True)
class RoundLine:
    round: Round
    asked: int
    done: int
    overdue: int


def overview(rounds: Sequence[Round], *, now: datetime | None = None) -> list[RoundLine]:
    """One line per round for the staff home: asked, submitted or accepted, overdue."""
    now = now or utcnow()
    ids = [r.id for r in rounds]
    counts: dict[int, tuple[int, int, int]] = {}
    if ids:
        counted = Response.state.in_([str(s) for s in COUNTED])
        query = (
            select(
                Response.round_id,
                func.count(),
                func.count().filter(counted),
                func.count().filter(is_overdue(now)),
            )
            .join(Round, Round.id == Response.round_id)
            .where(Response.round_id.in_(ids))
            .group_by(Response.round_id)
        )
        for round_id, asked, done, overdue in db.session.execute(query):
            counts[round_id] = (int(asked), int(done or 0), int(overdue or 0))
    return [RoundLine(r, *counts.get(r.id, (0, 0, 0))) for r in rounds]


def municipality_rounds(code: str) -> list[Response]:
    """A municipality's responses with their rounds, newest reference date first."""
    return list(
        db.session.scalars(
            select(Response)
            .join(Round, Round.id == Response.round_id)
            .where(Response.municipality_code == code)
            .order_by(Round.reference_date.desc(), Round.id.desc())
        )
    )
