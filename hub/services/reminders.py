"""The request to answer (依頼メール) once a round opens, and deadline reminders to the
municipalities that have not submitted, each queued once.

A round opened with ``invite`` mails each municipality asked, once, when it opens: what to
answer, by when and where (a due-soon reminder it already meets is not sent after it).

Two reminder points per municipality, round and deadline: ``due_soon`` (from ``days_before`` days
before its deadline until the deadline) and ``overdue`` (after it, for a fortnight). A new deadline
— an extension staff grant, or the round's deadline moved — has its own points: the municipality
is reminded of the new deadline as of the old. A point is claimed by inserting its unique
``reminder_sent`` row in the transaction that queues its mail; the ``mail.queue`` job sends it
as it sends every mail to a municipality (:mod:`hub.services.mail_queue`: tried again while the
mail server refuses, named on the board when given up, dropped once the municipality has
submitted). A municipality without a respondent account is left for the next run, as an account
may be added meanwhile. A municipality's deadline counts its extension, if staff granted one; a
round that staff closed before its deadline sends no reminders (nobody could act on them),
except to municipalities holding an extension.

The reminders are the scheduler's own mails, so they go only when the offices are open
(:func:`forms.tokyo.office_open`: an office day — no weekend, national holiday or 29 December to
3 January, no day 都 names in ``HUB_CLOSED_DAYS`` — from ``HUB_OFFICE_OPENS``, 8:30 Tokyo); a point
reached meanwhile waits for the next opening, and its mail, refused, is tried again only while
the offices are open (``mail_queue.queue(office_hours=True)``). A due-soon
point that would start on a closed day starts at the opening of the last office day before it (a
deadline on Tuesday is reminded of on the Friday before, one on Monday 4 January on Monday 28
December), so none is skipped and none comes on the deadline's own morning.
The request to answer goes when the round opens, at the time staff chose.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from forms.tokyo import (
    LONGEST_CLOSURE,
    format_datetime,
    format_day,
    in_tokyo,
    is_office_day,
    last_opening_before,
    office_open,
)
from hub.config import office_days
from hub.db import db, utcnow
from hub.errors import Invalid
from hub.models import (
    AuditEvent,
    Municipality,
    OutgoingMail,
    ReminderSent,
    Response,
    ResponseState,
    Round,
    User,
)
from hub.models.survey import deadline_of, response_state_label
from hub.services import audit, mail_queue
from hub.services.claims import insert_new
from hub.services.deliveries import worded_error
from hub.services.mails import (
    Addressee,
    addressed_to,
    as_sent,
    closing,
    in_language,
    link,
    locale_of,
    mail_configured,
    respondents,
)

log = logging.getLogger(__name__)

DUE_SOON, OVERDUE, INVITE = "due_soon", "overdue", "invite"
DAYS_BEFORE = 3
OVERDUE_WINDOW = timedelta(days=14)
"""Rounds whose deadline passed longer ago get no overdue reminder (say, after a long outage)."""
HELD_AT_MOST = timedelta(days=LONGEST_CLOSURE)
"""As long as the offices are ever closed in a row: how far a due-soon point can start before
its ``days_before`` (:func:`due_soon_from`)."""
PENDING = (ResponseState.NOT_STARTED, ResponseState.DRAFT)


SCHEDULED = {INVITE: "reminder.invite", DUE_SOON: "reminder.due_soon", OVERDUE: "reminder.overdue"}
"""The ``about`` of the scheduler's queued mails, by point: their audit action once they go."""
KIND_OF = {about: kind for kind, about in SCHEDULED.items()}
OFFICE_HOURS = frozenset({DUE_SOON, OVERDUE})
"""The points that wait for the offices to open (:func:`forms.tokyo.office_open`), and whose
mails, refused, are tried again only while they are open (``mail_queue.queue(office_hours=…)``);
the request to answer goes when the round opens, at the time staff chose."""


@dataclass(frozen=True)
class Reminder:
    round_id: int
    municipality_code: str
    kind: str
    to: tuple[str, ...]
    queued: bool
    error: str | None = None


def queue_reminders(
    now: datetime | None = None, *, days_before: int = DAYS_BEFORE
) -> list[Reminder]:
    """Queue the mail of every point reached and not yet queued — the request to answer, the
    reminders — for the ``mail.queue`` job to send; returns what was queued or left for the next
    run. Each point's ``reminder_sent`` row goes in with its mail, in one transaction."""
    now = now or utcnow()
    if not mail_configured():
        log.info("reminders skipped: HUB_SMTP_URL is not set")
        return []
    due = _due(now, timedelta(days=days_before))
    addresses = respondents(d.municipality_code for d in due)  # one query for the whole run
    reached = {d: tuple(a.email for a in addresses.get(d.municipality_code, ())) for d in due}
    claimed = _claim([d for d in due if reached[d]], reached, now)
    outcome = []
    for point in due:
        to = reached[point]
        if not to:  # tried again next run: an account may be added meanwhile
            outcome.append(Reminder(*point.key, (), queued=False, error=NO_ACCOUNT))
        elif point.key not in claimed:
            outcome.append(Reminder(*point.key, to, queued=False, error=CLAIMED_ELSEWHERE))
        else:
            subject, body = reminder_message(point.response, point.kind)
            subject_en, body_en = reminder_message(point.response, point.kind, english=True)
            mail_queue.queue(
                point.round_id,
                point.municipality_code,
                subject,
                body,
                about=SCHEDULED[point.kind],
                until_submitted=True,
                office_hours=point.kind in OFFICE_HOURS,
                at=now,
                subject_en=subject_en,
                body_en=body_en,
            )
            outcome.append(Reminder(*point.key, to, queued=True))
    db.session.commit()
    return outcome


def _claim(
    points: list[Due], reached: Mapping[Due, tuple[str, ...]], now: datetime
) -> set[tuple[Any, ...]]:
    """Insert the ``reminder_sent`` row of each point, in one statement; the keys of those that
    went in (another process's run has the others)."""
    return insert_new(
        ReminderSent,
        [
            {
                "round_id": d.round_id,
                "municipality_code": d.municipality_code,
                "kind": d.kind,
                "sent_at": now,
                "recipients": list(reached[d]),
                "deadline": d.response.deadline_for(),
                "queued": True,
            }
            for d in points
        ],
        ReminderSent.round_id,
        ReminderSent.municipality_code,
        ReminderSent.kind,
    )


NO_ACCOUNT = "回答者のアカウントがありません。"
CLAIMED_ELSEWHERE = "他のプロセスが送信を手配済みです。"


@dataclass(frozen=True)
class Due:
    """A reminder point reached and not yet queued."""

    response: Response = field(compare=False, repr=False)
    round_id: int
    municipality_code: str
    kind: str

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.round_id, self.municipality_code, self.kind)


def when_reminders_go() -> str:
    """When the scheduler's reminders go, in the page's language: said once, for the board and
    the page that moves a round's deadline (the hour the offices open, and the days 都 closes
    them on, as the hub is set: ``HUB_OFFICE_OPENS``, ``HUB_CLOSED_DAYS``)."""
    office = office_days()
    said = _(
        "提出していない区市町村には、提出期限の%(days)s日前（その日が土日・祝日・年末年始なら、"
        "その前の開庁日）と期限を過ぎたときに、お知らせメールを自動で送ります。"
        "土日・祝日・年末年始（12月29日〜1月3日）には送らず、次の開庁日の%(opens)s以降に送ります。",
        days=DAYS_BEFORE,
        opens=f"{office.opens.hour}:{office.opens.minute:02}",
    )
    if not office.closed:
        return said
    return _("%(said)s都が指定した閉庁日も、土日・祝日と同じように扱います。", said=said)


def reminder_kind(response: Response, now: datetime, lead: timedelta) -> str | None:
    """Which reminder point ``response`` has reached at ``now`` (``None``: none, or submitted)."""
    if response.state not in PENDING:
        return None
    deadline = response.deadline_for()
    closed_early = response.round.closed_at is not None and (
        response.round.closed_at < response.round.deadline
    )
    if closed_early and deadline <= response.round.deadline:
        return None
    if due_soon_from(deadline, lead) <= now < deadline:
        return DUE_SOON
    if deadline <= now < deadline + OVERDUE_WINDOW:
        return OVERDUE
    return None


def due_soon_from(deadline: datetime, lead: timedelta) -> datetime:
    """When the due-soon point of ``deadline`` starts: ``lead`` before it, or, when that day the
    offices are closed, at the opening of the last office day before — a reminder that would fall
    on a Saturday goes on the Friday, one in 年末年始 on 28 December, so that the municipality
    reads it with office days left before the deadline (waiting for the next opening instead gave
    a deadline of Monday 4 January 17:00 its reminder that very morning)."""
    start = deadline - lead
    office = office_days()
    if is_office_day(in_tokyo(start).date(), office):
        return start
    return last_opening_before(start, office)


def _due(now: datetime, lead: timedelta) -> list[Due]:
    candidates = list(
        db.session.scalars(
            select(Response)
            .join(Round, Round.id == Response.round_id)
            .join(Municipality, Municipality.code == Response.municipality_code)
            .where(
                Response.state.in_([str(s) for s in PENDING]),
                Municipality.existed_on(in_tokyo(now).date()),
                Round.opens_at <= now,
                or_(
                    and_(
                        Round.deadline <= now + lead + HELD_AT_MOST,
                        Round.deadline > now - OVERDUE_WINDOW,
                    ),
                    Response.extension_until.is_not(None),
                    and_(Round.invite.is_(True), Round.closed_at.is_(None)),
                ),
            )
            .options(contains_eager(Response.round), contains_eager(Response.municipality))
            .order_by(Response.round_id, Response.municipality_code)
        )
    )
    sent: dict[tuple[int, str, str], list[tuple[datetime | None, datetime]]] = {}
    for r, m, k, deadline, at in db.session.execute(
        select(
            ReminderSent.round_id,
            ReminderSent.municipality_code,
            ReminderSent.kind,
            ReminderSent.deadline,
            ReminderSent.sent_at,
        ).where(ReminderSent.round_id.in_({c.round_id for c in candidates}))
    ):
        sent.setdefault((r, m, k), []).append((deadline, at))
    due = []
    for response in candidates:
        kind = _point(response, now, lead, sent)
        if kind is not None:
            due.append(Due(response, response.round_id, response.municipality_code, kind))
    return due


def _point(
    response: Response,
    now: datetime,
    lead: timedelta,
    sent: Mapping[tuple[int, str, str], list[tuple[datetime | None, datetime]]],
) -> str | None:
    """The point ``response`` is due for now and was not sent: the request to answer first, once
    (a due-soon reminder it met is covered by it), then the reminders, once per deadline."""

    def rows(kind: str) -> list[tuple[datetime | None, datetime]]:
        return sent.get((response.round_id, response.municipality_code, kind), [])

    deadline = response.deadline_for()
    round_ = response.round
    if round_.invite and round_.closed_at is None and now < deadline and not rows(INVITE):
        return INVITE
    kind = reminder_kind(response, now, lead)
    if kind is None or any(d is None or d == deadline for d, _at in rows(kind)):
        return None
    if kind == DUE_SOON and any(
        d == deadline and at >= due_soon_from(deadline, lead) for d, at in rows(INVITE)
    ):
        return None
    if kind in OFFICE_HOURS and not office_open(now, office_days()):
        return None  # the point waits, unclaimed, for the offices to open
    return kind


def reminder_message(response: Response, kind: str, *, english: bool = False) -> tuple[str, str]:
    """The Japanese subject and body of one reminder (``english``: its English, without the
    closing lines, which the mail has once, after the Japanese)."""
    if kind == INVITE:
        return invitation(response, english=english)
    with in_language(english):
        locale = locale_of(english)
        title = response.round.title_in(locale)
        when = format_datetime(response.deadline_for(), locale)
        if kind == DUE_SOON:
            subject = _("【提出のお願い】%(title)s（締切 %(when)s）", title=title, when=when)
            lead = _(
                "「%(title)s」の提出期限は %(when)s です。まだ提出されていません。",
                title=title,
                when=when,
            )
            ask = _("期限までに回答を入力し、「提出」を押してください。")
        else:
            subject = _("【提出期限超過】%(title)s（締切 %(when)s）", title=title, when=when)
            lead = _(
                "「%(title)s」の提出期限（%(when)s）を過ぎましたが、まだ提出されていません。",
                title=title,
                when=when,
            )
            ask = _("期限の延長が必要な場合は、東京都の担当者にご相談ください。")
        state = response_state_label(response.state, returned=response.return_reason is not None)
        body = "\n".join(
            [
                *addressed_to(response, english),
                lead,
                _("現在の状態: %(state)s", state=state.en if english else state.ja),
                ask,
                "",
                _("回答画面（ログインが必要です）:"),
                link("respond.form", round_id=response.round_id, code=response.municipality_code),
                *(
                    [_("行き違いの場合はご容赦ください。")]
                    if english
                    else closing(note="行き違いの場合はご容赦ください。")
                ),
            ]
        )
        return subject, body + "\n"


def invitation(response: Response, *, english: bool = False) -> tuple[str, str]:
    """The Japanese subject and body of the request to answer (依頼メール) a round opening
    (``english``: as :func:`reminder_message`)."""
    with in_language(english):
        locale = locale_of(english)
        round_ = response.round
        title = round_.title_in(locale)
        when = format_datetime(response.deadline_for(), locale)
        lines = [
            *addressed_to(response, english),
            _("東京都から「%(title)s」への回答をお願いします。", title=title),
            _("基準日: %(day)s", day=format_day(round_.reference_date, locale)),
            _("提出期限: %(when)s", when=when),
        ]
        if response.prefilled_from_id is not None:
            lines.append(_("前回の調査で受理された回答が、あらかじめ入力されています。"))
        lines += [
            "",
            _(
                "回答画面（ログインが必要です。Excel で回答するときは、回答画面から回答用の Excel を"
                "ダウンロードできます）:"
            ),
            link("respond.form", round_id=response.round_id, code=response.municipality_code),
            *([] if english else closing()),
        ]
        subject = _("【回答のお願い】%(title)s（締切 %(when)s）", title=title, when=when)
        return subject, "\n".join(lines) + "\n"


# 督促: staff choose late municipalities on the board, preview the mails, then queue them: the
# scheduler's ``mail.queue`` job sends them within a minute (a page never waits for a mail
# server, whether it chases 3 municipalities or 1,741).


@dataclass(frozen=True)
class ChosenReminder:
    """One chosen municipality's reminder as previewed: to whom, and the mail it would get."""

    municipality_code: str
    municipality_name: str
    kind: str
    addressees: tuple[Addressee, ...]
    subject: str
    body: str
    last_reminded: datetime | None = None
    """When it was last reminded in this round (by the scheduler or by staff), if ever."""
    reminded_today: bool = False
    """Last reminded on the same calendar day in Tokyo as the preview: not sent again unless
    staff choose 「本日送信済みの団体にも再送する」."""
    subject_en: str = ""
    body_en: str = ""
    """The mail in English (without the closing lines, which it gets in English as it goes),
    added after the Japanese when one of the respondents chose English."""
    municipality_name_en: str = ""
    """The municipality's name in the English part of the mail."""

    @property
    def to(self) -> list[str]:
        return [a.email for a in self.addressees]

    def as_sent(self) -> tuple[str, str]:
        """The subject and body as the mail goes: with the English after the Japanese when one
        of the addressees chose English (:func:`hub.services.mails.as_sent`)."""
        return as_sent(self.subject, self.body, self.subject_en, self.body_en, self.addressees)


@dataclass(frozen=True)
class ChosenOutcome:
    queued: tuple[str, ...] = ()
    """Queued for the scheduler to send (``mail.queue``, within a minute)."""
    no_address: tuple[str, ...] = ()
    reminded_today: tuple[str, ...] = ()
    """Left out because they were already reminded today and staff did not choose to resend."""
    no_server: bool = False
    """``HUB_SMTP_URL`` is not set: nothing queued."""


MANUAL_SEND = "reminder.send"
"""The audit action of one reminder that staff chose on the board, recorded when the mail went,
and the ``about`` of its queued mail: with the scheduler's ``reminder_sent`` rows, the record of
who was reminded when."""


@dataclass(frozen=True)
class MailRecord:
    """One mail to a municipality about its response, for the response's page: what, when,
    and whether it went."""

    kind: str
    """``invite``, ``due_soon``, ``overdue`` (the scheduler's), or the ``about`` of another
    queued mail (``reminder.send``, ``response.return_mail``, ``round.deadline_mail``)."""
    at: datetime
    """When it went, or when it was queued."""
    state: str
    """``sent``, ``waiting`` or ``given_up``."""
    addresses: tuple[str, ...] | None = None
    """Whom a sent mail went to; ``None`` when not known (not sent yet, or sent before the
    addresses were kept)."""
    error: str | None = None
    """Why it failed, or which addresses the server refused, in the page's language
    (:func:`hub.services.deliveries.worded_error`)."""


def mails_to(round_id: int, municipality_code: str) -> list[MailRecord]:
    """Every mail to ``municipality_code`` about round ``round_id``, newest first: the queued
    mails (those sent more than ``mail_queue.KEEP_SENT`` ago are in the audit log only), and the
    scheduler's requests and reminders sent before they were queued."""
    records = [
        MailRecord(kind, at, "sent", tuple(to or ()))
        for kind, at, to in db.session.execute(
            select(ReminderSent.kind, ReminderSent.sent_at, ReminderSent.recipients).where(
                ReminderSent.round_id == round_id,
                ReminderSent.municipality_code == municipality_code,
                ReminderSent.queued.is_(False),
            )
        )
    ]
    for mail in db.session.scalars(
        select(OutgoingMail).where(
            OutgoingMail.round_id == round_id,
            OutgoingMail.municipality_code == municipality_code,
        )
    ):
        kind = KIND_OF.get(mail.about, mail.about)
        error = worded_error(mail.error, mail.error_details) if mail.error else None
        if mail.sent_at is not None:
            sent_to = tuple(mail.sent_to) if mail.sent_to is not None else None
            records.append(MailRecord(kind, mail.sent_at, "sent", sent_to, error=error))
        elif mail.given_up_at is not None:
            records.append(MailRecord(kind, mail.given_up_at, "given_up", error=error))
        else:
            records.append(MailRecord(kind, mail.created_at, "waiting", error=error))
    return sorted(records, key=lambda r: r.at, reverse=True)


def last_reminded(round_: Round) -> dict[str, datetime]:
    """When each municipality of ``round_`` was last reminded: its reminders in the queue, the
    scheduler's and those staff chose on the board (sent, or queued and not given up: one queued
    a minute ago counts as reminded), and the scheduler's sent before they were queued,
    whichever is later."""
    automatic = db.session.execute(
        select(ReminderSent.municipality_code, func.max(ReminderSent.sent_at))
        .where(
            ReminderSent.round_id == round_.id,
            ReminderSent.kind != INVITE,
            ReminderSent.queued.is_(False),
        )
        .group_by(ReminderSent.municipality_code)
    )
    queued = db.session.execute(
        select(OutgoingMail.municipality_code, func.max(OutgoingMail.created_at))
        .where(
            OutgoingMail.round_id == round_.id,
            OutgoingMail.about.in_([MANUAL_SEND, SCHEDULED[DUE_SOON], SCHEDULED[OVERDUE]]),
            OutgoingMail.given_up_at.is_(None),
        )
        .group_by(OutgoingMail.municipality_code)
    )
    sent_before_the_queue = db.session.execute(
        select(AuditEvent.municipality_code, func.max(AuditEvent.at))
        .where(
            AuditEvent.action == MANUAL_SEND,
            AuditEvent.target == f"round/{round_.id}",
            AuditEvent.municipality_code.is_not(None),
        )
        .group_by(AuditEvent.municipality_code)
    )
    last: dict[str, datetime] = {}
    for code, at in [*automatic, *queued, *sent_before_the_queue]:
        if code is not None and at is not None and (code not in last or at > last[code]):
            last[code] = at
    return last


def invited(round_: Round) -> int:
    """How many municipalities of ``round_`` its request to answer reached: those it was
    queued for, less those whose mail still waits or was given up (a sent mail's row is
    forgotten after ``mail_queue.KEEP_SENT``; an unsent one stays until staff dismiss it, having
    told the municipality otherwise)."""
    claimed = db.session.scalar(
        select(func.count())
        .select_from(ReminderSent)
        .where(ReminderSent.round_id == round_.id, ReminderSent.kind == INVITE)
    )
    unsent = db.session.scalar(
        select(func.count(func.distinct(OutgoingMail.municipality_code))).where(
            OutgoingMail.round_id == round_.id,
            OutgoingMail.about == SCHEDULED[INVITE],
            OutgoingMail.sent_at.is_(None),
        )
    )
    return (claimed or 0) - (unsent or 0)


def same_day(at: datetime, now: datetime) -> bool:
    """``at`` and ``now`` fall on the same calendar day in Tokyo."""
    return in_tokyo(at).date() == in_tokyo(now).date()


def is_late(response: Response, now: datetime, *, days_before: int = DAYS_BEFORE) -> bool:
    """Not submitted, and its deadline passed or is at most ``days_before`` days away."""
    return response.state in PENDING and _chase_due(response.deadline_for(), now, days_before)


def _chase_due(deadline: datetime, now: datetime, days_before: int = DAYS_BEFORE) -> bool:
    """A deadline passed, or at most ``days_before`` days away: when a municipality still to
    submit is late enough to chase."""
    return now >= deadline - timedelta(days=days_before)


def chosen_kind(response: Response, now: datetime) -> str:
    return OVERDUE if now >= response.deadline_for() else DUE_SOON


def late_codes(round_: Round, now: datetime) -> set[str]:
    """The municipalities of ``round_`` that staff may chase now: late, and still existing (a
    municipality retired while the round was open keeps its response but is not chased; the
    scheduled reminders leave it out too)."""
    pending = db.session.execute(
        select(Response.municipality_code, Response.extension_until)
        .join(Municipality, Municipality.code == Response.municipality_code)
        .where(_still_to_submit(round_, now))
    )
    # codes and dates only (no Response objects: 1,741 of them took 0.2 s on the board); the
    # same rule as is_late, whose state test _still_to_submit has made in SQL
    return {
        code
        for code, extension_until in pending
        if _chase_due(deadline_of(round_.deadline, extension_until), now)
    }


def _still_to_submit(round_: Round, now: datetime) -> ColumnElement[bool]:
    """The responses of ``round_`` not yet submitted, of municipalities that exist today (a
    municipality retired while the round was open is chased no more): joined with
    ``Municipality``."""
    return and_(
        Response.round_id == round_.id,
        Response.state.in_([str(s) for s in PENDING]),
        Municipality.existed_on(in_tokyo(now).date()),
    )


def unreachable(round_: Round) -> list[Municipality]:
    """The municipalities of ``round_`` still to submit that no mail reaches: no active
    respondent account (the request, reminders and 督促 wait for one), in code order."""
    pending = db.session.scalars(
        select(Municipality)
        .join(Response, Response.municipality_code == Municipality.code)
        .where(_still_to_submit(round_, utcnow()))
        .order_by(Municipality.code)
    ).all()
    reached = respondents(m.code for m in pending)
    return [m for m in pending if m.code not in reached]


NAME_SLOT = "〈団体名〉"
"""Where each municipality's name goes in a mail text shown once for many municipalities."""
CODE_SLOT = "〈団体コード〉"
"""Where each municipality's code goes (the link to its response page)."""


@dataclass(frozen=True)
class MailText:
    """One text that several chosen municipalities get, their name in ``NAME_SLOT``."""

    number: int
    subject: str
    body: str
    codes: tuple[str, ...]


def mail_texts(chosen: list[ChosenReminder]) -> list[MailText]:
    """The distinct mails of ``chosen`` (those with an addressee), each once, in order: the
    preview shows a text once for all the municipalities that get it (the round's deadline or an
    extension, the response's state and whether it is overdue make the differences), as it goes:
    with its English after the Japanese when a respondent of the municipality chose English."""
    groups: dict[tuple[str, str], list[str]] = {}
    for reminder in chosen:
        if not reminder.addressees:
            continue
        subject, body = reminder.as_sent()
        for name in filter(None, (reminder.municipality_name, reminder.municipality_name_en)):
            body = body.replace(name, NAME_SLOT)
        body = body.replace(reminder.municipality_code, CODE_SLOT)
        groups.setdefault((subject, body), []).append(reminder.municipality_code)
    return [
        MailText(number, subject, body, tuple(codes))
        for number, ((subject, body), codes) in enumerate(groups.items(), start=1)
    ]


def preview_chosen(round_: Round, codes: list[str], now: datetime) -> list[ChosenReminder]:
    """The reminders for the chosen late municipalities of ``round_`` (others are ignored)."""
    wanted = set(codes)
    last = last_reminded(round_)
    found = db.session.scalars(
        select(Response)
        .where(Response.round_id == round_.id, Response.municipality_code.in_(wanted))
        .options(joinedload(Response.municipality))
        .order_by(Response.municipality_code)
    ).all()
    addressees = respondents(r.municipality_code for r in found)
    chosen = []
    for response in found:
        if not is_late(response, now):
            continue
        kind = chosen_kind(response, now)
        subject, body = reminder_message(response, kind)
        subject_en, body_en = reminder_message(response, kind, english=True)
        chosen.append(
            ChosenReminder(
                municipality_code=response.municipality_code,
                municipality_name=response.municipality.name,
                kind=kind,
                addressees=addressees.get(response.municipality_code, ()),
                subject=subject,
                body=body,
                subject_en=subject_en,
                body_en=body_en,
                municipality_name_en=response.municipality.name_for(english=True),
                last_reminded=last.get(response.municipality_code),
                reminded_today=(
                    response.municipality_code in last
                    and same_day(last[response.municipality_code], now)
                ),
            )
        )
    return chosen


def nobody_to_chase(codes: list[str] | None) -> str:
    """Why a 督促 has nobody to go to: ``codes`` chosen (``None``: every late one asked for)."""
    if codes is None:
        return _(
            "督促の対象となる区市町村はありません（すべて提出済み、または期限まで日があります）。"
        )
    if codes:
        return _(
            "選んだ区市町村は督促の対象ではありません（提出済み、または期限まで日があります）。"
        )
    return _("督促メールを送る区市町村を選んでください。")


def chase(
    round_: Round, codes: list[str] | None, *, user: User | None, resend: bool = False
) -> ChosenOutcome:
    """督促 without a preview (the API and ``hub round remind``): queue the reminder of each of
    ``codes`` that is late (``None``: every late municipality), as the board's 送信する does.
    ``Invalid`` naming ``municipalities`` when none of them is late. The caller commits."""
    now = utcnow()
    hold_sending(round_)
    wanted = sorted(late_codes(round_, now)) if codes is None else codes
    chosen = preview_chosen(round_, wanted, now)
    if not chosen:
        raise Invalid({"municipalities": [nobody_to_chase(codes)]})
    return queue_chosen(round_, chosen, user=user, resend=resend)


def hold_sending(round_: Round) -> None:
    """Take the round's row lock until the transaction ends, before reading who was reminded
    today: two sends of the same round (a double click, two staff members) then run one after
    the other, and the second sees the mails the first queued and leaves those municipalities
    out. ``FOR NO KEY UPDATE``, not ``FOR UPDATE``: rows that only name the round (the
    scheduler's ``reminder_sent``, a delivery: a foreign key's ``KEY SHARE`` check) need not wait
    for it. PostgreSQL only; SQLite, the single-process embedded database, has no row locks."""
    locked = select(Round.id).where(Round.id == round_.id).with_for_update(key_share=True)
    db.session.execute(locked)


def queue_chosen(
    round_: Round, chosen: list[ChosenReminder], *, user: User | None, resend: bool = False
) -> ChosenOutcome:
    """Queue each previewed reminder for the scheduler to send (those without an address are
    skipped, and so are those already reminded today unless ``resend``); the whole action is
    audited with municipality codes only, and each mail again when it goes (:data:`MANUAL_SEND`).
    The caller commits, after :func:`hold_sending`."""
    if not mail_configured():
        return ChosenOutcome(no_server=True)
    queued: list[str] = []
    no_address: list[str] = []
    today: list[str] = []
    for reminder in chosen:
        code = reminder.municipality_code
        if reminder.reminded_today and not resend:
            today.append(code)
        elif not reminder.to:
            no_address.append(code)
        else:
            mail_queue.queue(
                round_.id,
                code,
                reminder.subject,
                reminder.body,
                about=MANUAL_SEND,
                until_submitted=True,
                subject_en=reminder.subject_en,
                body_en=reminder.body_en,
            )
            queued.append(code)
    audit.record(
        "reminder.chosen",
        user=user,
        target=f"round/{round_.id}",
        queued=sorted(queued),
        no_address=sorted(no_address),
        reminded_today=sorted(today),
        resend=resend,
    )
    return ChosenOutcome(tuple(queued), tuple(no_address), tuple(today))
