"""The error summary takes people to what needs fixing (issue 14, item 13): a radio group's link
focuses its legend, so the question and its message are both in view, and the Excel upload page
has the same summary, linked to its file input, which names its error."""

from __future__ import annotations

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import CHIYODA
from tests.browser.support import PHONE, sign_in_directly

pytestmark = pytest.mark.browser


def _submitted_empty(respondent, open_page, viewport):
    """The clerk's form sent with 提出 and nothing filled in: the page and its error summary,
    which has taken the focus."""
    from playwright.sync_api import expect

    round_id, email = respondent
    page = open_page(**({"viewport": viewport} if viewport else {}))
    sign_in_directly(page, email)
    page.goto(f"/respond/rounds/{round_id}/{CHIYODA}")
    page.get_by_role("button", name="提出", exact=True).click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    return page, summary


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_radio_groups_link_shows_its_question_and_message(respondent, open_page, viewport):
    from playwright.sync_api import expect

    page, summary = _submitted_empty(respondent, open_page, viewport)
    first = summary.get_by_role("link").first
    expect(first).to_contain_text("計画の策定状況")
    first.click()
    legend = page.locator("#plan_status-legend")
    expect(legend).to_be_focused()
    expect(legend).to_be_in_viewport()
    expect(page.locator("#plan_status-error")).to_be_in_viewport()
    expect(page.locator("#plan_status-error")).to_contain_text("選択してください")
    page.keyboard.press("Tab")
    expect(page.locator("#plan_status-0")).to_be_focused()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_text_fields_link_shows_its_label_and_message(respondent, open_page, viewport):
    """Followed, a text field's link focuses the field with its label, hint and message still
    in view above it: the browser alone scrolls the field to the top of the screen, and on a
    phone the clerk saw an empty red box with no reason."""
    from playwright.sync_api import expect

    page, summary = _submitted_empty(respondent, open_page, viewport)
    summary.locator("a[href='#lead_department']").click()
    field = page.locator("#lead_department")
    expect(field).to_be_focused()
    expect(page.locator("label[for='lead_department']")).to_be_in_viewport(ratio=1)
    expect(page.locator("#lead_department-error")).to_be_in_viewport(ratio=1)
    expect(field).to_be_in_viewport(ratio=1)


def test_the_upload_page_has_the_forms_error_summary(respondent, open_page):
    from playwright.sync_api import expect

    round_id, email = respondent
    page = open_page()
    sign_in_directly(page, email)
    page.goto(f"/rounds/{round_id}/responses/{CHIYODA}/template/upload")
    page.get_by_role("button", name="アップロードして確認").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("ファイルを選択してください")
    file_input = page.get_by_label("記入したExcelファイル（.xlsx）")
    expect(file_input).to_have_attribute("aria-invalid", "true")
    expect(file_input).to_have_attribute("aria-describedby", "file-hint file-error")
    expect(page.locator("#file-error")).to_contain_text("ファイルを選択してください")
    summary.get_by_role("link").first.click()
    expect(file_input).to_be_focused()
    assert_accessible(page)

    file_input.set_input_files(
        files=[{"name": "回答.xlsx", "mimeType": "application/octet-stream", "buffer": b"no zip"}]
    )
    page.get_by_role("button", name="アップロードして確認").click()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("ファイルは保存されていません")
    expect(page.locator("#file-error")).not_to_be_empty()
    # the browser dropped the refused file: the note beside the field says to choose it again
    expect(file_input).to_have_attribute("aria-describedby", "file-hint file-error file-again")
    expect(page.locator("#file-again")).to_contain_text("もう一度選んでください")
    assert_accessible(page)
