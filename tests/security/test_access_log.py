"""The access logs of both servers never hold a token sent in a query string (issue 14, item 26),
and ``hub serve`` opens no gunicorn control socket under the home directory (item 28)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.accesslog import REDACTED, redact_secrets
from hub.db import db
from hub.services.users import create_token
from tests.conftest import make_user
from tests.servers import hub_server
from tests.servers import request as request_to

TOKEN = "hub_" + "Ab3-_x" * 7


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            f"GET /api/v1/rounds?access_token={TOKEN} HTTP/1.1",
            f"GET /api/v1/rounds?access_token={REDACTED} HTTP/1.1",
        ),
        (
            "GET /x?page=2&token=abc123&lang=ja HTTP/1.1",
            f"GET /x?page=2&token={REDACTED}&lang=ja HTTP/1.1",
        ),
        ("GET /x?API_KEY=k1;password=p2", f"GET /x?API_KEY={REDACTED};password={REDACTED}"),
        ("GET /x?access%5Ftoken=zzz", f"GET /x?access%5Ftoken={REDACTED}"),
        (
            "GET /x?client_secret=s&csrf_token=c",
            f"GET /x?client_secret={REDACTED}&csrf_token={REDACTED}",
        ),
        ("GET /audit/?action=auth&municipality=131016&day=2026-11-01", None),
        (
            "GET /audit/?user=sato%40example.jp&action=auth HTTP/1.1",
            f"GET /audit/?user={REDACTED}&action=auth HTTP/1.1",
        ),
        ("GET /admin/?q=%E5%B1%B1%E7%94%B0&page=2", f"GET /admin/?q={REDACTED}&page=2"),
        ("GET /staff/rounds/3?region=23ku&overdue=1 HTTP/1.1", None),
        (f'"http://hub.example/?next=/x&t={TOKEN}"', f'"http://hub.example/?next=/x&t={REDACTED}"'),
        (f"Bearer {TOKEN}", f"Bearer {REDACTED}"),
    ],
)
def test_redact_secrets(line: str, expected: str | None) -> None:
    assert redact_secrets(line) == (line if expected is None else expected)
    assert redact_secrets(redact_secrets(line)) == redact_secrets(line)


GUNICORN = ("serve", "--workers", "1")


@pytest.fixture(scope="module")
def gunicorn(
    app, settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[int, Path, Path]]:
    """One ``hub serve`` for the module's gunicorn checks (each start costs seconds): its port,
    its log and the folder its HOME is in. Each test reads only what it wrote to the log."""
    folder = tmp_path_factory.mktemp("gunicorn")
    with hub_server(settings, folder, *GUNICORN) as (port, log):
        yield port, log, folder


@contextlib.contextmanager
def server_for(
    request: pytest.FixtureRequest, settings, tmp_path: Path, command: tuple[str, ...]
) -> Iterator[tuple[int, Path, Path, int]]:
    """The module's gunicorn, or a server of ``command`` of the test's own; and where the log
    stood when the test began."""
    if command == GUNICORN:
        port, log, folder = request.getfixturevalue("gunicorn")
        yield port, log, folder, log.stat().st_size
        return
    with hub_server(settings, tmp_path, *command) as (port, log):
        yield port, log, tmp_path, 0


def written_since(log: Path, offset: int) -> str:
    return log.read_bytes()[offset:].decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.parametrize("command", [GUNICORN, ("run",)], ids=["gunicorn", "werkzeug"])
def test_a_token_in_the_query_string_never_reaches_the_access_log(
    app, settings, request: pytest.FixtureRequest, tmp_path: Path, command: tuple[str, ...]
) -> None:
    with app.app_context():
        token = create_token(make_user(role="staff"))
        db.session.commit()
    with server_for(request, settings, tmp_path, command) as (port, log, _, offset):
        status, _, _ = request_to(port, "GET", f"/api/v1/rounds?access_token={token}&lang=ja")
        assert status == 401, "a token in the query string is refused"
        status, _, _ = request_to(
            port,
            "GET",
            f"/login?token={token}",
            headers={"Referer": f"http://127.0.0.1:{port}/?access_token={token}"},
        )
        assert status == 200
        expected = (f"/api/v1/rounds?access_token={REDACTED}&lang=ja", f"/login?token={REDACTED}")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not all(
            e in written_since(log, offset) for e in expected
        ):
            time.sleep(0.1)  # the worker writes its access-log lines when it gets to it
        written = written_since(log, offset)
    for line in expected:
        assert line in written, written
    assert token not in written
    assert token[len("hub_") :] not in written


@pytest.mark.slow
def test_hub_serve_opens_no_control_socket_under_home(
    settings, gunicorn: tuple[int, Path, Path]
) -> None:
    port, log, folder = gunicorn
    assert request_to(port, "GET", "/healthz")[0] == 200
    left = sorted(str(p.relative_to(folder)) for p in (folder / "home").rglob("*"))
    sockets = [p for p in settings.instance_dir.rglob("*") if p.is_socket()]
    written = log.read_text()
    assert left == [], left
    assert sockets == []
    assert "control socket" not in written.lower(), written
