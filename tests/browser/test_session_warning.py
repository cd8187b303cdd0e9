"""In a real browser: before the session times out the page warns (WCAG 2.2.1 Timing
Adjustable), 「ログインを続ける」 keeps the session and gives the focus back to the field being
typed in, and a session that ran out says so without touching what was typed. The timeouts are
shortened for the test (``hub.auth.sessions``), the clock is the real one."""

from __future__ import annotations

import pytest

from hub.auth import sessions
from tests.browser.accessibility import assert_accessible
from tests.browser.support import no_sideways_scroll, screenshot, sign_in
from tests.conftest import make_round, make_user

pytestmark = pytest.mark.browser

CHIYODA = "131016"


def typing_respondent(app, open_page, **options):
    """A respondent on the questionnaire, typing into 計画の名称 (nothing saved yet)."""
    with app.app_context():
        round_id = make_round().id
        email = make_user(role="respondent", municipality=CHIYODA).email
    page = open_page(**options)
    sign_in(page, email)
    page.goto(f"/respond/rounds/{round_id}/{CHIYODA}")
    page.get_by_label("①策定済み").check()
    field = page.get_by_label("計画の名称")
    field.fill("千代田区再犯防止推進計画（第二次）")
    return page, field


def test_the_warning_comes_before_the_timeout_and_staying_keeps_the_session(
    app, open_page, monkeypatch
):
    from playwright.sync_api import expect

    monkeypatch.setattr(sessions, "IDLE_TIMEOUT_SECONDS", sessions.WARNING_SECONDS + 4)
    page, field = typing_respondent(app, open_page)
    warning = page.get_by_role("alertdialog", name="まもなく自動的にログアウトします")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("自動ログアウトまで")
    expect(warning).to_contain_text("この画面の入力内容はそのまま残ります")
    stay = warning.get_by_role("button", name="ログインを続ける")
    expect(stay).to_be_focused()
    assert_accessible(page)
    screenshot(page, "session-warning")

    stay.click()
    expect(warning).to_be_hidden()
    expect(field).to_be_focused()
    expect(field).to_have_value("千代田区再犯防止推進計画（第二次）")
    left = page.evaluate("() => fetch('/session').then(r => r.json())")
    assert left["signed_in"] is True
    assert left["idle_seconds"] > sessions.WARNING_SECONDS


def test_a_session_that_ran_out_says_so_and_leaves_the_typing_alone(app, open_page, monkeypatch):
    from playwright.sync_api import expect

    monkeypatch.setattr(sessions, "IDLE_TIMEOUT_SECONDS", 3)
    page, field = typing_respondent(app, open_page, viewport={"width": 390, "height": 844})
    expect(page.get_by_role("alertdialog", name="まもなく自動的にログアウトします")).to_be_visible()
    ended = page.get_by_role("alertdialog", name="ログアウトしました")
    expect(ended).to_be_visible(timeout=15_000)
    expect(ended).to_contain_text("控えてからもう一度ログインしてください")
    expect(ended.get_by_role("link", name="ログイン画面へ")).to_be_visible()
    expect(ended.get_by_role("button", name="ログインを続ける")).to_be_hidden()
    assert_accessible(page)
    no_sideways_scroll(page)
    screenshot(page, "session-ended-390")
    ended.get_by_role("button", name="閉じる").click()
    expect(ended).to_be_hidden()
    expect(field).to_have_value("千代田区再犯防止推進計画（第二次）")
