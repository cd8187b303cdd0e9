"""PostgreSQL's pool pings a connection only after it sat idle: a connection used a moment ago
goes straight to work (no round trip), one idle for longer is checked, and a dead one is
replaced before the request sees it."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from hub.db import PING_AFTER_IDLE_SECONDS, make_engine

URL = os.environ.get("HUB_TEST_DATABASE_URL", "")

pytestmark = [
    pytest.mark.database,
    pytest.mark.skipif(
        not URL.startswith("postgres"),
        reason="SQLite opens a connection per use (NullPool): there is no pool to ping",
    ),
]


@pytest.fixture
def engine() -> Iterator[Engine]:
    made = make_engine(URL.replace("postgresql://", "postgresql+psycopg://", 1))
    yield made
    made.dispose()


def counting_pings(engine: Engine) -> list[int]:
    pings: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return ping(dbapi_connection)

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    return pings


def backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_given_back_a_moment_ago_is_not_pinged(engine: Engine) -> None:
    pings = counting_pings(engine)
    first = backend_pid(engine)
    assert [backend_pid(engine) for _ in range(5)] == [first] * 5
    assert pings == []
    time.sleep(PING_AFTER_IDLE_SECONDS + 0.1)
    assert backend_pid(engine) == first
    assert pings == [1]


def test_a_connection_that_died_while_idle_is_replaced_before_use(engine: Engine) -> None:
    dead = backend_pid(engine)
    killer = make_engine(URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with killer.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
        conn.commit()
    killer.dispose()
    time.sleep(PING_AFTER_IDLE_SECONDS + 0.1)
    alive = backend_pid(engine)
    assert alive != dead
