"""The queue of mails to municipalities: queued with what caused them, sent by the scheduler once
each, tried again after a refusal with growing pauses, given up and shown on the board."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from hub import jobs
from hub.db import db, utcnow
from hub.models import AuditEvent, OutgoingMail
from hub.services import mail_queue, municipal_mail, responses
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.mailbox import Inbox, start_server

CHIYODA, CHUO = "131016", "131024"


def returned(app: Flask, *codes: str) -> int:
    """A round whose ``codes`` were returned, each mail queued as the page queues it."""
    with app.app_context():
        round_id = make_round(municipalities=[CHIYODA, CHUO]).id
        done = []
        for code in codes:
            make_user(role="respondent", municipality=code, email=f"clerk-{code}@example.jp")
            response = response_of(round_id, code)
            responses.submit(response, raw_answers=complete_answers(), user=None)
            responses.return_response(response, "確かめてください", user=None)
            done.append(response)
        municipal_mail.tell_returned(done)
        db.session.commit()
        return round_id


class Refusing(Inbox):
    """A relay that refuses every mail for a while, then takes them."""

    def __init__(self, refusals: int) -> None:
        super().__init__()
        self.refusals = refusals

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusals > 0:
            self.refusals -= 1
            return "451 4.3.0 try again later"
        return await super().handle_DATA(server, session, envelope)


def tried_until_given_up(app: Flask) -> OutgoingMail:
    """The scheduler's ``mail.queue`` job run every three hours until the one queued mail has
    had its every try; that mail, given up."""
    with app.app_context():
        at = utcnow()
        for _ in range(mail_queue.ATTEMPTS):
            mail_queue.send_due(at)
            at += timedelta(hours=3)
        mail = db.session.scalars(select(OutgoingMail)).one()
        assert mail.given_up_at is not None
        assert mail.attempts == mail_queue.ATTEMPTS
        assert mail_queue.send_due(at + timedelta(days=1)) == [], "nothing more is tried"
        db.session.expunge(mail)
        return mail


def with_relay(app: Flask, monkeypatch, relay: Inbox):
    settings = app.extensions["hub_settings"]
    server = start_server(relay)
    url = server.__enter__()
    monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(smtp_url=url))
    return server


def test_the_scheduler_sends_each_queued_mail_once(app: Flask, smtp: Inbox) -> None:
    returned(app, CHIYODA, CHUO)
    with app.app_context():
        first = jobs.run_job("mail.queue")
        assert sorted((s.municipality_code, s.sent) for s in first) == [
            (CHIYODA, True),
            (CHUO, True),
        ]
        assert jobs.run_job("mail.queue", utcnow() + timedelta(minutes=1)) == []
    assert len(smtp.messages) == 2
    assert len(smtp.connections) == 1, "one connection for the run"


def test_a_refused_mail_is_tried_again_after_a_pause(app: Flask, monkeypatch) -> None:
    relay = Refusing(refusals=1)
    server = with_relay(app, monkeypatch, relay)
    try:
        returned(app, CHIYODA)
        with app.app_context():
            now = utcnow()
            [refused] = mail_queue.send_due(now)
            assert not refused.sent
            assert mail_queue.send_due(now + timedelta(seconds=30)) == [], "pausing"
            [again] = mail_queue.send_due(now + timedelta(minutes=1, seconds=1))
            assert again.sent
            mail = db.session.scalars(select(OutgoingMail)).one()
            assert (mail.attempts, mail.error) == (2, None)
    finally:
        server.__exit__(None, None, None)
    assert len(relay.messages) == 1


def test_two_senders_at_once_send_each_mail_once(app: Flask, smtp: Inbox) -> None:
    returned(app, CHIYODA, CHUO)
    now = utcnow()
    results: list[list[mail_queue.Sent]] = []

    def send() -> None:
        with app.app_context():
            results.append(mail_queue.send_due(now))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = sorted(s.municipality_code for batch in results for s in batch if s.sent)
    assert sent == [CHIYODA, CHUO]
    assert len(smtp.messages) == 2


def test_a_mail_that_asks_to_submit_is_dropped_once_the_municipality_has(
    app: Flask, smtp: Inbox, caplog
) -> None:
    """Returned, then submitted again before the mail went (a mail server down for an hour,
    say): 千代田区 gets no 「差し戻しました」 about an answer it has sent again; 中央区, still to
    submit, gets its mail. A row queued before this existed (``until_submitted`` false) goes."""
    import logging

    round_id = returned(app, CHIYODA, CHUO)
    with app.app_context():
        again = response_of(round_id, CHIYODA)
        responses.submit(again, raw_answers=complete_answers(), version=again.version, user=None)
        mail_queue.queue(round_id, CHIYODA, "以前からの行", "本文\n", about="response.return_mail")
        db.session.commit()
        with caplog.at_level(logging.INFO):
            done = mail_queue.send_due(utcnow())
        assert sorted((s.municipality_code, s.sent, s.dropped) for s in done) == [
            (CHIYODA, False, True),
            (CHIYODA, True, False),
            (CHUO, True, False),
        ]
        assert (
            db.session.scalar(
                select(func.count()).select_from(OutgoingMail).where(OutgoingMail.sent_at.is_(None))
            )
            == 0
        ), "dropped, not left waiting nor given up"
    assert sorted(str(m["Subject"]) for m in smtp.to(f"clerk-{CHIYODA}@example.jp")) == [
        "以前からの行"
    ]
    assert len(smtp.to(f"clerk-{CHUO}@example.jp")) == 1
    assert "dropped: the municipality has submitted" in caplog.text


def test_the_housekeeping_forgets_mails_sent_long_ago_and_keeps_the_rest(
    app: Flask, smtp: Inbox
) -> None:
    """Sent 91 days ago: its row goes (the audit log keeps that it went). Sent 89 days ago,
    waiting, or given up (the board names those): kept."""
    round_id = returned(app, CHIYODA, CHUO)
    with app.app_context():
        mail_queue.send_due(utcnow())
        old, recent = db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)).all()
        old.sent_at = utcnow() - timedelta(days=91)
        recent.sent_at = utcnow() - timedelta(days=89)
        for about in ("waiting", "given up"):
            mail_queue.queue(round_id, CHIYODA, about, "本文\n", about="response.return_mail")
        db.session.flush()
        given_up = db.session.scalars(
            select(OutgoingMail).where(OutgoingMail.subject == "given up")
        ).one()
        given_up.given_up_at = utcnow() - timedelta(days=200)
        db.session.commit()
        old_id = old.id
        assert jobs.run_job("housekeeping") >= 1
        kept = db.session.scalars(select(OutgoingMail.id).order_by(OutgoingMail.id)).all()
        assert old_id not in kept
        assert len(kept) == 3
        sent_audited = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "response.return_mail")
        )
        assert sent_audited == 2, "the audit log still says both went"
