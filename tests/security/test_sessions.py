"""Browser sessions: rotated at login, revoked at logout, password change and deactivation (a
copied cookie stops working), and ended after 30 idle minutes or 12 hours in all."""

from __future__ import annotations

from hub.db import db
from hub.models import User
from tests.conftest import PASSWORD, make_user
from tests.security.conftest import Clock, Web, replay, session_cookie, text_of

TIMED_OUT = "一定時間操作がなかったため"


def signed_in(app, role: str = "staff", **kwargs) -> tuple[Web, str]:
    with app.app_context():
        email = make_user(role=role, **kwargs).email
    web = Web(app)
    assert web.login(email).status_code == 302
    return web, email


def test_a_copied_cookie_works_until_logout_and_never_after(app):
    web, _ = signed_in(app)
    copied = session_cookie(web)
    assert replay(app, copied, "/staff/").status_code == 200
    web.get("/staff/")
    assert web.post("/logout").status_code == 302
    answer = replay(app, copied, "/staff/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")


def test_logout_ends_the_accounts_other_sessions_too(app):
    web, email = signed_in(app)
    elsewhere = Web(app)
    elsewhere.login(email)
    web.get("/staff/")
    web.post("/logout")
    assert elsewhere.get("/staff/").status_code == 302
    assert Web(app).login(email).status_code == 302


def test_nothing_of_the_session_before_login_survives_it(app):
    """Rotation: the pre-login session (and its CSRF token) is dropped at login, so a session
    planted before login (fixation) neither signs anyone in nor authorizes a post after it."""
    with app.app_context():
        email = make_user(role="staff").email
    web = Web(app)
    web.get("/login")
    before = session_cookie(web)
    token_before = web.csrf()
    answer = web.client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token_before}
    )
    assert answer.status_code == 302
    assert session_cookie(web) != before
    assert replay(app, before, "/staff/").status_code == 302
    assert web.client.post("/logout", data={"csrf_token": token_before}).status_code == 400
    assert web.get("/staff/").status_code == 200
    web.get("/staff/")
    assert web.client.post("/logout", data={"csrf_token": web.csrf()}).status_code == 302


def test_an_idle_session_ends_after_thirty_minutes(app, clock: Clock):
    web, _ = signed_in(app)
    for _ in range(3):
        clock.advance(minutes=29)
        assert web.get("/staff/").status_code == 200
    copied = session_cookie(web)
    clock.advance(minutes=31)
    answer = web.get("/staff/")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login?next=/staff/"
    assert TIMED_OUT in text_of(web.get("/login"))
    assert web.get("/staff/").status_code == 302
    assert replay(app, copied, "/staff/").status_code == 302


def test_a_busy_session_still_ends_after_twelve_hours(app, clock: Clock):
    web, _ = signed_in(app, "respondent", municipality="131016")
    for _ in range(12 * 3 - 1):
        clock.advance(minutes=20)
        assert web.get("/respond/").status_code == 200
    copied = session_cookie(web)
    clock.advance(minutes=21)
    assert web.get("/respond/").status_code == 302
    assert replay(app, copied, "/respond/").status_code == 302


def test_a_password_change_ends_every_other_session(app):
    web, email = signed_in(app)
    copied = session_cookie(web)
    web.get("/password")
    new = "夏の多摩川で鮎を釣った日"
    done = web.post(
        "/password", {"current_password": PASSWORD, "new_password": new, "new_password_again": new}
    )
    assert done.status_code == 302
    assert web.get("/staff/").status_code == 200
    assert replay(app, copied, "/staff/").status_code == 302
    assert Web(app).login(email, new).status_code == 302


def test_deactivation_ends_the_users_sessions(app, web):
    staff, email = signed_in(app)
    copied = session_cookie(staff)
    with app.app_context():
        user_id = db.session.query(User.id).filter_by(email=email).scalar()
    admin = web("admin")
    admin.get(f"/admin/users/{user_id}")
    assert admin.post(f"/admin/users/{user_id}/deactivate").status_code == 302
    assert staff.get("/staff/").status_code == 302
    assert replay(app, copied, "/staff/").status_code == 302
    assert Web(app).login(email).status_code == 403  # told it is deactivated, not signed in


def test_session_cookie_flags(app):
    web, _ = signed_in(app)
    header = web.last.headers.get("Set-Cookie", "") if web.last is not None else ""
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header, "plain HTTP without HUB_SECURE_COOKIES: no Secure flag"
