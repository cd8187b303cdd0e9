"""Signing in and out, sessions, password change, language switch."""

from __future__ import annotations

import pytest

from hub.db import db
from hub.models import AuditEvent, User
from tests.conftest import PASSWORD, make_user
from tests.web.conftest import Web, page, text_of


@pytest.mark.parametrize(
    ("role", "kwargs", "home"),
    [
        ("respondent", {"municipality": "131016"}, "/respond/"),
        ("staff", {}, "/staff/"),
        ("admin", {}, "/admin/"),
        ("counterpart", {"recipient": "moj"}, "/counterpart"),
    ],
)
def test_each_role_lands_on_its_home(app, role, kwargs, home):
    with app.app_context():
        user = make_user(role=role, **kwargs)
        email = user.email
    web = Web(app)
    answer = web.login(email)
    assert answer.status_code == 302
    assert answer.headers["Location"] == home
    assert web.get(home).status_code == 200


def test_login_form_is_labelled_and_protected(app):
    web = Web(app)
    doc = page(web.get("/login"))
    for name in ("email", "password"):
        assert doc.xpath(f"//label[@for='{name}']"), name
    assert doc.xpath("//input[@name='csrf_token']")
    refused = web.post("/login", {"email": "x@example.jp", "password": "y"}, csrf=False)
    assert refused.status_code == 400


def test_wrong_password_is_refused_and_recorded(app):
    with app.app_context():
        email = make_user(role="staff").email
    web = Web(app)
    web.get("/login")
    answer = web.post("/login", {"email": email, "password": "wrong password!!"})
    assert answer.status_code == 200
    assert "メールアドレスまたはパスワードが正しくありません。" in text_of(answer)
    assert web.get("/staff/").status_code == 302
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="auth.login_failed").count() == 1


def test_empty_login_shows_field_errors(app):
    web = Web(app)
    web.get("/login")
    answer = web.post("/login", {"email": "", "password": ""})
    assert answer.status_code == 422
    doc = page(answer)
    assert (
        "メールアドレスを入力してください。"
        in doc.xpath("//*[@id='email-error']")[0].text_content()
    )
    assert "email-error" in doc.xpath("//input[@id='email']/@aria-describedby")[0]


def test_session_cookie_is_httponly_and_samesite_and_rotated(app):
    with app.app_context():
        email = make_user(role="staff").email
    web = Web(app)
    web.get("/login")
    before = web.client.get_cookie("session")
    assert before is not None
    web.post("/login", {"email": email, "password": PASSWORD})
    after = web.client.get_cookie("session")
    assert after is not None
    assert after.http_only
    assert after.same_site == "Lax"
    assert after.value != before.value
    header = web.last.headers.get("Set-Cookie", "")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_next_parameter_cannot_leave_the_hub(app):
    with app.app_context():
        email = make_user(role="staff").email
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        web = Web(app)
        web.get(f"/login?next={target}")
        answer = web.client.post(
            f"/login?next={target}",
            data={"email": email, "password": PASSWORD, "csrf_token": web.csrf()},
        )
        assert answer.headers["Location"] == "/staff/", target


def test_logout_ends_the_session(web):
    staff = web("staff")
    staff.get("/staff/")
    answer = staff.post("/logout")
    assert answer.status_code == 302
    assert staff.get("/staff/").status_code == 302


def test_password_change_ends_other_sessions(app, web):
    with app.app_context():
        user = make_user(role="staff")
        email = user.email
    here, elsewhere = Web(app), Web(app)
    here.login(email)
    elsewhere.login(email)
    here.get("/password")
    wrong = here.post(
        "/password",
        {"current_password": "nope", "new_password": "x", "new_password_again": "x"},
    )
    assert wrong.status_code == 422
    assert page(wrong).xpath("//*[@id='current_password-error']")
    here.get("/password")
    weak = here.post(
        "/password",
        {"current_password": PASSWORD, "new_password": "short", "new_password_again": "short"},
    )
    assert weak.status_code == 422
    assert "12文字以上" in page(weak).xpath("//*[@id='new_password-error']")[0].text_content()
    here.get("/password")
    new = "a quite different passphrase"
    done = here.post(
        "/password",
        {"current_password": PASSWORD, "new_password": new, "new_password_again": new},
    )
    assert done.status_code == 302
    assert here.get("/staff/").status_code == 200
    assert elsewhere.get("/staff/").status_code == 302
    again = Web(app)
    assert again.login(email, new).status_code == 302
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="user.change_password").count() == 1
        assert db.session.get(User, user.id).session_version == 2


def test_language_switch_sets_a_cookie_and_goes_back(app):
    web = Web(app)
    answer = web.get("/language/en?next=/login")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login"
    cookie = web.client.get_cookie("lang")
    assert cookie is not None
    assert cookie.value == "en"
    doc = page(web.get("/login"))
    assert doc.get("lang") == "en"
    assert doc.xpath("//label[@for='email']")[0].text_content() == "E-mail address"
    assert web.get("/language/xx?next=https://evil.example/").headers["Location"] == "/"


def test_every_page_links_only_to_local_assets(app, web):
    staff = web("staff")
    doc = page(staff.get("/staff/"))
    sources = doc.xpath("//script/@src|//link/@href|//img/@src")
    assert sources
    assert all(s.startswith("/static/") for s in sources), sources
    for source in sources:
        with staff.client.get(source) as asset:
            assert asset.status_code == 200, source
    doc = page(staff.get("/staff/"))
    assert doc.xpath("//a[@class='skip-link']/@href") == ["#main"]
    assert doc.xpath("//main/@id") == ["main"]
