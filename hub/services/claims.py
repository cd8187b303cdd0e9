"""Claims on job runs: a unique ``(job, slot)`` row that exactly one process manages to insert.

A second scheduler started by mistake, a deploy overlap or a retry all try to insert the same row;
``INSERT ... ON CONFLICT DO NOTHING`` lets one of them win, on SQLite and PostgreSQL alike. The
claim belongs to the caller's transaction: it becomes visible to others when the caller commits,
and vanishes with a rollback, so a process that dies before committing leaves the slot free.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hub.db import Base, db, utcnow
from hub.models import JobRun


def owner() -> str:
    """Who is claiming: host and process id (recorded for people reading the run table)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def insert_once(model: type[Base], values: dict[str, Any]) -> bool:
    """Insert one row unless it clashes with a unique key; ``True`` when this row went in."""
    return bool(insert_new(model, [values], model.__mapper__.primary_key[0]))


def insert_new(model: type[Base], rows: list[dict[str, Any]], *keys: Any) -> set[tuple[Any, ...]]:
    """Insert those of ``rows`` that clash with no unique key, in one statement; returns the
    ``keys`` columns of the rows that went in (the others were there already).

    ``INSERT ... ON CONFLICT DO NOTHING RETURNING``, spelled for the session's dialect.
    """
    if not rows:
        return set()
    dialect = db.session.get_bind().dialect.name
    statement: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        statement = postgresql.insert(model).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(model).on_conflict_do_nothing()
    else:
        raise RuntimeError(f"claims are not implemented for the {dialect} dialect")
    inserted = db.session.execute(statement.returning(*keys), rows)
    return {tuple(row) for row in inserted}


def claim(job: str, slot: str) -> bool:
    """Insert the ``(job, slot)`` run; ``True`` only for the one caller whose row went in."""
    return insert_once(
        JobRun,
        {"job": job, "slot": slot, "owner": owner(), "claimed_at": utcnow(), "status": "running"},
    )


def finish(
    job: str, slot: str, *, error: str | None = None, result: dict[str, Any] | None = None
) -> None:
    """Record how a claimed run ended (``done`` or ``failed`` with the error text) and, when
    the job says so, what it found (``result``)."""
    db.session.execute(
        update(JobRun)
        .where(JobRun.job == job, JobRun.slot == slot)
        .values(
            finished_at=utcnow(), status="failed" if error else "done", error=error, result=result
        )
    )


def last_run(job: str) -> JobRun | None:
    """The latest claimed run of ``job`` (running, done or failed)."""
    return db.session.scalar(
        select(JobRun).where(JobRun.job == job).order_by(JobRun.slot.desc()).limit(1)
    )


def last_claimed_at(job: str) -> datetime | None:
    """When ``job`` was last claimed by any process: for a job that runs every minute, whether a
    scheduler is running at all."""
    return db.session.scalar(select(func.max(JobRun.claimed_at)).where(JobRun.job == job))


def last_slot(job: str) -> str | None:
    """The latest slot ever claimed for ``job`` (slots are ISO strings, so they sort as text)."""
    return db.session.scalar(
        select(JobRun.slot).where(JobRun.job == job).order_by(JobRun.slot.desc()).limit(1)
    )


KEEP_LAST = "deliveries:%"
"""Jobs whose latest run is kept however old (a monthly delivery's pages say when it last ran)."""


def prune(before: datetime) -> int:
    """Forget runs claimed before ``before``, but the latest of each recipient's scheduled
    delivery (:data:`KEEP_LAST`); returns how many rows went."""
    latest = select(func.max(JobRun.id)).where(JobRun.job.like(KEEP_LAST)).group_by(JobRun.job)
    result = db.session.execute(
        delete(JobRun).where(JobRun.claimed_at < before, JobRun.id.not_in(latest))
    )
    return int(getattr(result, "rowcount", 0) or 0)
