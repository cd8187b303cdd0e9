"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1) and what reached it.

A pytest plugin loaded by tests/conftest.py: any test may ask for the ``smtp`` fixture, which
points the app's ``HUB_SMTP_URL`` at the server for the length of the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

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
