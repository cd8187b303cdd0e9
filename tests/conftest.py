"""Fixtures shared by every test.

The database is built once per session by the real migrations (SQLite in a temporary folder, or
the PostgreSQL database named by ``HUB_TEST_DATABASE_URL``). After each test every table is
emptied and the reference data put back as ``hub init`` first stored it, so tests never see
each other's rows — this also holds
for tests that use several processes or threads, which a rolled-back transaction would not allow.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from werkzeug.test import TestResponse

from hub import create_app
from hub.auth import sessions
from hub.cli import cli
from hub.config import Settings, load_settings
from hub.db import Base, db, utcnow
from hub.migrate import upgrade
from hub.models import Response, Round, User
from hub.services import reference
from hub.services.rounds import open_round
from hub.services.users import create_token, create_user

pytest_plugins = ["tests.browser.support", "tests.mailbox", "tests.clock"]

PASSWORD = "correct horse battery staple"


DATABASE_TESTS_ONLY = "HUB_TEST_DATABASE_TESTS_ONLY"
"""Set to ``1`` (``.ci/run`` does, for its PostgreSQL half): only the tests that touch the
suite's database run — every other test is the same on either database and runs in the SQLite
half."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that drive Chromium or LibreOffice are slow too: ``pytest -m "not slow"`` is the
    fast local loop (README); ``make test`` runs everything — or, with
    :data:`DATABASE_TESTS_ONLY`, the tests that touch the database."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("libreoffice"):
            item.add_marker(pytest.mark.slow)
    if os.environ.get(DATABASE_TESTS_ONLY) == "1":
        elsewhere = [item for item in items if not touches_the_database(item)]
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if touches_the_database(item)]


def touches_the_database(item: pytest.Item) -> bool:
    """Whether a test reaches the suite's database: through the ``settings`` fixture (which
    ``app``, ``client``, ``ctx``, the live server and the servers and commands tests start all
    take), or by reading ``HUB_TEST_DATABASE_URL`` itself (marked ``database``; a test checks
    that every module naming it is)."""
    return "settings" in getattr(item, "fixturenames", ()) or bool(
        item.get_closest_marker("database")
    )


def database_url(tmp_dir: Path) -> str:
    return os.environ.get("HUB_TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.sqlite3'}"


MEMORY_DISK = Path("/dev/shm")


@pytest.fixture(scope="session")
def sqlite_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where the session's SQLite database lives: in memory (``/dev/shm``) where the machine has
    it — each commit's fsync costs ~3 ms on a disk, nothing there, and the suite commits tens of
    thousands of times —, else beside the instance. The same SQLite, WAL and all."""
    if not (MEMORY_DISK.is_dir() and os.access(MEMORY_DISK, os.W_OK)):
        yield tmp_path_factory.mktemp("database")
        return
    folder = Path(tempfile.mkdtemp(prefix="hub-test-", dir=MEMORY_DISK))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def reset_database(url: str) -> None:
    """An empty database: for PostgreSQL, drop and recreate the public schema."""
    if url.startswith("postgres"):
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
            conn.execute(text(NO_WAITING_FOR_THE_DISK))
        engine.dispose()


NO_WAITING_FOR_THE_DISK = """
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET synchronous_commit = off', current_database());
END $$
"""
"""The test database's commits do not wait for the disk (the same commit, isolation and
visibility; only a crash of the server could lose the last ones — of a database every test run
empties): each commit's flush cost ~3 ms on this machine's disk, and the suite commits tens of
thousands of times. Set on the database, so the servers and commands tests start get it too."""


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """argon2 with its smallest cost: the suite creates hundreds of users. Production keeps the
    library's defaults (hub/services/users.py)."""
    from argon2 import PasswordHasher

    from hub.services import users

    original = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    yield
    users._hasher = original


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, sqlite_dir: Path) -> Settings:
    instance = tmp_path_factory.mktemp("instance")
    env = {
        "HUB_INSTANCE_DIR": str(instance),
        "HUB_DATABASE_URL": database_url(sqlite_dir),
        "HUB_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "HUB_OUTBOX_DIR": str(instance / "outbox"),
    }
    reset_database(env["HUB_DATABASE_URL"])
    return load_settings(env, testing=True)


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[Flask]:
    application = create_app(settings)
    with application.app_context():
        assert db.engine is not None
        upgrade(db.engine)
        with db.unit_of_work():
            reference.initialize()
        _REFERENCE_ROWS.update(_rows_of_every_table())
    yield application
    assert db.engine is not None
    db.engine.dispose()


_REFERENCE_ROWS: dict[str, list[dict[str, Any]]] = {}
"""What ``reference.initialize()`` stored in the session's new database, by table: each test
ends with these rows again, put back in one statement a table — the same as running it again
(municipalities, the shipped questionnaires, the default recipients) at a fraction of the cost
(a quarter of a second a test, ~15 minutes of the suite)."""


def _rows_of_every_table() -> dict[str, list[dict[str, Any]]]:
    with db.unit_of_work() as session:
        rows = {
            table.name: [dict(row._mapping) for row in session.execute(table.select())]
            for table in Base.metadata.sorted_tables
        }
    return {name: table_rows for name, table_rows in rows.items() if table_rows}


def empty_tables() -> None:
    """Every table emptied, then the reference data as ``hub init`` first stored it."""
    assert _REFERENCE_ROWS, "the app fixture records the reference rows when it makes the database"
    with db.unit_of_work() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
        for table in Base.metadata.sorted_tables:
            if table.name in _REFERENCE_ROWS:
                session.execute(table.insert(), _REFERENCE_ROWS[table.name])


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test that uses the app gets the reference data and nothing else."""
    yield
    db.session.remove()  # a session some test used outside any app context (thread-scoped)
    if "app" in request.fixturenames:
        application: Flask = request.getfixturevalue("app")
        with application.app_context():
            empty_tables()
        # and no delivery left in the outbox for the next test to find
        shutil.rmtree(request.getfixturevalue("settings").outbox_dir, ignore_errors=True)
        shutil.rmtree(request.getfixturevalue("settings").delivery_copies_dir, ignore_errors=True)


@pytest.fixture
def outbox(settings: Settings) -> Path:
    """The outbox folder of the test settings; ``_isolated`` empties it after every test."""
    return settings.outbox_dir


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context for calling services directly."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class HubRunner:
    """Runs ``hub`` commands against the test app, as a person would type them."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(cli, list(args), obj=self.app, input=input)


@pytest.fixture
def runner(app: Flask) -> HubRunner:
    return HubRunner(app)


# --- factories -------------------------------------------------------------------------------


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def add_hiroshima_fuchu(app: Flask) -> None:
    """A second 府中市 (Hiroshima's 342076), as a national list holds it beside Tokyo's 132063."""
    from hub.services import municipalities as listing

    with app.app_context():
        rows = [{"code": "342076", "name": "府中市", "kana": "ふちゅうし", "name_en": "Fuchu",
                 "region": "市部", "type": "市"}]  # fmt: skip
        listing.apply_plan(listing.plan_import(rows), user=None)
        db.session.commit()


def csrf_of(html: str) -> str:
    """The CSRF token of the form on a page, as a browser would post it back."""
    match = CSRF_FIELD.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


def sign_in(client: FlaskClient, email: str, *, next_url: str = "") -> TestResponse:
    """Sign ``client`` in through the login form, as a person does; it must be accepted (the
    answer, a redirect, is returned for where it leads)."""
    login = f"/login?next={next_url}" if next_url else "/login"
    token = csrf_of(client.get(login).get_data(as_text=True))
    done = client.post(login, data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    return done


def make_user(
    *,
    role: str,
    municipality: str | None = None,
    recipient: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
) -> User:
    """Create and commit a user (call inside an app context)."""
    suffix = municipality or recipient or role
    user = create_user(
        email or f"{role}-{suffix}-{User.__name__.lower()}{_next()}@example.jp",
        role=role,
        password=password,
        municipality_code=municipality,
        recipient_name=recipient,
    )
    db.session.commit()
    return user


_counter = iter(range(1, 1_000_000))


def _next() -> int:
    return next(_counter)


def make_round(
    *,
    reference_date: date = date(2021, 4, 1),
    deadline: datetime | None = None,
    opens_at: datetime | None = None,
    municipalities: list[str] | None = None,
) -> Round:
    round_ = open_round(
        "torikumi",
        reference_date=reference_date,
        deadline=deadline or utcnow() + timedelta(days=14),
        opens_at=opens_at or utcnow() - timedelta(days=1),
        municipality_codes=municipalities,
    )
    db.session.commit()
    return round_


class Api:
    """A JSON client for ``/api/v1`` holding one bearer token."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.token = token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers(), **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.put(f"/api/v1{path}", json=json, headers=self.headers(), **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.post(f"/api/v1{path}", json=json, headers=self.headers(), **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.patch(f"/api/v1{path}", json=json, headers=self.headers(), **kwargs)

    def save(
        self, round_id: int, code: str, answers: dict[str, Any], version: int | None = None
    ) -> Any:
        if version is None:
            version = self.get(f"/rounds/{round_id}/responses/{code}").get_json()["version"]
        return self.put(
            f"/rounds/{round_id}/responses/{code}", {"answers": answers, "version": version}
        )

    def submit(self, round_id: int, code: str, answers: dict[str, Any] | None = None) -> Any:
        if answers is not None:
            saved = self.save(round_id, code, answers)
            assert saved.status_code == 200, saved.get_json()
        return self.post(f"/rounds/{round_id}/responses/{code}/submit", {})


@pytest.fixture
def api_as(app: Flask, client: FlaskClient) -> Callable[..., Api]:
    """``api_as("staff")`` or ``api_as("respondent", municipality="131016")``: an Api client."""

    def make(role: str, **kwargs: Any) -> Api:
        with app.app_context():
            user = make_user(role=role, **kwargs)
            token = create_token(user)
            db.session.commit()
        return Api(client, token)

    return make


def complete_answers(**overrides: Any) -> dict[str, Any]:
    """A complete, valid set of answers for ``torikumi`` (no plan), with overrides."""
    answers: dict[str, Any] = {
        "plan_status": "no_plan",
        "lead_department": "福祉部 地域福祉課",
        "consultation_setup": "general_welfare_window",
        "contact_name": "都庁 太郎",
        "contact_phone": "03-5321-1111",
        "contact_email": "taro@example.lg.jp",
    }
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


def response_of(round_id: int, code: str) -> Response:
    from hub.services.responses import get_response

    return get_response(round_id, code)


@pytest.fixture
def min_responses(app: Flask) -> Iterator[Callable[[int], None]]:
    """``min_responses(1)``: share a round's summary from that many responses (``HUB_MIN_RESPONSES``)
    for this test; tests of delivery mechanics use one municipality's answers."""
    original = app.extensions["hub_settings"]

    def set_to(n: int) -> None:
        app.extensions["hub_settings"] = original.with_(min_responses_shared=n)

    yield set_to
    app.extensions["hub_settings"] = original


@pytest.fixture
def shared_always(min_responses: Callable[[int], None]) -> None:
    """Summaries and deliveries of rounds however few answered (tests of the mechanics)."""
    min_responses(0)


class Clock:
    """Stands in for the ``time`` module inside ``hub.auth.sessions``: the session timeouts' clock."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def time(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(sessions, "time", fake)
    return fake
