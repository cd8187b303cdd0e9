"""Page forms other than the questionnaire keep their typing when the session ends under them
(JavaScript off: no warning before the timeout): the POST saves nothing and gives the sign-in
page that keeps it; signing in again as the same account opens the page with it in the fields,
still not saved. Another account gets the page empty. A referral's typing (要配慮個人情報) is
sealed and never shown on the sign-in page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from werkzeug.test import TestResponse

from hub.db import db
from hub.models import Hearing, Referral, Round, User
from tests.conftest import PASSWORD, Clock, make_user
from tests.referrals.conftest import NAME
from tests.referrals.test_pages import FORM
from tests.web.conftest import Web, field_values, page, text_of

NOT_SAVED = "入力した内容はまだ保存されていません。"
BACK = "入力した内容を入力欄に戻しました。まだ保存されていません。"
DISCARDED = "入力されていた内容は破棄しました"


def count(app, model: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def signed_in(app, clock: Clock, **kwargs: Any) -> Web:
    """A signed-in browser-like client, its session started on the test's clock."""
    with app.app_context():
        user = make_user(**kwargs)
        db.session.expunge(user)
    web = Web(app, user)
    assert web.login(user.email).status_code == 302
    return web


def timed_out_post(web: Web, clock: Clock, url: str, typed: dict[str, Any]) -> TestResponse:
    """Open ``url``, type, wait 31 minutes, press the button."""
    web.get(url)
    token = web.csrf()
    clock.advance(minutes=31)
    web.last = web.client.post(url, data={**typed, "csrf_token": token})
    return web.last


def sign_in_again(web: Web, answer: TestResponse, email: str) -> TestResponse:
    form = page(answer).xpath("//form[.//input[@name='carried']]")[0]
    carried = form.xpath(".//input[@name='carried']/@value")[0]
    return web.post(form.get("action"), {"email": email, "password": PASSWORD, "carried": carried})


def assert_kept_page(answer: TestResponse, status: int = 401) -> None:
    assert answer.status_code == status
    assert NOT_SAVED in text_of(answer)
    assert "no-store" in answer.headers["Cache-Control"]
    assert page(answer).xpath("//input[@name='carried']")


def test_a_referral_typed_past_the_timeout_comes_back_to_its_author_only(app, clock):
    desk = signed_in(app, clock, role="staff")
    answer = timed_out_post(desk, clock, "/referrals/new", FORM)
    assert_kept_page(answer)
    html = answer.get_data(as_text=True)
    assert "ログインするまで（1時間まで）この画面に保持しています" in text_of(answer)
    for name, value in FORM.items():
        for shown in [value] if isinstance(value, str) else []:
            if name != "municipality":
                assert shown not in html, f"{name} shown on the sign-in page"
    assert "やまだ" not in html
    assert "HYPERLINK" not in html
    assert count(app, Referral) == 0

    other = Web(app)
    with app.app_context():
        colleague = make_user(role="staff").email
    stolen = sign_in_again(other, answer, colleague)
    assert stolen.status_code == 302
    assert stolen.headers["Location"] == "/referrals/new"
    empty = other.get("/referrals/new")
    assert DISCARDED in text_of(empty)
    assert NAME not in empty.get_data(as_text=True)

    back = sign_in_again(desk, answer, desk.user.email)
    assert back.status_code == 200
    assert BACK in text_of(back)
    values = field_values(back, "//form[@method='post'][@action='/referrals/new']")
    for name in ("person-name", "person-kana", "person-phone", "summary", "consent-scope"):
        assert values[name] == FORM[name], name
    assert values["municipality"] == FORM["municipality"]
    assert sorted(values["needs"]) == sorted(FORM["needs"])
    assert count(app, Referral) == 0, "given back, not saved"
    sent = desk.post("/referrals/new", {k: v for k, v in values.items() if k != "csrf_token"})
    assert sent.status_code == 302, text_of(sent)
    assert count(app, Referral) == 1


def test_a_hearing_typed_past_the_timeout_comes_back(app, clock):
    staff = signed_in(app, clock, role="staff")
    typed = {
        "municipality": "131016",
        "held_on": "令和元年６月１０日",
        "department": "＝1+1 地域福祉課",
        "notes": '=HYPERLINK("http://example.com")',
    }
    answer = timed_out_post(staff, clock, "/hearings", typed)
    assert_kept_page(answer)
    back = sign_in_again(staff, answer, staff.user.email)
    assert back.status_code == 200
    assert BACK in text_of(back)
    values = field_values(back, "//form[@method='post'][@action='/hearings']")
    for name, value in typed.items():
        assert values[name] == value, name
    assert count(app, Hearing) == 0


def test_opening_a_round_typed_past_the_timeout_comes_back(app, clock):
    staff = signed_in(app, clock, role="staff")
    offered = page(staff.get("/staff/rounds/new")).xpath("//select[@name='survey']/option/@value")
    typed = {
        "survey": next(v for v in offered if v.startswith("torikumi")),
        "title": "=1+1 令和元年度　取組状況",
        "reference_date": "令和８年４月１日",
        "deadline": "令和8年12月28日 17時",
        "municipalities": "千代田区、八王子市",
    }
    before = count(app, Round)
    answer = timed_out_post(staff, clock, "/staff/rounds/new", typed)
    assert_kept_page(answer)
    assert "令和元年度" not in text_of(answer), "only a questionnaire's answers are listed"
    back = sign_in_again(staff, answer, staff.user.email)
    assert back.status_code == 200
    values = field_values(back, "//form[@method='post'][@action='/staff/rounds/new']")
    for name, value in typed.items():
        assert values[name] == value, name
    assert count(app, Round) == before


def test_a_new_user_typed_past_the_timeout_comes_back_without_the_password(app, clock):
    admin = signed_in(app, clock, role="admin")
    typed = {
        "email": "ｍｕｒａ＠example.jp",
        "role": "window",
        "municipality": "132012",
        "display_name": "=1+1 村田 太郎",
        "password": "never-carried-Secret-1",
    }
    before = count(app, User)
    answer = timed_out_post(admin, clock, "/admin/users/new", typed)
    assert_kept_page(answer)
    assert "never-carried" not in answer.get_data(as_text=True)
    back = sign_in_again(admin, answer, admin.user.email)
    assert back.status_code == 200
    assert "never-carried" not in back.get_data(as_text=True)
    values = field_values(back, "//form[@method='post'][@action='/admin/users/new']")
    assert values["email"] == typed["email"]
    assert values["display_name"] == typed["display_name"]
    assert values["role"] == "window"
    assert values["municipality"] == "132012"
    assert count(app, User) == before


def test_logged_out_in_another_tab_the_typing_is_kept_the_same_way(app, clock):
    staff = signed_in(app, clock, role="staff")
    staff.get("/hearings")
    token = staff.csrf()
    staff.post("/logout")
    typed = {"municipality": "131016", "held_on": "R1.6.10", "department": "地域福祉課"}
    answer = staff.last = staff.client.post("/hearings", data={**typed, "csrf_token": token})
    assert_kept_page(answer, status=400)
    back = sign_in_again(staff, answer, staff.user.email)
    assert (
        field_values(back, "//form[@method='post'][@action='/hearings']")["department"]
        == "地域福祉課"
    )
    assert count(app, Hearing) == 0


def test_signed_in_again_in_another_tab_the_page_comes_back_with_the_typing(app, clock):
    staff = signed_in(app, clock, role="staff")
    staff.get("/hearings")
    token = staff.csrf()
    staff.post("/logout")
    assert staff.login(staff.user.email).status_code == 302
    typed = {"municipality": "131016", "held_on": "R1.6.10", "department": "＝SUM(A1)"}
    answer = staff.client.post("/hearings", data={**typed, "csrf_token": token})
    assert answer.status_code == 400
    assert "入力した内容は入力欄に残っています" in text_of(answer)
    assert (
        field_values(answer, "//form[@method='post'][@action='/hearings']")["department"]
        == "＝SUM(A1)"
    )
    assert count(app, Hearing) == 0


def test_a_one_step_button_past_the_timeout_is_not_refilled(app, clock):
    staff = signed_in(app, clock, role="staff")
    with app.app_context():
        from tests.conftest import make_round

        round_id = make_round().id
    answer = timed_out_post(staff, clock, f"/staff/rounds/{round_id}/close", {})
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")
