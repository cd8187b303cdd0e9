"""The suite's own reset (``tests/conftest.empty_tables``) puts back exactly what ``hub init``
stores: running the reference import again on a reset database finds nothing to add or change."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from hub.db import db
from hub.models import Municipality, Round
from hub.services import reference
from tests.conftest import empty_tables, make_round, touches_the_database


def test_the_reset_puts_back_what_hub_init_stores_and_nothing_else(ctx: Flask) -> None:
    make_round()
    db.session.execute(Municipality.__table__.update().values(name="書き換え"))
    db.session.commit()
    empty_tables()
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0
    with db.unit_of_work():
        again = reference.initialize()
    assert (again.added, again.updated, again.unchanged) == (0, 0, 62)


READS_THE_DATABASE_URL = re.compile(r"HUB_TEST_DATABASE_URL|_postgres_url\(|_throwaway_postgres\(")
NOT_THE_SUITES_DATABASE = {
    "tests/cli/test_cli.py": "takes HUB_TEST_DATABASE_URL out of the environment of the hub it "
    "starts on a fresh SQLite database of its own",
}


def test_every_module_that_reads_the_database_url_itself_is_marked_database() -> None:
    """``HUB_TEST_DATABASE_TESTS_ONLY=1`` (the PostgreSQL half of ``.ci/run``) runs only the tests
    that touch the database: those that take ``settings`` and those marked ``database``. A test
    that reads the URL itself and were not marked would run on SQLite only."""
    root = Path(__file__).parent
    unmarked = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root.parent).as_posix()
        if path.name == "conftest.py" or path == Path(__file__) or name in NOT_THE_SUITES_DATABASE:
            continue
        if not READS_THE_DATABASE_URL.search(path.read_text(encoding="utf-8")):
            continue
        module = importlib.import_module(name.removesuffix(".py").replace("/", "."))
        marks = getattr(module, "pytestmark", [])
        marks = marks if isinstance(marks, list) else [marks]
        if not any(mark.name == "database" for mark in marks):
            unmarked.append(name)
    assert unmarked == []


def test_a_test_through_the_app_touches_the_database(
    request: pytest.FixtureRequest, ctx: Flask
) -> None:
    assert touches_the_database(request.node)
