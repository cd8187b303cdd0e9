"""The database: declarative base, engine and a session scoped to the Flask app context.

Services only ``flush()``; whoever owns the unit of work (a request, a CLI command, a scheduled
job) commits once, or rolls back on any error. Sessions end with the app context.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import orjson
from flask import Flask, g
from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    Engine,
    MetaData,
    String,
    create_engine,
    event,
    func,
    literal,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import (
    DeclarativeBase,
    InstrumentedAttribute,
    Session,
    scoped_session,
    sessionmaker,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import TypeDecorator

from forms.normalize import VARIANTS_FROM, VARIANTS_TO
from forms.normalize import same_kanji as same_kanji_text

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


MAX_ID = 2**31 - 1
"""The largest id, version or page number there can be: every id column is a 32-bit integer on
PostgreSQL, and a larger number given to the driver is an error there (and past 2**63 on SQLite)
instead of a row not found. Path parameters are bounded by ``hub.routing`` (404) and numbers in
bodies and query strings by ``hub.api.schemas.whole_number`` (422)."""


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


POOL_SIZE = 10
"""Connections a process keeps open: at least ``hub serve``'s threads per worker (8), so that a
busy worker does not open and close overflow connections on every request."""


_STRICT_JSON = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def write_json(value: Any) -> str:
    """The text of a JSON column: orjson (the save path writes three documents per change),
    Python's writer for whatever orjson refuses (an integer beyond 64 bits, a lone surrogate, a
    date or a dataclass, which Python's writer refuses in turn, as it always did). A float NaN or
    infinity — which no validated answer holds — becomes ``null`` (Python wrote ``NaN``, which
    PostgreSQL refused). Reading stays with Python's parser: orjson would read an integer beyond
    64 bits as a float."""
    try:
        return orjson.dumps(value, option=_STRICT_JSON).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


class nfkc(GenericFunction[str]):
    """A text in Unicode NFKC, in SQL: what ``forms.normalize.fold_text`` does to what is typed
    (half-width ｶﾅ → カナ, full-width ＡＢＣ → ABC, U+3000 → space), so that a search folds both
    sides. PostgreSQL's ``normalize(…, NFKC)`` (a UTF-8 database, as the hub's are); on SQLite
    the function :func:`make_engine` registers on each connection."""

    type = String()
    inherit_cache = True


@compiles(nfkc)
def _nfkc_sqlite(element: nfkc, compiler: SQLCompiler, **kw: Any) -> str:
    return f"hub_nfkc({compiler.process(element.clauses, **kw)})"


@compiles(nfkc, "postgresql")
def _nfkc_postgresql(element: nfkc, compiler: SQLCompiler, **kw: Any) -> str:
    return f"normalize({compiler.process(element.clauses, **kw)}, NFKC)"


def _nfkc(value: object) -> object:
    return unicodedata.normalize("NFKC", value) if isinstance(value, str) else value


class same_kanji(GenericFunction[str]):
    """A text with the variant kanji of names as their everyday forms, in SQL: what
    ``forms.normalize.same_kanji`` does to what is typed (髙 → 高, 﨑 → 崎). PostgreSQL's
    ``translate``; on SQLite the function :func:`make_engine` registers on each connection."""

    type = String()
    inherit_cache = True


@compiles(same_kanji)
def _same_kanji_sqlite(element: same_kanji, compiler: SQLCompiler, **kw: Any) -> str:
    return f"hub_same_kanji({compiler.process(element.clauses, **kw)})"


@compiles(same_kanji, "postgresql")
def _same_kanji_postgresql(element: same_kanji, compiler: SQLCompiler, **kw: Any) -> str:
    variants = compiler.process(literal(VARIANTS_FROM), **kw)
    everyday = compiler.process(literal(VARIANTS_TO), **kw)
    return f"translate({compiler.process(element.clauses, **kw)}, {variants}, {everyday})"


def _same_kanji(value: object) -> object:
    return same_kanji_text(value) if isinstance(value, str) else value


def searchable(column: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[str]:
    """``column`` folded as a search for a person is (``forms.normalize.search_key``), in SQL
    (SQLite and PostgreSQL alike): NFKC (ﾌｸｼ stored is フクシ, ＡＢＣ is ABC), lower-cased, the
    variant kanji of names as everyday ones (髙橋 is found by 高橋), without its spaces (千代田　花子
    by 千代田花子)."""
    lowered = func.lower(same_kanji(nfkc(column)), type_=String)
    return func.replace(func.replace(lowered, " ", "", type_=String), "\u3000", "", type_=String)


def private_sqlite_file(url: str) -> None:
    """The SQLite file readable by the hub's user only (0600, like a backup): created so when
    missing, tightened when an older release left it to the umask. SQLite gives its ``-wal`` and
    ``-shm`` files the database file's mode. Problems are left for SQLite to report."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
        if stat.S_IMODE(os.stat(database).st_mode) & 0o077:
            os.chmod(database, 0o600)
    except OSError:
        return


def make_engine(url: str) -> Engine:
    """An engine that survives restarts of the database (pre-ping) and enforces SQLite FKs."""
    if url.startswith("sqlite"):
        private_sqlite_file(url)
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            poolclass=NullPool,
            json_serializer=write_json,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            dbapi_connection.create_function("hub_nfkc", 1, _nfkc, deterministic=True)
            dbapi_connection.create_function("hub_same_kanji", 1, _same_kanji, deterministic=True)

        return engine
    engine = create_engine(
        url,
        pool_size=POOL_SIZE,
        max_overflow=10,
        pool_recycle=1800,
        json_serializer=write_json,
    )
    _ping_idle_connections(engine)
    _track_writes(engine)
    return engine


WROTE = "hub_wrote"
"""``Connection.info`` key: the connection's current transaction sent something other than a
SELECT."""
CONNECTIONS = "hub_connections"
"""``Session.info`` key: the connections the session's current transaction uses."""


def _track_writes(engine: Engine) -> None:
    """Note on each connection whether its transaction sent anything but a SELECT (a statement
    beginning ``WITH changed AS (UPDATE …`` counts as a write: only a plain SELECT reads)."""

    @event.listens_for(engine, "begin")
    def _began(connection: Any) -> None:
        connection.info[WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _sent(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:6].upper() != "SELECT":
            connection.info[WROTE] = True


def end_reading_transaction(session: Session) -> None:
    """End a request's transaction that only read with COMMIT instead of ROLLBACK.

    The same for the database, but not for psycopg: it forgets every prepared statement of the
    connection on each rollback (and deallocates them), so read-only requests — most of the
    burst's — kept the server parsing and planning every statement anew (0.2–0.4 ms of server
    CPU each). Committed, the statements a connection has run five times stay prepared. Anything
    else (pending ORM changes, a statement that wrote, an unknown connection state) is left to
    the usual rollback."""
    connections = session.info.pop(CONNECTIONS, ())
    if session.new or session.dirty or session.deleted:
        return
    for connection in connections:
        if connection.closed or connection.invalidated or connection.info.get(WROTE, True):
            continue
        connection.connection.dbapi_connection.commit()


PING_AFTER_IDLE_SECONDS = 0.5
"""A pooled connection idle for longer is pinged before use (HikariCP's ``aliveBypassWindowMs``)."""


def _ping_idle_connections(engine: Engine) -> None:
    """Pre-ping, but only connections that sat idle in the pool for a while.

    ``pool_pre_ping`` costs a round trip on every checkout: in the deadline burst one request in
    three or four. A connection given back a moment ago cannot have missed a database restart
    (that takes longer than the window); one that did die anyway (its server process killed
    alone) fails its statement, which the app answers with 503, and SQLAlchemy then replaces
    every connection of the pool made before the failure."""

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("checked_in_at")
        if idle_since is not None and time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc
        if not alive:
            raise DisconnectionError("the ping found the connection closed")


class Database:
    """Holds the engine and the app-context-scoped session of one app."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self._factory = sessionmaker(expire_on_commit=False)
        self.session: scoped_session[Session] = scoped_session(self._factory, scopefunc=_scope)

        @event.listens_for(self._factory, "after_begin")
        def _connected(session: Session, _transaction: Any, connection: Any) -> None:
            # those of earlier transactions are closed: keep the list to the current one (a
            # scheduler's or a command's session lives for many transactions)
            held = [c for c in session.info.get(CONNECTIONS, ()) if not c.closed]
            session.info[CONNECTIONS] = [*held, connection]

    def bind(self, engine: Engine) -> None:
        """Sessions made from now on use ``engine`` (``init_app``; a test that made a second app
        on another database binds the first one's engine again)."""
        self.engine = engine
        self._factory.configure(bind=engine)

    def init_app(self, app: Flask, url: str) -> None:
        self.bind(make_engine(url))
        app.extensions["hub_db"] = self

        @app.teardown_appcontext
        def _remove_session(exc: BaseException | None) -> None:
            try:
                if exc is not None:
                    self.session.rollback()
                elif self.session.registry.has():
                    end_reading_transaction(self.session())
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


def serialize(name: str) -> None:
    """Hold the lock named ``name`` until the session's transaction ends, so that two requests
    that check and then write (an import's look for rows already stored) run one after the
    other, the second reading what the first committed. PostgreSQL: a transaction-level
    advisory lock on the name's hash. SQLite: the database's write lock (``BEGIN IMMEDIATE``),
    taken unless this transaction has written already and so holds it."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    elif not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


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
