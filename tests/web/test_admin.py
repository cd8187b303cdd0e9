"""The administrator's pages: users and API tokens."""

from __future__ import annotations

from hub.db import db
from hub.models import AuditEvent, User
from hub.services.users import find_by_email
from tests.conftest import make_user
from tests.web.conftest import Web, page, text_of


def test_create_a_respondent_with_a_generated_password_shown_once(app, web):
    admin = web("admin")
    form = page(admin.get("/admin/users/new"))
    for name in ("email", "display_name", "role", "municipality", "recipient", "password"):
        assert form.xpath(f"//label[@for='{name}']"), name
    answer = admin.post(
        "/admin/users/new",
        {"email": "Ｋｏｄａｉｒａ@Example.LG.JP", "role": "respondent", "municipality": "132110"},
    )
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    password = page(answer).xpath("//code[@data-secret]")[0].text_content()
    assert len(password) >= 12
    with app.app_context():
        user = find_by_email("Kodaira@example.lg.jp")
        assert user is not None
        assert user.municipality_code == "132110"
        email = user.email
    newcomer = Web(app)
    assert newcomer.login(email, password).headers["Location"] == "/respond/"
    assert password not in admin.get("/admin/").get_data(as_text=True)


def test_create_user_errors_are_per_field_and_input_kept(app, web):
    admin = web("admin")
    admin.get("/admin/users/new")
    answer = admin.post(
        "/admin/users/new",
        {"email": "new-respondent@example.jp", "role": "respondent", "display_name": "新人"},
    )
    assert answer.status_code == 422
    doc = page(answer)
    assert doc.xpath("//*[@id='municipality-error']")
    assert doc.xpath("//input[@name='email']/@value") == ["new-respondent@example.jp"]
    assert doc.xpath("//input[@name='display_name']/@value") == ["新人"]
    admin.get("/admin/users/new")
    weak = admin.post(
        "/admin/users/new",
        {"email": "staff2@example.jp", "role": "staff", "password": "aaaa"},
    )
    assert weak.status_code == 422
    assert page(weak).xpath("//*[@id='password-error']")
    with app.app_context():
        existing = make_user(role="staff").email
    admin.get("/admin/users/new")
    twice = admin.post("/admin/users/new", {"email": existing, "role": "staff"})
    assert twice.status_code == 422
    assert "既に登録されています" in page(twice).xpath("//*[@id='email-error']")[0].text_content()


def test_deactivate_ends_sessions_and_logins(app, web):
    admin = web("admin")
    victim = web("respondent", municipality="131016")
    assert victim.get("/respond/").status_code == 200
    user_id = victim.user.id
    admin.get(f"/admin/users/{user_id}")
    assert admin.post(f"/admin/users/{user_id}/deactivate").status_code == 302
    assert victim.get("/respond/").status_code == 302
    again = Web(app)
    assert again.login(victim.user.email).status_code == 200
    with app.app_context():
        assert not db.session.get(User, user_id).active
        assert db.session.query(AuditEvent).filter_by(action="user.deactivate").count() == 1
    admin.get(f"/admin/users/{user_id}")
    assert admin.post(f"/admin/users/{user_id}/deactivate").status_code == 409


def test_admin_cannot_deactivate_themselves(web):
    admin = web("admin")
    admin.get(f"/admin/users/{admin.user.id}")
    assert admin.post(f"/admin/users/{admin.user.id}/deactivate").status_code == 409


def test_reset_password_shows_a_new_one_and_ends_sessions(app, web):
    admin = web("admin")
    staff = web("staff")
    admin.get(f"/admin/users/{staff.user.id}")
    answer = admin.post(f"/admin/users/{staff.user.id}/password")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    password = page(answer).xpath("//code[@data-secret]")[0].text_content()
    assert staff.get("/staff/").status_code == 302
    assert Web(app).login(staff.user.email, password).status_code == 302


def test_bind_a_respondent_to_another_municipality(app, web):
    admin = web("admin")
    respondent = web("respondent", municipality="131016")
    url = f"/admin/users/{respondent.user.id}"
    admin.get(url)
    bad = admin.post(f"{url}/municipality", {"municipality": "999999"})
    assert bad.status_code == 422
    assert page(bad).xpath("//*[@id='municipality-error']")
    admin.get(url)
    assert admin.post(f"{url}/municipality", {"municipality": "132012"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, respondent.user.id).municipality_code == "132012"
    assert "八王子市" in text_of(admin.get(url))


def test_tokens_are_shown_once_work_and_can_be_revoked(app, web):
    admin = web("admin")
    staff = web("staff")
    url = f"/admin/users/{staff.user.id}"
    admin.get(url)
    answer = admin.post(f"{url}/tokens", {"description": "庁内システム"})
    assert answer.headers["Cache-Control"] == "no-store"
    token = page(answer).xpath("//code[@data-secret]")[0].text_content()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/rounds", headers=headers).status_code == 200
    listing = page(admin.get(url))
    assert token not in admin.last.get_data(as_text=True)
    revoke = listing.xpath("//form[contains(@action,'/revoke')]/@action")[0]
    assert admin.post(revoke).status_code == 302
    assert api.get("/api/v1/rounds", headers=headers).status_code == 401
    admin.get(url)
    assert "既に無効" in text_of(admin.get(admin.post(revoke).headers["Location"]))


def test_other_roles_cannot_manage_users(web):
    for client in (web("staff"), web("respondent", municipality="131016")):
        assert client.get("/admin/").status_code == 403
        assert client.get("/admin/users/new").status_code == 403
