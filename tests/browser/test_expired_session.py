"""In a real browser: the session times out while a respondent is typing; 一時保存 saves nothing,
but signing in again on the page that follows puts every typed answer back into its field."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest

from hub.auth import sessions
from hub.models import ResponseState
from tests.browser.support import screenshot
from tests.conftest import PASSWORD, make_round, make_user, response_of

pytestmark = pytest.mark.browser

CHIYODA = "131016"
FORMULA = '=HYPERLINK("http://example.com","押して")'


def sign_in(page, email: str, button: str = "ログイン") -> None:
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name=button).click()


def test_typed_answers_survive_an_idle_timeout(app, open_page, monkeypatch):
    from playwright.sync_api import expect

    with app.app_context():
        round_id = make_round().id
        email = make_user(role="respondent", municipality=CHIYODA).email

    page = open_page()
    page.goto("/login")
    sign_in(page, email)
    expect(page).to_have_url(re.compile(r"/respond/$"))
    page.goto(f"/respond/rounds/{round_id}/{CHIYODA}")
    page.get_by_label("①策定済み").check()
    page.get_by_label("計画の名称").fill("千代田区再犯防止推進計画")
    page.get_by_label("策定日").fill("令和元年５月１日")
    page.get_by_label("協力雇用主数（把握している場合）").fill("１２")
    page.get_by_label("社会を明るくする運動").check()
    page.get_by_label("自由記述").fill(FORMULA)

    later = time.time() + 31 * 60
    monkeypatch.setattr(sessions, "time", SimpleNamespace(time=lambda: later))
    page.get_by_role("button", name="一時保存", exact=True).click()

    expect(page.get_by_role("heading", name="もう一度ログインしてください")).to_be_visible()
    warning = page.locator("[data-not-saved]")
    expect(warning).to_contain_text("一定時間操作がなかったため")
    expect(warning).to_contain_text("入力した内容はまだ保存されていません。")
    typed = page.locator("main dl")
    expect(typed).to_contain_text("１２")
    expect(typed).to_contain_text(FORMULA)
    screenshot(page, "expired-session-sign-in-again")
    with app.app_context():
        assert response_of(round_id, CHIYODA).state == ResponseState.NOT_STARTED

    sign_in(page, email, button="ログインして入力に戻る")
    expect(page.get_by_role("status").filter(has_text="まだ保存されていません")).to_be_visible()
    expect(page.get_by_label("①策定済み")).to_be_checked()
    expect(page.get_by_label("計画の名称")).to_have_value("千代田区再犯防止推進計画")
    expect(page.get_by_label("策定日")).to_have_value("令和元年５月１日")
    expect(page.get_by_label("協力雇用主数（把握している場合）")).to_have_value("１２")
    expect(page.get_by_label("社会を明るくする運動")).to_be_checked()
    expect(page.get_by_label("自由記述")).to_have_value(FORMULA)
    with app.app_context():
        assert response_of(round_id, CHIYODA).version == 0

    page.get_by_role("button", name="一時保存", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="一時保存しました。")).to_be_visible()
    expect(page.get_by_label("協力雇用主数（把握している場合）")).to_have_value("12")
    with app.app_context():
        saved = response_of(round_id, CHIYODA)
        assert saved.state == ResponseState.DRAFT
        assert saved.answers["plan_date"] == "2019-05-01"
        assert saved.answers["comments"] == FORMULA
