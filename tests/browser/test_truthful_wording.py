"""What pages say in a real browser: a returned answer reads as returned by 東京都, not as 代理入力
(issue 14, item 5), with the page still at zero axe-core violations."""

from __future__ import annotations

import pytest

from hub.db import db
from hub.services import responses
from tests.browser.accessibility import assert_accessible
from tests.browser.support import sign_in, sign_in_directly
from tests.conftest import complete_answers, make_round, make_user, response_of

pytestmark = pytest.mark.browser

CHIYODA = "131016"


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
    sign_in_directly(staff_page, staff_email)
    staff_page.goto(f"/staff/rounds/{round_id}/responses/{CHIYODA}")
    staff_page.get_by_label("差し戻しの理由").fill("電話番号は直通番号にしてください。")
    staff_page.get_by_role("button", name="差し戻す").click()
    expect(staff_page.locator("main")).to_contain_text("東京都が差し戻し")

    page = open_page()
    sign_in_directly(page, clerk_email)
    page.goto(f"/respond/rounds/{round_id}/{CHIYODA}")
    updated = page.locator("dt:text-is('最終更新') + dd")
    expect(updated).to_contain_text("東京都が差し戻し")
    expect(page.locator("main")).not_to_contain_text("代理入力")
    assert_accessible(page)
    page.goto(f"/respond/rounds/{round_id}/{CHIYODA}/history")
    expect(page.locator("main")).to_contain_text("東京都が差し戻し")
    expect(page.locator("main")).not_to_contain_text("代理入力")
    assert_accessible(page)


def test_deadlines_read_one_way_with_the_days_left(app, open_page):
    """Item 9: the respondent's home and the staff board write 令和…（曜）17:00 and how far the
    deadline is, on a phone too, at zero axe-core violations."""
    from datetime import datetime, time, timedelta

    from playwright.sync_api import expect

    from forms import tokyo
    from tests.browser.support import PHONE

    deadline = datetime.combine(tokyo.today() + timedelta(days=3), time(17), tzinfo=tokyo.TOKYO)
    written = tokyo.format_datetime(deadline)
    with app.app_context():
        round_id = make_round(deadline=deadline).id
        clerk = make_user(role="respondent", municipality=CHIYODA).email
        staff = make_user(role="staff").email

    page = open_page(viewport=PHONE)
    sign_in(page, clerk)
    card = page.locator("li.card").first
    expect(card).to_contain_text(written)
    expect(card).to_contain_text("あと3日")
    assert_accessible(page)

    board = open_page()
    sign_in_directly(board, staff)
    board.goto(f"/staff/rounds/{round_id}")
    row = board.locator(f"tr[data-municipality='{CHIYODA}']")
    expect(row).to_contain_text(written)
    expect(row).to_contain_text("あと3日")
    assert_accessible(board)
