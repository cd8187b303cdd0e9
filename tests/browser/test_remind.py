"""督促メール in Chromium: staff tick a late municipality with the keyboard, see the preview, queue
it, read the count on the board and see the scheduler's queue job send it to the real SMTP server; a press with nothing ticked keeps the
board with the error summary. Then the board shows 最終督促, 「遅れている団体をすべて選んで確認へ」
previews every late municipality with the one reminded today marked, and only a button that
says it sends again (中央区 has no account: nobody is due a first reminder). Zero axe-core violations, no sideways scroll at 390 px."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible
from tests.browser.support import PHONE, no_sideways_scroll, screenshot, sign_in_directly
from tests.conftest import make_user
from tests.mailbox import send_queued
from tests.web.test_remind import CHIYODA, CHUO, CLERK, MINATO, late_round

pytestmark = pytest.mark.browser


def test_staff_remind_a_late_municipality_from_the_board(app: Flask, open_page, smtp) -> None:
    round_id = late_round(app)
    with app.app_context():
        email = make_user(role="staff").email
    page = open_page()
    sign_in_directly(page, email)
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
    sign_in_directly(phone, email)
    phone.goto(f"/staff/rounds/{round_id}")
    no_sideways_scroll(phone)
    tick_on_phone = phone.get_by_label("千代田区に督促メールを送る")
    tick_on_phone.scroll_into_view_if_needed()
    expect(tick_on_phone).to_be_in_viewport()  # before the name: no scrolling the table for it
    screenshot(phone, "15-board-remind-390")
    tick_on_phone.check()
    phone.get_by_role("button", name="督促メールを送る").click()
    phone.wait_for_load_state()
    no_sideways_scroll(phone)

    page.get_by_role("button", name="送信する").click()
    page.wait_for_load_state()
    assert "1団体への督促メールを送信待ちに入れました。" in page.inner_text("main")
    assert "送信待ちのメール: 1通" in page.inner_text("[data-mail-waiting]")
    assert_accessible(page)
    send_queued(app)  # the scheduler's mail.queue job
    assert [str(m["To"]) for m in smtp.messages] == [CLERK]
    page.reload()

    # Sent once today: the board says so, and chasing everyone late leaves 千代田区 out ...
    assert page.inner_text(f"tr[data-municipality='{CHIYODA}'] [data-last-reminded]").startswith(
        "最終督促 令和"
    )
    screenshot(page, "14-board-last-reminded", top=True)
    page.get_by_role("button", name="遅れている団体をすべて選んで確認へ").click()
    page.wait_for_load_state()
    assert page.locator(f"[data-reminder='{CHUO}']").count() == 1
    assert page.locator(f"[data-reminder='{MINATO}']").count() == 0
    assert "本日督促済み" in page.inner_text(f"[data-reminder='{CHIYODA}']")
    # 中央区 has no account: nobody is due a first reminder, so no 「送信する」 that sends nothing
    assert page.get_by_role("button", name="送信する", exact=True).count() == 0
    assert_accessible(page)
    screenshot(page, "13-reminders-preview-all-late", top=True)
    page.get_by_role("link", name="送らずに進捗に戻る").click()
    page.wait_for_load_state()
    assert len(smtp.messages) == 1

    # ... unless staff choose to send again.
    page.get_by_role("button", name="遅れている団体をすべて選んで確認へ").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="本日送信済みの団体に再送する（1団体）").click()
    page.wait_for_load_state()
    assert "1団体への督促メールを送信待ちに入れました。" in page.inner_text("main")
    send_queued(app)
    assert [str(m["To"]) for m in smtp.messages] == [CLERK, CLERK]

    phone.goto(f"/staff/rounds/{round_id}")
    assert phone.locator("[data-last-reminded]").first.is_visible()
    no_sideways_scroll(phone)
    phone.get_by_role("button", name="遅れている団体をすべて選んで確認へ").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("button", name="本日送信済みの団体に再送する（1団体）").is_visible()
    no_sideways_scroll(phone)
