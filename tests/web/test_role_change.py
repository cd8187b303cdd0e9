"""An administrator changes an account's role or municipality, as people move: a respondent of
八王子市 to the 都 office or to the national counterpart, a window's user to another
municipality's window. The account keeps what it made, signs in again with none of its old
sessions or API tokens, and sees nothing more of the old municipality."""

from __future__ import annotations

from sqlalchemy import select

from hub.db import db
from hub.models import ApiToken, AuditEvent, Referral, ReferralEvent, Response, User
from hub.services import responses
from hub.services.referrals import lifecycle
from hub.services.users import create_token
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.referrals.conftest import referral_body
from tests.web.conftest import Web, page, text_of

HACHIOJI, CHIYODA = "132012", "131016"


def errors_on(answer) -> str:
    return " ".join(
        " ".join(n.text_content().split()) for n in page(answer).xpath("//*[@role='alert']")
    )


def change(admin: Web, user_id: int, **fields: str):
    admin.get(f"/admin/users/{user_id}")
    data = {"role": "", "municipality": "", "recipient": "", **fields}
    return admin.post(f"/admin/users/{user_id}/role", data)


def bearer(app, user_id: int) -> dict[str, str]:
    with app.app_context():
        token = create_token(db.session.get(User, user_id), description="庁内システム")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_a_respondent_who_joins_the_tokyo_office_keeps_their_answers_and_signs_in_again(
    app, web, smtp
):
    with app.app_context():
        round_id = make_round().id
    respondent = web("respondent", municipality=HACHIOJI)
    user_id, email = respondent.user.id, respondent.user.email
    with app.app_context():
        response = response_of(round_id, HACHIOJI)
        responses.save_draft(
            response,
            complete_answers(),
            version=response.version,
            user=db.session.get(User, user_id),
        )
        db.session.commit()
    headers = bearer(app, user_id)
    api = app.test_client()
    own = f"/api/v1/rounds/{round_id}/responses/{HACHIOJI}"
    assert api.get(own, headers=headers).status_code == 200
    form = f"/respond/rounds/{round_id}/{HACHIOJI}"
    assert respondent.get(form).status_code == 200

    admin = web("admin")
    shown = page(admin.get(f"/admin/users/{user_id}"))
    assert shown.xpath("//form[contains(@action,'/role')]//option[@selected]/@value") == [
        "respondent",
        HACHIOJI,
    ]
    # only the role changed, the municipality left as the form showed it: it lets go
    moved = admin.post(f"/admin/users/{user_id}/role", {"role": "staff", "municipality": HACHIOJI})
    assert moved.status_code == 302, errors_on(moved)
    with app.app_context():
        assert db.session.get(User, user_id).municipality_code is None
    said = text_of(admin.get(moved.headers["Location"]))
    assert "役割・所属を変更しました" in said
    assert "本人に、もう一度ログインするようメールで知らせました。" in said
    assert "区市町村 八王子市（132012）との結び付きを外しました。" in said
    assert "都職員" in said

    assert respondent.get(form).status_code == 302, "the old session has ended"
    assert respondent.get(form).headers["Location"].startswith("/login")
    assert api.get(own, headers=headers).status_code == 401, "the old token is revoked"

    (mail,) = smtp.to(email)
    assert "役割が変更されました" in mail["Subject"]
    body = mail.get_content()
    assert "変更前: 回答者（区市町村） 八王子市" in body
    assert "変更後: 都職員" in body
    assert "/login" in body
    assert "-- English --" not in body

    again = Web(app)
    assert again.login(email).headers["Location"] == "/staff/"
    # 都 staff reach a municipality's answer only through the staff pages (代理入力 recorded)
    assert again.get(form).headers["Location"].startswith(f"/staff/rounds/{round_id}/")
    with app.app_context():
        saved = db.session.scalar(select(Response).where(Response.municipality_code == HACHIOJI))
        assert saved is not None
        assert saved.updated_by_id == user_id, "the answer stays theirs"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.change_role"))
        assert event is not None
        assert event.details == {
            "role": "staff",
            "role_before": "respondent",
            "municipality_before": HACHIOJI,
        }
        assert event.municipality_code is None
        assert email not in str(event.details)
        assert all(
            t.revoked_at is not None
            for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id))
        )
    audit_page = text_of(web("staff").get("/audit/?action=user.change_role"))
    assert "役割・所属の変更" in audit_page
    assert "変更前の役割: 回答者（区市町村）" in audit_page
    assert "変更前の区市町村: 八王子市" in audit_page


def test_a_respondent_who_becomes_a_counterpart_sees_no_municipality_any_more(app, web, smtp):
    with app.app_context():
        round_id = make_round().id
    respondent = web("respondent", municipality=HACHIOJI)
    admin = web("admin")
    needs_recipient = change(admin, respondent.user.id, role="counterpart")
    assert needs_recipient.status_code == 422
    assert "連携先（counterpart）には送付先名が必要です。" in errors_on(needs_recipient)
    moved = change(admin, respondent.user.id, role="counterpart", recipient="moj")
    assert moved.status_code == 302
    again = Web(app)
    again.login(respondent.user.email)
    assert again.get(f"/respond/rounds/{round_id}/{HACHIOJI}").status_code == 403
    assert again.get(f"/respond/rounds/{round_id}/{HACHIOJI}/view").status_code == 403
    with app.app_context():
        user = db.session.get(User, respondent.user.id)
        assert (user.role, user.municipality_code, user.recipient_name) == (
            "counterpart",
            None,
            "moj",
        )
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.change_role"))
        assert event.details["recipient"] == "moj"
        assert "recipient_before" not in event.details


def test_a_window_moved_to_another_municipality_sees_none_of_the_old_ones_referrals(app, web, smtp):
    with app.app_context():
        staff = make_user(role="staff")
        old = lifecycle.create(referral_body(municipality=CHIYODA), referrer="staff", user=staff)
        new = lifecycle.create(referral_body(municipality=HACHIOJI), referrer="staff", user=staff)
        db.session.commit()
        old_id, new_id = old.id, new.id
    window = web("window", municipality=CHIYODA)
    user_id = window.user.id
    assert window.get(f"/referrals/{old_id}").status_code == 200
    window.post(f"/referrals/{old_id}/accept")
    assert window.get(f"/referrals/{new_id}").status_code == 404
    headers = bearer(app, user_id)
    api = app.test_client()
    assert api.get(f"/api/v1/referrals/{old_id}", headers=headers).status_code == 200

    admin = web("admin")
    retired_or_unknown = change(admin, user_id, role="window", municipality="999999")
    assert retired_or_unknown.status_code == 422
    assert "自治体コード 999999 は登録されていません。" in errors_on(retired_or_unknown)
    assert change(admin, user_id, role="window", municipality="１３２０１２").status_code == 302

    assert window.get(f"/referrals/{old_id}").status_code == 302, "signed out"
    assert api.get(f"/api/v1/referrals/{old_id}", headers=headers).status_code == 401
    again = Web(app)
    again.login(window.user.email)
    assert again.get(f"/referrals/{old_id}").status_code == 404
    assert again.get(f"/referrals/{new_id}").status_code == 200
    listed = again.get("/referrals").get_data(as_text=True)
    assert f"/referrals/{old_id}" not in listed
    assert f"/referrals/{new_id}" in listed
    (mail,) = smtp.to(window.user.email)
    assert "変更前: 相談窓口（区市町村） 千代田区" in mail.get_content()
    assert "変更後: 相談窓口（区市町村） 八王子市" in mail.get_content()
    with app.app_context():
        assert db.session.get(Referral, old_id).municipality_code == CHIYODA
        accepted = db.session.scalar(
            select(ReferralEvent).where(
                ReferralEvent.referral_id == old_id, ReferralEvent.action == "accepted"
            )
        )
        assert accepted is not None
        assert accepted.user_id == user_id, "stays attributed"


def test_what_a_change_of_role_refuses_is_said_and_changes_nothing(app, web, smtp):
    with app.app_context():
        from datetime import date

        from hub.models import Municipality

        merged = db.session.get(Municipality, "132012")
        merged.active = False
        merged.retired_on = date(2020, 4, 1)
        staff = make_user(role="staff")
        other_admin = make_user(role="admin")
        db.session.commit()
        staff_id, other_admin_id = staff.id, other_admin.id
    admin = web("admin")
    cases = [
        ({"role": "respondent"}, "回答者には自治体コードが必要です。"),
        ({"role": "window"}, "相談窓口（window）には自治体コードが必要です。"),
        (
            {"role": "respondent", "municipality": "132012"},
            "自治体コード 132012 の区市町村は廃止されています。",
        ),
        ({"role": "staff", "recipient": "moj"}, "送付先を結び付けられるのは連携先"),
        (
            {"role": "管理者"},
            "役割は respondent, staff, counterpart, admin, window のいずれかです。",
        ),
    ]
    for fields, message in cases:
        answer = change(admin, staff_id, **fields)
        assert answer.status_code == 422, fields
        assert message in errors_on(answer), fields
    same = change(admin, staff_id, role="ｓｔａｆｆ")
    assert same.status_code == 302
    assert "何も変更していません" in text_of(admin.get(same.headers["Location"]))
    own = change(admin, admin.user.id, role="staff")
    assert own.status_code == 409
    assert "自分自身の役割は変更できません。ほかのシステム管理者に変更を依頼してください。" in (
        errors_on(own)
    )
    assert not page(admin.get(f"/admin/users/{admin.user.id}")).xpath(
        "//form[contains(@action,'/role')]"
    ), "the page offers no form for one's own role"
    admin.client.set_cookie("lang", "en")
    english = change(admin, staff_id, role="window")
    assert "A window user needs a municipality code." in errors_on(english)
    own = change(admin, admin.user.id, role="staff")
    assert "You cannot change your own role." in errors_on(own)
    with app.app_context():
        assert db.session.get(User, staff_id).role == "staff"
        assert db.session.get(User, admin.user.id).role == "admin"
        assert db.session.get(User, other_admin_id).role == "admin"
        assert not db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "user.change_role")
        )
    assert smtp.messages == []


def test_the_mail_is_in_english_too_for_a_user_who_chose_it_and_the_change_stands_without_mail(
    app, web, smtp
):
    with app.app_context():
        user = make_user(role="window", municipality=CHIYODA)
        user.locale = "en"
        quiet = make_user(role="staff")
        db.session.commit()
        user_id, email, quiet_id = user.id, user.email, quiet.id
    admin = web("admin")
    assert change(admin, user_id, role="respondent", municipality=CHIYODA).status_code == 302
    (mail,) = smtp.to(email)
    assert "/ Your role has changed" in mail["Subject"]
    body = mail.get_content()
    assert "Before: Municipal window Chiyoda" in body
    assert "Now: Respondent (municipality) Chiyoda" in body

    settings = app.extensions["hub_settings"]
    app.extensions["hub_settings"] = settings.with_(smtp_url=None)
    try:
        moved = change(admin, quiet_id, role="window", municipality=CHIYODA)
    finally:
        app.extensions["hub_settings"] = settings
    assert moved.status_code == 302
    said = text_of(admin.get(moved.headers["Location"]))
    assert "本人へのお知らせメールは送れませんでした" in said
    assert "本人に直接伝えてください" in said
    with app.app_context():
        assert db.session.get(User, quiet_id).role == "window"


def test_the_present_municipality_lets_go_with_a_role_that_takes_none(app, web, smtp):
    """The form comes filled with the account's present municipality: changing only the role to
    staff lets it go instead of refusing it; a municipality the administrator picks for staff is
    still refused, and so is the present one kept for a role that takes none but chosen anew."""
    respondent = web("respondent", municipality=HACHIOJI)
    other = web("respondent", municipality=CHIYODA)
    admin = web("admin")
    form = page(admin.get(f"/admin/users/{respondent.user.id}"))
    prefilled = form.xpath("//select[@name='municipality']/option[@selected]/@value")
    assert prefilled == [HACHIOJI], "the form shows the present municipality"
    picked = change(admin, other.user.id, role="staff", municipality=HACHIOJI)
    assert picked.status_code == 422, "a municipality chosen for staff is refused"
    assert "自治体を結び付けられるのは回答者" in errors_on(picked)
    moved = change(admin, respondent.user.id, role="staff", municipality=HACHIOJI)
    assert moved.status_code == 302, errors_on(moved)
    with app.app_context():
        account = db.session.get(User, respondent.user.id)
        assert (account.role, account.municipality_code) == ("staff", None)
        assert db.session.get(User, other.user.id).role == "respondent"
