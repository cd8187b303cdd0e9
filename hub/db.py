"""The database: declarative base, engine and a session scoped to the Flask app context.

Services only ``flush()``; whoever owns the unit of work (a request, a CLI command, a scheduled
job) commits once, or rolls back on any error. Sessions end with the app context.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from flask import Flask, g
from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back timezone-aware (SQLite forgets zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSONType,
        list[str]: JSONType,
        list[dict[str, Any]]: JSONType,
    }


def make_engine(url: str) -> Engine:
    """An engine that survives restarts of the database (pre-ping) and enforces SQLite FKs."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, poolclass=NullPool
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_recycle=1800)


class Database:
    """Holds the engine and the app-context-scoped session of one app."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self._factory = sessionmaker(expire_on_commit=False)
        self.session: scoped_session[Session] = scoped_session(self._factory, scopefunc=_scope)

    def init_app(self, app: Flask, url: str) -> None:
        self.engine = make_engine(url)
        self._factory.configure(bind=self.engine)
        app.extensions["hub_db"] = self

        @app.teardown_appcontext
        def _remove_session(exc: BaseException | None) -> None:
            try:
                if exc is not None:
                    self.session.rollback()
                self.session.remove()
            except DBAPIError:  # the database went away mid-request: nothing left to undo
                discard_session(self.session)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """Commit once at the end, roll back on any error: for CLI commands and jobs."""
        session = self.session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def discard_session(session: scoped_session[Session] | None = None) -> None:
    """Drop a session whose connection is dead, without talking to the database again."""
    session = session or db.session
    try:
        session.registry().invalidate()
    finally:
        session.registry.clear()


@dataclass
class StatementLog:
    """The SQL statements sent to the database while :func:`counting_statements` was open, one
    entry per round trip (an ``executemany`` of many rows is one entry)."""

    statements: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)

    def verbs(self) -> list[str]:
        """The first word of each statement, upper case: ``["SELECT", "UPDATE", "INSERT"]``."""
        return [s.split(None, 1)[0].upper() if s.strip() else "" for s in self.statements]

    def count(self, verb: str) -> int:
        return self.verbs().count(verb.upper())


@contextmanager
def counting_statements(engine: Engine | None = None) -> Iterator[StatementLog]:
    """Record every statement ``engine`` (the app's by default) sends, from any thread, while the
    block runs: for statement-count tests and ``bench/statements.py`` (counts, not times)."""
    engine = engine or db.engine
    assert engine is not None, "counting_statements needs an engine (an app was created)"
    log = StatementLog()
    lock = threading.Lock()

    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        with lock:
            log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", _record)


def _scope() -> int:
    """One session per app context; outside any context, one per thread."""
    try:
        return id(g._get_current_object())
    except RuntimeError:
        return -threading.get_ident()


db = Database()
