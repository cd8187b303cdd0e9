"""In a real browser: before the session times out the page warns (WCAG 2.2.1 Timing
Adjustable), 「ログインを続ける」 keeps the session and gives the focus back to the field being
typed in, and a session that ran out says so without touching what was typed. The timeouts are
shortened for the test (``hub.auth.sessions``), the clock is the real one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from hub.auth import sessions
from tests.browser.accessibility import assert_accessible
from tests.browser.support import no_sideways_scroll, screenshot, sign_in, sign_in_directly
from tests.conftest import make_round, make_user, response_of

pytestmark = pytest.mark.browser

CHIYODA = "131016"


@dataclass
class Typing:
    page: Any
    field: Any
    round_id: int
    email: str


def typing_respondent(app, open_page, **options) -> Typing:
    """A respondent on the questionnaire, typing into 計画の名称 (nothing saved yet)."""
    with app.app_context():
        round_id = make_round().id
        email = make_user(role="respondent", municipality=CHIYODA).email
    page = open_page(**options)
    sign_in_directly(page, email)
    page.goto(f"/respond/rounds/{round_id}/{CHIYODA}")
    page.get_by_label("①策定済み").check()
    field = page.get_by_label("計画の名称")
    field.fill("千代田区再犯防止推進計画（第二次）")
    return Typing(page, field, round_id, email)


def test_the_warning_comes_before_the_timeout_and_staying_keeps_the_session(
    app, open_page, monkeypatch
):
    from playwright.sync_api import expect

    monkeypatch.setattr(sessions, "IDLE_TIMEOUT_SECONDS", sessions.WARNING_SECONDS + 4)
    typing = typing_respondent(app, open_page)
    page, field = typing.page, typing.field
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


def test_a_session_that_ran_out_keeps_the_typing_and_sends_it_after_signing_in_again(
    app, open_page, monkeypatch
):
    """The session runs out on the questionnaire; the person signs in again in another tab,
    comes back, and 一時保存 on the very page saves what they typed before."""
    from playwright.sync_api import expect

    monkeypatch.setattr(sessions, "IDLE_TIMEOUT_SECONDS", 3)
    typing = typing_respondent(app, open_page, viewport={"width": 390, "height": 844})
    page, field = typing.page, typing.field
    expect(page.get_by_role("alertdialog", name="まもなく自動的にログアウトします")).to_be_visible()
    ended = page.get_by_role("alertdialog", name="ログアウトしました")
    expect(ended).to_be_visible(timeout=15_000)
    expect(ended).to_contain_text("入力した内容はこの画面に残っています")
    expect(ended.get_by_role("link", name="新しいタブでログインする")).to_have_attribute(
        "target", "_blank"
    )
    expect(ended.get_by_role("button", name="ログインを続ける")).to_be_hidden()
    assert_accessible(page)
    no_sideways_scroll(page)
    screenshot(page, "session-ended-390")
    expect(field).to_have_value("千代田区再犯防止推進計画（第二次）")

    monkeypatch.setattr(sessions, "IDLE_TIMEOUT_SECONDS", 30 * 60)
    other_tab = page.context.new_page()
    sign_in(other_tab, typing.email)
    page.bring_to_front()
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    back = page.get_by_role("alertdialog", name="もう一度ログインしました")
    expect(back).to_be_visible()
    back.get_by_role("button", name="閉じる").click()
    page.get_by_role("button", name="一時保存", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="一時保存しました。")).to_be_visible()
    with app.app_context():
        saved = response_of(typing.round_id, CHIYODA)
        assert saved.answers["plan_name"] == "千代田区再犯防止推進計画（第二次）"


def test_the_twelve_hours_are_announced_and_cannot_be_extended(app, open_page, monkeypatch):
    from playwright.sync_api import expect

    monkeypatch.setattr(sessions, "ABSOLUTE_TIMEOUT_SECONDS", 10)
    with app.app_context():
        email = make_user(role="respondent", municipality=CHIYODA).email
    page = open_page()
    sign_in(page, email)  # the respondent's home: under two minutes left at once
    warning = page.get_by_role("alertdialog", name="まもなくログインの有効期限が切れます")
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("ログインから12時間が経つと")
    expect(warning.get_by_role("button", name="ログインを続ける")).to_be_hidden()
    close = warning.get_by_role("button", name="閉じる")
    expect(close).to_be_focused()
    assert_accessible(page)
    close.click()
    expect(warning).to_be_hidden()
    expect(page.get_by_role("alertdialog", name="ログアウトしました")).to_be_visible(timeout=15_000)
