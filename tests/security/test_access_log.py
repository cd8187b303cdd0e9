"""The access logs of both servers never hold a token sent in a query string (issue 14, item 26),
and ``hub serve`` opens no gunicorn control socket under the home directory (item 28)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hub.accesslog import REDACTED, redact_secrets
from hub.db import db
from hub.services.users import create_token
from tests.conftest import make_user
from tests.servers import hub_server, request

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


@pytest.mark.slow
@pytest.mark.parametrize(
    "command", [("serve", "--workers", "1"), ("run",)], ids=["gunicorn", "werkzeug"]
)
def test_a_token_in_the_query_string_never_reaches_the_access_log(
    app, settings, tmp_path: Path, command: tuple[str, ...]
) -> None:
    with app.app_context():
        token = create_token(make_user(role="staff"))
        db.session.commit()
    with hub_server(settings, tmp_path, *command) as (port, log):
        status, _, _ = request(port, "GET", f"/api/v1/rounds?access_token={token}&lang=ja")
        assert status == 401, "a token in the query string is refused"
        status, _, _ = request(
            port,
            "GET",
            f"/login?token={token}",
            headers={"Referer": f"http://127.0.0.1:{port}/?access_token={token}"},
        )
        assert status == 200
        expected = (f"/api/v1/rounds?access_token={REDACTED}&lang=ja", f"/login?token={REDACTED}")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not all(e in log.read_text() for e in expected):
            time.sleep(0.1)  # the worker writes its access-log lines when it gets to it
        written = log.read_text()
    for line in expected:
        assert line in written, written
    assert token not in written
    assert token[len("hub_") :] not in written


@pytest.mark.slow
def test_hub_serve_opens_no_control_socket_under_home(app, settings, tmp_path: Path) -> None:
    with hub_server(settings, tmp_path, "serve", "--workers", "1") as (port, log):
        assert request(port, "GET", "/healthz")[0] == 200
        left = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "home").rglob("*"))
        sockets = [p for p in settings.instance_dir.rglob("*") if p.is_socket()]
        written = log.read_text()
    assert left == [], left
    assert sockets == []
    assert "control socket" not in written.lower(), written
