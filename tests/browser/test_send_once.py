"""A double click sends a form once (hub.js ``sendFormsOnce``), a confirmation the person
cancelled does not hold the form back when they press the button again, and sending a ministry
content it already received is confirmed first."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from hub.db import db
from hub.models import DeliveryRequest, User
from hub.services import deliveries
from tests.browser.accessibility import assert_accessible
from tests.browser.support import sign_in_directly
from tests.conftest import make_round, make_user
from tests.deliveries.conftest import CODES, submit_answers

pytestmark = pytest.mark.browser


def posts_to(page, path: str) -> list[str]:
    """Every POST the page sends to ``path`` from now on (the list fills as they go)."""
    sent: list[str] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.url)
            if request.method == "POST" and request.url.endswith(path)
            else None
        ),
    )
    return sent


def test_a_second_click_while_the_first_is_on_its_way_sends_nothing(app: Flask, open_page) -> None:
    with app.app_context():
        round_id = make_round().id
        email = make_user(role="staff").email
        db.session.commit()
    path = f"/staff/rounds/{round_id}/summary"
    page = open_page()
    sign_in_directly(page, email)
    page.goto(path)
    page.locator("#note-plan_status-public_comment").fill("令和3年8月時点策定済")
    held: list = []  # the POSTs, held back as a slow server would
    page.route(
        f"**{path}",
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    # the second click comes while the first POST is on its way, as a slow double click does
    page.evaluate(
        """() => {
            const button = document.querySelector("main form[method=post] button[type=submit]");
            button.click();
            setTimeout(() => button.click(), 300);
        }"""
    )
    page.wait_for_timeout(1000)
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_load_state()
    page.wait_for_selector("text=備考を保存しました（1件）")


def test_a_cancelled_confirmation_does_not_hold_the_form_back(app: Flask, open_page) -> None:
    with app.app_context():
        round_id = make_round().id
        email = make_user(role="staff").email
        db.session.commit()
    page = open_page()
    sign_in_directly(page, email)
    page.goto(f"/staff/rounds/{round_id}")
    sent = posts_to(page, f"/staff/rounds/{round_id}/close")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="調査回を締め切る").click()
    assert sent == []
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="調査回を締め切る").click()
    page.wait_for_load_state()
    assert len(sent) == 1
    assert "締切済み" in page.inner_text("main")


def test_sending_a_ministry_the_same_content_again_is_asked_first(app: Flask, open_page) -> None:
    """「同じ内容をもう一度送る」 beside a 「今すぐ送信」 that found nothing new: a cancelled
    confirmation queues nothing; an accepted one queues a forced request."""
    with app.app_context():
        round_id = make_round(municipalities=list(CODES)).id
        staff = make_user(role="staff")
        email = staff.email
        for code in CODES[:3]:
            submit_answers(round_id, code, db.session.get_one(User, staff.id))
        assert deliveries.deliver("moj", round_id).status == "sent"
        deliveries.request_delivery("moj", round_id, user=None)
        db.session.commit()
        (outcome,) = deliveries.pick_up_requests()
        assert outcome.status == "unchanged"
    page = open_page()
    sign_in_directly(page, email)
    page.goto("/staff/recipients/")
    assert_accessible(page, within="#request-outcomes")
    sent = posts_to(page, "/staff/recipients/moj/send")
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    again = page.get_by_role("button", name="同じ内容をもう一度送る （法務省 保護局）")
    page.once("dialog", lambda dialog: answer(dialog, False))
    again.click()
    assert sent == []
    assert "もう一度送りますか" in asked[0]
    page.once("dialog", lambda dialog: answer(dialog, True))
    again.click()
    page.wait_for_load_state()
    assert len(sent) == 1
    assert "同じ内容をもう一度送る依頼を受け付けました" in page.inner_text("main")
    with app.app_context():
        queued = db.session.scalars(
            select(DeliveryRequest).where(DeliveryRequest.picked_at.is_(None))
        ).one()
        assert queued.force is True
