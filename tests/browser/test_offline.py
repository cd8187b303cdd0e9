"""自治体 terminals reach nothing outside the hub: no page may ask for an outside resource.

Every browser test watches its pages (see ``open_page``); this test shows that the watch works
by making a page ask for an outside image (the request is aborted, nothing leaves the machine).
"""

from __future__ import annotations

import pytest

from tests.browser.support import is_local

pytestmark = pytest.mark.browser

OUTSIDE = "https://cdn.example.invalid/font.woff2"


def test_is_local():
    assert is_local("http://127.0.0.1:5000/static/hub.css")
    assert is_local("data:image/png;base64,AAAA")
    assert not is_local("https://fonts.googleapis.com/css2?family=Noto+Sans+JP")
    assert not is_local("http://localhost.evil.example/x.js")


def test_the_watch_sees_a_request_for_an_outside_resource(chromium, live_server):
    context = chromium.new_context(base_url=live_server)
    try:
        page = context.new_page()
        seen: list[str] = []
        page.on("request", lambda r: None if is_local(r.url) else seen.append(r.url))
        page.route("https://cdn.example.invalid/**", lambda route: route.abort())
        page.goto("/login")
        assert seen == []
        with page.expect_event("requestfailed"):
            page.evaluate(
                "url => { const i = document.createElement('img'); i.src = url;"
                " document.body.appendChild(i); }",
                OUTSIDE,
            )
        assert seen == [OUTSIDE]
    finally:
        context.close()
