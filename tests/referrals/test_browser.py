"""In Chromium: the referral pages of both sides at zero axe-core violations (error states
included) and without sideways scrolling at 390 px."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from hub.db import db
from hub.services.referrals import lifecycle, queries
from tests.browser.accessibility import assert_accessible
from tests.browser.support import PHONE, no_sideways_scroll, sign_in_directly
from tests.conftest import make_user
from tests.referrals.conftest import HACHIOJI, referral_body

pytestmark = pytest.mark.browser


def test_referral_pages_are_accessible_and_reflow(app: Flask, open_page: Callable[..., Any]):
    with app.app_context():
        staff = make_user(role="staff")
        window = make_user(role="window", municipality=HACHIOJI)
        for _ in range(queries.PER_PAGE + 1):  # enough finished ones for both lists to page
            declined = lifecycle.create(referral_body(), referrer="staff", user=staff)
            lifecycle.decline(declined, {"reason": "管轄外"}, user=window)
        referral = lifecycle.create(referral_body(), referrer="staff", user=staff)
        db.session.commit()
        emails, case = (staff.email, window.email), f"/referrals/{referral.id}"
    desk, phone = open_page(), open_page(viewport=PHONE)
    for page in (desk, phone):
        sign_in_directly(page, emails[0])
    paged = ("/referrals", "/referrals?page=2")
    for url in (*paged, "/referrals/new", case, "/referrals/statistics"):
        desk.goto(url)
        assert_accessible(desk)
        phone.goto(url)
        no_sideways_scroll(phone)
    desk.goto("/referrals")
    assert desk.get_by_role("navigation", name="ページ").is_visible()
    desk.goto("/referrals/new")
    desk.get_by_label("氏名").fill("山田 花子")
    desk.locator("#person-address").fill("千代田区丸の内1-1")  # not 八王子市's
    desk.select_option("#municipality", HACHIOJI)
    desk.locator("main form.form button[type=submit]").click()
    desk.wait_for_load_state()
    assert "同意" in desk.inner_text(".error-summary")
    assert "住所は千代田区ですが" in desk.inner_text(".error-summary")
    assert desk.input_value("#person-name") == "山田 花子"
    assert_accessible(desk)
    phone.goto("/referrals/new")  # the tick beside the address, on a phone
    phone.locator("#person-address").fill("千代田区丸の内1-1")
    phone.select_option("#municipality", HACHIOJI)
    phone.locator("main form.form button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.locator("#address_outside_confirmed").is_visible()
    no_sideways_scroll(phone)
    desk.goto(case)  # re-routing without the consent to the new municipality: its error state
    desk.get_by_role("button", name="このつなぎ先に送る").click()
    desk.wait_for_load_state()
    assert "本人が同意したことを確かめて" in desk.inner_text(".error-summary")
    assert_accessible(desk)

    inbox, small = open_page(), open_page(viewport=PHONE)
    for page in (inbox, small):
        sign_in_directly(page, emails[1])
    for url in (*paged, case):
        inbox.goto(url)
        assert_accessible(inbox)
        small.goto(url)
        no_sideways_scroll(small)
    inbox.goto("/referrals")
    assert inbox.get_by_role("navigation", name="ページ").is_visible()
    inbox.goto(case)
    small.goto(case)  # a second tab, opened before the case was accepted in the first
    inbox.get_by_role("button", name="受理する").click()
    inbox.wait_for_load_state()
    small.get_by_label("受理できない理由").fill("管轄外の住所のため")
    small.get_by_role("button", name="受理できないと伝える").click()
    small.wait_for_load_state()
    assert "既に受理されています" in small.inner_text("[data-state-clash]")
    assert_accessible(small)
    no_sideways_scroll(small)
    inbox.locator("main form.form button[type=submit]", has_text="連絡を記録する").click()
    inbox.wait_for_load_state()
    assert inbox.locator(".error-summary").count() == 1
    assert_accessible(inbox)
    small.goto(case)
    no_sideways_scroll(small)
