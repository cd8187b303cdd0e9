"""In Chromium: 調査票の書き方 holds zero axe-core violations and no sideways scroll on a phone
(its wide tables scroll inside their own regions), in both languages, and prints whole."""

from __future__ import annotations

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.support import PHONE, no_sideways_scroll, screenshot, sign_in_directly
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_guide_reads_on_a_phone_and_prints(app, open_page) -> None:
    with app.app_context():
        email = make_user(role="staff").email
    phone = open_page(viewport=PHONE)
    sign_in_directly(phone, email)
    phone.goto("/staff/questionnaires/upload")
    phone.get_by_role("link", name="調査票の書き方").click()
    phone.get_by_role("heading", name="調査票の書き方", level=1).wait_for()
    assert_accessible(phone)
    no_sideways_scroll(phone)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="ひな形（記入例つき）をダウンロード").click()
    assert download.value.suggested_filename == "kinyurei_hinagata.xlsx"

    phone.goto("/language/en")
    phone.goto("/staff/questionnaires/guide")
    phone.get_by_role("heading", name="How to write a questionnaire", level=1).wait_for()
    assert_accessible(phone)
    no_sideways_scroll(phone)

    wide = open_page()
    sign_in_directly(wide, email)
    wide.goto("/staff/questionnaires/guide")
    assert_accessible(wide)
    screenshot(wide, "staff-questionnaire-guide", top=True)

    wide.set_viewport_size({"width": 720, "height": 1000})  # A4 portrait's printable width
    wide.emulate_media(media="print")
    cut = wide.evaluate(
        """() => [...document.querySelectorAll('.guide table')]
             .filter(table => table.getBoundingClientRect().right > window.innerWidth + 1)
             .map(table => table.querySelector('caption').textContent)"""
    )
    assert cut == [], f"tables cut on paper: {cut}"
