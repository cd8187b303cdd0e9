"""Addresses a mail server refused, through real SMTP conversations (aiosmtpd on 127.0.0.1).

A delivery the relay took for one address and refused for another went, to the other: the
delivery log (staff's page and ``GET /api/v1/deliveries``) says which address was refused and
what the server replied, in the page's language; the audit log only counts it. (The board's
「送れなかったメール」, which names no address: tests/web/test_mail_error_words.py.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import db
from hub.models import AuditEvent
from hub.services import deliveries
from hub.services.recipients import Changes, update_recipient
from tests.conftest import Api
from tests.deliveries.conftest import Seeded
from tests.mailbox import Inbox, start_server
from tests.web.conftest import page

MOVED = "moved@example.go.jp"
STAYS = "kansatsu@example.go.jp"


class Postfix(Inbox):
    """Refuses ``refused`` as Postfix does, naming the address in its reply."""

    def __init__(self, *refused: str) -> None:
        super().__init__()
        self.refused = set(refused)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, _o) -> str:
        if address in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def relay(app: Flask, monkeypatch: pytest.MonkeyPatch):
    """Starts a :class:`Postfix` refusing the addresses given; the app sends through it."""
    started = []

    def start(*refused: str) -> Postfix:
        server = Postfix(*refused)
        context = start_server(server)
        url = context.__enter__()
        started.append(context)
        settings = app.extensions["hub_settings"]
        monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(smtp_url=url))
        return server

    yield start
    for context in started:
        context.__exit__(None, None, None)


def test_a_delivery_refused_for_one_address_says_so_on_the_log_and_the_api(
    app: Flask,
    relay,
    seeded: Seeded,
    login: Callable[..., FlaskClient],
    api_as: Callable[..., Api],
):
    server = relay(MOVED)
    with app.app_context():
        update_recipient(
            "tokyo-probation", Changes(channel="smtp", address=f"{STAYS}, {MOVED}"), user=None
        )
        db.session.commit()
        outcome = deliveries.deliver("tokyo-probation", seeded.round_id)
        assert outcome.status == "sent", outcome.message
        assert outcome.delivery is not None
        delivery_id = outcome.delivery.id
        assert outcome.delivery.location == f"mailto:{STAYS}"
        (sent,) = db.session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "delivery.sent")
        )
        assert sent["refused"] == 1
        assert MOVED not in str(sent), "the audit log counts the refused address"
    assert [rcpts for rcpts, _ in server.envelopes] == [[STAYS]]

    reply = f"550 5.1.1 <{MOVED}>: Recipient address rejected: User unknown"
    staff = api_as("staff").get("/deliveries?recipient=tokyo-probation").get_json()
    [listed] = [d for d in staff if d["id"] == delivery_id]
    assert listed["status"] == "sent"
    assert listed["refused_addresses"] == [{"address": MOVED, "reply": reply}]
    assert listed["location"] == f"mailto:{STAYS}"
    counterpart = api_as("counterpart", recipient="tokyo-probation").get("/deliveries").get_json()
    assert counterpart[0]["refused_addresses"] is None, "staff only, like error and location"

    client = login("staff")
    row = f"//tr[td/span[.='{delivery_id}']]"
    ja = page(client.get("/staff/recipients/?lang=ja")).xpath(row)[0].text_content()
    assert "送信済み" in ja
    assert f"宛先が受け付けられませんでした: {MOVED}（{reply}）" in " ".join(ja.split())
    en = page(client.get("/staff/recipients/?lang=en")).xpath(row)[0].text_content()
    assert f"The mail server did not accept these addresses: {MOVED} ({reply})" in " ".join(
        en.split()
    )
    assert "宛先" not in en
