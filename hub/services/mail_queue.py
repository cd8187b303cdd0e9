"""Mails to municipalities queued by the scheduler, a page, the API or a command, and sent by
the scheduler.

The scheduler's ``reminders`` job queues the request to answer and the reminders
(:mod:`hub.services.reminders`). A page that returns forty responses, moves the deadline of
1,741 municipalities or chases every late one (督促) cannot send that many mails inside a web
request. It queues one row per municipality in the transaction of the change — a change rolled
back queues nothing. The ``mail.queue`` job sends them all within a minute over one
connection. Each goes once: a sender leases a row with an UPDATE only one process can win, and
marks it sent after the mail went (a sender killed between the mail server's acceptance and that
mark leaves the row to go again once its lease ends). A refused mail is tried again after a
pause that doubles each time, until :data:`ATTEMPTS` tries; then it is given up, and the board
names the municipality so that staff phone it. A mail that waits for the offices to open (the
scheduler's reminders, ``office_hours``) goes only while they are: its next try after a refusal,
an unreachable server or a crashed sender's lease that would fall on a closed day or before the
opening waits for the next opening (:func:`forms.tokyo.next_opening`); the mails a person chose to
send at once — 督促, a return, a new deadline — and the request to answer keep their pauses. A
mail that asks the municipality to submit is dropped if it has by then. The addresses are read when the mail goes, so an account added or
deactivated meanwhile counts; so is their language: a mail is one mail to all the municipality's
respondents, in Japanese, with its English after it when any of them chose English; the row keeps
the addresses it went to, for the response's page.
Each mail sent is audited with codes and counts only; the housekeeping forgets sent rows (and
their addresses) after :data:`KEEP_SENT`.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_, delete, select, update

from exports.channels import ChannelError
from exports.channels.smtp import MailServerUnavailable, MailSession
from forms.tokyo import next_opening, office_open
from hub.config import office_days
from hub.db import db, utcnow
from hub.models import EDITABLE, OutgoingMail, Response, User
from hub.services import audit
from hub.services.deliveries import worded_error
from hub.services.mails import as_sent, respondents_of

log = logging.getLogger(__name__)

ATTEMPTS = 8
"""Tries before a mail is given up: pauses of 1, 2, 4 … 64 minutes, about two hours in all."""
LEASE = timedelta(minutes=10)
"""How long a sender holds a row it is sending (a crashed sender's rows go again after it)."""
BATCH = 2000
"""Rows one run looks at: more than a nation's municipalities."""
KEEP_SENT = timedelta(days=90)
"""How long a sent mail's row is kept; the audit log keeps that it went (``about``)."""


def queue(
    round_id: int,
    municipality_code: str,
    subject: str,
    body: str,
    *,
    about: str,
    until_submitted: bool = False,
    office_hours: bool = False,
    at: datetime | None = None,
    subject_en: str | None = None,
    body_en: str | None = None,
) -> None:
    """Queue one mail about ``round_id`` to a municipality's respondents (the caller commits it
    with its change). ``until_submitted``: it asks them to submit, and is dropped instead of sent
    if they have by the time it would go (a mail server down for an hour would otherwise deliver
    「まだ提出されていません」 after the answer came). ``office_hours``: it goes only while the
    offices are open, a retry too (the scheduler's reminders). ``at``: the moment it is queued
    (the scheduler's run; default now). ``subject_en`` and ``body_en``: the same in English
    (without the closing lines), added after the Japanese when one of the respondents chose
    English."""
    at = at or utcnow()
    db.session.add(
        OutgoingMail(
            about=about,
            round_id=round_id,
            municipality_code=municipality_code,
            subject=subject,
            body=body,
            subject_en=subject_en,
            body_en=body_en,
            until_submitted=until_submitted,
            office_hours=office_hours,
            created_at=at,
            not_before=at,
        )
    )


@dataclass(frozen=True)
class Sent:
    mail_id: int
    municipality_code: str
    sent: bool
    error: str | None = None
    dropped: bool = False
    """Not sent, and never will be: it asked to submit, and the municipality has."""


def send_due(now: datetime) -> list[Sent]:
    """Send every queued mail that is due; stop at a mail server that cannot be reached (the
    rest wait for the next run)."""
    settings = current_app.extensions["hub_settings"]
    if not settings.smtp_url:
        log.info("mail queue skipped: HUB_SMTP_URL is not set")
        return []
    waiting = [] if office_open(now, office_days()) else [OutgoingMail.office_hours.is_(False)]
    due = list(
        db.session.scalars(
            select(OutgoingMail.id)
            .where(
                OutgoingMail.sent_at.is_(None),
                OutgoingMail.given_up_at.is_(None),
                OutgoingMail.not_before <= now,
                *waiting,
            )
            .order_by(OutgoingMail.id)
            .limit(BATCH)
        )
    )
    db.session.commit()
    done: list[Sent] = []
    with MailSession(settings) as session:
        for mail_id in due:
            if not _lease(mail_id, now):
                continue
            outcome, failure = _send(session, mail_id, now)
            done.append(outcome)
            if isinstance(failure, MailServerUnavailable):
                break
    return done


def _lease(mail_id: int, now: datetime) -> bool:
    """Hold the row for :data:`LEASE`, counting an attempt; only one process wins it."""
    leased = db.session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.id == mail_id,
            OutgoingMail.sent_at.is_(None),
            OutgoingMail.given_up_at.is_(None),
            OutgoingMail.not_before <= now,
        )
        .values(not_before=now + LEASE, attempts=OutgoingMail.attempts + 1)
    )
    db.session.commit()
    return leased.rowcount == 1  # type: ignore[attr-defined]


def _send(session: MailSession, mail_id: int, now: datetime) -> tuple[Sent, ChannelError | None]:
    mail = db.session.get_one(OutgoingMail, mail_id)
    if mail.until_submitted and _submitted(mail):
        log.info("%s %s dropped: the municipality has submitted", mail.about, mail.id)
        dropped = Sent(mail_id, mail.municipality_code, False, dropped=True)
        db.session.delete(mail)
        db.session.commit()
        return dropped, None
    readers = respondents_of(mail.municipality_code)
    to = [reader.email for reader in readers]
    subject, body = as_sent(mail.subject, mail.body, mail.subject_en, mail.body_en, readers)
    try:
        if not to:
            raise ChannelError.saying("no_respondent_account", permanent=True)
        refused = session.send(to=to, subject=subject, body=body)
    except ChannelError as exc:
        log.warning("%s %s not sent: %s", mail.about, mail.id, exc.for_log)
        mail.error = exc.message[:500]
        mail.error_details = exc.as_data()
        if isinstance(exc, MailServerUnavailable):  # not this mail's fault: the next run, again
            mail.attempts -= 1
            mail.not_before = _next_try(mail, now + timedelta(minutes=1))
        elif mail.attempts >= ATTEMPTS or exc.permanent:
            mail.given_up_at = now
        else:
            mail.not_before = _next_try(mail, now + timedelta(minutes=2 ** (mail.attempts - 1)))
        db.session.commit()
        return Sent(mail_id, mail.municipality_code, False, mail.error), exc
    mail.sent_at = now
    mail.sent_to = [address for address in to if address not in refused]
    mail.error = mail.error_details = None
    if refused:  # it went, but not to every respondent: the response's page says to whom not
        log.warning("%s %s: %s of its addresses refused", mail.about, mail.id, len(refused))
        partly = ChannelError.saying("addresses_refused", addresses=list(refused), replies=refused)
        mail.error, mail.error_details = partly.message[:500], partly.as_data()
    audit.record(
        mail.about,
        user=None,
        target=f"round/{mail.round_id}",
        municipality_code=mail.municipality_code,
        recipients=len(to),
    )
    db.session.commit()
    return Sent(mail_id, mail.municipality_code, True), None


def _next_try(mail: OutgoingMail, after_pause: datetime) -> datetime:
    """When a mail not sent is tried again: after its pause, or — one that waits for the offices
    (``office_hours``) when that falls while they are closed — at their next opening."""
    return next_opening(after_pause, office_days()) if mail.office_hours else after_pause


def _submitted(mail: OutgoingMail) -> bool:
    state = db.session.scalar(
        select(Response.state).where(
            Response.round_id == mail.round_id,
            Response.municipality_code == mail.municipality_code,
        )
    )
    return state is not None and state not in EDITABLE


def prune(now: datetime) -> int:
    """Forget the mails sent more than :data:`KEEP_SENT` ago (the hourly housekeeping): a hub
    run for years does not keep every text it ever sent. Waiting and given-up mails stay."""
    gone = db.session.execute(delete(OutgoingMail).where(OutgoingMail.sent_at < now - KEEP_SENT))
    return int(gone.rowcount)  # type: ignore[attr-defined]


def retry_given_up(
    round_id: int, codes: set[str], now: datetime, *, user: User | None
) -> list[str]:
    """Queue again the given-up mails of ``round_id`` to ``codes`` (an address mended, a mail
    server that refused for a day): each gets its tries anew. Audited (``mail.retry``) with the
    codes requeued, which it returns."""
    again = db.session.scalars(
        update(OutgoingMail)
        .where(_given_up_to(round_id, codes))
        .values(given_up_at=None, attempts=0, not_before=now, error=None, error_details=None)
        .returning(OutgoingMail.municipality_code)
    ).all()
    done = sorted(set(again))
    audit.record("mail.retry", user=user, target=f"round/{round_id}", codes=done)
    return done


def dismiss_given_up(round_id: int, codes: set[str], *, user: User | None) -> list[str]:
    """Forget the given-up mails of ``round_id`` to ``codes``: staff told them otherwise, and the
    board stops naming them. Audited (``mail.dismiss``) with the codes, which it returns."""
    gone = db.session.scalars(
        delete(OutgoingMail)
        .where(_given_up_to(round_id, codes))
        .returning(OutgoingMail.municipality_code)
    ).all()
    done = sorted(set(gone))
    audit.record("mail.dismiss", user=user, target=f"round/{round_id}", codes=done)
    return done


def _given_up_to(round_id: int, codes: set[str]) -> ColumnElement[bool]:
    return and_(
        OutgoingMail.round_id == round_id,
        OutgoingMail.given_up_at.is_not(None),
        OutgoingMail.sent_at.is_(None),
        OutgoingMail.municipality_code.in_(codes),
    )


@dataclass(frozen=True)
class RoundMail:
    """The queued mails of a round, for its board."""

    waiting: int
    given_up: dict[str, str]
    """Municipality code → why its mail was given up (the latest such mail), in the page's
    language (:func:`hub.services.deliveries.worded_error`), naming no address: the board names
    municipalities; the response's page lists the addresses."""


def of_round(round_id: int) -> RoundMail:
    rows = db.session.execute(
        select(
            OutgoingMail.municipality_code,
            OutgoingMail.given_up_at,
            OutgoingMail.error,
            OutgoingMail.error_details,
        )
        .where(OutgoingMail.round_id == round_id, OutgoingMail.sent_at.is_(None))
        .order_by(OutgoingMail.id)
    ).all()
    waiting = Counter(row.given_up_at is None for row in rows)[True]
    given_up = {
        row.municipality_code: worded_error(row.error, row.error_details, addresses=False)
        for row in rows
        if row.given_up_at
    }
    return RoundMail(waiting, given_up)
