"""The warning before a session times out (WCAG 2.2.1 Timing Adjustable): every signed-in page
says how long its session has left; asking again keeps nothing alive; 「ログインを続ける」 (a
POST with the CSRF token) restarts the idle timeout but never the 12-hour one."""

from __future__ import annotations

from tests.conftest import make_user
from tests.security.conftest import Clock, Web, page


def signed_in(app) -> Web:
    with app.app_context():
        email = make_user(role="respondent", municipality="131016").email
    web = Web(app)
    assert web.login(email).status_code == 302
    return web


def warning_of(web: Web, url: str = "/respond/") -> dict[str, str]:
    (box,) = page(web.get(url)).xpath("//*[@data-session-warning]")
    return dict(box.attrib)


def test_a_signed_in_page_carries_the_warning_with_its_time_left(app, clock: Clock):
    web = signed_in(app)
    clock.advance(minutes=10)
    box = warning_of(web)
    assert box["role"] == "alertdialog"
    assert "hidden" in box
    assert box["data-idle-left"] == str(30 * 60)
    assert box["data-absolute-left"] == str(12 * 3600 - 10 * 60)
    assert box["data-warn"] == "120"
    assert box["data-status-url"] == "/session"
    assert box["data-csrf"]


def test_pages_without_a_session_have_none(app):
    assert not page(Web(app).get("/login")).xpath("//*[@data-session-warning]")


def test_asking_how_long_is_left_keeps_nothing_alive(app, clock: Clock):
    web = signed_in(app)
    web.get("/respond/")
    clock.advance(minutes=20)
    status = web.get("/session")
    assert status.headers["Cache-Control"] == "no-store"
    assert status.get_json() == {
        "signed_in": True,
        "idle_seconds": 10 * 60,
        "absolute_seconds": 12 * 3600 - 20 * 60,
    }
    clock.advance(minutes=9)
    assert web.get("/session").get_json()["idle_seconds"] == 60
    clock.advance(minutes=2)
    assert web.get("/session").get_json() == {
        "signed_in": False,
        "idle_seconds": 0,
        "absolute_seconds": 0,
    }
    answer = web.get("/respond/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")


def test_staying_signed_in_restarts_the_idle_timeout_only(app, clock: Clock):
    web = signed_in(app)
    token = warning_of(web)["data-csrf"]
    clock.advance(minutes=29)
    kept = web.client.post("/session", headers={"X-CSRFToken": token})
    assert kept.status_code == 200
    assert kept.get_json() == {
        "signed_in": True,
        "idle_seconds": 30 * 60,
        "absolute_seconds": 12 * 3600 - 29 * 60,
    }
    clock.advance(minutes=29)
    assert web.get("/respond/").status_code == 200


def test_staying_signed_in_needs_the_csrf_token_and_a_live_session(app, clock: Clock):
    web = signed_in(app)
    token = warning_of(web)["data-csrf"]
    assert web.client.post("/session").status_code == 400
    clock.advance(minutes=29)
    assert web.get("/session").get_json()["idle_seconds"] == 60
    clock.advance(minutes=2)
    late = web.client.post("/session", headers={"X-CSRFToken": token})
    assert late.status_code == 302
    assert late.headers["Location"].startswith("/login")
    assert web.get("/session").get_json()["signed_in"] is False


def test_nobody_signed_in_asks_and_is_told_so(app):
    anonymous = Web(app)
    assert anonymous.get("/session").get_json() == {
        "signed_in": False,
        "idle_seconds": 0,
        "absolute_seconds": 0,
    }
    assert anonymous.post("/session").status_code in (302, 401, 403)
