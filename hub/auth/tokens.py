"""API tokens: made once, shown once, recognized by their SHA-256 (the token itself is never stored)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from hub.db import db
from hub.models import ApiToken, User

TOKEN_PREFIX = "hub_"  # noqa: S105  (a public prefix, not a secret)
MAX_TOKEN_LENGTH = 200


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or ``None``."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    api_token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )
    if api_token is None or not api_token.user.active:
        return None
    return api_token.user
