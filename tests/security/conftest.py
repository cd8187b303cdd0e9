"""Helpers for the security tests: browser-like clients (from tests/web), replaying a copied
session cookie, a clock for the session timeouts, and a second hub process on the same
database (as a second gunicorn worker would be)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from hub.auth import sessions
from hub.config import Settings
from tests.web.conftest import Web, page, text_of, web

__all__ = [
    "Clock",
    "Web",
    "page",
    "replay",
    "run_other_process",
    "session_cookie",
    "text_of",
    "web",
]

ROOT = Path(__file__).parents[2]


def session_cookie(client: Web) -> str:
    cookie = client.client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def replay(app: Flask, cookie: str, url: str) -> TestResponse:
    """``url`` fetched by a stranger holding a copy of ``cookie`` (a shared PC, a proxy log)."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get(url)


class Clock:
    """Stands in for the ``time`` module inside ``hub.auth.sessions`` (only there)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def advance(self, *, minutes: float = 0, hours: float = 0) -> None:
        self.now += minutes * 60 + hours * 3600


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(sessions, "time", fake)
    return fake


def run_other_process(settings: Settings, script: str, **env: str) -> str:
    """Run ``script`` in a new Python process that builds its own app from ``HUB_*`` variables
    pointing at the test database; return its standard output."""
    variables = {
        **os.environ,
        "HUB_DATABASE_URL": settings.database_url,
        "HUB_SECRET_KEY": settings.secret_key,
        "HUB_INSTANCE_DIR": str(settings.instance_dir),
        "HUB_OUTBOX_DIR": str(settings.outbox_dir),
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=variables,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
