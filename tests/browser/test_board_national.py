"""A board that asks more than Tokyo, in Chromium: staff find 広島県's 府中市 by the prefecture
and by its kana, with the keyboard; zero axe-core violations, no sideways scroll at 390 px."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.browser.accessibility import assert_accessible
from tests.browser.support import PHONE, no_sideways_scroll, screenshot, sign_in_directly
from tests.conftest import add_hiroshima_fuchu, make_round, make_user

pytestmark = pytest.mark.browser

CHIYODA, TOKYO_FUCHU, HIROSHIMA_FUCHU = "131016", "132063", "342076"


def rows(page) -> list[str]:
    return page.eval_on_selector_all(
        "tr[data-municipality]", "rows => rows.map(r => r.dataset.municipality)"
    )


def test_staff_find_a_municipality_on_a_national_board(app: Flask, open_page) -> None:
    add_hiroshima_fuchu(app)
    with app.app_context():
        round_id = make_round(municipalities=[CHIYODA, TOKYO_FUCHU, HIROSHIMA_FUCHU]).id
        email = make_user(role="staff").email
    page = open_page()
    sign_in_directly(page, email)
    page.goto(f"/staff/rounds/{round_id}")
    page.get_by_label("都道府県").select_option(label="広島県")
    with page.expect_navigation():
        page.get_by_role("button", name="絞り込む").click()
    assert rows(page) == [HIROSHIMA_FUCHU]
    assert_accessible(page)
    page.locator("#municipalities").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('municipalities').scrollIntoView()")
    screenshot(page, "16-board-national-filter")

    with page.expect_navigation():
        page.get_by_role("link", name="条件を解除").click()
    page.get_by_label("区市町村を探す").fill("ふちゅう")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert rows(page) == [TOKYO_FUCHU, HIROSHIMA_FUCHU]

    phone = open_page(viewport=PHONE)
    sign_in_directly(phone, email)
    phone.goto(f"/staff/rounds/{round_id}?q=ふちゅう&prefecture=34")
    assert rows(phone) == [HIROSHIMA_FUCHU]
    no_sideways_scroll(phone)
    assert_accessible(phone)
