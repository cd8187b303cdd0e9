"""督促メール in Chromium: staff tick a late municipality with the keyboard, see the preview, send
it to the real SMTP server and read the count on the board; a press with nothing ticked keeps the
board with the error summary. Zero axe-core violations, no sideways scroll at 390 px."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.browser.accessibility import assert_accessible
from tests.browser.support import PHONE
from tests.browser.test_summary_notes import sign_in
from tests.conftest import make_user
from tests.web.test_remind import CHIYODA, CLERK, late_round

pytestmark = pytest.mark.browser


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.evaluate("() => window.innerWidth")


def test_staff_remind_a_late_municipality_from_the_board(app: Flask, open_page, smtp) -> None:
    round_id = late_round(app)
    with app.app_context():
        email = make_user(role="staff").email
    page = open_page()
    sign_in(page, email)
    page.goto(f"/staff/rounds/{round_id}")
    assert_accessible(page)

    page.get_by_role("button", name="督促メールを送る").click()
    page.wait_for_load_state()
    assert "督促メールを送る区市町村を選んでください。" in page.inner_text("[data-error-summary]")
    assert_accessible(page)

    tick = page.get_by_label("千代田区に督促メールを送る")
    tick.focus()
    page.keyboard.press("Space")
    assert tick.is_checked()
    page.get_by_role("button", name="督促メールを送る").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="督促メールの確認").is_visible()
    assert CLERK in page.inner_text(f"[data-reminder='{CHIYODA}']")
    assert_accessible(page)

    phone = open_page(viewport=PHONE)
    sign_in(phone, email)
    phone.goto(f"/staff/rounds/{round_id}")
    no_sideways_scroll(phone)
    phone.get_by_label("千代田区に督促メールを送る").check()
    phone.get_by_role("button", name="督促メールを送る").click()
    phone.wait_for_load_state()
    no_sideways_scroll(phone)

    page.get_by_role("button", name="送信する").click()
    page.wait_for_load_state()
    assert "督促メールを1団体に送信しました。" in page.inner_text("main")
    assert [str(m["To"]) for m in smtp.messages] == [CLERK]
    assert_accessible(page)
