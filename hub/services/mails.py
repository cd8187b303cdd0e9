"""What the mails the hub sends from a page share: links to its pages, and a batch of many mails
over one connection that gives up in time."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from flask import current_app, url_for

from exports.channels import ChannelError
from exports.channels.smtp import MailServerUnavailable, MailSession

log = logging.getLogger(__name__)

SEND_SECONDS = 20.0
"""How long one send from a page goes on starting new mails. With the one mail under way (at most
the SMTP timeout, 30 s) the page still answers inside a reverse proxy's usual 60 s, so staff see
what was sent rather than a gateway error; what is left is not sent, and staff are told."""


def link(endpoint: str, **values: Any) -> str:
    """An absolute link to a page, built on ``HUB_PUBLIC_URL`` (also outside a request)."""
    base = current_app.extensions["hub_settings"].public_url
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


class MailBatch:
    """Many mails from one page over one connection: once the mail server cannot be reached
    (``unreachable``), or ``seconds`` have gone by after at least one mail went (``out_of_time``),
    the rest are not tried — staff would otherwise wait for the server once per mail."""

    def __init__(self, seconds: float = SEND_SECONDS) -> None:
        self._session = MailSession(current_app.extensions["hub_settings"])
        self._give_up_at = time.monotonic() + seconds
        self._sent_any = False
        self.error: ChannelError | None = None
        """Why the last mail refused did not go."""

    def __enter__(self) -> MailBatch:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._session.close()

    @property
    def unreachable(self) -> bool:
        return isinstance(self.error, MailServerUnavailable)

    @property
    def out_of_time(self) -> bool:
        return self._sent_any and time.monotonic() > self._give_up_at

    def send(self, *, to: Sequence[str], subject: str, body: str, about: str) -> bool:
        """Send one mail; ``False`` (logged as ``about``, addresses counted, not named) when
        it was refused."""
        try:
            self._session.send(to=to, subject=subject, body=body)
        except ChannelError as exc:
            log.warning("%s not sent: %s", about, exc.for_log)
            self.error = exc
            return False
        self._sent_any = True
        return True
