"""Several mails over one SMTP connection (a batch of 督促 reminders): one login, a relay's limit
of messages per connection survived, a refused message kept apart from a server that is gone —
all through real SMTP conversations with aiosmtpd on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from email import message_from_bytes, policy
from typing import Any

import pytest

from exports.channels import ChannelError
from exports.channels.smtp import MailServerUnavailable, MailSession
from tests.mailbox import start_server
from tests.servers import free_port


class Relay:
    """Records each message with the client connection it came over; may refuse an address,
    close a connection after ``per_connection`` messages (421; a negative number: every message),
    or refuse a message's content."""

    def __init__(self, *, per_connection: int = 0, refuse_to: str = "", refuse_data: str = ""):
        self.per_connection = per_connection
        self.refuse_to = refuse_to
        self.refuse_data = refuse_data
        self.received: list[tuple[Any, list[str]]] = []
        self.counts: dict[Any, int] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address == self.refuse_to:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        count = self.counts.get(session.peer, 0)
        if self.per_connection < 0 or (self.per_connection and count >= self.per_connection):
            return "421 4.7.0 too many messages in this connection"
        if self.refuse_data and self.refuse_data in _text(envelope.original_content):
            return "554 5.6.0 content refused"
        self.counts[session.peer] = count + 1
        self.received.append((session.peer, list(envelope.rcpt_tos)))
        return "250 OK"

    def connections(self) -> int:
        return len({peer for peer, _ in self.received})


def _text(raw: bytes) -> str:
    """The text of a message, decoded as a content filter reads it (the body is base64)."""
    message = message_from_bytes(raw, policy=policy.default)
    body = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return str(body.get_content()) if body is not None else ""


@pytest.fixture
def relay_of(app) -> Iterator[Any]:
    """Starts a relay; returns the app's settings with ``HUB_SMTP_URL`` pointing at it."""
    with ExitStack() as started:

        def start(relay: Relay):
            url = started.enter_context(start_server(relay))
            return app.extensions["hub_settings"].with_(smtp_url=url)

        yield start


def send(session: MailSession, to: str, body: str = "督促のお知らせです。") -> None:
    session.send(to=[to], subject="【督促】調査への回答のお願い", body=body)


def test_a_batch_goes_over_one_connection(relay_of):
    relay = Relay()
    with MailSession(relay_of(relay)) as session:
        for n in range(5):
            send(session, f"kuyakusho{n}@example.lg.jp")
    assert [to for _, to in relay.received] == [[f"kuyakusho{n}@example.lg.jp"] for n in range(5)]
    assert relay.connections() == 1


def test_a_relay_that_closes_the_connection_after_two_messages_gets_them_all(relay_of):
    relay = Relay(per_connection=2)
    with MailSession(relay_of(relay)) as session:
        for n in range(5):
            send(session, f"kuyakusho{n}@example.lg.jp")
    assert [to for _, to in relay.received] == [[f"kuyakusho{n}@example.lg.jp"] for n in range(5)]
    assert relay.connections() == 3


def test_a_refused_address_fails_that_message_only(relay_of):
    relay = Relay(refuse_to="moved@example.lg.jp")
    with MailSession(relay_of(relay)) as session:
        with pytest.raises(ChannelError, match=r"moved@example\.lg\.jp") as refused:
            send(session, "moved@example.lg.jp")
        assert not isinstance(refused.value, MailServerUnavailable)
        send(session, "kuyakusho@example.lg.jp")
    assert [to for _, to in relay.received] == [["kuyakusho@example.lg.jp"]]


def test_refused_content_fails_that_message_and_the_next_one_goes(relay_of):
    relay = Relay(refuse_data="ウイルス")
    with MailSession(relay_of(relay)) as session:
        with pytest.raises(ChannelError, match="554") as refused:
            send(session, "a@example.lg.jp", body="ウイルス")
        assert not isinstance(refused.value, MailServerUnavailable)
        send(session, "b@example.lg.jp")
    assert [to for _, to in relay.received] == [["b@example.lg.jp"]]


def test_a_server_that_is_not_there_is_unavailable_at_once(app):
    settings = app.extensions["hub_settings"].with_(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    with (
        MailSession(settings) as session,
        pytest.raises(MailServerUnavailable, match=r"127\.0\.0\.1"),
    ):
        send(session, "a@example.lg.jp")


def test_a_relay_that_refuses_on_a_new_connection_is_unavailable(relay_of):
    """421 on a fresh connection is no limit per connection: the server is not taking mail."""
    relay = Relay(per_connection=-1)
    with MailSession(relay_of(relay)) as session, pytest.raises(MailServerUnavailable, match="421"):
        send(session, "a@example.lg.jp")
    assert relay.received == []


def test_a_server_that_stops_answering_is_unavailable_after_the_timeout(app, monkeypatch):
    """A relay that accepts the connection and then says nothing: the session gives up after its
    timeout instead of hanging the request."""
    import exports.channels.smtp as smtp_channel

    monkeypatch.setattr(smtp_channel, "TIMEOUT_SECONDS", 0.5)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(silent.accept()[0]), daemon=True).start()
    settings = app.extensions["hub_settings"].with_(
        smtp_url=f"smtp://127.0.0.1:{silent.getsockname()[1]}"
    )
    started = time.monotonic()
    try:
        with MailSession(settings) as session, pytest.raises(MailServerUnavailable):
            send(session, "a@example.lg.jp")
    finally:
        for connection in accepted:
            connection.close()
        silent.close()
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (None, "HUB_SMTP_URL が設定されていない"),
        ("http://mail.example.jp", "形式が正しくありません"),
    ],
)
def test_no_or_a_malformed_server_setting_is_unavailable_for_good(app, url, said):
    settings = app.extensions["hub_settings"].with_(smtp_url=url)
    with MailSession(settings) as session, pytest.raises(MailServerUnavailable, match=said) as no:
        send(session, "a@example.lg.jp")
    assert no.value.permanent


def test_a_refused_address_is_named_for_staff_and_counted_for_the_log(relay_of):
    """The address a relay refused is in the message staff read (they choose whom to remind);
    the log's text counts it instead (an e-mail address is personal data). The reminder pages'
    log is checked in tests/web/test_remind.py."""
    relay = Relay(refuse_to="moved@example.lg.jp")
    with MailSession(relay_of(relay)) as session, pytest.raises(ChannelError) as refused:
        send(session, "moved@example.lg.jp")
    assert "moved@example.lg.jp" in refused.value.message
    assert refused.value.for_log == "宛先1件が受け付けられませんでした"
