"""「今すぐ送信」 does not send a ministry the same content twice by accident: pressed again after the
first went (the clerk was not sure, or a colleague did the same), nothing is sent and the page says
which delivery already carried it and when; content that changed since is sent; the same content
goes again only by the deliberate 「同じ内容をもう一度送る」 (confirmed on the page), audited as
forced. Pressed through the HTTP client, delivered by the scheduler's job run in-process."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from lxml import html
from sqlalchemy import select, update

from hub.db import db
from hub.models import AuditEvent, Delivery, DeliveryRequest, User
from hub.services import deliveries
from tests.conftest import csrf_of
from tests.deliveries.conftest import BUNKYO, Seeded, submit_answers
from tests.deliveries.test_send_now_outcome import (
    outcome_on_page,
    outcome_shown,
    run_scheduler,
    send_now,
)

A_MOMENT = r"令和\d+年\d+月\d+日（.）\d{1,2}:\d{2}"


def deliveries_of(app: Flask) -> list[Delivery]:
    with app.app_context():
        found = list(db.session.scalars(select(Delivery).order_by(Delivery.created_at)))
        db.session.expunge_all()
        return found


def files_in(outbox) -> int:
    return sum(1 for _ in outbox.rglob("*") if _.is_file()) if outbox.exists() else 0


def resend_button(client: FlaskClient) -> html.HtmlElement | None:
    """The 「同じ内容をもう一度送る」 form beside the newest outcome, if the page offers it."""
    doc = html.fromstring(client.get("/staff/recipients/").text)
    newest = doc.xpath('//ul[@id="request-outcomes"]/li[1]')
    assert newest, "the page tells what became of the request"
    forms = newest[0].xpath(".//form[@data-resend]")
    return forms[0] if forms else None


def press_resend(client: FlaskClient, form: html.HtmlElement) -> str:
    """Press 「同じ内容をもう一度送る」 (after its confirmation): post what the form holds."""
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input[@name]")}
    pressed = client.post(form.get("action"), data=fields)
    assert pressed.status_code == 302
    return client.get("/staff/recipients/").text


def request_events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        found = list(
            db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "delivery.request")
                .order_by(AuditEvent.id)
            )
        )
        db.session.expunge_all()
        return found


def test_pressed_again_after_it_went_sends_nothing_and_names_the_delivery(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded, outbox
):
    client = login("staff")
    send_now(client, "moj", seeded.round_id)
    run_scheduler(app)
    (first,) = deliveries_of(app)
    assert first.status == "sent"
    files = files_in(outbox)

    send_now(client, "moj", seeded.round_id)  # a minute later: "did it go?"
    run_scheduler(app)

    assert [d.id for d in deliveries_of(app)] == [first.id], "nothing was sent again"
    assert files_in(outbox) == files
    said = outcome_on_page(client)
    assert re.fullmatch(
        rf"{A_MOMENT} の送信（配信 {first.id}）と同じ内容のため、送りませんでした。", said
    ), said
    with app.app_context():
        request = db.session.scalars(
            select(DeliveryRequest).order_by(DeliveryRequest.id.desc()).limit(1)
        ).one()
        assert (request.force, request.outcome, request.delivery_id) == (
            False,
            "unchanged",
            first.id,
        )
    assert [e.details["forced"] for e in request_events(app)] == [False, False]

    button = resend_button(client)
    assert button is not None, "the page offers to send it again, deliberately"
    confirm = button.get("data-confirm")
    assert "法務省 保護局" in confirm
    assert first.id in confirm
    assert "もう一度送りますか" in confirm
    assert "同じ内容をもう一度送る" in button.text_content()

    en = outcome_on_page(client, "en")
    assert en.startswith("Not sent: the content is the same as what was sent on "), en
    assert f"(delivery {first.id})" in en


def test_content_that_changed_since_is_sent(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded, outbox
):
    client = login("staff")
    send_now(client, "moj", seeded.round_id)
    run_scheduler(app)
    (first,) = deliveries_of(app)
    with app.app_context():
        submit_answers(seeded.round_id, BUNKYO, db.session.get_one(User, seeded.staff_id))

    send_now(client, "moj", seeded.round_id)
    run_scheduler(app)

    first_again, second = deliveries_of(app)
    assert first_again.id == first.id
    assert (second.status, second.forced, second.correction_of_id) == ("sent", False, first.id)
    assert f"送信しました（配信 {second.id}）。" in outcome_shown(client)
    assert resend_button(client) is None, "nothing to send again: it was sent"


def test_the_same_content_goes_again_only_when_asked_so(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded, outbox
):
    client = login("staff")
    send_now(client, "moj", seeded.round_id)
    run_scheduler(app)
    send_now(client, "moj", seeded.round_id)
    run_scheduler(app)
    button = resend_button(client)
    assert button is not None

    shown = press_resend(client, button)
    assert "同じ内容をもう一度送る依頼を受け付けました" in shown
    waiting = html.fromstring(shown).xpath('string(//ul[@id="waiting"])')
    assert "送信済みと同じ内容でも送る" in waiting
    run_scheduler(app)

    first, again = deliveries_of(app)
    assert again.content_hash == first.content_hash
    assert (again.status, again.forced, again.trigger) == ("sent", True, "request")
    assert again.correction_of_id is None, "the same content, not a 訂正版"
    assert f"送信しました（配信 {again.id}）。" in outcome_shown(client)
    assert [e.details["forced"] for e in request_events(app)] == [False, False, True]
    with app.app_context():
        created = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "delivery.create", AuditEvent.target == f"delivery/{again.id}"
            )
        ).one()
        assert created.details["forced"] is True
    assert resend_button(client) is None, "an older 'unchanged' no longer offers it"


def test_a_second_press_while_the_first_waits_is_still_refused(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded, outbox
):
    client = login("staff")
    send_now(client, "moj", seeded.round_id)
    page = client.get("/staff/recipients/")
    for force in ({}, {"force": "y"}):
        again = client.post(
            "/staff/recipients/moj/send",
            data={"csrf_token": csrf_of(page.text), "round_id": str(seeded.round_id), **force},
        )
        assert again.status_code == 302
        assert "二度は送りません" in client.get("/staff/recipients/").text
    with app.app_context():
        assert len(db.session.scalars(select(DeliveryRequest)).all()) == 1
    run_scheduler(app)
    assert len(deliveries_of(app)) == 1


def test_a_press_and_the_schedule_at_the_same_moment_send_once(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded, outbox, monkeypatch
):
    """The scheduler takes 「今すぐ送信」 while the schedule's own look (another scheduler, another
    process) delivers the same round: both read that nothing was sent yet, then both claim. The
    schedule's delivery lands first (in a thread of its own, as another process's commit would);
    the request claims the same content after it and sends nothing."""
    client = login("staff")
    send_now(client, "moj", seeded.round_id)
    claim = deliveries.claim
    scheduled: list[Delivery] = []
    raced: list[bool] = []

    def the_schedule_first(job: str, slot: str) -> bool:
        if job.startswith("deliver:") and not raced:
            raced.append(True)

            def the_other_process() -> None:
                with app.app_context():
                    outcome = deliveries.deliver("moj", seeded.round_id, trigger="schedule")
                    assert outcome.delivery is not None
                    scheduled.append(outcome.delivery)
                    db.session.remove()

            other = threading.Thread(target=the_other_process)
            other.start()
            other.join()
        return claim(job, slot)

    monkeypatch.setattr(deliveries, "claim", the_schedule_first)
    run_scheduler(app)

    (only,) = deliveries_of(app)
    assert (only.id, only.status, only.trigger) == (scheduled[0].id, "sent", "schedule")
    said = outcome_on_page(client)
    assert re.fullmatch(
        rf"{A_MOMENT} の送信（配信 {only.id}）と同じ内容のため、送りませんでした。", said
    ), said


def test_a_press_after_a_failed_delivery_tries_the_same_content_again(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded, outbox
):
    """「今すぐ送信」 is how staff send content whose delivery failed again (the failure's own text
    says so); the schedule does not retry it."""
    client = login("staff")
    with app.app_context():
        first = deliveries.deliver("moj", seeded.round_id, trigger="schedule")
        assert first.delivery is not None
        db.session.execute(
            update(Delivery).where(Delivery.id == first.delivery.id).values(status="failed")
        )
        db.session.commit()
        again = deliveries.deliver("moj", seeded.round_id, trigger="schedule")
        assert (again.status, again.says) == ("failed", "already_failed")
        db.session.remove()

    send_now(client, "moj", seeded.round_id)
    run_scheduler(app)

    failed, retried = deliveries_of(app)
    assert failed.content_hash == retried.content_hash
    assert (retried.status, retried.forced, retried.trigger) == ("sent", False, "request")
    assert f"送信しました（配信 {retried.id}）。" in outcome_shown(client)
