"""The board shows the round's queued mails to municipalities: how many wait, and whom none
reached after every try (by name, never by address)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from hub.db import db, utcnow
from hub.models import OutgoingMail, Round
from hub.services import mail_queue
from tests.deliveries.test_mail_queue import CHIYODA, CHUO, Refusing, returned, with_relay
from tests.mailbox import Inbox
from tests.web.conftest import page


def test_given_up_after_its_tries_and_named_on_the_board(app: Flask, monkeypatch, web) -> None:
    relay = Refusing(refusals=100)
    server = with_relay(app, monkeypatch, relay)
    try:
        round_id = returned(app, CHIYODA)
        with app.app_context():
            at = utcnow()
            for _ in range(mail_queue.ATTEMPTS):
                mail_queue.send_due(at)
                at += timedelta(hours=3)
            mail = db.session.scalars(select(OutgoingMail)).one()
            assert mail.given_up_at is not None
            assert mail.attempts == mail_queue.ATTEMPTS
            assert mail_queue.send_due(at + timedelta(days=1)) == []
    finally:
        server.__exit__(None, None, None)
    board = page(web("staff").get(f"/staff/rounds/{round_id}"))
    notice = board.xpath("string(//*[@data-mail-given-up])")
    assert "千代田区" in notice
    assert "clerk-" not in notice, "the board names the municipality, not the address"


def test_the_board_counts_what_waits_and_a_removed_round_takes_its_mails(
    app: Flask, web, smtp: Inbox
) -> None:
    round_id = returned(app, CHIYODA, CHUO)
    board = page(web("staff").get(f"/staff/rounds/{round_id}"))
    assert "送信待ちのメール: 2通" in board.xpath("string(//*[@data-mail-waiting])")
    with app.app_context():
        db.session.delete(db.session.get_one(Round, round_id))
        db.session.commit()
        assert db.session.scalars(select(OutgoingMail)).all() == []
