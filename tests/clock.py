"""A clock for tests that walk a date: ``tokyo_clock.set("2027-03-31 23:30")`` moves the hub's
"now" — ``forms.tokyo.now`` (and so ``today``) and ``hub.db.utcnow`` wherever a module imported
it — to that Tokyo wall-clock time, for the rest of the test (sessions and CSRF keep real time).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

import pytest

from forms import tokyo
from hub import db as hub_db


class TokyoClock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = datetime.now(UTC)
        original_now, original_utcnow = tokyo.now, hub_db.utcnow
        monkeypatch.setattr(tokyo, "now", lambda: self.moment.astimezone(tokyo.TOKYO))
        for module in list(sys.modules.values()):
            name = getattr(module, "__name__", "")
            if not name.startswith(("hub", "exports", "forms")):
                continue
            for attribute, value in list(vars(module).items()):
                if value is original_utcnow:
                    monkeypatch.setattr(module, attribute, lambda: self.moment)
                elif value is original_now and module is not tokyo:
                    monkeypatch.setattr(
                        module, attribute, lambda: self.moment.astimezone(tokyo.TOKYO)
                    )

    def set(self, tokyo_time: str) -> datetime:
        """Move to ``2027-03-31 23:30`` (Tokyo); returns the moment in UTC."""
        self.moment = datetime.fromisoformat(tokyo_time).replace(tzinfo=tokyo.TOKYO).astimezone(UTC)
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def tokyo_clock(monkeypatch: pytest.MonkeyPatch) -> TokyoClock:
    return TokyoClock(monkeypatch)
