"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1) and what reached it.

A pytest plugin loaded by tests/conftest.py: any test may ask for the ``smtp`` fixture, which
points the app's ``HUB_SMTP_URL`` at the server for the length of the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from babel.support import Translations
from flask import Flask

import hub
from tests.servers import free_port


class Inbox:
    """What reached the local SMTP server, parsed as the receiving mail program would."""

    def __init__(self) -> None:
        self.envelopes: list[tuple[list[str], bytes]] = []
        self.connections: set[Any] = set()
        """The client ends (address, port) that messages came over: one per connection."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((list(envelope.rcpt_tos), bytes(envelope.original_content)))
        self.connections.add(session.peer)
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(raw, policy=policy.default)  # type: ignore[misc]
            for _, raw in self.envelopes
        ]

    @property
    def as_read(self) -> bytes:
        """Every message as a reader sees it — each header and text part decoded (a body in
        base64 hides its words from a search of the raw bytes) —, in UTF-8: what to search for
        words a mail must not hold."""
        texts = []
        for message in self.messages:
            texts += [f"{name}: {value}" for name, value in message.items()]
            texts += [
                part.get_content()
                for part in message.walk()
                if part.get_content_maintype() == "text" and not part.is_attachment()
            ]
        return "\n".join(texts).encode("utf-8")

    def raw_to(self, address: str) -> list[bytes]:
        """The messages to ``address`` as the server received them, byte for byte."""
        return [raw for rcpts, raw in self.envelopes if address in rcpts]

    def to(self, address: str) -> list[EmailMessage]:
        return [
            message_from_bytes(raw, policy=policy.default)  # type: ignore[misc]
            for rcpts, raw in self.envelopes
            if address in rcpts
        ]


@contextmanager
def start_server(handler: Any) -> Iterator[str]:
    """An aiosmtpd server on 127.0.0.1 with ``handler``; yields its ``HUB_SMTP_URL``."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """An aiosmtpd server on 127.0.0.1, and the app's HUB_SMTP_URL pointing at it."""
    inbox = Inbox()
    with start_server(inbox) as url:
        settings = app.extensions["hub_settings"]
        monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(smtp_url=url))
        yield inbox


def send_queued(app: Flask) -> list[Any]:
    """Run the scheduler's ``mail.queue`` job once: the mails pages and the API queued go."""
    from hub.db import utcnow
    from hub.services.mail_queue import send_due

    with app.app_context():
        return send_due(utcnow())


SPECIAL = "〜①髙﨑"
"""Characters that a careless encoding loses: the wave dash (cp932 maps it to ～), a circled
digit, and two 異体字 (﨑 is a compatibility ideograph that NFKC would turn into 崎)."""


def english_catalog() -> Translations:
    """The hub's English catalog, read as the hub reads it (no app needed)."""
    return Translations.load(str(Path(hub.__file__).parent / "translations"), ["en"])


def split_at(lines: list[str], marker: str) -> tuple[list[str], list[str]]:
    """The lines before the first ``marker`` line and those after it."""
    at = lines.index(marker)
    return lines[:at], lines[at + 1 :]


def read_as_received(raw: bytes, public_url: str) -> tuple[EmailMessage, str]:
    """``raw`` checked as a Japanese office's mail program would receive it, and its message and
    text: headers ASCII (Japanese RFC 2047-encoded), no line over 998 octets, dated in Tokyo's
    time, with a Message-ID, a named sender, marked as sent by a machine (RFC 3834) so that
    不在通知 do not answer it, a UTF-8 text in base64 ending with the closing lines, and every
    link absolute on ``public_url`` on a line of its own."""
    from exports.channels.smtp import AUTOMATIC, SENDER_NAME
    from hub.services.mails import ENGLISH_AFTER

    head, _, _rest = raw.partition(b"\r\n\r\n")
    head.decode("ascii")  # raises on an unencoded header
    assert all(len(line) <= 998 for line in raw.split(b"\r\n")), "a line over 998 octets"
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert str(message["Date"]).endswith("+0900"), message["Date"]
    assert message["Message-ID"]
    assert str(message["Message-ID"]).count(">") == 1
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    (sender,) = message["From"].addresses
    assert sender.display_name
    assert sender.addr_spec
    subject = str(message["Subject"])
    assert "=?" not in subject, subject
    assert "@" not in subject, subject
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    assert part.get_content_charset() == "utf-8"
    assert part["Content-Transfer-Encoding"] == "base64"
    text = part.get_content()
    assert isinstance(text, str)
    lines = text.splitlines()
    if ENGLISH_AFTER in lines:  # each part ends as a mail does, the English in English
        japanese, english = split_at(lines, ENGLISH_AFTER)
        in_english = english_catalog().gettext
        assert english[-1] == in_english(SENDER_NAME) != SENDER_NAME, english
        assert any(line.startswith(in_english(AUTOMATIC)) for line in english), english
        assert not any(line.startswith(AUTOMATIC) for line in english), english
        lines = [line for line in japanese if line] or [""]
    assert lines[-1] == SENDER_NAME
    assert any(line.startswith(AUTOMATIC) for line in lines)
    for line in lines:
        if "://" in line:
            assert line == line.strip(), f"a link not alone: {line}"
            assert " " not in line, f"a link not alone: {line}"
            assert line.startswith(public_url + "/"), line
            assert urlsplit(line).netloc == urlsplit(public_url).netloc
    return message, text


def link_in(text: str) -> str:
    """The one link in a mail's text, as a path (what the browser asks for after sign-in)."""
    (line,) = [line for line in text.splitlines() if "://" in line]
    return urlsplit(line).path
