"""The warning before a session times out (WCAG 2.2.1 Timing Adjustable): every signed-in page
says how long its session has left; asking again keeps nothing alive; 「ログインを続ける」 (a
POST with the CSRF token) restarts the idle timeout but never the 12-hour one; and a page whose
session ended can send its form once the person signed in again, with the token the status
gives."""

from __future__ import annotations

from sqlalchemy import select

from hub.db import db
from hub.models import User
from tests.conftest import make_round, make_user, response_of
from tests.security.conftest import Clock, Web, page

SIGNED_OUT = {"signed_in": False, "user": None, "idle_seconds": 0, "absolute_seconds": 0}


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalars(select(User.id).where(User.email == email)).one()


def signed_in(app) -> tuple[Web, str]:
    with app.app_context():
        email = make_user(role="respondent", municipality="131016").email
    web = Web(app)
    assert web.login(email).status_code == 302
    return web, email


def warning_of(web: Web, url: str = "/respond/") -> dict[str, str]:
    (box,) = page(web.get(url)).xpath("//*[@data-session-warning]")
    return dict(box.attrib)


def test_a_signed_in_page_carries_the_warning_with_its_time_left(app, clock: Clock):
    web, _ = signed_in(app)
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
    web, email = signed_in(app)
    web.get("/respond/")
    clock.advance(minutes=20)
    status = web.get("/session")
    assert status.headers["Cache-Control"] == "no-store"
    left = status.get_json()
    assert left.pop("csrf_token")
    assert left == {
        "signed_in": True,
        "user": user_id(app, email),
        "idle_seconds": 10 * 60,
        "absolute_seconds": 12 * 3600 - 20 * 60,
    }
    clock.advance(minutes=9)
    assert web.get("/session").get_json()["idle_seconds"] == 60
    clock.advance(minutes=2)
    assert web.get("/session").get_json() == SIGNED_OUT
    answer = web.get("/respond/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")


def test_staying_signed_in_restarts_the_idle_timeout_only(app, clock: Clock):
    web, _ = signed_in(app)
    token = warning_of(web)["data-csrf"]
    clock.advance(minutes=29)
    kept = web.client.post("/session", headers={"X-CSRFToken": token})
    assert kept.status_code == 200
    left = kept.get_json()
    assert (left["idle_seconds"], left["absolute_seconds"]) == (30 * 60, 12 * 3600 - 29 * 60)
    clock.advance(minutes=29)
    assert web.get("/respond/").status_code == 200


def test_staying_signed_in_needs_the_csrf_token_and_a_live_session(app, clock: Clock):
    web, _ = signed_in(app)
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
    assert anonymous.get("/session").get_json() == SIGNED_OUT
    assert anonymous.post("/session").status_code in (302, 401, 403)


def test_a_page_whose_session_ended_sends_its_form_after_signing_in_again(app, clock: Clock):
    """The questionnaire page stays open while the session times out; the person signs in
    again (in another tab: the same cookies); the page takes the CSRF token that GET /session
    gives and its 一時保存 then saves what was typed. The page's own old token no longer does."""
    with app.app_context():
        round_id = make_round().id
    web, email = signed_in(app)
    url = f"/respond/rounds/{round_id}/131016"
    form = page(web.get(url)).xpath("//form[@data-questionnaire]")[0]
    typed = {
        "plan_status": "1",
        "plan_name": "千代田区再犯防止推進計画",
        "version": form.xpath(".//input[@name='version']/@value")[0],
        "action": "save",
    }
    old_token = form.xpath(".//input[@name='csrf_token']/@value")[0]
    clock.advance(minutes=31)
    assert web.get("/session").get_json() == SIGNED_OUT
    assert web.login(email).status_code == 302

    refused = web.client.post(url, data={**typed, "csrf_token": old_token})
    assert refused.status_code == 400
    fresh = web.get("/session").get_json()["csrf_token"]
    saved = web.client.post(url, data={**typed, "csrf_token": fresh})
    assert saved.status_code == 302
    with app.app_context():
        assert response_of(round_id, "131016").answers["plan_name"] == "千代田区再犯防止推進計画"
