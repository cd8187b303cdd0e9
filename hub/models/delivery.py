"""National counterparts (recipients), deliveries to them, and the scheduler's claimed job runs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, utcnow

if TYPE_CHECKING:
    from hub.models.survey import Round


class Recipient(Base):
    """A national counterpart and its delivery profile."""

    __tablename__ = "recipient"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20), default="outbox")
    address: Mapped[str] = mapped_column(String(500), default="")
    schedule: Mapped[str] = mapped_column(String(100), default="off")
    formats: Mapped[list[str]] = mapped_column(default=lambda: ["xlsx", "csv", "json"])
    tables: Mapped[list[str] | None]
    """Names of the aggregated tables to send; ``None`` means the default set."""
    include_detail: Mapped[bool] = mapped_column(default=False)
    """Whether per-municipality answers (never personal fields) are included."""
    csv_encoding: Mapped[str] = mapped_column(String(20), default="utf-8-sig")
    """How its CSV files are encoded: ``utf-8-sig`` (UTF-8 with a BOM) or ``cp932`` (Shift_JIS
    as Windows writes it, for systems that read nothing else)."""
    secret: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Delivery(Base):
    __tablename__ = "delivery"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    recipient_name: Mapped[str] = mapped_column(ForeignKey("recipient.name"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    files: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    """Why the last attempt failed — or, on a sent delivery, which addresses the mail server
    refused while it took the others — in Japanese, as the API's ``error`` says it."""
    error_details: Mapped[dict[str, Any] | None]
    """The same as data when the channel said it so (``says``, a key of
    :data:`exports.channels.words.CHANNEL_SAYINGS`, and what it names; migration 0014), worded
    when a page shows it, in the page's language; NULL for rows from before and for errors
    kept as text only."""
    forced: Mapped[bool] = mapped_column(default=False)
    correction_of_id: Mapped[str | None] = mapped_column(ForeignKey("delivery.id"))
    changes: Mapped[dict[str, Any] | None]
    location: Mapped[str | None] = mapped_column(String(500))
    trigger: Mapped[str] = mapped_column(String(50), default="manual")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    recipient: Mapped[Recipient] = relationship(lazy="joined")
    round: Mapped[Round | None] = relationship("Round", lazy="joined")


class DeliveryRequest(Base):
    """A staff "send now": a row the scheduler picks up, not a thread in the web worker."""

    __tablename__ = "delivery_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_name: Mapped[str] = mapped_column(ForeignKey("recipient.name"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"))
    force: Mapped[bool] = mapped_column(default=False)
    """「送信済みと同じ内容でも送る」: send even when the recipient already received this content
    for the round (else such a request sends nothing and says which delivery carried it)."""
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    picked_at: Mapped[datetime | None] = mapped_column(index=True)
    delivery_id: Mapped[str | None] = mapped_column(ForeignKey("delivery.id"))
    outcome: Mapped[str | None] = mapped_column(String(20))
    """What the scheduler's handling came to (``sent``, ``waiting``, ``refused`` …; see
    :mod:`hub.services.deliveries`); NULL until handled, so staff are told what became of it."""
    details: Mapped[dict[str, Any] | None]
    """What the outcome says, as data: ``says`` (which sentence, a key of
    :data:`hub.services.deliveries.SAYINGS`) and its parameters (the delivery's id, the place, the
    counts, a character cp932 cannot hold, what a channel said …), worded when a page shows it,
    in the page's language. Names tables, rows and characters, never a person."""
    message: Mapped[str | None] = mapped_column(Text)
    """The outcome as a finished Japanese sentence, on rows handled before ``details`` was kept
    (migration 0013): shown as stored. NULL on newer rows."""

    recipient: Mapped[Recipient] = relationship(lazy="joined")
    round: Mapped[Round | None] = relationship("Round", lazy="joined")
    delivery: Mapped[Delivery | None] = relationship(lazy="joined")


class JobRun(Base):
    """A claimed run of a scheduled job: the unique (job, slot) key lets exactly one process act."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(100))
    slot: Mapped[str] = mapped_column(String(100))
    owner: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None]
    """What the run found, as data (migration 0016): for a recipient's scheduled delivery
    (``deliveries:<name>``) the count of its rounds per outcome
    (:func:`hub.services.deliveries.look_result`); NULL for other jobs and older rows."""


class ReminderSent(Base):
    """One reminder point reached for one municipality in one round and deadline (the request to
    answer, or a reminder); never queued twice. A new deadline (an extension, or the round's
    deadline moved) has its points anew; ``deadline`` is NULL on rows from before it was kept,
    which count for any deadline."""

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("round_id", "municipality_code", "kind", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    kind: Mapped[str] = mapped_column(String(30))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipients: Mapped[list[str]] = mapped_column(default=list)
    deadline: Mapped[datetime | None]
    queued: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Its mail was queued (``outgoing_mail``, which tells whether it went); false on rows from
    before the queue, whose mail went at once (``sent_at``, to ``recipients``)."""


class OutgoingMail(Base):
    """A mail to a municipality's respondents about its response (the request to answer, a
    reminder, a return, a new deadline, a 督促), queued by the scheduler, a page, the API or a
    command and sent by the scheduler
    (:mod:`hub.services.mail_queue`). Its text names no person and
    holds no text anyone typed; the addresses are read when it goes, and kept with it once it
    went (``sent_to``, for the response's page)."""

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    about: Mapped[str] = mapped_column(String(50))
    """The audit action its sending is recorded as (``response.return_mail`` …)."""
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    subject_en: Mapped[str | None] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text)
    """The same in English (without the closing lines), added after the Japanese when one of the
    municipality's respondents chose English (:func:`hub.services.mails.with_english`); NULL on
    rows from before migration 0018, which go in Japanese only."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    not_before: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    """When it may be tried (next): its creation, a retry's pause, or the lease of a sender."""
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    sent_to: Mapped[list[str] | None]
    """The addresses it went to (read when it went); NULL until then, and on rows sent before
    they were kept."""
    given_up_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    """Why the last attempt failed, or which addresses the server refused while it took the
    mail for the others, in Japanese."""
    error_details: Mapped[dict[str, Any] | None]
    """The same as data (``says``, a key of :data:`exports.channels.words.CHANNEL_SAYINGS`, and
    what it names; migration 0015), worded when a page shows it, in the page's language
    (:func:`hub.services.mail_queue.mail_error`); NULL for rows from before and for errors kept
    as text only."""
    until_submitted: Mapped[bool] = mapped_column(default=False, server_default=false())
    """It asks the municipality to submit (督促, a return): dropped, not sent, once it has."""
    office_hours: Mapped[bool] = mapped_column(default=False, server_default=false())
    """It goes only while the offices are open, a retry too (the scheduler's reminders;
    migration 0018): ``forms.tokyo.office_open`` with the hub's ``HUB_OFFICE_OPENS`` and
    ``HUB_CLOSED_DAYS``."""
