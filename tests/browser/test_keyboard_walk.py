"""The main flows walked with the keyboard alone, in Chromium: what axe-core cannot see (JIS X
8341-3 / WCAG 2.1 AA). The skip link takes the focus to the main content (2.4.1); a page showing
an error says so in its title, 「エラー: …」 / "Error: …", as GOV.UK's do (2.4.2); an answer that
brings up or hides questions is said in a status region while the focus stays on the answer,
and the questions it brings up come next in the Tab order (4.1.3, 2.4.3); 「一時保存しました」 is
a status message (4.1.3); the board's count links and the 今すぐ送信 of each recipient are told
apart by their accessible names (2.4.4, 2.4.6) and the 督促 ticks are 24 px on a phone (2.5.8);
the window accepts a referral with Tab and Enter."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from forms import tokyo
from hub.db import db
from hub.services import reference, responses
from hub.services.referrals import lifecycle
from tests.browser.conftest import CHIYODA
from tests.browser.support import PHONE, sign_in_directly
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.referrals.conftest import HACHIOJI, referral_body
from tests.web.test_remind import late_round

pytestmark = pytest.mark.browser

FOCUSED = "() => document.activeElement.id || document.activeElement.tagName"


def tab_to(page: Any, selector: str, *, limit: int = 60) -> None:
    """Press Tab until the element ``selector`` names has the focus (failing after ``limit``)."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} was not reached with Tab on {page.url}")


def in_english(page: Any) -> None:
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()


def test_the_skip_link_is_the_first_stop_and_takes_the_focus_to_main(respondent, open_page):
    round_id, email = respondent
    page = open_page()
    sign_in_directly(page, email)
    page.goto(f"/respond/rounds/{round_id}/{CHIYODA}")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="本文へ移動")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED) == "main"
    page.keyboard.press("Tab")  # the next stop is in the main content, not the menu again
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def test_an_answer_that_brings_up_questions_says_so_and_they_come_next(respondent, open_page):
    round_id, email = respondent
    page = open_page()
    sign_in_directly(page, email)
    page.goto(f"/respond/rounds/{round_id}/{CHIYODA}")
    status = page.locator("[data-conditions-status]")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_text("")  # nothing said for what the page shows on arrival
    expect(page.locator("#plan_name")).to_be_hidden()
    tab_to(page, "#plan_status-0")
    page.keyboard.press("Space")  # 策定済み
    expect(page.locator("#plan_status-0")).to_be_checked()
    expect(page.locator("#plan_status-0")).to_be_focused()  # the focus stays on the answer
    expect(status).to_have_text("この回答により、続けて答える質問が下に表示されました。")
    page.keyboard.press("Tab")  # the question it brought up is the next stop
    expect(page.locator("#plan_name")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowDown")  # パブリックコメント手続中: the same questions stay
    page.keyboard.press("ArrowDown")  # 関係機関等との協議会等で検討中: they go
    expect(page.locator("#plan_name")).to_be_hidden()
    expect(status).to_have_text("この回答により、答える必要がなくなった質問を非表示にしました。")

    in_english(page)
    tab_to(page, "#plan_status-0")
    page.keyboard.press("Space")
    expect(status).to_have_text("Your answer brings up more questions below.")
    page.keyboard.press("Tab")
    expect(page.locator("#plan_name")).to_be_focused()


def test_saving_is_a_status_message_and_an_error_state_says_so_in_the_title(respondent, open_page):
    round_id, email = respondent
    page = open_page()
    sign_in_directly(page, email)
    page.goto(f"/respond/rounds/{round_id}/{CHIYODA}")
    title = page.title()
    assert not title.startswith("エラー")
    tab_to(page, "#lead_department")
    page.keyboard.type("福祉局")
    page.get_by_role("button", name="一時保存").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("status").filter(has_text="一時保存しました。")).to_have_count(1)
    assert page.title() == title  # saved: no error in the title

    page.get_by_role("button", name="提出", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert page.title() == f"エラー: {title}"
    page.keyboard.press("Tab")  # the summary's first link, then Enter: its question
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#plan_status-legend")).to_be_focused()

    in_english(page)  # the same errors kept by the language switch? Not asked: send again
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")


def test_a_bad_excel_file_says_so_in_the_title(respondent, open_page, tmp_path):
    round_id, email = respondent
    bad = tmp_path / "回答.xlsx"
    bad.write_bytes(b"not a workbook")
    page = open_page()
    sign_in_directly(page, email)
    page.goto(f"/rounds/{round_id}/responses/{CHIYODA}/template/upload")
    assert not page.title().startswith("エラー")
    page.get_by_label("記入したExcelファイル（.xlsx）").set_input_files(str(bad))
    page.get_by_role("button", name="アップロードして確認").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert page.title().startswith("エラー: Excelで回答")


def test_the_boards_count_links_and_ticks_are_told_apart(app: Flask, open_page):
    round_id = late_round(app)
    with app.app_context():
        email = make_user(role="staff").email
    page = open_page()
    sign_in_directly(page, email)
    page.goto(f"/staff/rounds/{round_id}")
    zero_links = page.locator("table.table--counts a").filter(has_text="0")
    names = [link.evaluate("el => el.textContent") for link in zero_links.all()]
    assert len(names) == len(set(names)), names  # never 「0」 three times
    expect(page.get_by_role("link", name=re.compile(r"^1 ?（提出済み）$"))).to_be_visible()
    tick = page.get_by_role("checkbox", name="千代田区に督促メールを送る")
    tab_to(page, "#remind-" + CHIYODA, limit=120)
    page.keyboard.press("Space")
    expect(tick).to_be_checked()
    in_english(page)
    expect(page.get_by_role("link", name=re.compile(r"^1 – Submitted$"))).to_be_visible()

    phone = open_page(viewport=PHONE)
    sign_in_directly(phone, email)
    phone.goto(f"/staff/rounds/{round_id}")
    box = phone.get_by_role("checkbox", name="千代田区に督促メールを送る").bounding_box()
    assert box is not None
    assert box["width"] >= 24, box
    assert box["height"] >= 24, box


def test_each_recipients_send_now_is_named_for_its_recipient(app: Flask, open_page):
    with app.app_context():
        reference.ensure_default_recipients()
        make_round()
        email = make_user(role="staff").email
    page = open_page()
    sign_in_directly(page, email)
    page.goto("/staff/recipients/")
    buttons = page.locator("main button").filter(has_text="今すぐ送信")
    assert buttons.count() >= 2
    names = [b.evaluate("el => el.textContent.trim()") for b in buttons.all()]
    assert len(names) == len(set(names)), names
    expect(
        page.get_by_role("button", name=re.compile(r"^今すぐ送信 ?（法務省 保護局）$"))
    ).to_be_visible()
    labels = page.locator("main label").filter(has_text="調査回")
    texts = [label.evaluate("el => el.textContent.trim()") for label in labels.all()]
    assert len(texts) == len(set(texts)), texts


def test_the_window_accepts_a_referral_with_the_keyboard(app: Flask, open_page):
    with app.app_context():
        staff = make_user(role="staff")
        window = make_user(role="window", municipality=HACHIOJI)
        referral = lifecycle.create(referral_body(), referrer="staff", user=staff)
        db.session.commit()
        email, case = window.email, f"/referrals/{referral.id}"
    page = open_page()
    sign_in_directly(page, email)
    page.goto(case)
    tab_to(page, "main button:has-text('受理する')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("status").filter(has_text="受理しました")).to_have_count(1)
    title = page.title()
    assert not title.startswith("エラー")

    tab_to(page, "main button:has-text('連絡を記録する')")  # nothing typed: an error state
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert page.title() == f"エラー: {title}"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the summary's first link: the day of the contact
    expect(page.locator("#on")).to_be_focused()
    page.keyboard.type(tokyo.today().isoformat())
    page.keyboard.press("Tab")
    expect(page.locator("#method")).to_be_focused()
    page.keyboard.press("ArrowDown")
    tab_to(page, "main button:has-text('連絡を記録する')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page).to_have_title(title)
    expect(page.locator("main [role=status]")).not_to_have_count(0)

    tab_to(page, "#outcome")
    page.keyboard.press("ArrowDown")
    tab_to(page, "main button:has-text('終了する')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page).to_have_title(title)
    expect(page.locator("main [role=status]")).not_to_have_count(0)
    expect(page.get_by_role("button", name="終了する")).to_have_count(0)


def test_staff_return_accept_and_take_back_with_the_keyboard(app: Flask, open_page):
    """A return without a reason is an error state (title, summary, link to the field); with
    one, a status message. An acceptance is confirmed and taken back with Enter alone."""
    with app.app_context():
        round_id = make_round().id
        staff = make_user(role="staff").email
        clerk = make_user(role="respondent", municipality=HACHIOJI)
        response = response_of(round_id, HACHIOJI)
        responses.submit(response, raw_answers=complete_answers(), user=clerk)
        db.session.commit()
    page = open_page()
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm's question: OK
    sign_in_directly(page, staff)
    url = f"/staff/rounds/{round_id}/responses/{HACHIOJI}"
    page.goto(url)
    title = page.title()
    tab_to(page, "main button:has-text('差し戻す')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert page.title() == f"エラー: {title}"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_label("差し戻しの理由")).to_be_focused()

    page.goto(url)
    tab_to(page, "main button:has-text('受理する')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("status").filter(has_text="受理しました")).to_have_count(1)
    assert page.title() == title
    tab_to(page, "main button:has-text('受理を取り消す')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("status").filter(has_text="取り消しました")).to_have_count(1)
    expect(page.get_by_role("button", name="受理する")).to_be_visible()
