"""Consultation-desk cases (犯罪お悩みなんでも相談) and hearings (聞き取り). No names or contacts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, utcnow


class Consultation(Base):
    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_on: Mapped[date]
    fiscal_year: Mapped[int] = mapped_column(index=True)
    """年度: April to March, named by the calendar year it starts in."""
    channel: Mapped[str] = mapped_column(String(20))
    age_group: Mapped[str] = mapped_column(String(20))
    caller: Mapped[str] = mapped_column(String(20))
    crime_related: Mapped[bool]
    crime_type: Mapped[str | None] = mapped_column(String(30))
    municipality_code: Mapped[str | None] = mapped_column(
        ForeignKey("municipality.code"), index=True
    )
    source: Mapped[str] = mapped_column(String(20), default="web")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    referrals: Mapped[list[ConsultationReferral]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def referred_to(self) -> list[str]:
        return [r.code for r in self.referrals]


class ConsultationReferral(Base):
    """One agency a case was referred to (紹介した支援機関), one row each for SQL counts."""

    __tablename__ = "consultation_referral"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)


class Hearing(Base):
    __tablename__ = "hearing"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    held_on: Mapped[date]
    department: Mapped[str] = mapped_column(String(200), default="")
    topics: Mapped[list[str]] = mapped_column(default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
