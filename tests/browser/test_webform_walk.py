"""The questionnaire walked as a respondent would: with scripts off, each condition works by a
save and the reload it brings (what an answer asks appears, what it no longer asks goes, and
nothing typed is lost); with scripts on, going back from the confirmation finds an answer the
rules had hidden still there."""

from __future__ import annotations

import pytest

from tests.browser.conftest import CHIYODA
from tests.browser.support import PHONE, no_sideways_scroll, sign_in_directly
from tests.conftest import response_of

pytestmark = pytest.mark.browser


def _save(page):
    page.get_by_role("button", name="一時保存", exact=True).click()
    page.wait_for_load_state()


def test_without_scripts_a_save_brings_up_what_an_answer_asks(app, respondent, open_page):
    from playwright.sync_api import expect

    round_id, email = respondent
    page = open_page(java_script_enabled=False, viewport=PHONE)
    sign_in_directly(page, email)
    page.goto(f"/respond/rounds/{round_id}/{CHIYODA}")
    no_sideways_scroll(page)
    plan_name = page.get_by_label("計画の名称")
    department = page.get_by_label("所管部署", exact=True)
    expect(plan_name).to_be_hidden()
    told = page.locator("noscript .hint")
    expect(told).to_be_visible()
    expect(told).to_contain_text("選んだら「一時保存」を押してください。")

    page.get_by_label("①策定済み").check()
    department.fill("福祉部　地域福祉課")
    _save(page)
    expect(plan_name).to_be_visible()
    expect(page.get_by_label("策定日")).to_be_visible()
    expect(page.get_by_role("group", name="一体的に策定した計画")).to_be_visible()
    plan_name.fill("千代田区再犯防止推進計画")
    page.get_by_label("⑥現時点で策定予定なし").check()
    page.get_by_label("所管部署未定").check()
    _save(page)
    expect(plan_name).to_be_hidden()
    expect(department).to_be_hidden()
    with app.app_context():
        kept = response_of(round_id, CHIYODA).answers
    assert kept["plan_name"] == "千代田区再犯防止推進計画"
    assert kept["lead_department"] == "福祉部　地域福祉課"

    page.get_by_label("①策定済み").check()
    page.get_by_label("所管部署未定").uncheck()
    _save(page)
    expect(plan_name).to_have_value("千代田区再犯防止推進計画")
    expect(department).to_have_value("福祉部　地域福祉課")

    page.get_by_role("button", name="提出", exact=True).click()
    page.wait_for_load_state()
    summary = page.locator("[data-error-summary]")
    expect(summary.locator("a[href='#plan_date']")).to_be_visible()
    expect(page.get_by_label("策定日")).to_be_visible()
    expect(plan_name).to_have_value("千代田区再犯防止推進計画")


def test_with_scripts_off_a_submit_shows_what_the_answers_ask(respondent, open_page):
    """Chosen and sent with 提出 straight away, an answer that asks a required question brings
    it up with its message; an error is never hidden."""
    from playwright.sync_api import expect

    round_id, email = respondent
    page = open_page(java_script_enabled=False)
    sign_in_directly(page, email)
    page.goto(f"/respond/rounds/{round_id}/{CHIYODA}")
    page.get_by_label("③関係機関等との協議会等で検討中").check()
    page.locator("#field-plan_challenges").get_by_label("その他").check()
    page.get_by_role("button", name="提出", exact=True).click()
    page.wait_for_load_state()
    other = page.get_by_label("計画策定を進める上での課題（その他の内容）")
    expect(other).to_be_visible()
    expect(page.locator("#plan_challenges_other-error")).to_contain_text("入力してください")
    expect(page.get_by_label("計画の名称")).to_be_hidden()


def test_going_back_from_the_confirmation_keeps_a_hidden_answer(app, respondent, open_page):
    """An answer the rules stopped asking for is not thrown away by 提出: the confirmation
    leaves it out, and going back to change the answer that hid it brings it back as typed;
    the submit drops it."""
    from playwright.sync_api import expect

    round_id, email = respondent
    page = open_page(viewport=PHONE)
    sign_in_directly(page, email)
    page.goto(f"/respond/rounds/{round_id}/{CHIYODA}")
    page.locator("#plan_status-0").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_label("計画の名称")).to_be_focused()
    page.keyboard.type("千代田区再犯防止推進計画")
    page.get_by_label("⑥現時点で策定予定なし").check()
    expect(page.get_by_label("計画の名称")).to_be_hidden()
    page.get_by_label("所管部署", exact=True).fill("福祉部")
    page.locator("#consultation_setup-0").check()
    page.get_by_label("回答者氏名").fill("都庁　太郎")
    page.get_by_label("電話番号").fill("０３－５３２１－１１１１")
    page.get_by_label("メールアドレス").fill("taro@example.lg.jp")
    page.get_by_role("button", name="提出", exact=True).click()
    expect(page.get_by_role("heading", name="提出内容の確認")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("千代田区再犯防止推進計画")
    no_sideways_scroll(page)

    page.get_by_role("link", name="戻って修正する").click()
    page.get_by_label("①策定済み").check()
    expect(page.get_by_label("計画の名称")).to_have_value("千代田区再犯防止推進計画")
    page.get_by_label("⑥現時点で策定予定なし").check()
    page.get_by_role("button", name="提出", exact=True).click()
    page.get_by_role("button", name="この内容で提出する").click()
    expect(page.get_by_text("提出しました。", exact=True)).to_be_visible()
    with app.app_context():
        assert "plan_name" not in response_of(round_id, CHIYODA).answers
