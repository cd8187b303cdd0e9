"""The whole survey loop in a real browser, as the issue's "Must show" describes it."""

from __future__ import annotations

import re

import pytest

from hub.db import db
from hub.models import ResponseState
from tests.browser.support import screenshot, sign_in, sign_in_directly
from tests.conftest import make_round, make_user, response_of

pytestmark = pytest.mark.browser

REASON = "電話番号は担当課の直通番号を記入してください。"


def test_respondent_answers_staff_follows_and_returns(app, open_page):
    from playwright.sync_api import expect

    with app.app_context():
        round_id = make_round().id
        respondent = make_user(role="respondent", municipality="131016").email
        staff = make_user(role="staff").email

    page = open_page()
    page.goto("/login")
    screenshot(page, "01-login")
    sign_in(page, respondent)
    expect(page).to_have_url(re.compile(r"/respond/$"))
    screenshot(page, "02-respondent-home")
    page.get_by_role("link", name=re.compile("回答を始める")).click()

    plan_name = page.get_by_label("計画の名称")
    expect(plan_name).to_be_hidden()
    page.get_by_label("①策定済み").check()
    expect(plan_name).to_be_visible()
    plan_name.fill("千代田区再犯防止推進計画")
    page.get_by_label("策定日").fill("令和３年３月３１日")
    page.get_by_label("所管部署", exact=True).fill("保健福祉部 福祉総務課")
    page.get_by_label("社会を明るくする運動").check()
    page.get_by_label("協力雇用主数（把握している場合）").fill("１２")
    page.get_by_label("福祉の総合相談窓口等で受け付け、関係部署につなぐ").check()
    page.get_by_label("回答者氏名").fill("都庁　太郎")
    page.get_by_label("電話番号").fill("０３－５３２１－１１１１")
    screenshot(page, "03-questionnaire", top=True)

    page.get_by_role("button", name="一時保存", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="一時保存しました。")).to_be_visible()
    expect(page.get_by_label("協力雇用主数（把握している場合）")).to_have_value("12")
    expect(page.get_by_label("策定日")).to_have_value("令和3年3月31日")  # as typed: 和暦

    page.get_by_label("自由記述").fill('=HYPERLINK("http://example.com","押して")')
    page.get_by_role("button", name="提出", exact=True).click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("メールアドレス")
    email = page.get_by_label("メールアドレス")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#contact_email-error")).to_contain_text("入力してください（必須）")
    expect(page.get_by_label("計画の名称")).to_have_value("千代田区再犯防止推進計画")
    expect(page.get_by_label("回答者氏名")).to_have_value("都庁　太郎")
    expect(page.get_by_label("①策定済み")).to_be_checked()
    expect(page.get_by_label("社会を明るくする運動")).to_be_checked()
    expect(page.get_by_label("自由記述")).to_have_value('=HYPERLINK("http://example.com","押して")')
    screenshot(page, "04-questionnaire-error")

    email.fill("Taro@Example.LG.JP")
    page.get_by_role("button", name="提出", exact=True).click()
    expect(page.get_by_role("heading", name="提出内容の確認")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Taro@example.lg.jp")
    screenshot(page, "05-confirm")
    page.get_by_role("button", name="この内容で提出する").click()
    expect(page.get_by_text("提出しました。", exact=True)).to_be_visible()
    expect(
        page.get_by_text("提出済みです。東京都の担当者が確認します。", exact=False)
    ).to_be_visible()
    screenshot(page, "06-submitted")
    with app.app_context():
        saved = response_of(round_id, "131016")
        assert saved.state == ResponseState.SUBMITTED
        assert saved.answers["cooperating_employers"] == 12
        assert saved.answers["contact_phone"] == "03-5321-1111"
        assert saved.answers["plan_date"] == "2021-03-31"

    desk = open_page()
    sign_in(desk, staff)
    expect(desk).to_have_url(re.compile(r"/staff/$"))
    round_row = desk.get_by_role("row").filter(
        has=desk.get_by_role("link", name=re.compile("令和3年4月1日"))
    )
    expect(round_row).to_contain_text("1/62")
    screenshot(desk, "07-staff-rounds")
    round_row.get_by_role("link").click()
    expect(desk.locator(".headline__number")).to_have_text("1/62")
    chiyoda = desk.locator("tr[data-municipality='131016']")
    expect(chiyoda).to_contain_text("千代田区")
    expect(chiyoda).to_contain_text("提出済み")
    screenshot(desk, "08-progress-board")
    desk.get_by_label("状態", exact=True).select_option("submitted")
    desk.get_by_role("button", name="絞り込む").click()
    expect(desk.locator("tr[data-municipality]")).to_have_count(1)
    expect(desk.locator("tr[data-municipality]")).to_contain_text("千代田区")

    desk.get_by_role("link", name="千代田区").click()
    expect(desk.get_by_role("heading", name=re.compile("千代田区"))).to_be_visible()
    desk.get_by_label("差し戻しの理由").fill(REASON)
    screenshot(desk, "09-staff-response", top=True)
    desk.get_by_role("button", name="差し戻す").click()
    expect(desk.get_by_text("千代田区の回答を差し戻しました。")).to_be_visible()

    page.goto("/respond/")
    expect(page.locator("[data-return-reason]")).to_have_text(REASON)
    expect(page.locator("main")).to_contain_text("差し戻し")
    screenshot(page, "10-respondent-returned")
    page.get_by_role("link", name=re.compile("回答を続ける")).click()
    expect(page.locator("[data-return-reason]")).to_have_text(REASON)
    expect(page.get_by_label("回答者氏名")).to_have_value("都庁　太郎")
    with app.app_context():
        assert response_of(round_id, "131016").state == ResponseState.DRAFT
        db.session.rollback()


def test_questionnaire_works_with_scripts_off(app, open_page):
    from playwright.sync_api import expect

    with app.app_context():
        round_id = make_round().id
        respondent = make_user(role="respondent", municipality="132012").email
    page = open_page(java_script_enabled=False)
    sign_in_directly(page, respondent)
    page.goto(f"/respond/rounds/{round_id}/132012")
    # not asked until an answer asks for them: the server hides them too (test_webform_walk.py)
    expect(page.get_by_label("計画の名称")).to_be_hidden()
    expect(page.get_by_label("一体的に策定した計画（その他の内容）")).to_be_hidden()
    page.get_by_label("⑥現時点で策定予定なし").check()
    page.get_by_label("所管部署", exact=True).fill("市民部")
    page.get_by_label("特に体制はない").check()
    page.get_by_label("回答者氏名").fill("八王子 一郎")
    page.get_by_label("電話番号").fill("042-626-3111")
    page.get_by_label("メールアドレス").fill("ichiro@example.lg.jp")
    page.get_by_role("button", name="提出", exact=True).click()
    expect(page.get_by_role("heading", name="提出内容の確認")).to_be_visible()
    page.get_by_role("button", name="この内容で提出する").click()
    expect(page.get_by_text("提出しました。")).to_be_visible()
    with app.app_context():
        saved = response_of(round_id, "132012")
        assert saved.state == ResponseState.SUBMITTED
        assert "plan_name" not in saved.answers


def test_admin_and_english_pages(app, open_page):
    from playwright.sync_api import expect

    with app.app_context():
        make_round()
        admin = make_user(role="admin").email
        make_user(role="respondent", municipality="131016")
    page = open_page()
    sign_in(page, admin)
    expect(page.get_by_role("heading", name="ユーザー管理")).to_be_visible()
    screenshot(page, "11-admin-users")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "12-admin-users-en")
