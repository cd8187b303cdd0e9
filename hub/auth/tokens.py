"""API tokens: made once, shown once, recognized by their SHA-256 (the token itself is never stored)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from flask import Response, after_this_request, has_request_context
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import lazyload, load_only

from hub.db import db, utcnow
from hub.models import ApiToken, User

log = logging.getLogger(__name__)

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
    found = db.session.execute(_USER_BY_TOKEN, {"token_hash": token_hash(token)}).first()
    if found is None:
        return None
    user, token_id, last_used_at = found
    _note_use(token_id, last_used_at)
    return user


LAST_USE_PRECISION = timedelta(hours=1)
"""How exact a token's 最終利用 is: a use is written when the last one written is older, so a
busy client costs one small write an hour, not one a request."""


def _note_use(token_id: int, last_used_at: datetime | None) -> None:
    """Record that the token was used now, at :data:`LAST_USE_PRECISION`, in a transaction of its
    own (a GET's request commits nothing, a refused one rolls back: the use happened all the
    same), once the answer has gone: the client does not wait for that commit."""
    now = utcnow()
    engine = db.engine
    if (last_used_at is not None and now - last_used_at < LAST_USE_PRECISION) or engine is None:
        return

    def write() -> None:
        try:
            with engine.begin() as connection:
                connection.execute(
                    update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
                )
        except SQLAlchemyError:  # the database went away meanwhile: the next use writes it
            log.warning("token %s: its last use was not recorded", token_id)

    if not has_request_context():
        write()
        return

    @after_this_request
    def after_sent(response: Response) -> Response:
        response.call_on_close(write)
        return response


_USER_BY_TOKEN = (
    select(User, ApiToken.id, ApiToken.last_used_at)
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
"""The one query of every API request: the user row (with the token's id and last use), found by
the token's unique hash,
with the columns the gate, the policy and a response's ``updated_by`` read (the password hash,
the telephone number and the session's columns load only if some view reads them). Built once;
the user's municipality and recipient load only if used (from the session when the request has
already loaded them)."""
