"""A counterpart's page on a phone, in English, as its staff would open it to check a file they
received: the delivery log with each file's whole SHA-256 and the scheduler's last look, at
390 px without sideways scrolling, and at zero axe-core violations."""

from __future__ import annotations

import pytest
from flask import Flask

from hub.db import db
from hub.services import deliveries, responses
from tests.browser.accessibility import assert_accessible
from tests.browser.support import PHONE, no_sideways_scroll, sign_in_directly
from tests.conftest import complete_answers, make_round, make_user, response_of

pytestmark = pytest.mark.browser

CODES = ("131016", "131024", "131032")


def test_the_counterpart_reads_its_deliveries_checksums_on_a_phone(app: Flask, open_page):
    with app.app_context():
        round_id = make_round(municipalities=list(CODES)).id
        for code in CODES:
            responses.submit(response_of(round_id, code), raw_answers=complete_answers(), user=None)
        db.session.commit()
        outcome = deliveries.deliver("moj", round_id)
        assert outcome.status == "sent", outcome.message
        assert outcome.delivery is not None
        files = list(outcome.delivery.files)
        email = make_user(role="counterpart", recipient="moj").email
        db.session.commit()
    page = open_page(viewport=PHONE)
    sign_in_directly(page, email)
    page.goto("/counterpart?lang=en")
    no_sideways_scroll(page)
    assert_accessible(page)
    text = page.locator("#delivery-log").inner_text()
    for entry in files:
        assert entry["sha256"] in text.replace("\n", ""), entry["name"]
    assert "Scheduler's last check" in page.locator("[data-scheduler-look]").inner_text()
