"""In a real browser: staff enter a case with the page's script on, and a respondent reads the
statistics — charts drawn, nothing fetched from outside, no Content-Security-Policy violation."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from hub.db import db
from hub.services.consultations import record_case
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server: str) -> str:
    return live_server


def _signed_in(chromium: Any, site: str, email: str, problems: list[str]) -> Any:
    context = chromium.new_context(base_url=site, locale="ja-JP")
    context.set_default_timeout(5000)
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(site) else problems.append(r.url))
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return page


def test_staff_enter_a_case_and_a_respondent_reads_suppressed_charts(
    app: Flask, chromium: Any, site: str
) -> None:
    with app.app_context():
        staff_email = make_user(role="staff").email
        respondent_email = make_user(role="respondent", municipality="131016").email
        for age in ("40s", "40s", "40s", "50s", "50s", "50s", "60s"):
            record_case(
                {
                    "received_on": "2020-09-01",
                    "channel": "phone",
                    "age_group": age,
                    "caller": "self",
                },
                user=None,
            )
        db.session.commit()
    problems: list[str] = []
    staff = _signed_in(chromium, site, staff_email, problems)
    staff.goto("/consultations/new")
    staff.fill("#received_on", "令和２年９月２日")
    staff.check("#channel-0")
    staff.check("label:has-text('60代')")
    staff.check("#caller-1")
    staff.check("#crime_related")
    staff.check("label:has-text('万引き')")
    staff.check("label:has-text('地域包括支援センター')")
    staff.select_option("#municipality", "131016")
    staff.click("main form.form button[type=submit]")
    staff.wait_for_load_state()
    assert "令和2年度" in staff.inner_text("main")
    reader = _signed_in(chromium, site, respondent_email, problems)
    reader.goto("/consultations/statistics?fiscal_year=2020")
    assert reader.inner_text("[data-total]") == "8"
    assert reader.locator("figure.chart > svg:visible").count() == 3
    assert "＊" in reader.inner_text("[data-table=consultation_age_group]")
    assert "千代田区に住む方からの相談" in reader.inner_text("main")
    assert not problems, problems
