"""A clock for tests that walk a date: ``tokyo_clock.set("2027-03-31 23:30")`` moves the hub's
"now" — ``forms.tokyo.now`` (and so ``today``) and ``hub.db.utcnow`` wherever a module imported
it, the tests' own modules included (``make_round``'s default deadline) — to that Tokyo wall-clock
time, for the rest of the test (sessions and CSRF keep real time).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from forms import tokyo
from hub import db as hub_db

_ORIGINAL_NOW, _ORIGINAL_UTCNOW = tokyo.now, hub_db.utcnow
_active: TokyoClock | None = None
"""The clock of the running test, if any."""


def _clocked_utcnow() -> datetime:
    return _active.moment if _active is not None else _ORIGINAL_UTCNOW()


def _clocked_now() -> datetime:
    return _clocked_utcnow().astimezone(tokyo.TOKYO)


def replace_clocks(
    utcnow: Callable[[], datetime],
    now: Callable[[], datetime],
    set_to: Callable[[object, str, object], None] = setattr,
) -> None:
    """``hub.db.utcnow`` and ``forms.tokyo.now`` replaced by ``utcnow`` and ``now`` wherever a
    module of the hub (or of the tests) holds them: the same two functions everywhere, since a
    module first imported later binds them from ``hub.db`` and ``forms.tokyo``, patched too."""
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if name == __name__ or not name.startswith(("hub", "exports", "forms", "tests")):
            continue
        for attribute, value in list(vars(module).items()):
            if value is _ORIGINAL_UTCNOW:
                set_to(module, attribute, utcnow)
            elif value is _ORIGINAL_NOW:
                set_to(module, attribute, now)


class TokyoClock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = datetime.now(UTC)
        monkeypatch.setattr(sys.modules[__name__], "_active", self)
        replace_clocks(_clocked_utcnow, _clocked_now, monkeypatch.setattr)

    def set(self, tokyo_time: str) -> datetime:
        """Move to ``2027-03-31 23:30`` (Tokyo); returns the moment in UTC."""
        self.moment = datetime.fromisoformat(tokyo_time).replace(tzinfo=tokyo.TOKYO).astimezone(UTC)
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def tokyo_clock(monkeypatch: pytest.MonkeyPatch) -> TokyoClock:
    return TokyoClock(monkeypatch)


OFFICE_MOMENT = "2027-02-18 10:00"
"""A Thursday morning, the offices open: where tests of the scheduler's own mails (held while the
offices are closed) stand, so that they do not depend on the real date (a Sunday, 30 December).
``make_round``'s deadline, 14 days on, is Thursday 4 March 2027 at 10:00."""


@pytest.fixture
def office_clock(tokyo_clock: TokyoClock) -> TokyoClock:
    """The hub's clock at :data:`OFFICE_MOMENT` (``pytestmark = pytest.mark.usefixtures(...)``)."""
    tokyo_clock.set(OFFICE_MOMENT)
    return tokyo_clock
