"""Login throttling that holds across gunicorn workers: failures are rows in ``login_attempt``.

Flask-Limiter's memory storage is per process and it has no SQL storage, so the hub counts
failed logins in its own database (as SecureDrop does). Limits: per account and per address,
over a sliding window. A throttled attempt is not counted, so the lock ends one window after
the last real failure; a success clears the account's failures (not the address's).

The account is kept as the SHA-256 of the typed address (``login_attempt.email``), never as
typed: people type their password into the e-mail field by mistake.

There is no Redis variant: the table is shared by every worker already and costs one indexed
query per login attempt, so Redis would add a dependency and a second place to look.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, func, or_, select

from forms.normalize import fold_text
from hub.db import db, utcnow
from hub.models import LoginAttempt

WINDOW_MINUTES = 15
WINDOW = timedelta(minutes=WINDOW_MINUTES)
PER_ACCOUNT = 5
PER_ADDRESS = 30


def account_key(email: str) -> str:
    """What identifies the account in ``login_attempt``: case, 全角 and outer spaces ignored,
    as the sign-in itself ignores them."""
    return hashlib.sha256(fold_text(email).lower().encode()).hexdigest()


def is_throttled(email: str, address: str) -> bool:
    """True when this account or this address has failed too often within the window."""
    since = utcnow() - WINDOW
    key = account_key(email)
    rows = db.session.execute(
        select(
            func.count().filter(LoginAttempt.email == key),
            func.count().filter(LoginAttempt.address == address),
        ).where(
            LoginAttempt.at >= since,
            or_(LoginAttempt.email == key, LoginAttempt.address == address),
        )
    ).one()
    by_account, by_address = int(rows[0] or 0), int(rows[1] or 0)
    return by_account >= PER_ACCOUNT or by_address >= PER_ADDRESS


KEEP = timedelta(days=1)


def record_failure(email: str, address: str) -> None:
    """Count a failure; rows older than :data:`KEEP` go at the same time (an indexed delete),
    so the table stays small without a scheduled job."""
    prune(KEEP)
    db.session.add(LoginAttempt(email=account_key(email), address=address[:64]))
    db.session.flush()


def clear_failures(email: str) -> None:
    """A successful login forgets the account's failures (not the address's)."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == account_key(email)))


def prune(older_than: timedelta = KEEP) -> int:
    result = db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - older_than))
    return int(getattr(result, "rowcount", 0) or 0)
