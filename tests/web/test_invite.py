"""Opening a round on the page asks for the request to answer (依頼メール) by default; the
board says how many it reached."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from hub.db import db, utcnow
from hub.models import Round
from hub.services import reminders
from tests.deliveries.test_invitations import clerks
from tests.mailbox import Inbox
from tests.web.conftest import Web, page


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
        reminders.send_reminders(utcnow())
    board = page(staff.get(opened.headers["Location"]))
    assert board.xpath("string(//*[@data-invite]/dd)") == "2/2団体に送信済み"
    without = staff.post("/staff/rounds/new", {k: v for k, v in typed.items() if k != "invite"})
    assert not page(staff.get(without.headers["Location"])).xpath("//*[@data-invite]")
    with app.app_context():
        assert [r.invite for r in db.session.scalars(select(Round).order_by(Round.id))] == [
            True,
            False,
        ]
