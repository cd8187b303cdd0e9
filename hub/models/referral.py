"""つなぎ: a person referred, with consent, from 都's desk or 東京保護観察所 to a municipal window.

Personal fields (the person, the summary, the scope of the person's consent, the window's notes
and decline reasons) are stored only as AES-GCM ciphertexts (``*_sealed`` columns, written and
read by ``hub.services.referrals``); erasing them (consent withdrawn, retention) sets them to
NULL and keeps the case, its needs, status, outcome and dates, so the counts stay. Codes and their
labels are defined once here.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forms.model import Label
from hub.db import Base, utcnow
from hub.models.municipality import Municipality
from hub.models.user import User


class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"


REFERRAL_STATUS_LABELS: dict[str, Label] = {
    ReferralStatus.SENT: Label("依頼中（未受理）", "Sent (not yet accepted)"),
    ReferralStatus.ACCEPTED: Label("受理・支援中", "Accepted, in progress"),
    ReferralStatus.DECLINED: Label(
        "受理できず（つなぎ先の変更待ち）", "Declined (to be re-routed)"
    ),
    ReferralStatus.CLOSED: Label("終了", "Closed"),
}

NEEDS: dict[str, Label] = {
    "employment": Label("就労", "Employment"),
    "housing": Label("住居", "Housing"),
    "elderly_welfare": Label("高齢福祉", "Welfare for older people"),
    "disability_welfare": Label("障害福祉", "Disability welfare"),
    "livelihood": Label("生活困窮", "Financial hardship"),
    "medical": Label("医療・依存症", "Medical care and addiction"),
    "family": Label("家族関係", "Family relations"),
    "other": Label("その他", "Other"),
}

OUTCOMES: dict[str, Label] = {
    "connected": Label("支援につながった", "Connected to support"),
    "declined_by_person": Label("本人辞退", "Declined by the person"),
    "unreachable": Label("連絡不能", "Unreachable"),
    "moved": Label("転出", "Moved away"),
    "other": Label("その他", "Other"),
}

CONTACT_METHODS: dict[str, Label] = {
    "phone": Label("電話", "Phone"),
    "visit": Label("来所", "Visit to the window"),
    "home_visit": Label("訪問", "Home visit"),
    "letter": Label("郵送", "Letter"),
    "email": Label("メール", "E-mail"),
    "other": Label("その他", "Other"),
}

REFERRER_STAFF = "staff"
"""``Referral.referrer``: 都's desk; otherwise the counterpart's recipient name."""


class Referral(Base):
    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_window_due", "municipality_code", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    """The receiving municipality (its window users see the referral)."""
    referrer: Mapped[str] = mapped_column(String(40), index=True)
    """``staff`` (都's desk) or the counterpart's recipient name (``tokyo-probation``)."""
    status: Mapped[str] = mapped_column(String(20), default=ReferralStatus.SENT)
    needs: Mapped[list[str]] = mapped_column(default=list)
    fiscal_year: Mapped[int] = mapped_column(index=True)
    consent_obtained_on: Mapped[date]
    consent_obtained_by: Mapped[str] = mapped_column(String(100))
    consent_scope_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    """What the person agreed may be shared with whom (free text, at most 400 characters: people
    write names and family situations there), sealed on its own — a re-route replaces it without
    opening the person —; NULL once erased (migration 0020 sealed the plain ``consent_scope``)."""
    person_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The person (name, kana, birth year or age band, phone, address), the needs' free text and
    the summary, as one sealed JSON object; NULL once erased."""
    outcome: Mapped[str | None] = mapped_column(String(30))
    next_follow_up: Mapped[date | None]
    follow_up_reminded_on: Mapped[date | None]
    """The follow-up date the window was last reminded of (each overdue date is mailed once)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    """When the current municipality received it (re-routing starts the clock again)."""
    accepted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]
    erased_because: Mapped[str | None] = mapped_column(String(20))
    """``withdrawn`` (consent withdrawn) or ``retention``."""
    late_flagged_at: Mapped[datetime | None]
    """When the referrer was told that it was not accepted within 5 working days."""
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    """The key of the page form that made it (``hub.referrals.views.new``, ``<user id>:<key>``):
    the same form sent twice leads here instead of making another referral; or, for the API's,
    ``api:<digest of user id and Idempotency-Key>:<HMAC of the body>`` (the HMAC dropped when
    the personal data is erased), so that a retry makes none either
    (:class:`hub.services.referrals.lifecycle.Idempotency`). ``None`` when neither was sent."""

    municipality: Mapped[Municipality] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(lazy="joined")
    events: Mapped[list[ReferralEvent]] = relationship(
        cascade="all, delete-orphan", order_by="ReferralEvent.id", lazy="selectin"
    )

    @property
    def erased(self) -> bool:
        return self.erased_at is not None


class ReferralEvent(Base):
    """One step of the life cycle (a revision): who, when, what. Notes and reasons are sealed."""

    __tablename__ = "referral_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(30))
    """sent, accepted, declined, consent_reconfirmed (the person agreed to a new municipality,
    recorded just before its ``rerouted``), rerouted, contact, closed, consent_withdrawn, erased."""
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    municipality_code: Mapped[str | None] = mapped_column(String(6))
    contact_on: Mapped[date | None]
    method: Mapped[str | None] = mapped_column(String(20))
    next_follow_up: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(String(30))
    text_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The window's note or decline reason; NULL once erased."""

    user: Mapped[User | None] = relationship(lazy="joined")


class ReferralRead(Base):
    """A read of a referral's personal data: who, when, which fields, how (the access log)."""

    __tablename__ = "referral_read"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    fields: Mapped[str] = mapped_column(String(200))
    via: Mapped[str] = mapped_column(String(10))
    """``web``, ``api`` or ``cli``."""

    user: Mapped[User | None] = relationship(lazy="joined")
