"""The schema is made only by migrations: the models equal the head, every step goes both ways.

Runs on a throwaway SQLite file, and on PostgreSQL when ``HUB_TEST_DATABASE_URL`` names one (in a
database of its own, ``<that name>_mig``, so the session's database is left alone).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from hub.db import Base, make_engine
from hub.migrate import alembic_config, current_revision, downgrade, head_revision, upgrade

pytestmark = pytest.mark.slow


def _postgres_url() -> str | None:
    url = os.environ.get("HUB_TEST_DATABASE_URL", "")
    return url if url.startswith("postgres") else None


def _throwaway_postgres() -> Iterator[Engine]:
    base = make_url(_postgres_url() or "").set(drivername="postgresql+psycopg")
    name = f"{base.database}_mig"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
        yield engine
        engine.dispose()
        return
    if _postgres_url() is None:
        pytest.skip("HUB_TEST_DATABASE_URL does not name a PostgreSQL database")
    yield from _throwaway_postgres()


def revisions_base_to_head() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_there_is_exactly_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    assert head_revision() == script.get_current_head()


def test_models_equal_the_migration_head(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    assert tables(empty_engine) == set(Base.metadata.tables)


def test_base_head_base_head(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    downgrade(empty_engine, "base")
    assert current_revision(empty_engine) is None
    assert tables(empty_engine) == set()
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert tables(empty_engine) == set(Base.metadata.tables)


def test_every_migration_upgrades_and_downgrades_one_step_at_a_time(empty_engine: Engine) -> None:
    steps = revisions_base_to_head()
    assert steps, "no migrations found"
    seen: list[set[str]] = [tables(empty_engine)]
    for revision in steps:
        upgrade(empty_engine, revision)
        assert current_revision(empty_engine) == revision
        seen.append(tables(empty_engine))
    for index in range(len(steps) - 1, -1, -1):
        downgrade(empty_engine, steps[index - 1] if index else "base")
        assert tables(empty_engine) == seen[index], steps[index]
    assert current_revision(empty_engine) is None


def test_upgrade_keeps_rows(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO municipality (code, prefecture_code, name, kana, name_en, region,"
                " type, active) VALUES ('131016', '13', '千代田区', '', '', '区部', '', true)"
            )
        )
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM municipality")).scalar_one() == "千代田区"
