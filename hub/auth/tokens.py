"""API tokens: made once, shown once, recognized by their SHA-256 (the token itself is never stored)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload, load_only

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
    return db.session.scalar(_USER_BY_TOKEN, {"token_hash": token_hash(token)})


_USER_BY_TOKEN = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        User.active.is_(True),
    )
    .options(
        load_only(
            User.email,
            User.display_name,
            User.organisation,
            User.role,
            User.municipality_code,
            User.recipient_name,
            User.active,
            User.must_change_password,
        ),
        lazyload(User.municipality),
        lazyload(User.recipient),
    )
)
"""The one query of every API request: the user row alone, found by the token's unique hash,
with the columns the gate, the policy and a response's ``updated_by`` read (the password hash,
the telephone number and the session's columns load only if some view reads them). Built once;
the user's municipality and recipient load only if used (from the session when the request has
already loaded them)."""
