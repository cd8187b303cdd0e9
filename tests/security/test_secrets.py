"""Secrets never logged: passwords, API tokens, session cookies and CSRF tokens appear in no log
record (every logger at DEBUG, SQL statements and their parameters included), in no line of the
server's access log, and nowhere in the audit log (``AuditEvent.target`` / ``details``)."""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from hub.db import db
from hub.models import AuditEvent, LoginAttempt
from tests.conftest import PASSWORD, complete_answers, make_round, make_user
from tests.security.conftest import Web, page, session_cookie
from tests.servers import hub_server, request

TYPED = "Typed-Secret 多摩川の鮎 2021"
CHANGED = "Changed-Secret 銀杏並木の秋"
MISTYPED = "Mistyped-Secret 井の頭の桜"
CLI_PASSWORD = "Stdin-Secret 高尾山の紅葉"


class Secrets:
    """Every secret the flows below create or type, to look for afterwards."""

    def __init__(self) -> None:
        self.values: set[str] = set()

    def add(self, *values: str | None) -> None:
        for value in values:
            assert value, "a secret the test expected is missing"
            self.values.add(value)

    def found_in(self, text: str) -> list[str]:
        return sorted(s for s in self.values if s in text)


def everything_in(record: logging.LogRecord) -> str:
    """All a handler could write: the message, its arguments, the exception and stack text."""
    parts = [record.getMessage(), repr(record.args), record.exc_text or "", record.stack_info or ""]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(repr(record.exc_info[1]))
    return "\n".join(parts)


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG, SQLAlchemy's (statements and parameters) included."""
    caplog.set_level(logging.DEBUG)
    for name in [*logging.root.manager.loggerDict, "sqlalchemy", "sqlalchemy.engine", "hub"]:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def audit_text(app) -> str:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent)).all()
        attempts = db.session.scalars(select(LoginAttempt)).all()
        return "\n".join(
            [*(f"{e.target}\n{json.dumps(e.details, ensure_ascii=False)}" for e in events)]
            + [f"{a.email} {a.address}" for a in attempts]
        )


TEST_SERVERS = ("mail.log", "mail.debug")
"""The loggers of the test's own SMTP server (aiosmtpd), which logs what it receives."""


def test_no_secret_reaches_the_logs_or_the_audit_log(
    app, web, runner, client, everything_logged, smtp
):
    secrets = Secrets()
    with app.app_context():
        round_id = make_round().id

    admin = web("admin")
    secrets.add(session_cookie(admin), admin.csrf())
    admin.get("/admin/users/new")
    created = admin.post(
        "/admin/users/new",
        {
            "email": "kuyakusho@example.lg.jp",
            "role": "respondent",
            "municipality": "131016",
            "password": TYPED,
        },
    )
    assert created.status_code == 303, created.get_data(as_text=True)
    assert admin.get(created.headers["Location"]).status_code == 200
    secrets.add(TYPED)
    with app.app_context():
        from hub.services.users import find_by_email

        user_id = find_by_email("kuyakusho@example.lg.jp").id

    respondent = Web(app)
    respondent.get("/login")
    secrets.add(respondent.csrf(), session_cookie(respondent))
    assert respondent.login("kuyakusho@example.lg.jp", TYPED).status_code == 302
    secrets.add(session_cookie(respondent), respondent.csrf())
    respondent.get("/password")
    changed = respondent.post(
        "/password",
        {"current_password": TYPED, "new_password": CHANGED, "new_password_again": CHANGED},
    )
    assert changed.status_code == 302
    secrets.add(CHANGED, session_cookie(respondent))
    respondent.get("/account/tokens")
    issued = respondent.post("/account/tokens", {"description": "庁内システム"})
    shown = respondent.get(issued.headers["Location"])
    token = page(shown).xpath("//code[@data-secret]")[0].text_content()
    secrets.add(token)

    stranger = Web(app)
    stranger.login("kuyakusho@example.lg.jp", MISTYPED)
    stranger.login(MISTYPED, PASSWORD)
    secrets.add(MISTYPED)

    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/rounds", headers=headers).status_code == 200
    url = f"/api/v1/rounds/{round_id}/responses/131016"
    saved = client.put(url, json={"answers": complete_answers(), "version": 0}, headers=headers)
    assert saved.status_code == 200
    assert (
        client.get("/api/v1/rounds", headers={"Authorization": f"Bearer {token}x"}).status_code
        == 401
    )

    admin.get(f"/admin/users/{user_id}")
    assert admin.post(f"/admin/users/{user_id}/password").status_code == 302
    (mail,) = smtp.to("kuyakusho@example.lg.jp")
    secrets.add(mail.get_content().split("仮パスワード: ")[1].split()[0])

    added = runner("user", "add", "cli@example.jp", "--role", "staff", input=CLI_PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert CLI_PASSWORD not in added.output
    secrets.add(CLI_PASSWORD)
    cli_token = runner("token", "add", "cli@example.jp").output.strip().splitlines()[-1]
    secrets.add(cli_token)

    assert (
        admin.client.post(
            f"/admin/users/{user_id}/password", data={"csrf_token": "forged"}
        ).status_code
        == 400
    )

    logged = "\n".join(
        everything_in(record)
        for record in everything_logged.records
        if not record.name.startswith(TEST_SERVERS)
    )
    assert "SELECT" in logged, "SQL statements were logged too (DEBUG everywhere)"
    assert "CSRF" in logged
    assert secrets.found_in(logged) == []
    assert secrets.found_in(audit_text(app)) == []
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {
        "auth.login",
        "auth.login_failed",
        "token.create",
        "user.reset_password",
        "user.change_password",
        "user.create",
        "response.save",
    } <= actions


def test_the_scan_would_see_a_leak(caplog):
    """Control: the same scan finds a secret that does get logged."""
    caplog.set_level(logging.DEBUG)
    secrets = Secrets()
    secrets.add("hub_leakedtoken")
    logging.getLogger("hub.anything").debug(
        "calling with %s", {"Authorization": "Bearer hub_leakedtoken"}
    )
    logged = "\n".join(everything_in(record) for record in caplog.records)
    assert secrets.found_in(logged) == ["hub_leakedtoken"]


# --- the access log of the production server --------------------------------------------------


@pytest.fixture
def served(settings, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """``hub serve`` (gunicorn, one worker) on the test database, its output in a file."""
    with hub_server(settings, tmp_path, "serve", "--workers", "1") as running:
        yield running


def test_the_access_log_holds_no_secret(app, served):
    port, log = served
    with app.app_context():
        email = make_user(role="staff").email
        from hub.services.users import create_token, find_by_email

        token = create_token(find_by_email(email))
        db.session.commit()
    status, headers, body = request(port, "GET", "/login")
    cookie = headers["Set-Cookie"].split(";")[0]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    form = urlencode({"email": email, "password": PASSWORD, "csrf_token": csrf}).encode()
    status, headers, _ = request(
        port,
        "POST",
        "/login",
        form,
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 302
    signed_in = headers["Set-Cookie"].split(";")[0]
    assert request(port, "GET", "/staff/", headers={"Cookie": signed_in})[0] == 200
    bearer = {"Authorization": f"Bearer {token}"}
    assert request(port, "GET", "/api/v1/rounds", headers=bearer)[0] == 200
    basic = base64.b64encode(f"{token}:x".encode()).decode()
    assert (
        request(port, "GET", "/api/v1/rounds", headers={"Authorization": f"Basic {basic}"})[0]
        == 401
    )
    expected = ('"GET /api/v1/rounds HTTP/1.1" 200', '"GET /api/v1/rounds HTTP/1.1" 401')
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not all(line in log.read_text() for line in expected):
        time.sleep(0.1)  # each gunicorn worker writes its own access-log lines when it gets to it
    written = log.read_text()
    assert '"POST /login HTTP/1.1" 302' in written, written
    assert '"GET /api/v1/rounds HTTP/1.1" 200' in written, written
    for secret in (PASSWORD, token, csrf, cookie.split("=", 1)[1], signed_in.split("=", 1)[1]):
        assert secret not in written
