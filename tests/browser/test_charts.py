"""The statistics pages' bar charts in Chromium, in Japanese and English: at 1280 px no label
reaches outside its drawing (a long English label was cut off on the left), and at 390 px the
chart text is drawn at 12 px or more (a 560-unit drawing scaled to a phone's width was 8 px),
without sideways scrolling and at zero axe-core violations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from hub.db import db
from hub.services.demo import ensure_demo
from hub.services.referrals import lifecycle
from tests.browser.accessibility import assert_accessible
from tests.browser.support import (
    PHONE,
    SCREENSHOTS,
    VIEWPORT,
    no_sideways_scroll,
    sign_in_directly,
)
from tests.conftest import make_user
from tests.referrals.conftest import referral_body

pytestmark = pytest.mark.browser

SMALLEST_TEXT = 12.0

# Every text of the bar charts that are shown: where it is drawn against its own drawing, and the
# size it is drawn at (its font size times the drawing's scale on the screen).
MEASURE = """() => [...document.querySelectorAll('figure.chart--bars svg')]
  .filter(svg => svg.getClientRects().length > 0)
  .flatMap(svg => {
    const box = svg.getBoundingClientRect();
    const scale = svg.getScreenCTM().a;
    return [...svg.querySelectorAll('text')].map(text => {
      const drawn = text.getBoundingClientRect();
      const own = text.getBBox();
      return {
        text: text.textContent,
        px: parseFloat(getComputedStyle(text).fontSize) * scale,
        left: drawn.left - box.left,
        right: box.right - drawn.right,
        x: own.x,
        end: svg.viewBox.baseVal.width - (own.x + own.width),
      };
    });
  })"""


def _pages(app: Flask, instance: Any) -> tuple[str, list[str]]:
    with app.app_context():
        ensure_demo(instance)
        staff = make_user(role="staff")
        for needs in (["housing", "elderly_welfare"], ["medical", "livelihood", "employment"]):
            lifecycle.create(referral_body(needs=needs), referrer="staff", user=staff)
        db.session.commit()
        email = staff.email
    from forms import tokyo
    from forms.consultation import fiscal_year_of

    year = fiscal_year_of(tokyo.today()) - 1  # the demo's cases
    return email, [f"/consultations/statistics?fiscal_year={year}", "/referrals/statistics"]


def _texts(page: Any, url: str) -> list[dict[str, Any]]:
    page.goto(url)
    texts = page.evaluate(MEASURE)
    assert texts, f"{url}: no bar chart shown"
    return list(texts)


def _shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".charts").screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_bar_charts_keep_labels_whole_and_readable(
    app: Flask, open_page: Callable[..., Any], tmp_path: Any, lang: str
) -> None:
    email, urls = _pages(app, tmp_path)
    desk, phone = open_page(viewport=VIEWPORT), open_page(viewport=PHONE)
    for page in (desk, phone):
        sign_in_directly(page, email)
        page.goto(f"/language/{lang}")
    for url in urls:
        name = url.split("/")[1]
        for text in _texts(desk, url):
            assert text["x"] >= 0, (lang, url, text)
            assert text["end"] >= 0, (lang, url, text)
            assert text["left"] >= -0.5, (lang, url, text)
            assert text["right"] >= -0.5, (lang, url, text)
            assert text["px"] >= SMALLEST_TEXT, (lang, url, text)
        _shoot(desk, f"charts-{name}-{lang}-1280")
        assert_accessible(desk)
        for text in _texts(phone, url):
            assert text["px"] >= SMALLEST_TEXT, (lang, url, text)
            assert text["left"] >= -0.5, (lang, url, text)
            assert text["right"] >= -0.5, (lang, url, text)
        no_sideways_scroll(phone)
        _shoot(phone, f"charts-{name}-{lang}-390")
        assert_accessible(phone)
        phone.emulate_media(media="print")  # paper takes the wide drawing, whatever the screen
        assert phone.locator(".chart__drawing--wide:visible").count() >= 1
        assert phone.locator(".chart__drawing--narrow:visible").count() == 0
        phone.emulate_media(media="screen")
