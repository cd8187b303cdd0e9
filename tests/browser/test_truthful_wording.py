"""What pages say in a real browser: a returned answer reads as returned by 東京都, not as 代理入力
(issue 14, item 5), with the page still at zero axe-core violations."""

from __future__ import annotations

import pytest

from hub.db import db
from hub.services import responses
from tests.browser.accessibility import assert_accessible
from tests.conftest import PASSWORD, complete_answers, make_round, make_user, response_of

pytestmark = pytest.mark.browser

CHIYODA = "131016"


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def test_the_clerk_sees_a_return_as_a_return(app, open_page):
    from playwright.sync_api import expect

    with app.app_context():
        round_id = make_round().id
        clerk = make_user(role="respondent", municipality=CHIYODA)
        staff = make_user(role="staff")
        response = response_of(round_id, CHIYODA)
        responses.submit(response, raw_answers=complete_answers(), user=clerk)
        db.session.commit()
        clerk_email, staff_email = clerk.email, staff.email

    staff_page = open_page()
    sign_in(staff_page, staff_email)
    staff_page.goto(f"/staff/rounds/{round_id}/responses/{CHIYODA}")
    staff_page.get_by_label("差し戻しの理由").fill("電話番号は直通番号にしてください。")
    staff_page.get_by_role("button", name="差し戻す").click()
    expect(staff_page.locator("main")).to_contain_text("東京都が差し戻し")

    page = open_page()
    sign_in(page, clerk_email)
    page.goto(f"/respond/rounds/{round_id}/{CHIYODA}")
    updated = page.locator("dt:text-is('最終更新') + dd")
    expect(updated).to_contain_text("東京都が差し戻し")
    expect(page.locator("main")).not_to_contain_text("代理入力")
    assert_accessible(page)
    page.goto(f"/respond/rounds/{round_id}/{CHIYODA}/history")
    expect(page.locator("main")).to_contain_text("東京都が差し戻し")
    expect(page.locator("main")).not_to_contain_text("代理入力")
    assert_accessible(page)
