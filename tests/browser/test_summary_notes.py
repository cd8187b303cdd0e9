"""集計と備考 in Chromium: staff write a 備考 beside a count, a refused one keeps what was typed
with the error summary linking to the field; zero axe-core violations, no sideways scroll at
390 px."""

from __future__ import annotations

import pytest
from flask import Flask

from hub.db import db
from tests.browser.accessibility import assert_accessible
from tests.browser.support import PHONE, sign_in_directly
from tests.conftest import make_round, make_user

pytestmark = pytest.mark.browser

NOTE = "② パブリックコメント手続中　…　「令和3年8月時点策定済」"


def test_staff_write_a_note_and_see_a_refused_one_explained(app: Flask, open_page) -> None:
    with app.app_context():
        round_id = make_round().id
        email = make_user(role="staff").email
        db.session.commit()
    url = f"/staff/rounds/{round_id}/summary"
    page = open_page()
    sign_in_directly(page, email)
    page.goto(f"/staff/rounds/{round_id}")
    page.get_by_role("link", name="集計と備考").click()
    page.wait_for_load_state()
    assert_accessible(page)

    page.locator("#note-plan_status-public_comment").fill(NOTE)
    page.get_by_role("button", name="備考を保存").click()
    page.wait_for_load_state()
    assert "備考を保存しました（1件）" in page.inner_text("main")
    assert page.locator("#note-plan_status-public_comment").input_value() == NOTE

    page.locator("#note-plan_status-no_plan").fill("あ" * 401)
    page.locator("#note-programs-other").fill("（例）就労支援")
    page.get_by_role("button", name="備考を保存").click()
    page.wait_for_load_state()
    summary = page.locator("[data-error-summary]")
    assert "400文字以内" in summary.inner_text()
    assert page.locator("#note-programs-other").input_value() == "（例）就労支援"
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.id") == "note-plan_status-no_plan"

    phone = open_page(viewport=PHONE)
    sign_in_directly(phone, email)
    phone.goto(url)
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= phone.evaluate("() => window.innerWidth")
