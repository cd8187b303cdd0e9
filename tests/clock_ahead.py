"""``python -m tests.clock_ahead SECONDS ARGS…``: ``python -m hub ARGS…`` with the hub's clock
(``hub.db.utcnow`` and ``forms.tokyo.now``, as :mod:`tests.clock` moves them in the tests' own
process) SECONDS ahead of real time — so that a test of real ``hub scheduler`` processes can start
them a few seconds before a minute of their clock ends and see the next minute's run without
waiting for a real minute to turn (the jobs claim their work by the minute)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

from forms import tokyo
from hub import db as hub_db
from hub.cli import main
from tests.clock import replace_clocks


def run(ahead: timedelta) -> None:
    real_utcnow, real_now = hub_db.utcnow, tokyo.now

    def utcnow() -> datetime:
        return real_utcnow() + ahead

    def now() -> datetime:
        return real_now() + ahead

    replace_clocks(utcnow, now)
    main()


if __name__ == "__main__":
    seconds = float(sys.argv.pop(1))
    run(timedelta(seconds=seconds))
