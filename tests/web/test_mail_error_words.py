"""Why a mail to a municipality did not go, or to whom it did not, reads in the page's language
on the board's 「送れなかったメール」 and the response's mail list: the failure is kept as data
(``outgoing_mail.error_details``) and worded by the channel's sayings, like the delivery log. The
row's ``error`` keeps the Japanese sentence; a row from before the data shows it as stored."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from hub.db import db
from hub.models import OutgoingMail
from hub.services import mail_queue
from tests.deliveries.test_mail_queue import CHIYODA, CHUO, returned, tried_until_given_up
from tests.deliveries.test_mail_session import Relay
from tests.mailbox import Inbox, send_queued, start_server
from tests.web.conftest import page

REPLY = "550 5.1.1 no such user"
"""What :class:`Relay` replies to the address it refuses."""
RETURN_MAIL = "//*[@data-mails]//tr[@data-mail-record='response.return_mail']"


def said(staff, round_id: int, code: str, lang: str = "ja") -> tuple[str, str]:
    """What the board's 「送れなかったメール」 and the response's return mail say."""
    query = "?lang=en" if lang == "en" else "?lang=ja"
    board = page(staff.get(f"/staff/rounds/{round_id}{query}"))
    notice = " ".join(board.xpath("string(//*[@data-mail-given-up])").split())
    [row] = page(staff.get(f"/staff/rounds/{round_id}/responses/{code}{query}")).xpath(RETURN_MAIL)
    return notice, " ".join(row.text_content().split())


def test_a_mail_whose_address_the_relay_refused_is_given_up_in_the_pages_language(
    app: Flask, web, monkeypatch
) -> None:
    address = f"clerk-{CHIYODA}@example.jp"
    relay = Relay(refuse_to=address)
    with start_server(relay) as url:
        settings = app.extensions["hub_settings"]
        monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(smtp_url=url))
        round_id = returned(app, CHIYODA)
        mail = tried_until_given_up(app)
        assert mail.error == f"宛先が受け付けられませんでした: {address}（{REPLY}）"
    assert relay.received == []
    staff = web("staff")
    notice, row = said(staff, round_id, CHIYODA)
    assert f"千代田区（メールサーバーが宛先1件を受け付けませんでした: {REPLY}）" in notice
    assert "@" not in notice, "the board names municipalities; the response's page, addresses"
    assert f"送れなかった 宛先が受け付けられませんでした: {address}（{REPLY}）" in row
    notice, row = said(staff, round_id, CHIYODA, "en")
    assert f"The mail server did not accept 1 address: {REPLY}" in notice
    assert "@" not in notice
    assert f"The mail server did not accept these addresses: {address} ({REPLY})" in row
    assert "宛先" not in notice + row

    with app.app_context():  # a row given up before the failure was kept as data
        db.session.scalars(select(OutgoingMail)).one().error_details = None
        db.session.commit()
    notice, row = said(staff, round_id, CHIYODA, "en")
    assert "宛先が受け付けられませんでした: …" in notice, "shown as stored, the address left out"
    assert "@" not in notice
    assert f"宛先が受け付けられませんでした: {address}" in row


def test_the_board_leaves_out_an_address_the_server_names_in_its_reply(
    app: Flask, web, monkeypatch
) -> None:
    """Postfix names the address it refuses in its reply: the board gives the reply without it."""
    address = f"clerk-{CHIYODA}@example.jp"

    class Postfix(Relay):
        async def handle_RCPT(self, server, session, envelope, rcpt, rcpt_options) -> str:
            return f"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown"

    with start_server(Postfix()) as url:
        settings = app.extensions["hub_settings"]
        monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(smtp_url=url))
        round_id = returned(app, CHIYODA)
        tried_until_given_up(app)
    staff = web("staff")
    notice, row = said(staff, round_id, CHIYODA)
    assert (
        "千代田区（メールサーバーが宛先1件を受け付けませんでした: "
        "550 5.1.1 …: Recipient address rejected: User unknown）"
    ) in notice
    assert address not in notice
    assert f"<{address}>: Recipient address rejected" in row, "the response's page says it whole"


def test_a_municipality_without_a_respondent_account_reads_in_the_pages_language(
    app: Flask, web, smtp: Inbox
) -> None:
    """中央区 has no respondent: its mail is given up at once, and the pages say why."""
    round_id = returned(app, CHIYODA)
    with app.app_context():
        mail_queue.queue(
            round_id, CHUO, "【督促】", "まだ提出されていません。", about="reminder.send"
        )
        db.session.commit()
    sent = send_queued(app)
    assert sorted((s.municipality_code, s.sent) for s in sent) == [(CHIYODA, True), (CHUO, False)]
    with app.app_context():
        mail = db.session.scalars(
            select(OutgoingMail).where(OutgoingMail.municipality_code == CHUO)
        ).one()
        assert mail.given_up_at is not None
        assert mail.error == "回答者のアカウントがありません。"
    staff = web("staff")
    reminder = "//*[@data-mails]//tr[@data-mail-record='reminder.send']"
    board = page(staff.get(f"/staff/rounds/{round_id}"))
    assert "中央区（回答者のアカウントがありません。）" in board.xpath(
        "string(//*[@data-mail-given-up])"
    )
    [row] = page(staff.get(f"/staff/rounds/{round_id}/responses/{CHUO}")).xpath(reminder)
    assert "送れなかった 回答者のアカウントがありません。" in " ".join(row.text_content().split())
    board = page(staff.get(f"/staff/rounds/{round_id}?lang=en"))
    notice = board.xpath("string(//*[@data-mail-given-up])")
    assert "The municipality has no respondent account." in notice
    [row] = page(staff.get(f"/staff/rounds/{round_id}/responses/{CHUO}?lang=en")).xpath(reminder)
    assert "The municipality has no respondent account." in row.text_content()
    assert "回答者" not in notice + row.text_content()


def test_a_mail_one_address_of_which_was_refused_says_so_in_the_pages_language(
    app: Flask, web, monkeypatch
) -> None:
    """The relay takes the return mail for one of 千代田区's two respondents and refuses the
    other (a clerk who moved): the mail went, to the one address the response's page lists, and
    the page names the refused one, in English too — it used to list both as sent to."""
    from tests.conftest import make_user

    relay = Relay(refuse_to="moved@example.jp")
    with start_server(relay) as url:
        settings = app.extensions["hub_settings"]
        monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(smtp_url=url))
        round_id = returned(app, CHIYODA)
        with app.app_context():
            make_user(role="respondent", municipality=CHIYODA, email="moved@example.jp")
            db.session.commit()
        send_queued(app)
    assert [to for _peer, to in relay.received] == [[f"clerk-{CHIYODA}@example.jp"]]
    with app.app_context():
        mail = db.session.scalars(select(OutgoingMail)).one()
        assert mail.error == f"宛先が受け付けられませんでした: moved@example.jp（{REPLY}）"
    staff = web("staff")
    [mail_row] = page(staff.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}")).xpath(RETURN_MAIL)
    assert mail_row.xpath("td[@data-mail-to]/text()") == [f"clerk-{CHIYODA}@example.jp"]
    notice, row = said(staff, round_id, CHIYODA)
    assert notice == "", "it went: nothing given up"
    assert f"送信済み（宛先が受け付けられませんでした: moved@example.jp（{REPLY}））" in row
    notice, row = said(staff, round_id, CHIYODA, "en")
    assert f"The mail server did not accept these addresses: moved@example.jp ({REPLY})" in row
    assert "宛先" not in row
