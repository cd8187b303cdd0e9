"""「今すぐ送信」 never fails silently: once the scheduler's ``deliveries.requests`` job has
handled a request, the recipients page says what became of it — sent, waiting for more
responses, or refused with the message staff can act on (a character the recipient's cp932 CSV
cannot hold) — and the request keeps that outcome, audited, with nothing personal in it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub import jobs
from hub.db import db, utcnow
from hub.models import AuditEvent, Delivery, DeliveryRequest, Recipient, User
from hub.services import deliveries
from tests.conftest import csrf_of, make_round, make_user
from tests.deliveries.conftest import BUNKYO, CHIYODA, CHUO, CODES, Seeded, submit_answers

A_REQUEST = re.compile(r"令和\d+年\d+月\d+日（.）\d{1,2}:\d{2} の今すぐ送信")


def send_now(client: FlaskClient, recipient: str, round_id: int) -> None:
    """Press 「今すぐ送信」 on the recipients page."""
    page = client.get("/staff/recipients/")
    queued = client.post(
        f"/staff/recipients/{recipient}/send",
        data={"csrf_token": csrf_of(page.text), "round_id": str(round_id)},
    )
    assert queued.status_code == 302
    assert "送信を受け付けました" in client.get("/staff/recipients/").text


def run_scheduler(app: Flask) -> None:
    """The scheduler's job that picks up 「今すぐ送信」, run once (as every 15 s)."""
    with app.app_context():
        jobs.run_job("deliveries.requests")
        db.session.remove()


def outcome_shown(client: FlaskClient) -> str:
    """The newest request's outcome on the page, as staff read it."""
    page = client.get("/staff/recipients/").text
    assert "送信待ち" not in page, "the scheduler took the request"
    found = re.search(r'<ul id="request-outcomes">\s*<li[^>]*>(.*?)</li>', page, re.S)
    assert found is not None, "the page tells what became of the request"
    return " ".join(found.group(1).split())


def outcome_on_page(client: FlaskClient, lang: str = "ja") -> str:
    """The newest request's outcome as the recipients page says it, after its 「…の今すぐ送信（…）:」."""
    page = client.get(f"/staff/recipients/?lang={lang}").text
    found = re.search(r'<ul id="request-outcomes">\s*<li[^>]*>(.*?)</li>', page, re.S)
    assert found is not None, "the page tells what became of the request"
    said = found.group(1).split("<form", 1)[0]  # not the button that sends it again
    return re.split(r"[)）]: ", " ".join(said.split()), maxsplit=1)[1]


def stored_request(app: Flask) -> tuple[str | None, str | None, list[AuditEvent]]:
    with app.app_context():
        request = db.session.scalars(select(DeliveryRequest)).one()
        events = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "delivery.request_outcome")
            )
        )
        db.session.expunge_all()
        assert request.message is None, "the outcome is kept as data, worded when shown"
        return request.outcome, json.dumps(request.details, ensure_ascii=False), events


def test_too_few_responses_say_how_many_are_missing(
    app: Flask, login: Callable[..., FlaskClient], outbox
):
    with app.app_context():
        round_id = make_round(municipalities=list(CODES)).id
        staff = make_user(role="staff")
        for code in (CHIYODA, CHUO):
            submit_answers(round_id, code, staff)
    client = login("staff")
    send_now(client, "moj", round_id)
    run_scheduler(app)

    shown = outcome_shown(client)
    assert A_REQUEST.search(shown), shown
    assert "法務省 保護局" in shown
    assert "送れませんでした。" in shown
    assert "3団体に達するまで" in shown
    assert "現在2団体" in shown
    en = outcome_on_page(client, "en")
    assert en.startswith("Not sent. "), en
    assert "3" in en
    assert "2" in en
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", en), en
    outcome, message, events = stored_request(app)
    assert outcome == "waiting"
    assert '"count": 2' in message
    assert len(events) == 1
    assert events[0].details["outcome"] == "waiting"
    with app.app_context():
        assert db.session.scalars(select(Delivery)).all() == []
        submit_answers(round_id, BUNKYO, db.session.get_one(User, staff.id))
    assert "現在2団体" in outcome_on_page(client), "the request says what it came to then"


def test_a_character_cp932_cannot_hold_is_named_on_the_page(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded, outbox
):
    with app.app_context():
        moj = db.session.get_one(Recipient, "moj")
        moj.csv_encoding, moj.include_detail = "cp932", True
        db.session.commit()
        submit_answers(
            seeded.round_id, CHUO, db.session.get_one(User, seeded.staff_id), comments="𠮷野計画"
        )
    client = login("staff")
    send_now(client, "moj", seeded.round_id)
    run_scheduler(app)

    shown = outcome_shown(client)
    assert A_REQUEST.search(shown), shown
    assert "送れませんでした。" in shown
    assert "cp932 で書けません" in shown
    assert "「𠮷」（U+20BB7）" in shown
    assert "回答一覧" in shown
    assert "行目" in shown
    outcome, message, events = stored_request(app)
    assert outcome == "refused"
    assert "𠮷" in message
    for value in seeded.personal:
        assert value not in message
        assert value not in shown
    assert [e.details["outcome"] for e in events] == ["refused"]
    assert not outbox.exists() or not any(outbox.iterdir()), "nothing was sent"
    en = outcome_on_page(client, "en")
    assert en.startswith("Not sent. The CSV for "), en
    assert "cannot be made in cp932" in en
    assert "the character &#34;𠮷&#34; (U+20BB7)" in en or 'the character "𠮷" (U+20BB7)' in en
    assert "回答一覧" in en, "a table's title is the table's, as written"
    assert "で書けません" not in en
    assert "作れません" not in en
    for value in seeded.personal:
        assert value not in en


def test_a_channel_that_refuses_is_named_and_a_sent_request_names_its_delivery(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded, outbox, monkeypatch
):
    from exports.channels import CHANNELS, ChannelError

    def refuse(parcel, settings):
        raise ChannelError("宛先のフォルダに書けません", permanent=True)

    client = login("staff")
    monkeypatch.setitem(CHANNELS, "outbox", refuse)
    send_now(client, "tokyo-probation", seeded.round_id)
    run_scheduler(app)
    shown = outcome_shown(client)
    assert "東京保護観察所" in shown
    assert "送れませんでした（配信" in shown
    assert "宛先のフォルダに書けません" in shown

    monkeypatch.undo()
    send_now(client, "tokyo-probation", seeded.round_id)
    run_scheduler(app)
    shown = outcome_shown(client)
    with app.app_context():
        request = db.session.scalars(
            select(DeliveryRequest).order_by(DeliveryRequest.id.desc()).limit(1)
        ).one()
        assert request.outcome == "sent", request.details
        assert f"送信しました（配信 {request.delivery_id}）。" in shown


def test_a_request_handled_before_outcomes_were_kept_does_not_say_it_is_still_running(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded
):
    with app.app_context():
        request = deliveries.request_delivery("moj", seeded.round_id, user=None)
        request.picked_at = utcnow() - timedelta(hours=1)
        fresh = deliveries.request_delivery("moj", seeded.round_id, user=None)
        fresh.picked_at = utcnow()
        db.session.commit()
    page = " ".join(login("staff").get("/staff/recipients/").text.split())
    assert "結果は記録されていません。配信記録をご覧ください。" in page
    assert "送信の処理中です。" in page
