"""Opening a round on the page asks for the request to answer (依頼メール) by default; the
board says how many it reached, and names those it could not reach as it does for every mail."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from hub.db import db, utcnow
from hub.models import Round
from hub.services import reminders
from tests.deliveries.test_invitations import clerks
from tests.mailbox import Inbox, send_queued, start_server
from tests.web.conftest import Web, page

pytestmark = pytest.mark.usefixtures("office_clock")
"""The scheduler's own mails go only while the offices are open: a fixed office morning."""


def test_the_page_opens_with_the_request_ticked_and_the_board_counts_it(
    app: Flask, web, smtp: Inbox
) -> None:
    staff: Web = web("staff")
    form = page(staff.get("/staff/rounds/new"))
    assert form.xpath("//input[@name='invite']/@checked")
    typed = {
        "survey": "torikumi",
        "reference_date": "令和8年4月1日",
        "deadline": "2099-05-31 17:00",
        "municipalities": "千代田区、中央区",
        "invite": "y",
    }
    opened = staff.post("/staff/rounds/new", typed)
    assert opened.status_code == 302
    with app.app_context():
        clerks()
        reminders.queue_reminders(utcnow())
    board = page(staff.get(opened.headers["Location"]))
    assert board.xpath("string(//*[@data-invite]/dd)") == "0/2団体に送信済み"
    assert "送信待ちのメール: 2通" in board.xpath("string(//*[@data-mail-waiting])")
    send_queued(app)
    board = page(staff.get(opened.headers["Location"]))
    assert board.xpath("string(//*[@data-invite]/dd)") == "2/2団体に送信済み"
    without = staff.post("/staff/rounds/new", {k: v for k, v in typed.items() if k != "invite"})
    assert not page(staff.get(without.headers["Location"])).xpath("//*[@data-invite]")
    with app.app_context():
        assert [r.invite for r in db.session.scalars(select(Round).order_by(Round.id))] == [
            True,
            False,
        ]


def test_a_request_the_mail_server_refuses_is_named_on_the_board_and_sent_again_once_mended(
    app: Flask, web
) -> None:
    """The relay refuses 千代田区's clerk: after its tries the request is given up, the board
    counts it as not reached and names 千代田区 among 送れなかったメール, the response page says
    送れなかった; 「もう一度送る」 after the address is mended sends it."""
    from datetime import timedelta

    from hub.models import User
    from hub.services.mail_queue import ATTEMPTS, send_due
    from tests.deliveries.test_invitations import CHIYODA, open_for_three
    from tests.deliveries.test_mail_session import Relay

    clerk = f"clerk-{CHIYODA}@example.jp"
    relay = Relay(refuse_to=clerk)
    settings = app.extensions["hub_settings"]
    with start_server(relay) as url:
        app.extensions["hub_settings"] = settings.with_(smtp_url=url)
        try:
            with app.app_context():
                clerks()
                round_id = open_for_three(
                    invite=True, opens_in=timedelta(minutes=-1), deadline_in=timedelta(days=30)
                )
                reminders.queue_reminders(utcnow())
                for hours in range(ATTEMPTS):  # each pause (at most 64 minutes) waited out
                    send_due(utcnow() + timedelta(hours=2 * hours))
            staff: Web = web("staff")
            board = page(staff.get(f"/staff/rounds/{round_id}"))
            assert board.xpath("string(//*[@data-invite]/dd)") == "1/3団体に送信済み"
            given_up = board.xpath("string(//*[@data-mail-given-up])")
            assert "千代田区（メールサーバーが宛先1件を受け付けませんでした: 550" in given_up
            assert clerk not in given_up
            assert "中央区" not in given_up
            shown = page(staff.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}"))
            (row,) = shown.xpath("//*[@data-mail-record='invite']")
            assert "依頼メール" in row.text_content()
            assert "送れなかった" in row.text_content()
            assert len(relay.received) == 1  # 中央区's request only

            with app.app_context():
                user = db.session.scalars(select(User).where(User.email == clerk)).one()
                user.email = f"mended-{CHIYODA}@example.jp"
                db.session.commit()
            again = staff.post(
                f"/staff/rounds/{round_id}/mail/given-up",
                {"municipality": CHIYODA, "action": "retry"},
            )
            assert again.status_code == 302
            send_queued(app)
        finally:
            app.extensions["hub_settings"] = settings
    assert relay.received[-1][1] == [f"mended-{CHIYODA}@example.jp"]
    board = page(staff.get(f"/staff/rounds/{round_id}"))
    assert board.xpath("string(//*[@data-invite]/dd)") == "2/3団体に送信済み"
    assert not board.xpath("//*[@data-mail-given-up]")
    with app.app_context():
        assert reminders.last_reminded(db.session.get_one(Round, round_id)) == {}
