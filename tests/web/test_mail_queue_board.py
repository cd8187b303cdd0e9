"""The board shows the round's queued mails to municipalities: how many wait, and whom none
reached after every try (by name, never by address)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from hub.db import db, utcnow
from hub.models import OutgoingMail, Round
from hub.services import mail_queue
from tests.deliveries.test_mail_queue import (
    CHIYODA,
    CHUO,
    Refusing,
    returned,
    tried_until_given_up,
    with_relay,
)
from tests.mailbox import Inbox
from tests.web.conftest import page


def test_given_up_after_its_tries_and_named_on_the_board(app: Flask, monkeypatch, web) -> None:
    relay = Refusing(refusals=100)
    server = with_relay(app, monkeypatch, relay)
    try:
        round_id = returned(app, CHIYODA)
        tried_until_given_up(app)
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


def given_up(app: Flask, round_id: int) -> None:
    """Every queued mail of the round given up, as after its tries."""
    with app.app_context():
        for mail in db.session.scalars(select(OutgoingMail)):
            mail.given_up_at = utcnow()
            mail.attempts = mail_queue.ATTEMPTS
            mail.error = "宛先が受け付けられませんでした"
        db.session.commit()


def test_a_mail_given_up_is_sent_again_or_taken_off_the_board(app: Flask, web, smtp: Inbox) -> None:
    """The address mended: 「選んだ団体にもう一度送る」 queues it with its tries anew. Told by
    phone: 「選んだ団体を一覧から外す」 and the board names it no more. Both audited by code."""
    from hub.models import AuditEvent
    from tests.mailbox import send_queued
    from tests.web.conftest import text_of

    round_id = returned(app, CHIYODA, CHUO)
    given_up(app, round_id)
    staff = web("staff")
    board = page(staff.get(f"/staff/rounds/{round_id}"))
    ticks = board.xpath("//form[@data-given-up-form]//input[@name='municipality']")
    assert sorted(t.get("value") for t in ticks) == [CHIYODA, CHUO]
    assert all(t.get("checked") is not None for t in ticks)
    for tick in ticks:
        assert board.xpath(f"//label[@for='{tick.get('id')}']")

    nothing = staff.post(f"/staff/rounds/{round_id}/mail/given-up", {"action": "retry"})
    assert "選んでください" in text_of(staff.get(nothing.headers["Location"]))

    again = staff.post(
        f"/staff/rounds/{round_id}/mail/given-up", {"action": "retry", "municipality": CHIYODA}
    )
    assert "1団体へのメールを、もう一度送信待ちに入れました。" in text_of(
        staff.get(again.headers["Location"])
    )
    assert [s.municipality_code for s in send_queued(app) if s.sent] == [CHIYODA]
    assert len(smtp.to(f"clerk-{CHIYODA}@example.jp")) == 1

    off = staff.post(
        f"/staff/rounds/{round_id}/mail/given-up", {"action": "dismiss", "municipality": CHUO}
    )
    board = page(staff.get(off.headers["Location"]))
    assert "1団体を「送れなかったメール」の一覧から外しました。" in text_of_page(board)
    assert not board.xpath("//*[@data-mail-given-up]")
    with app.app_context():
        assert db.session.scalars(select(OutgoingMail.municipality_code)).all() == [CHIYODA]
        events = db.session.execute(
            select(AuditEvent.action, AuditEvent.details)
            .where(AuditEvent.action.like("mail.%"))
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.action, e.details["codes"]) for e in events] == [
            ("mail.retry", [CHIYODA]),
            ("mail.dismiss", [CHUO]),
        ]

    clerk = web("respondent", municipality=CHIYODA)
    clerk.get("/")
    refused = clerk.post(
        f"/staff/rounds/{round_id}/mail/given-up", {"action": "dismiss", "municipality": CHIYODA}
    )
    assert refused.status_code in (403, 404)


def text_of_page(doc) -> str:
    return " ".join(doc.text_content().split())


def test_the_response_page_lists_the_mails_to_its_municipality(
    app: Flask, web, smtp: Inbox
) -> None:
    """Phoned by a municipality that "never got anything": staff read on its response page each
    mail of the round to it, newest first — the request to answer, a 督促 waiting, a return mail
    given up with the server's answer — and no other municipality's."""
    from hub.models import ReminderSent
    from tests.conftest import make_round

    round_id = returned(app, CHIYODA, CHUO)
    given_up(app, round_id)
    with app.app_context():
        db.session.add(
            ReminderSent(
                round_id=round_id,
                municipality_code=CHIYODA,
                kind="invite",
                sent_at=utcnow() - timedelta(days=3),
                recipients=["a@example.jp", "b@example.jp"],
            )
        )
        mail_queue.queue(round_id, CHIYODA, "督促", "本文\n", about="reminder.send")
        db.session.flush()
        retrying = db.session.scalars(
            select(OutgoingMail).where(OutgoingMail.about == "reminder.send")
        ).one()
        retrying.error = "451 しばらくしてから"  # refused once, tried again later
        db.session.commit()
    staff = web("staff")
    shown = page(staff.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}"))
    rows = shown.xpath("//*[@data-mails]//tr[@data-mail-record]")
    assert [r.get("data-mail-record") for r in rows] == [
        "reminder.send",
        "response.return_mail",
        "invite",
    ]
    said = [" ".join(r.text_content().split()) for r in rows]
    assert said[0].endswith("督促メール 送るときの回答者 送信待ち（前回: 451 しばらくしてから）")
    assert "差し戻しのお知らせ なし 送れなかった 宛先が受け付けられませんでした" in said[1]
    assert said[2].endswith("送信済み")
    assert rows[2].xpath("td[@data-mail-to]/text()") == ["a@example.jp", "b@example.jp"]
    other = page(staff.get(f"/staff/rounds/{round_id}/responses/{CHUO}"))
    assert other.xpath("//*[@data-mails]//tr/@data-mail-record") == ["response.return_mail"]
    with app.app_context():
        quiet = make_round(municipalities=[CHIYODA]).id
    nothing = page(staff.get(f"/staff/rounds/{quiet}/responses/{CHIYODA}"))
    assert "この調査回では、まだメールを送っていません。" in nothing.xpath(
        "string(//*[@data-mails])"
    )


def test_the_response_page_names_whom_a_queued_mail_went_to(app: Flask, web, smtp: Inbox) -> None:
    """The return mail goes through the real SMTP server to the municipality's respondents as
    they are when it goes; the page lists those addresses, as the relay received them. A mail
    sent before the addresses were kept says so rather than naming today's respondents."""
    from tests.conftest import make_user
    from tests.mailbox import send_queued

    round_id = returned(app, CHIYODA)
    with app.app_context():
        make_user(role="respondent", municipality=CHIYODA, email="second-clerk@example.jp")
        db.session.commit()
    send_queued(app)
    (envelope_to, _content) = smtp.envelopes[0]
    assert sorted(envelope_to) == [f"clerk-{CHIYODA}@example.jp", "second-clerk@example.jp"]
    staff = web("staff")
    row = page(staff.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}")).xpath(
        "//*[@data-mails]//tr[@data-mail-record='response.return_mail']"
    )[0]
    assert sorted(row.xpath("td[@data-mail-to]/text()")) == sorted(envelope_to)
    with app.app_context():
        mail = db.session.scalars(select(OutgoingMail)).one()
        mail.sent_to = None  # as on a row sent before the addresses were kept
        db.session.commit()
    row = page(staff.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}")).xpath(
        "//*[@data-mails]//tr[@data-mail-record='response.return_mail']"
    )[0]
    assert row.xpath("string(td[@data-mail-to])") == "記録なし"


def test_the_board_names_the_municipalities_no_mail_reaches(app: Flask, web) -> None:
    """Still to submit and without a respondent account: the request, reminders and 督促 wait
    for one, so the board names them (closed: nothing more to send, no notice)."""
    from datetime import date

    from hub.models import ResponseState
    from hub.services import municipalities
    from tests.conftest import make_round, make_user, response_of

    with app.app_context():
        round_id = make_round(municipalities=[CHIYODA, CHUO, "132012", "133086", "131032"]).id
        make_user(role="respondent", municipality=CHIYODA)
        response_of(round_id, "133086").state = ResponseState.SUBMITTED  # 奥多摩町: done
        municipalities.set_active(["131032"], active=False, user=None, on=date(2025, 4, 1))
        db.session.commit()
    staff = web("staff")
    board = page(staff.get(f"/staff/rounds/{round_id}"))
    [notice] = board.xpath("//*[@data-unreachable]")
    said = " ".join(notice.text_content().split())
    assert "メールが届かない団体: 2団体（未提出）" in said
    assert "中央区、八王子市" in said
    assert "千代田区" not in said
    assert "奥多摩町" not in said
    assert "港区" not in said, "retired: chased no more"
    staff.post(f"/staff/rounds/{round_id}/close", {})
    assert not page(staff.get(f"/staff/rounds/{round_id}")).xpath("//*[@data-unreachable]")
