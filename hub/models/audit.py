"""The audit log: who did what, when, from where, and on whose behalf."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, utcnow
from hub.models.user import User

ROUND_REMOVED = "round.remove"
"""The action recorded when a round opened by mistake is taken back: the round is deleted, and
this row is what remains of it (an upload of its template reads it)."""


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    municipality_code: Mapped[str | None] = mapped_column(String(6), index=True)
    on_behalf: Mapped[bool] = mapped_column(default=False)
    """True when staff acted on a municipality's response (代理入力)."""
    address: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    user: Mapped[User | None] = relationship(lazy="joined")
