"""People and systems that use the hub, and their API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forms.model import Label
from hub.db import Base, utcnow
from hub.models.municipality import Municipality

if TYPE_CHECKING:
    from hub.models.delivery import Recipient


TOKEN_DESCRIPTION_LENGTH = 200
"""The longest 用途 (description) an API token keeps."""


class Role(StrEnum):
    RESPONDENT = "respondent"
    STAFF = "staff"
    COUNTERPART = "counterpart"
    ADMIN = "admin"
    WINDOW = "window"
    """区市町村の相談窓口: bound to one municipality, receives its referrals (つなぎ)."""


ROLE_LABELS: dict[str, Label] = {
    Role.RESPONDENT: Label("回答者（区市町村）", "Respondent (municipality)"),
    Role.STAFF: Label("都職員", "Metropolitan staff"),
    Role.COUNTERPART: Label("連携先（国）", "Counterpart (national)"),
    Role.ADMIN: Label("システム管理者", "System administrator"),
    Role.WINDOW: Label("相談窓口（区市町村）", "Municipal window"),
}
"""How pages, the audit log and mails name each role, in either language."""


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="", server_default="")
    """The person's organisation and department (東京都 福祉局 生活福祉部, 千代田区 保健福祉部 …)."""
    phone: Mapped[str] = mapped_column(String(30), default="", server_default="")
    """A telephone number to reach them at work (the progress board shows it to staff)."""
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    municipality_code: Mapped[str | None] = mapped_column(
        ForeignKey("municipality.code"), index=True
    )
    recipient_name: Mapped[str | None] = mapped_column(ForeignKey("recipient.name"))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(10), default="ja")
    session_version: Mapped[int] = mapped_column(default=1)
    """Bumped on logout everywhere, password change and deactivation: old sessions stop working."""
    password_changed_at: Mapped[datetime | None]
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Set by an administrator's reset (and on accounts an administrator creates): the user must
    choose a new password before anything else, so the administrator never holds a working one."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipality: Mapped[Municipality | None] = relationship(lazy="joined")
    recipient: Mapped[Recipient | None] = relationship("Recipient", lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """The session id names the session version, so bumping it ends every old session."""
        return f"{self.id}:{self.session_version}"

    @property
    def label(self) -> str:
        """How pages name the person: 「山田 花子（千代田区 保健福祉部）」; the e-mail address only
        for an account that has neither a name nor an organisation."""
        return person_label(self.display_name, self.organisation, self.email)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


def person_label(name: str | None, organisation: str | None, email: str | None) -> str:
    """The one way a person is named: name and organisation, either alone, else the address."""
    if name and organisation:
        return f"{name}（{organisation}）"
    return name or organisation or email or ""


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    description: Mapped[str] = mapped_column(String(TOKEN_DESCRIPTION_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(Base):
    """Failed logins, kept for throttling that holds across worker processes."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
