"""Real-browser fixtures: Debian's Chromium driven by Playwright against the test app.

A pytest plugin loaded by tests/conftest.py, so that every area's browser tests share the one
session-wide Playwright instance (Playwright's sync API cannot be started twice at once).

The app is served by werkzeug on 127.0.0.1 (a free port) in a thread, on the ``app`` fixture's
database: one server for the session, as the ``app`` is one for the session (each test's rows
are still its own: the database is emptied after each test, and the server reads it per
request). Every page opened through ``open_page`` is watched: a request for anything outside
the hub (a CDN, a web font, an analytics beacon) or a script error fails the test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parents[2] / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
"""A phone held upright; also what a 1560 px window shows at 400 % zoom (WCAG 1.4.10 Reflow)."""


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "browser tests need Chromium at /usr/bin/chromium (Debian package 'chromium'; "
            ".ci/run installs it)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The hub served for the session. Started and stopped once: stopping a werkzeug server
    waits for its poll (up to half a second), which every browser test paid when each had its
    own."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"


@pytest.fixture
def open_page(chromium: Any, live_server: str) -> Iterator[Callable[..., Any]]:
    """``open_page(java_script_enabled=True, viewport=PHONE)``: a page in a fresh browser context
    (own cookies); 1280×800 unless ``viewport`` says otherwise."""
    contexts: list[Any] = []
    outside: list[str] = []
    script_errors: list[str] = []

    def make(**options: Any) -> Any:
        context = chromium.new_context(
            **{"viewport": VIEWPORT, "locale": "ja-JP", "base_url": live_server, **options}
        )
        context.set_default_timeout(5000)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda r: None if is_local(r.url) else outside.append(r.url))
        page.on("pageerror", lambda e: script_errors.append(str(e)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not outside, f"pages asked for resources outside the hub: {outside}"
    assert not script_errors, f"script errors: {script_errors}"


def screenshot(page: Any, name: str, *, top: bool = False) -> None:
    """Save what the page shows at 1280×800 under test-artifacts/screenshots/ for reviewers
    (``top``: scrolled to the top of the page first)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if top:
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def sign_in(page: Any, email: str) -> None:
    """Sign in through the login page with the test password, and wait for the next page."""
    from tests.conftest import PASSWORD

    page.goto("/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()


def sign_in_directly(page: Any, email: str) -> None:
    """Sign in as the login form does — its CSRF token, the POST — through the page's own cookie
    jar, without showing the login page and the page it leads to (two page loads and a click
    saved): for a test that goes on to a page of its own. The form itself is walked by
    :func:`sign_in` and by the tests of the login page."""
    from tests.conftest import PASSWORD, csrf_of

    login = page.request.get("/login")
    assert login.ok, login.status
    done = page.request.post(
        "/login",
        form={"email": email, "password": PASSWORD, "csrf_token": csrf_of(login.text())},
        max_redirects=0,
    )
    assert done.status == 302, done.text()[:500]
    assert "/login" not in done.headers["location"], done.headers["location"]


def no_sideways_scroll(page: Any) -> None:
    """The page is no wider than the window: whatever is wider scrolls inside its own region."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    window = page.evaluate("() => window.innerWidth")
    assert width <= window, f"{page.url}: the page is {width} px wide in a {window} px window"
