"""Questionnaire versions, rounds (調査回), responses and their immutable revisions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    false,
    func,
    select,
)
from sqlalchemy.orm import Mapped, aliased, deferred, mapped_column, object_session, relationship

from forms import registry
from forms.lineage import Lineage
from forms.model import Label, Questionnaire
from forms.tokyo import format_day
from hub.db import Base, utcnow
from hub.models.municipality import Municipality
from hub.models.user import User


class Survey(Base):
    """A stored questionnaire version (調査票の版): immutable once imported.

    ``definition`` holds the XLSForm as the hub writes it (:func:`forms.xlsform.write_xlsform`);
    it is read once per process (:func:`forms.registry.stored`). A row made before definitions
    were stored has none until ``hub init`` fills it from the shipped file.
    """

    __tablename__ = "survey"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(50))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    definition: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    source_name: Mapped[str] = mapped_column(String(255), default="")
    """The file it was imported from (``torikumi.xlsx`` for a shipped one)."""
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    imported_by: Mapped[User | None] = relationship()

    @property
    def questionnaire(self) -> Questionnaire:
        """The definition, parsed once per process (the deferred bytes are loaded on a miss only)."""
        return registry.stored(self.key, self.version, self.fingerprint, self._definition)

    def _definition(self) -> bytes | None:
        return self.definition

    def lineage(self) -> Lineage:
        """The names each question had in every other stored version of this questionnaire
        (settings ``renamed`` followed across all of them, :mod:`forms.lineage`): one query for
        the versions' rows; their definitions and the lineage itself are worked out once per
        process (:func:`forms.registry.lineage_of`)."""
        session = object_session(self)
        if session is None:
            return registry.lineage_of([self.questionnaire])
        versions = session.scalars(
            select(Survey).where(Survey.key == self.key).order_by(Survey.version)
        )
        return registry.lineage_of([s.questionnaire for s in versions])


class QuestionnaireDraft(Base):
    """An uploaded definition waiting to be previewed and published (not yet a :class:`Survey`)."""

    __tablename__ = "questionnaire_draft"
    __table_args__ = ({"sqlite_autoincrement": True},)  # a discarded draft's number is never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(50))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    definition: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    source_name: Mapped[str] = mapped_column(String(255), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def questionnaire(self) -> Questionnaire:
        return registry.stored(self.key, self.version, self.fingerprint, lambda: self.definition)


class RoundState(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


ROUND_STATE_LABELS: dict[str, Label] = {
    RoundState.UPCOMING: Label("開始前", "Upcoming"),
    RoundState.OPEN: Label("受付中", "Open"),
    RoundState.CLOSED: Label("締切済み", "Closed"),
}
"""How a round's state reads to people: the pages (``state_label``) and ``hub round list``."""


class Round(Base):
    __tablename__ = "round"
    __table_args__ = ({"sqlite_autoincrement": True},)  # a removed round's number is never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    reference_date: Mapped[date]
    opens_at: Mapped[datetime]
    deadline: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    """Set when the round is closed (by staff, or by the scheduler once the deadline passed)."""
    invite: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Mail each municipality asked a request to answer (依頼メール) once the round opens."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    survey: Mapped[Survey] = relationship(lazy="joined")

    @property
    def questionnaire(self) -> Questionnaire:
        return self.survey.questionnaire

    def title_in(self, locale: str) -> str:
        """The title a page shows: one the hub gave (:func:`round_title`, stored in Japanese)
        in the page's language; one staff typed as they typed it."""
        if locale.startswith("ja"):
            return self.title
        title = self.questionnaire.title
        if self.title != round_title(title, self.reference_date):
            return self.title
        return round_title(title, self.reference_date, locale)

    def state_at(self, now: datetime) -> RoundState:
        return round_state(self.opens_at, self.closed_at, now)


def round_title(title: Label, reference_date: date, locale: str = "ja") -> str:
    """The title of a round staff gave none, the one shape of it: the questionnaire's title and
    the reference date, 「…取組状況調査（令和8年4月1日現在）」, "… survey (as of 2026-04-01)" in
    English. Stored in Japanese (mails, workbook); :meth:`Round.title_in` reads it in English."""
    if locale.startswith("en"):
        return f"{title.en} (as of {format_day(reference_date, 'en')})"
    return f"{title.ja}（{format_day(reference_date)}現在）"


def round_state(opens_at: datetime, closed_at: datetime | None, now: datetime) -> RoundState:
    """A round is closed once closed (by staff, or the scheduler after the deadline), upcoming
    before it opens, else open."""
    if closed_at is not None:
        return RoundState.CLOSED
    if now < opens_at:
        return RoundState.UPCOMING
    return RoundState.OPEN


class ResponseState(StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"


EDITABLE: tuple[ResponseState, ...] = (ResponseState.NOT_STARTED, ResponseState.DRAFT)
"""States in which a response's answers may still change (a respondent, staff or an upload)."""
COUNTED: tuple[ResponseState, ...] = (ResponseState.SUBMITTED, ResponseState.ACCEPTED)
"""States whose answers the aggregated tables count, and that "n/62 submitted" counts."""

RESPONSE_STATE_LABELS: dict[str, Label] = {
    ResponseState.NOT_STARTED: Label("未着手", "Not started"),
    ResponseState.DRAFT: Label("一時保存（未提出）", "Saved as draft (not submitted)"),
    ResponseState.SUBMITTED: Label("提出済み", "Submitted"),
    ResponseState.ACCEPTED: Label("受理済み", "Accepted"),
}
"""How each state reads to people, in pages, workbooks and e-mails alike (the one table)."""

RETURNED = "returned"
"""Not a stored state: a draft that staff sent back with a reason. It is a draft again, but
pages, mails, workbooks and counts show it as 差し戻し, apart from the other drafts."""

SHOWN_STATES: tuple[str, ...] = (
    ResponseState.NOT_STARTED.value,
    ResponseState.DRAFT.value,
    RETURNED,
    ResponseState.SUBMITTED.value,
    ResponseState.ACCEPTED.value,
)
"""The states as people see and count them, in the life-cycle order."""

RETURNED_LABEL = Label("差し戻し", "Returned")
SHOWN_STATE_LABELS: dict[str, Label] = {
    state: RETURNED_LABEL if state == RETURNED else RESPONSE_STATE_LABELS[state]
    for state in SHOWN_STATES
}


def shown_state(state: str, *, returned: bool) -> str:
    """How a response's state shows: ``returned`` (it carries a return reason) makes a draft
    :data:`RETURNED`."""
    return RETURNED if returned and state == ResponseState.DRAFT else state


def response_state_label(state: str, *, returned: bool) -> Label:
    """How a response's state reads (the municipality reads 差し戻し wherever it reads its
    state once staff sent its answer back)."""
    return SHOWN_STATE_LABELS[shown_state(state, returned=returned)]


REVISION_EVENT_LABELS: dict[str, Label] = {
    "saved": Label("一時保存", "Saved as draft"),
    "submitted": Label("提出", "Submitted"),
    "resubmitted": Label("再提出", "Resubmitted"),
    "uploaded": Label("Excelから取り込み", "Uploaded from Excel"),
    "saved_on_behalf": Label(
        "東京都が代理入力（一時保存）", "Entered on the municipality's behalf"
    ),
    "submitted_on_behalf": Label(
        "東京都が代理入力（提出）", "Submitted on the municipality's behalf"
    ),
    "resubmitted_on_behalf": Label(
        "東京都が代理入力（再提出）", "Resubmitted on the municipality's behalf"
    ),
    "uploaded_on_behalf": Label(
        "東京都が代理入力（Excelから取り込み）", "Uploaded from Excel on the municipality's behalf"
    ),
    "returned": Label("東京都が差し戻し", "Returned by the Tokyo Metropolitan Government"),
    "accepted": Label("東京都が受理", "Accepted by the Tokyo Metropolitan Government"),
    "unaccepted": Label(
        "東京都が受理を取り消し", "Acceptance withdrawn by the Tokyo Metropolitan Government"
    ),
}
"""What one revision was, as pages say it (the one table; :func:`revision_event` picks the key,
:func:`history_events` the ``resubmitted`` ones a history shows)."""

ANSWERING = ("save", "submit")
"""The actions that write answers — a save, a submit, an Excel upload, 代理入力 —: whoever did the
last of them that changed the answers entered them as they stand
(:attr:`Response.answers_entered`), whoever returned or accepted them, or saved or submitted
them unchanged (都 staff submitting a municipality's draft on its behalf), since. While none
changed them (a draft carried from the last round, submitted as it was), the first of them
(:func:`moves_answers_entered`)."""


def moves_answers_entered(*, changed: bool, entered_before: bool) -> bool:
    """Whether a write of answers (:data:`ANSWERING`) makes its author the one who entered them
    (:attr:`Response.answers_entered_at` and its two columns, written by the change's one
    statement): when it changed an answer, or when no write did before it (the first write
    counts while none changed them). Migration 0021 filled the columns from the revisions by the
    same rule."""
    return changed or not entered_before


ANSWERS_ENTERED_BY = Label("最終入力者", "Answers last entered by")
ANSWERS_ENTERED_AT = Label("最終入力日時", "Answers last entered at")
"""The columns of who last entered or changed the answers, and when, as the workbook's 提出状況
and the progress board head them (the one wording)."""


@dataclass(frozen=True)
class Entered:
    """Who last entered or changed a response's answers, and when (:data:`ANSWERING`)."""

    at: datetime
    by: str | None
    """The person, as pages name people (personal data); ``None`` for a change no account made."""
    on_behalf: bool
    """Entered by 都 staff on the municipality's behalf (代理入力)."""


_EVENTS_BY_ACTION = {
    "save": "saved",
    "submit": "submitted",
    "return": "returned",
    "accept": "accepted",
    "unaccept": "unaccepted",
}


def revision_event(action: str, source: str, on_behalf: bool, *, after_return: bool = False) -> str:
    """What happened in a revision: saved or submitted by the municipality, entered on its behalf,
    uploaded from Excel, returned or accepted. Only writing answers can be on the municipality's
    behalf; a return or an acceptance is 都's own act, whoever the revision says did it.
    ``after_return``: the last submit or return before it was a return, which makes a submit a
    resubmission (``resubmitted``, as pages say it; the API's ``event`` never passes it)."""
    event = _EVENTS_BY_ACTION.get(action, action)
    if action == "save" and source == "excel":
        event = "uploaded"
    if on_behalf and action in ANSWERING:
        event += "_on_behalf"
    if after_return and action == "submit":
        event = "re" + event
    return event


def history_events(revisions: Iterable[Revision]) -> dict[int, str]:
    """What each revision of one response did, as its history says it, by revision number: a
    submit that follows a return (with saves between them or not) is a resubmission
    (``resubmitted``, ``resubmitted_on_behalf``). Read from the revisions alone; the revision's own
    :attr:`Revision.event` — the API's ``event`` — stays ``submitted``."""
    events: dict[int, str] = {}
    returned = False
    for revision in sorted(revisions, key=lambda r: r.number):
        events[revision.number] = revision_event(
            revision.action, revision.source, revision.on_behalf, after_return=returned
        )
        if revision.action in _DECISIVE:
            returned = revision.action == "return"
    return events


_DECISIVE = ("submit", "return")
"""The actions that decide whether a submit is a resubmission: the last of them before it."""


def after_return_sql(response_id: Any, number: Any) -> ColumnElement[bool]:
    """:func:`history_events`' rule in SQL: whether the last submit or return of response
    ``response_id`` before its revision ``number`` (values, or columns of an enclosing query,
    which the subquery correlates to) was a return. One subquery, read in the statement that
    asks, so a list of responses (the progress board) adds no query per row."""
    earlier = aliased(Revision)
    last = (
        select(earlier.action)
        .where(
            earlier.response_id == response_id,
            earlier.number < number,
            earlier.action.in_(_DECISIVE),
        )
        .order_by(earlier.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(last == "return", false())


class Response(Base):
    """One municipality's answer to one round; ``version`` counts saves (optimistic locking)."""

    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("round_id", "municipality_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=ResponseState.NOT_STARTED, index=True)
    version: Mapped[int] = mapped_column(default=0)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prefilled_from_id: Mapped[int | None] = mapped_column(ForeignKey("response.id"))
    return_reason: Mapped[str | None] = mapped_column(Text)
    extension_until: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_on_behalf: Mapped[bool] = mapped_column(default=False)
    answers_entered_at: Mapped[datetime | None]
    """When the answers were last entered or changed (:func:`moves_answers_entered`): kept on
    the row by every change that writes answers, so that no reader looks for the revision."""
    answers_entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answers_entered_on_behalf: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Those answers were entered by 都 staff on the municipality's behalf (代理入力)."""

    __mapper_args__ = {  # noqa: RUF012  (SQLAlchemy reads it as a plain class attribute)
        "version_id_col": version,
        "version_id_generator": False,
    }

    round: Mapped[Round] = relationship(lazy="joined")
    municipality: Mapped[Municipality] = relationship(lazy="joined")
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    answers_entered_by: Mapped[User | None] = relationship(foreign_keys=[answers_entered_by_id])
    latest_revision: Mapped[Revision | None] = relationship(
        primaryjoin="and_(Response.id == foreign(Revision.response_id), "
        "Response.version == foreign(Revision.number))",
        viewonly=True,
        uselist=False,
    )
    """The revision that made the response what it is now (its number is the version)."""

    @property
    def latest_event(self) -> str | None:
        """What :attr:`latest_revision` did, as the history says it (``resubmitted`` for a submit
        after a return: one more query, for a submit only); ``None`` before any change."""
        latest = self.latest_revision
        if latest is None:
            return None
        after_return = False
        session = object_session(self)
        if latest.action == "submit" and session is not None:
            after_return = bool(session.scalar(select(after_return_sql(self.id, latest.number))))
        return revision_event(
            latest.action, latest.source, latest.on_behalf, after_return=after_return
        )

    def deadline_for(self) -> datetime:
        return deadline_of(self.round.deadline, self.extension_until)

    @property
    def municipality_name(self) -> str:
        return self.municipality.name

    @property
    def updated_by_label(self) -> str | None:
        """Who changed it last, as pages name people (``None`` before anyone did): also who
        accepted or returned it."""
        return self.updated_by.label if self.updated_by else None

    @property
    def answers_entered(self) -> Entered | None:
        """Who last entered or changed the answers, when (``None`` while no one has; the person
        is loaded on first use): unlike :attr:`updated_by_label`, an acceptance or a return
        leaves it as it was."""
        if self.answers_entered_at is None:
            return None
        enterer = self.answers_entered_by
        return Entered(
            self.answers_entered_at,
            enterer.label if enterer is not None else None,
            self.answers_entered_on_behalf,
        )


def shown_state_sql() -> ColumnElement[str]:
    """:func:`shown_state` in SQL, over ``response``'s columns: what counts and filters group by."""
    return case(
        (
            and_(Response.state == ResponseState.DRAFT, Response.return_reason.is_not(None)),
            RETURNED,
        ),
        else_=Response.state,
    )


def deadline_of(round_deadline: datetime, extension_until: datetime | None) -> datetime:
    """A municipality's deadline: the round's, or its extension when that is later."""
    if extension_until and extension_until > round_deadline:
        return extension_until
    return round_deadline


class Revision(Base):
    """An immutable record of one change to a response: who, when, what, and why."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("response_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    number: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, Any]]
    changes: Mapped[dict[str, Any]]
    """``{question_id: [before, after]}`` against the previous revision."""
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default="web")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    on_behalf: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")

    @property
    def event(self) -> str:
        """What happened (a key of :data:`REVISION_EVENT_LABELS`)."""
        return revision_event(self.action, self.source, self.on_behalf)


class ResponseChoice(Base):
    """The chosen codes of every choice question, one row each, so that counts are SQL GROUP BYs."""

    __tablename__ = "response_choice"
    __table_args__ = (Index("ix_response_choice_question_code", "question_id", "code"),)

    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)


class SummaryNote(Base):
    """A 備考 staff wrote for one row of a round's summary tables: a choice of a question."""

    __tablename__ = "summary_note"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("round.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    note: Mapped[str] = mapped_column(Text)
    """Free text as typed (Japanese typography kept); shown in 集計, the summary and deliveries."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
