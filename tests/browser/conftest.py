"""Fixtures the browser tests share (only tests under tests/browser see them; the session-wide
Chromium and ``open_page`` are in :mod:`tests.browser.support`)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import make_round, make_user

CHIYODA = "131016"


@pytest.fixture
def respondent(app: Flask) -> tuple[int, str]:
    """An open round and the e-mail of a respondent of 千代田区 it asks: ``(round_id, email)``."""
    with app.app_context():
        return make_round().id, make_user(role="respondent", municipality=CHIYODA).email
