"""The account life cycle walked as people do it: signing in with the IME on, a deactivated
account or an expired temporary password told as such, a first password typed in 全角 refused,
and an account moved to another municipality or to a merged one."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from hub.db import db
from hub.models import AuditEvent, LoginAttempt, Municipality, User
from hub.services import throttle
from tests.conftest import PASSWORD, make_round, make_user
from tests.web.conftest import Web, page, text_of

FULL_WIDTH_PASSWORD = "ｃｏｒｒｅｃｔ　ｈｏｒｓｅ　ｂａｔｔｅｒｙ　ｓｔａｐｌｅ"


def errors_on(answer) -> str:
    return " ".join(
        " ".join(n.text_content().split()) for n in page(answer).xpath("//*[@role='alert']")
    )


def test_an_email_typed_in_full_width_or_upper_case_with_spaces_signs_in(app):
    with app.app_context():
        make_user(role="staff", email="Yamada.Taro@example.jp")
    for typed in (
        "ｙａｍａｄａ．ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
        "  YAMADA.TARO@EXAMPLE.JP ",
        "yamada.taro＠example.jp",
    ):
        answer = Web(app).login(typed)
        assert answer.status_code == 302, typed
        assert answer.headers["Location"] == "/staff/"


def test_failures_typed_in_full_width_count_for_the_same_account(app):
    with app.app_context():
        make_user(role="staff", email="hanako@example.jp")
    web = Web(app)
    for typed in ("hanako@example.jp", "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ", " HANAKO@example.jp"):
        web.get("/login")
        web.post("/login", {"email": typed, "password": "not the password at all"})
    with app.app_context():
        keys = set(db.session.scalars(select(LoginAttempt.email)))
        assert keys == {throttle.account_key("hanako@example.jp")}


def test_a_password_typed_with_the_ime_on_is_told_so_in_the_readers_language(app):
    with app.app_context():
        email = make_user(role="staff").email
    web = Web(app)
    web.get("/login")
    answer = web.post("/login", {"email": email, "password": FULL_WIDTH_PASSWORD})
    assert answer.status_code == 200
    assert "パスワードが全角で入力されています。" in text_of(answer)
    web.client.set_cookie("lang", "en")
    web.get("/login")
    answer = web.post("/login", {"email": email, "password": FULL_WIDTH_PASSWORD})
    assert "typed in full-width characters" in text_of(answer)
    web.get("/login")
    plain_wrong = web.post("/login", {"email": email, "password": "a wrong one typed plainly"})
    assert "full-width" not in text_of(plain_wrong)
    assert "The e-mail address or password is not correct." in text_of(plain_wrong)


def choose_password(web: Web, new: str):
    web.get("/password")
    return web.post(
        "/password",
        {"current_password": PASSWORD, "new_password": new, "new_password_again": new},
    )


def test_a_new_password_with_full_width_letters_or_spaces_is_refused(app, web):
    staff = web("staff")
    for new in (FULL_WIDTH_PASSWORD, "tall\u3000green\u3000river\u3000stone"):
        answer = choose_password(staff, new)
        assert answer.status_code == 422, new
        message = page(answer).xpath("//*[@id='new_password-error']")[0].text_content()
        assert "全角の英数字・記号・空白が含まれています" in message
    staff.client.set_cookie("lang", "en")
    answer = choose_password(staff, FULL_WIDTH_PASSWORD)
    assert "full-width letters, digits, symbols or spaces" in errors_on(answer)
    with app.app_context():
        assert db.session.get(User, staff.user.id).password_changed_at is not None
        assert not db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "user.change_password")
        )
    assert Web(app).login(staff.user.email).status_code == 302, "the old password still works"


def test_a_password_equal_to_the_email_is_refused_in_both_languages(app, web):
    staff = web("staff")
    answer = choose_password(staff, staff.user.email)
    assert "メールアドレスを含むパスワードは使えません。" in errors_on(answer)
    staff.client.set_cookie("lang", "en")
    answer = choose_password(staff, staff.user.email)
    assert "A password containing the e-mail address cannot be used." in errors_on(answer)


def test_a_deactivated_account_is_told_so_only_with_its_right_password(app, web):
    with app.app_context():
        user = make_user(role="staff")
        user.active = False
        db.session.commit()
        email = user.email
    web = Web(app)
    right = web.login(email)
    assert right.status_code == 403
    assert "このアカウントは無効化されています。" in text_of(right)
    wrong = web.login(email, "not the password at all")
    assert wrong.status_code == 200
    assert "無効化" not in text_of(wrong)
    assert "メールアドレスまたはパスワードが正しくありません。" in text_of(wrong)
    with app.app_context():
        failed = db.session.scalars(
            select(AuditEvent.target).where(AuditEvent.action == "auth.login_failed")
        ).all()
        assert failed == [email, email]
        assert not db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login"))


def test_a_respondent_moved_to_another_municipality_keeps_no_way_into_the_old_one(app, web):
    with app.app_context():
        round_id = make_round().id
    respondent = web("respondent", municipality="131016")
    respondent.get("/account/tokens")
    respondent.post("/account/tokens", {"description": "庁内システム"})
    token = page(respondent.get("/account/tokens/new")).xpath("//code[@data-secret]")[0].text
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    old = f"/api/v1/rounds/{round_id}/responses/131016"
    new = f"/api/v1/rounds/{round_id}/responses/131024"
    assert api.get(old, headers=bearer).status_code == 200
    assert respondent.get(f"/respond/rounds/{round_id}/131016").status_code == 200
    admin = web("admin")
    admin.get(f"/admin/users/{respondent.user.id}")
    moved = admin.post(
        f"/admin/users/{respondent.user.id}/role",
        {"role": "respondent", "municipality": "131024"},
    )
    assert moved.status_code == 302
    assert respondent.get(f"/respond/rounds/{round_id}/131016").status_code == 302, "signed out"
    # the token minted for the old municipality's system reads neither one
    assert api.get(old, headers=bearer).status_code == 401
    assert api.get(new, headers=bearer).status_code == 401
    again = Web(app)
    again.login(respondent.user.email)
    assert again.get(f"/respond/rounds/{round_id}/131016").status_code == 403
    assert again.get(f"/respond/rounds/{round_id}/131024").status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.change_role"))
        assert event is not None
        assert event.municipality_code == "131024"
        assert event.details == {
            "role": "respondent",
            "role_before": "respondent",
            "municipality_before": "131016",
        }


def retire(code: str) -> None:
    municipality = db.session.get(Municipality, code)
    assert municipality is not None
    municipality.active = False
    municipality.retired_on = date(2020, 4, 1)
    db.session.commit()


def test_no_account_is_bound_to_a_retired_municipality(app, web):
    with app.app_context():
        respondent = make_user(role="respondent", municipality="132012")
        user_id = respondent.id
        retire("132012")
    admin = web("admin")
    for role in ("respondent", "window"):
        admin.get("/admin/users/new")
        answer = admin.post(
            "/admin/users/new",
            {"email": f"{role}@example.jp", "role": role, "municipality": "132012"},
        )
        assert answer.status_code == 422, role
        message = page(answer).xpath("//*[@id='municipality-error']")[0].text_content()
        assert "自治体コード 132012 の区市町村は廃止されています。" in message
    admin.client.set_cookie("lang", "en")
    admin.get("/admin/users/new")
    answer = admin.post(
        "/admin/users/new", {"email": "w@example.jp", "role": "window", "municipality": "132012"}
    )
    assert "has been retired" in errors_on(answer)
    elsewhere = make_user_in(app, "131016")
    admin.get(f"/admin/users/{elsewhere}")
    moved = admin.post(
        f"/admin/users/{elsewhere}/role", {"role": "respondent", "municipality": "132012"}
    )
    assert moved.status_code == 422
    admin.get(f"/admin/users/{user_id}")
    kept = admin.post(
        f"/admin/users/{user_id}/role", {"role": "respondent", "municipality": "132012"}
    )
    assert kept.status_code == 302, "an account of a retired municipality may keep it"
    admin.get(f"/admin/users/{user_id}")
    became = admin.post(
        f"/admin/users/{user_id}/role", {"role": "window", "municipality": "132012"}
    )
    assert became.status_code == 422, "but is not given it again with another role"
    with app.app_context():
        assert db.session.get(User, elsewhere).municipality_code == "131016"
        assert not db.session.scalar(select(User).where(User.email == "window@example.jp"))


def make_user_in(app, code: str) -> int:
    with app.app_context():
        return make_user(role="respondent", municipality=code).id


def test_an_account_whose_municipality_was_retired_is_reactivated_with_another(app, web, smtp):
    with app.app_context():
        respondent = make_user(role="respondent", municipality="132012")
        respondent.active = False
        user_id, email = respondent.id, respondent.email
        retire("132012")
    admin = web("admin")
    url = f"/admin/users/{user_id}"
    shown = page(admin.get(url))
    said = shown.xpath("//section[@aria-labelledby='account-actions']")[0].text_content()
    assert "自治体コード 132012 の区市町村は廃止されています。再有効化するには" in said
    offered = shown.xpath("//form[contains(@action,'/reactivate')]//select/option/@value")
    assert "131016" in offered
    assert "132012" not in offered, "the retired one is not offered"
    for chosen in ({}, {"municipality": "132012"}, {"municipality": "999999"}):
        refused = admin.post(f"{url}/reactivate", chosen)
        assert refused.status_code == 422, chosen
        assert page(refused).xpath("//*[@id='municipality-error']"), chosen
    with app.app_context():
        assert not db.session.get(User, user_id).active
    assert smtp.to(email) == []
    admin.client.set_cookie("lang", "en")
    assert "has been retired" in errors_on(admin.post(f"{url}/reactivate"))
    done = admin.post(f"{url}/reactivate", {"municipality": "１３１０１６"})
    assert done.status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.active
        assert user.municipality_code == "131016"
        bound = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "user.bind_municipality")
        )
        assert bound is not None
        assert bound.details == {"before": "132012"}
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.reactivate"))
        assert event is not None
        assert event.municipality_code == "131016"
    assert len(smtp.to(email)) == 1


def test_an_account_of_a_municipality_still_there_is_reactivated_where_it_was(app, web, smtp):
    with app.app_context():
        respondent = make_user(role="window", municipality="131016")
        respondent.active = False
        db.session.commit()
        user_id = respondent.id
    admin = web("admin")
    url = f"/admin/users/{user_id}"
    assert not page(admin.get(url)).xpath("//form[contains(@action,'/reactivate')]//select")
    assert admin.post(f"{url}/reactivate").status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).municipality_code == "131016"
