"""A mail to a municipality reads in its respondents' language: one mail to them all, in
Japanese, with the English after it (and after the subject) when one of them chose English —
Japanese only when none did, and for a row queued before the English was kept (migration 0018).
The return, the new deadline, the 督促 and the request to answer, each read through a real SMTP
server; the English part holds no Japanese but the round's and the municipality's names where
they have no English."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from hub.db import db, utcnow
from hub.models import OutgoingMail
from hub.services import mail_queue, municipal_mail, reminders
from hub.services.mails import ENGLISH_AFTER
from tests.conftest import make_round, make_user, response_of
from tests.deliveries.test_mail_queue import CHIYODA, CHUO, returned
from tests.mailbox import Inbox, send_queued

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def choose_english(app: Flask, code: str) -> str:
    """A second respondent of ``code``, who chose English; their address."""
    with app.app_context():
        user = make_user(role="respondent", municipality=code, email=f"english-{code}@example.jp")
        user.locale = "en"
        db.session.commit()
        return user.email


def read(smtp: Inbox, address: str) -> list[tuple[str, str]]:
    return [(str(m["Subject"]), m.get_content()) for m in smtp.to(address)]


def english_part(subject: str, body: str) -> tuple[str, str]:
    assert " / " in subject, subject
    assert ENGLISH_AFTER in body, body
    return subject.split(" / ", 1)[1], body.split(ENGLISH_AFTER, 1)[1]


def test_a_returned_response_s_mail_adds_english_when_a_respondent_chose_it(
    app: Flask, smtp: Inbox
) -> None:
    english = choose_english(app, CHIYODA)
    returned(app, CHIYODA, CHUO)
    send_queued(app)
    [(subject, body)] = read(smtp, english)
    assert read(smtp, f"clerk-{CHIYODA}@example.jp") == [(subject, body)], "one mail to both"
    assert subject.startswith("【差し戻し】")
    assert "東京都の担当者が差し戻しました" in body.split(ENGLISH_AFTER)[0]
    subject_en, body_en = english_part(subject, body)
    assert subject_en.startswith("[Returned] Your response to ")
    assert "To the person in charge at Chiyoda" in body_en
    assert "Tokyo's staff have returned your response" in body_en
    assert "/respond/rounds/" in body_en
    assert not JAPANESE.search(subject_en + body_en), body_en
    [(chuo_subject, chuo_body)] = read(smtp, f"clerk-{CHUO}@example.jp")
    assert " / " not in chuo_subject
    assert ENGLISH_AFTER not in chuo_body
    assert "Tokyo's staff" not in chuo_body


def test_a_new_deadline_and_a_chase_are_in_english_too(app: Flask, smtp: Inbox) -> None:
    english = choose_english(app, CHIYODA)
    with app.app_context():
        make_user(role="respondent", municipality=CHIYODA, email="clerk@example.jp")
        round_ = make_round(municipalities=[CHIYODA], deadline=utcnow() + timedelta(days=2))
        response = response_of(round_.id, CHIYODA)
        before = round_.deadline
        round_.deadline = before + timedelta(days=7)
        municipal_mail.tell_new_deadline([(response, before)])
        db.session.commit()
    send_queued(app)
    [(subject, body)] = read(smtp, english)
    subject_en, body_en = english_part(subject, body)
    assert subject_en.startswith("[Deadline changed] ")
    assert "The deadline of " in body_en
    assert "Before: " in body_en
    assert not JAPANESE.search(subject_en + body_en), body_en
    with app.app_context():
        round_ = db.session.get_one(type(round_), round_.id)
        round_.deadline = utcnow() + timedelta(days=1)
        db.session.commit()
        reminders.chase(round_, [CHIYODA], user=None)
        db.session.commit()
    send_queued(app)
    chased = read(smtp, english)[1]
    subject_en, body_en = english_part(*chased)
    assert subject_en.startswith("[Please submit] ")
    assert "Status: Not started" in body_en
    assert not JAPANESE.search(subject_en + body_en), body_en
    assert read(smtp, "clerk@example.jp")[1] == chased


def test_the_request_to_answer_and_an_overdue_reminder_are_written_in_english(app: Flask):
    with app.app_context():
        round_ = make_round(municipalities=[CHIYODA])
        response = response_of(round_.id, CHIYODA)
        for subject, body in (
            reminders.invitation(response, english=True),
            reminders.reminder_message(response, reminders.OVERDUE, english=True),
        ):
            assert not JAPANESE.search(subject + body), body
            assert "Chiyoda" in body
        ja_subject, ja_body = reminders.invitation(response)
        assert ja_subject.startswith("【回答のお願い】")
        assert "千代田区 ご担当者様" in ja_body


def test_a_mail_queued_before_the_english_was_kept_goes_in_japanese(
    app: Flask, smtp: Inbox
) -> None:
    english = choose_english(app, CHIYODA)
    with app.app_context():
        round_id = make_round(municipalities=[CHIYODA]).id
        mail_queue.queue(round_id, CHIYODA, "以前からの件名", "本文\n", about="reminder.send")
        db.session.commit()
    send_queued(app)
    assert read(smtp, english) == [("以前からの件名", "本文\n")]
    with app.app_context():
        assert db.session.scalars(select(OutgoingMail.sent_at)).one() is not None
