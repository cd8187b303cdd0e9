"""The administrator's pages: users and API tokens.

An administrator reads no survey data (issue 14, item 24): tokens are minted only by their owner,
a password reset is mailed to the user and must be replaced at the next login, and a new account
chooses its own password at its first login."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from hub.db import db, utcnow
from hub.models import ApiToken, AuditEvent, User
from hub.services.users import USERS_PER_PAGE, find_by_email
from tests.conftest import PASSWORD, make_user
from tests.web.conftest import Web, page, text_of


def choose_password(web: Web, current: str, new: str) -> Any:
    web.get("/password")
    return web.post(
        "/password",
        {"current_password": current, "new_password": new, "new_password_again": new},
    )


def test_create_a_respondent_with_a_generated_password_shown_once(app, web):
    admin = web("admin")
    form = page(admin.get("/admin/users/new"))
    for name in ("email", "display_name", "role", "municipality", "recipient", "password"):
        assert form.xpath(f"//label[@for='{name}']"), name
    answer = admin.post(
        "/admin/users/new",
        {"email": "Ｋｏｄａｉｒａ@Example.LG.JP", "role": "respondent", "municipality": "132110"},
    )
    assert answer.status_code == 303
    assert "secret" not in answer.get_data(as_text=True)
    cookie = admin.client.get_cookie("session")
    assert cookie is not None
    kept = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    shown = admin.get(answer.headers["Location"])
    assert shown.headers["Cache-Control"] == "no-store"
    password = page(shown).xpath("//code[@data-secret]")[0].text_content()
    assert len(password) >= 12
    assert password not in repr(kept), "the cookie holds the password sealed"
    reloaded = admin.get(answer.headers["Location"])
    assert reloaded.status_code == 302
    again = admin.get(reloaded.headers["Location"])
    assert password not in again.get_data(as_text=True)
    assert "初期パスワードは、追加した直後に一度だけ表示されます。" in text_of(again)
    with app.app_context():
        user = find_by_email("Kodaira@example.lg.jp")
        assert user is not None
        assert user.municipality_code == "132110"
        email = user.email
    newcomer = Web(app)
    assert newcomer.login(email, password).headers["Location"] == "/respond/"
    assert password not in admin.get("/admin/").get_data(as_text=True)
    assert newcomer.get("/respond/").headers["Location"] == "/password", "first, their own"
    assert choose_password(newcomer, password, "tama river at dusk 7").status_code == 302
    assert newcomer.get("/respond/").status_code == 200


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
    refused = again.login(victim.user.email)
    assert refused.status_code == 403
    assert "このアカウントは無効化されています。" in text_of(refused)
    with app.app_context():
        assert not db.session.get(User, user_id).active
        assert db.session.query(AuditEvent).filter_by(action="user.deactivate").count() == 1


def test_a_second_deactivation_leads_back_to_the_account_as_it_is(app, web):
    """A page left open, or two administrators at once: the account's page as it is now, with
    a word of what happened, not a bare 409 page."""
    admin, other_admin = web("admin"), web("admin")
    victim = web("staff")
    url = f"/admin/users/{victim.user.id}"
    admin.get(url)
    other_admin.get(url)
    assert other_admin.post(f"{url}/deactivate").status_code == 302
    late = admin.post(f"{url}/deactivate")
    assert late.status_code == 409
    said = text_of(late)
    assert f"{victim.user.email} は既に無効化されています。" in said
    assert "このアカウントの現在の状態を確かめてください。" in said
    doc = page(late)
    assert doc.xpath("//h1")[0].text_content() == victim.user.email
    assert doc.xpath("//h3[.='再有効化']"), "the page as it is now"
    assert not doc.xpath("//form[contains(@action,'/deactivate')]")
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="user.deactivate").count() == 1


def test_admin_cannot_deactivate_themselves(web):
    admin = web("admin")
    admin.get(f"/admin/users/{admin.user.id}")
    assert admin.post(f"/admin/users/{admin.user.id}/deactivate").status_code == 409


def temporary_password_in(mail) -> str:
    return mail.get_content().split("仮パスワード: ")[1].split()[0]


def test_reset_password_mails_it_to_the_user_and_the_admin_never_sees_it(app, web, smtp):
    admin = web("admin")
    staff = web("staff")
    url = f"/admin/users/{staff.user.id}"
    assert "仮パスワードをメールで送る" in text_of(admin.get(url))
    answer = admin.post(f"{url}/password")
    assert answer.status_code == 302
    shown = admin.get(answer.headers["Location"])
    (mail,) = smtp.to(staff.user.email)
    temporary = temporary_password_in(mail)
    assert temporary not in answer.get_data(as_text=True) + shown.get_data(as_text=True)
    assert "メールで送りました" in text_of(shown)
    assert staff.get("/staff/").status_code == 302, "the user's sessions ended"
    assert Web(app).login(staff.user.email).status_code == 200, "the old password is gone"

    again = Web(app)
    assert again.login(staff.user.email, temporary).status_code == 302
    for path in ("/staff/", "/audit/", "/account/tokens", "/staff/rounds/1"):
        assert again.get(path).headers["Location"] == "/password", path
    assert "新しいパスワードを決めてください" in text_of(again.get("/password"))
    assert choose_password(again, temporary, "okutama mist at noon 4").status_code == 302
    assert again.get("/staff/").status_code == 200
    with app.app_context():
        assert not db.session.get(User, staff.user.id).must_change_password
        logged = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
        assert "user.reset_password" in logged
        assert logged.index("user.reset_password") < logged.index("user.change_password")


def test_reset_password_without_mail_changes_nothing_and_says_what_to_do(app, web):
    admin = web("admin")
    staff = web("staff")
    url = f"/admin/users/{staff.user.id}"
    shown = text_of(admin.get(url))
    assert "hub user reset-password" in shown
    refused = admin.post(f"{url}/password")
    assert refused.status_code == 409
    assert "HUB_SMTP_URL" in text_of(refused)
    assert "。）。" not in text_of(refused), "the reason in brackets ends without its own 。"
    assert staff.get("/staff/").status_code == 200, "nothing changed"
    with app.app_context():
        assert not db.session.get(User, staff.user.id).must_change_password


def test_a_temporary_password_expires(app, web, smtp):
    from datetime import timedelta

    from hub.services.users import TEMPORARY_PASSWORD_LIFETIME

    admin = web("admin")
    staff = web("staff")
    admin.get(f"/admin/users/{staff.user.id}")
    admin.post(f"/admin/users/{staff.user.id}/password")
    temporary = temporary_password_in(smtp.to(staff.user.email)[0])
    with app.app_context():
        user = db.session.get(User, staff.user.id)
        user.password_changed_at -= TEMPORARY_PASSWORD_LIFETIME + timedelta(minutes=1)
        db.session.commit()
    expired = Web(app).login(staff.user.email, temporary)
    assert expired.status_code == 403
    assert "仮パスワードの有効期限（72時間）が切れています。" in text_of(expired)


def test_bind_a_respondent_to_another_municipality(app, web):
    admin = web("admin")
    respondent = web("respondent", municipality="131016")
    url = f"/admin/users/{respondent.user.id}"
    admin.get(url)
    bad = admin.post(f"{url}/role", {"role": "respondent", "municipality": "999999"})
    assert bad.status_code == 422
    assert page(bad).xpath("//*[@id='municipality-error']")
    admin.get(url)
    moved = admin.post(f"{url}/role", {"role": "respondent", "municipality": "132012"})
    assert moved.status_code == 302
    with app.app_context():
        assert db.session.get(User, respondent.user.id).municipality_code == "132012"
    assert "八王子市" in text_of(admin.get(url))


def test_tokens_are_minted_by_their_owner_shown_once_and_revoked_by_admin(app, web):
    admin = web("admin")
    staff = web("staff")
    url = f"/admin/users/{staff.user.id}"
    admin_page = page(admin.get(url))
    assert not admin_page.xpath(
        "//form[contains(@action,'/tokens') and not(contains(@action,'/revoke'))]"
    )
    assert admin.post(f"{url}/tokens", {"description": "x"}).status_code in (404, 405)

    staff.get("/account/tokens")
    issued = staff.post("/account/tokens", {"description": "庁内システム"})
    assert issued.status_code == 302
    answer = staff.get(issued.headers["Location"])
    assert answer.headers["Cache-Control"] == "no-store"
    token = page(answer).xpath("//code[@data-secret]")[0].text_content()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        assert db.session.scalars(select(ApiToken.last_used_at)).one() is None
    used_now = api.get("/api/v1/rounds", headers=headers)
    assert used_now.status_code == 200
    used_now.close()  # as the server does once the answer has gone: the use is written then
    with app.app_context():
        used = db.session.scalars(select(ApiToken.last_used_at)).one()
    assert used is not None
    assert utcnow() - used < timedelta(minutes=1)
    shown = page(staff.get("/account/tokens")).xpath("//table//tbody/tr[1]/td[4]")[0]
    assert "令和" in shown.text_content(), "最終利用 shows the use"
    assert "庁内システム" in text_of(staff.get("/account/tokens"))
    assert token not in staff.last.get_data(as_text=True)
    listing = page(admin.get(url))
    assert token not in admin.last.get_data(as_text=True)
    revoke = listing.xpath("//form[contains(@action,'/revoke')]/@action")[0]
    assert admin.post(revoke).status_code == 302
    assert api.get("/api/v1/rounds", headers=headers).status_code == 401
    admin.get(url)
    assert "既に無効" in text_of(admin.get(admin.post(revoke).headers["Location"]))


def test_people_revoke_their_own_tokens_and_nobody_elses(app, web):
    owner = web("staff")
    other = web("respondent", municipality="131016")
    owner.get("/account/tokens")
    owner.post("/account/tokens", {"description": "集計用"})
    revoke = page(owner.get("/account/tokens")).xpath(
        "//form[contains(@action,'/revoke')]/@action"
    )[0]
    other.get("/account/tokens")
    assert other.post(revoke).status_code == 404
    assert owner.post(revoke).status_code == 302
    assert "無効（" in text_of(owner.get("/account/tokens"))


def test_a_reloaded_token_page_mints_no_second_token_and_shows_the_secret_no_more(app, web):
    """Post/Redirect/Get: the POST mints and leads to a page showing the token once; reloading
    that page (F5) shows the list, saying why, and no second token exists."""
    owner = web("staff")
    owner.get("/account/tokens")
    issued = owner.post("/account/tokens", {"description": "集計用"})
    assert issued.status_code == 302
    assert issued.headers["Location"] == "/account/tokens/new"
    assert "hub_" not in issued.get_data(as_text=True)
    cookie = owner.client.get_cookie("session")
    assert cookie is not None
    kept = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    shown = owner.get("/account/tokens/new")
    assert shown.headers["Cache-Control"] == "no-store"
    token = page(shown).xpath("//code[@data-secret]")[0].text_content()
    assert token.startswith("hub_")
    assert token not in repr(kept), "the cookie holds the token sealed, not as it is"
    reloaded = owner.get("/account/tokens/new")
    assert reloaded.status_code == 302
    listing = owner.get(reloaded.headers["Location"])
    assert token not in listing.get_data(as_text=True)
    assert "一度だけ表示されます。控えていないときは" in text_of(listing)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_a_token_s_purpose_longer_than_its_column_is_refused_and_nothing_minted(app, web):
    owner = web("staff")
    owner.get("/account/tokens")
    refused = owner.post("/account/tokens", {"description": "あ" * 201})
    assert refused.status_code == 422
    doc = page(refused)
    error = doc.xpath("//*[@id='description-error']")[0].text_content()
    assert error.endswith("用途は200文字以内で入力してください。")
    assert doc.xpath("//*[@data-error-summary]//a[@href='#description']")
    assert "トークンは発行していません。" in text_of(refused)
    assert doc.xpath("//input[@name='description']/@value") == ["あ" * 201]
    assert not doc.xpath("//input[@name='description']/@maxlength")  # no silent cut
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
    assert owner.post("/account/tokens", {"description": "あ" * 200}).status_code == 302


def test_other_roles_cannot_manage_users(web):
    for client in (web("staff"), web("respondent", municipality="131016")):
        assert client.get("/admin/").status_code == 403
        assert client.get("/admin/users/new").status_code == 403


def emails_listed(web: Web, query: str = "") -> list[str]:
    answer = web.get(f"/admin/{query}")
    assert answer.status_code == 200
    return [a.text_content() for a in page(answer).xpath("//tbody/tr/th/a")]


def test_the_user_list_comes_a_page_at_a_time(app, web):
    admin = web("admin")
    with app.app_context():
        for _ in range(USERS_PER_PAGE):
            make_user(role="staff")
        everyone = set(db.session.scalars(select(User.email)).all())
    first, second = emails_listed(admin), emails_listed(admin, "?page=2")
    assert len(first) == USERS_PER_PAGE
    assert sorted(first + second) == sorted(everyone), "every account once, none left out"
    shown = text_of(admin.get("/admin/"))
    assert f"{len(everyone)}件中 1〜{USERS_PER_PAGE}件目を表示しています。" in shown


def test_users_are_found_by_a_part_of_what_people_remember(app, web):
    admin = web("admin")
    with app.app_context():
        chiyoda = make_user(
            role="respondent", municipality="131016", email="Sato.Hanako@city.example.jp"
        )
        make_user(role="respondent", municipality="131024", email="chuo@example.jp")
        chiyoda_email = chiyoda.email
    for typed in ("sato.hanako", "ＳＡＴＯ", "千代田", "131016"):
        assert emails_listed(admin, f"?q={typed}") == [chiyoda_email], typed
    kept = page(admin.get("/admin/?q=千代田"))
    assert kept.xpath("//input[@name='q']/@value") == ["千代田"], "what was typed stays"
    assert emails_listed(admin, "?q=%") == [], "a wildcard is a character like any other"
    assert "該当するユーザーはいません。" in text_of(admin.get("/admin/?q=nobody-at-all"))


def test_a_name_is_found_with_or_without_the_spaces_between_its_parts(app, web):
    """People write 千代田　花子, 千代田 花子 or 千代田花子 and search for it any of these ways."""
    admin = web("admin")
    with app.app_context():
        listed = {}
        for name, organisation in (("千代田　花子", "総務部 総務課"), ("中央 太郎", "福祉局")):
            user = make_user(role="staff")
            user.display_name, user.organisation = name, organisation
            listed[name] = user.email
        db.session.commit()
    for typed in ("千代田　花子", "千代田 花子", "千代田花子", " 千代田　 花子 "):
        assert emails_listed(admin, f"?q={typed}") == [listed["千代田　花子"]], typed
    for typed in ("中央太郎", "中央　太郎"):
        assert emails_listed(admin, f"?q={typed}") == [listed["中央 太郎"]], typed
    assert emails_listed(admin, "?q=総務部総務課") == [listed["千代田　花子"]]
    assert emails_listed(admin, "?q=花子中央") == []


def test_a_short_password_is_told_its_length_and_nothing_else(app, web):
    """``abc`` is too short, not 「同じ文字の繰り返しが多すぎます」; a long password made of one
    character repeated is still refused for that."""
    admin = web("admin")
    admin.get("/admin/users/new")
    short = admin.post(
        "/admin/users/new", {"email": "short@example.jp", "role": "staff", "password": "abc"}
    )
    assert short.status_code == 422
    said = page(short).xpath("//*[@id='password-error']")[0].text_content()
    assert said.count("。") == 1, said
    assert "パスワードは12文字以上にしてください。" in said
    with app.app_context():
        email = make_user(role="staff").email
    person = Web(app)
    person.login(email)
    too_short, repeated = (
        "パスワードは12文字以上にしてください。",
        "同じ文字の繰り返しが多すぎます。",
    )
    for new, wanted, unwanted in (
        ("abc", too_short, repeated),
        ("aaaaaaaaaaaab", repeated, too_short),
    ):
        refused = choose_password(person, PASSWORD, new)
        assert refused.status_code == 422, new
        said = text_of(refused)
        assert wanted in said, new
        assert unwanted not in said, new


def mint_token(owner: Web) -> str:
    owner.get("/account/tokens")
    owner.post("/account/tokens", {"description": "庁内システム"})
    return page(owner.get("/account/tokens/new")).xpath("//code[@data-secret]")[0].text_content()


def test_deactivation_revokes_tokens_and_reactivation_brings_none_of_the_old_back(app, web, smtp):
    admin = web("admin")
    staff = web("staff")
    token = mint_token(staff)
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/rounds", headers=bearer).status_code == 200
    url = f"/admin/users/{staff.user.id}"
    admin.get(url)
    assert admin.post(f"{url}/deactivate").status_code == 302
    assert api.get("/api/v1/rounds", headers=bearer).status_code == 401
    with app.app_context():
        assert db.session.scalars(select(ApiToken.revoked_at)).one() is not None
        revoked = db.session.query(AuditEvent).filter_by(action="token.revoke").one()
        assert revoked.target == staff.user.email
    shown = page(admin.get(url))
    assert "無効（" in shown.xpath("//section[@aria-labelledby='tokens-title']")[0].text_content()
    form = shown.xpath("//form[contains(@action,'/reactivate')]")[0]
    assert form.get("data-confirm") == f"{staff.user.email} を再有効化しますか。"

    answer = admin.post(f"{url}/reactivate")
    assert answer.status_code == 302
    said = text_of(admin.get(answer.headers["Location"]))
    assert "を再有効化しました。仮パスワードをメールで送りました。" in said
    (mail,) = smtp.to(staff.user.email)
    assert mail["Subject"] == "【再犯防止 連携調査ハブ】アカウントが再び有効になりました"
    assert "以前のパスワードとAPIトークンは使えません。" in mail.get_content()
    temporary = temporary_password_in(mail)
    assert temporary not in said
    assert api.get("/api/v1/rounds", headers=bearer).status_code == 401, "no old token is back"
    old_password = Web(app).login(staff.user.email)
    assert old_password.status_code == 200, "the old password is gone"
    again = Web(app)
    assert again.login(staff.user.email, temporary).status_code == 302
    assert again.get("/staff/").headers["Location"] == "/password"
    assert choose_password(again, temporary, "okutama mist at noon 4").status_code == 302
    assert again.get("/staff/").status_code == 200
    with app.app_context():
        user = db.session.get(User, staff.user.id)
        assert user.active
        logged = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
        assert logged.count("user.reactivate") == 1
        assert logged.index("user.deactivate") < logged.index("user.reactivate")
        assert logged.index("user.reactivate") < logged.index("user.reset_password")
        event = db.session.query(AuditEvent).filter_by(action="user.reactivate").one()
        assert temporary not in f"{event.target} {event.details}"
    assert "ユーザー再有効化" in text_of(admin.get("/audit/"))


def test_an_account_deactivated_before_tokens_were_revoked_gets_none_back(app, web, smtp):
    """Accounts deactivated when deactivation only refused tokens still hold some in force:
    reactivation revokes them, audited like any revocation."""
    admin = web("admin")
    staff = web("staff")
    token = mint_token(staff)
    with app.app_context():
        db.session.get(User, staff.user.id).active = False
        db.session.commit()
    url = f"/admin/users/{staff.user.id}"
    admin.get(url)
    assert admin.post(f"{url}/reactivate").status_code == 302
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/rounds", headers=bearer).status_code == 401
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="token.revoke").count() == 1


def test_reactivating_twice_leads_back_to_the_account_as_it_is(app, web, smtp):
    admin, other_admin = web("admin"), web("admin")
    staff = web("staff")
    url = f"/admin/users/{staff.user.id}"
    admin.get(url)
    admin.post(f"{url}/deactivate")
    admin.get(url)
    other_admin.get(url)
    assert other_admin.post(f"{url}/reactivate").status_code == 302
    late = admin.post(f"{url}/reactivate")
    assert late.status_code == 409
    said = text_of(late)
    assert f"{staff.user.email} は既に有効です。" in said
    assert "このアカウントの現在の状態を確かめてください。" in said
    assert page(late).xpath("//form[contains(@action,'/deactivate')]")
    assert len(smtp.to(staff.user.email)) == 1, "one temporary password, not two"


def test_reactivation_without_mail_changes_nothing_and_names_the_command(app, web):
    admin = web("admin")
    staff = web("staff")
    url = f"/admin/users/{staff.user.id}"
    admin.get(url)
    admin.post(f"{url}/deactivate")
    shown = text_of(admin.get(url))
    assert f"hub user reactivate {staff.user.email}" in shown
    refused = admin.post(f"{url}/reactivate")
    assert refused.status_code == 409
    said = text_of(refused)
    assert "仮パスワードのメールを送れなかったため、アカウントは再有効化していません" in said
    assert "HUB_SMTP_URL" in said
    assert "現在の状態を確かめて" not in said
    with app.app_context():
        user = db.session.get(User, staff.user.id)
        assert not user.active
        assert not user.must_change_password
        assert not db.session.query(AuditEvent).filter_by(action="user.reactivate").count()
    assert Web(app).login(staff.user.email).status_code == 403, "still deactivated"


def test_reactivation_is_said_in_english_too(app, web, smtp):
    admin = web("admin")
    staff = web("staff")
    url = f"/admin/users/{staff.user.id}"
    admin.get(url)
    admin.post(f"{url}/deactivate")
    admin.client.set_cookie("lang", "en")
    shown = page(admin.get(url))
    assert shown.xpath("//form[contains(@action,'/reactivate')]//button")[0].text_content() == (
        "Reactivate"
    )
    assert "Reactivate" in shown.xpath("//form[contains(@action,'/reactivate')]/@data-confirm")[0]
    done = admin.get(admin.post(f"{url}/reactivate").headers["Location"])
    assert "has been reactivated" in text_of(done)
    late = admin.post(f"{url}/reactivate")
    assert "is already active" in text_of(late)


def test_a_deactivated_address_added_again_is_told_to_reactivate(app, web):
    admin = web("admin")
    with app.app_context():
        user = make_user(role="staff")
        user.active = False
        db.session.commit()
        email = user.email
    admin.get("/admin/users/new")
    twice = admin.post("/admin/users/new", {"email": email, "role": "staff"})
    assert twice.status_code == 422
    said = page(twice).xpath("//*[@id='email-error']")[0].text_content()
    assert (
        "無効化されています。もう一度使うときは、そのユーザーの画面で再有効化してください。" in said
    )


def test_half_width_kana_is_found_in_either_width(app, web):
    """A name or organisation typed in half-width kana (ﾌｸｼｷｮｸ, as old systems export it) is
    found by ﾌｸｼ or フクシ, and one stored in full width by a half-width search."""
    admin = web("admin")
    with app.app_context():
        listed = {}
        for name, organisation in (("ﾔﾏﾀﾞ ﾊﾅｺ", "ﾌｸｼｷｮｸ ｾｲｶﾂﾌｸｼﾌﾞ"), ("カトウ　タロウ", "総務局")):
            user = make_user(role="staff")
            user.display_name, user.organisation = name, organisation
            listed[name] = user.email
        db.session.commit()
    for typed in ("ﾌｸｼ", "フクシ", "フクシキョク", "ﾌｸｼｷｮｸｾｲｶﾂ", "ヤマダハナコ"):
        assert emails_listed(admin, f"?q={typed}") == [listed["ﾔﾏﾀﾞ ﾊﾅｺ"]], typed
    for typed in ("ｶﾄｳ", "ｶﾄｳ ﾀﾛｳ", "カトウタロウ"):
        assert emails_listed(admin, f"?q={typed}") == [listed["カトウ　タロウ"]], typed
    assert emails_listed(admin, "?q=ﾌｸｼﾌﾞﾌﾞ") == []


def test_a_name_written_with_variant_kanji_is_found_by_its_everyday_form(app, web):
    """Accounts carry people's names as they write them (髙橋, 山﨑, 渡邉, 齋藤); the administrator
    told a name on the phone types it as the IME offers it (高橋, 山崎, 渡辺, 斎藤), and the other
    way round: both find the account, as the audit log's filter by person does."""
    from hub.services import audit

    admin = web("admin")
    with app.app_context():
        listed = {}
        for name, organisation in (
            ("髙橋 一郎", "八王子市 福祉部"),
            ("山﨑 花子", "中央区 福祉保健部"),
            ("渡邉 次郎", "福祉局"),
            ("高田 三郎", "總務局"),
        ):
            user = make_user(role="staff")
            user.display_name, user.organisation = name, organisation
            listed[name] = user.email
        audit.record("user.profile", user=user_by_email(listed["髙橋 一郎"]), target="x")
        db.session.commit()
    for typed, name in (
        ("高橋", "髙橋 一郎"),
        ("髙橋", "髙橋 一郎"),
        ("高橋一郎", "髙橋 一郎"),
        ("山崎", "山﨑 花子"),
        ("山﨑 花子", "山﨑 花子"),
        ("渡辺", "渡邉 次郎"),
        ("渡部", None),
    ):
        assert emails_listed(admin, f"?q={typed}") == ([listed[name]] if name else []), typed
    found = page(admin.get("/audit/?user=高橋一郎"))
    who = [" ".join(c.split()) for c in found.xpath("//tr[@data-audit-event]/td[3]//text()")]
    assert who
    assert set(who) == {"髙橋 一郎（八王子市 福祉部）"}


def user_by_email(email):
    from hub.services.users import find_by_email

    return find_by_email(email)
