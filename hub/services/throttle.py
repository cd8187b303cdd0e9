"""Login throttling that holds across gunicorn workers: failures are rows in ``login_attempt``.

Flask-Limiter's memory storage is per process and it has no SQL storage, so the hub counts
failed logins in its own database (as SecureDrop does). Limits: per account and per address,
over a sliding window.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, or_, select

from hub.db import db, utcnow
from hub.models import LoginAttempt

WINDOW = timedelta(minutes=15)
PER_ACCOUNT = 5
PER_ADDRESS = 30


def is_throttled(email: str, address: str) -> bool:
    """True when this account or this address has failed too often within the window."""
    since = utcnow() - WINDOW
    email = email.strip().lower()
    rows = db.session.execute(
        select(
            func.count().filter(LoginAttempt.email == email),
            func.count().filter(LoginAttempt.address == address),
        ).where(
            LoginAttempt.at >= since,
            or_(LoginAttempt.email == email, LoginAttempt.address == address),
        )
    ).one()
    by_account, by_address = int(rows[0] or 0), int(rows[1] or 0)
    return by_account >= PER_ACCOUNT or by_address >= PER_ADDRESS


def record_failure(email: str, address: str) -> None:
    db.session.add(LoginAttempt(email=email.strip().lower()[:254], address=address[:64]))
    db.session.flush()


def clear_failures(email: str) -> None:
    """A successful login forgets the account's failures (not the address's)."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email.strip().lower()))


def prune(older_than: timedelta = timedelta(days=1)) -> int:
    result = db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - older_than))
    return int(getattr(result, "rowcount", 0) or 0)
