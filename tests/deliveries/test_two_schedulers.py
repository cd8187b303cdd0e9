"""Two ``hub scheduler`` processes against one database: with ``tokyo-probation`` at
``* * * * *``, a change to an answer leads to exactly one delivery, and no further one while
nothing changes. The jobs claim their work by the minute, so the test needs a minute to turn:
the processes' clock is set ahead (``tests/clock_ahead.py``, by less than a minute) to stand
:data:`STARTED_AT` seconds into a minute when they start, which turns a few seconds later — not
at the next real minute (up to a minute on). Should they start slower than that, their first run
falls in the next minute and the test waits one more, as it used to."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.db import db, utcnow
from hub.models import Delivery, JobRun, User
from hub.services import deliveries
from tests.deliveries.conftest import MINATO, Seeded, hub_env, submit_answers
from tests.deliveries.test_schedule import set_schedule

JOB = "deliveries:tokyo-probation"

STARTED_AT = 52
"""Where in a minute the schedulers' clock stands when they are started: their first run came
2.5 s after (two processes starting on a 2-core machine), this leaves them 8 s for it."""


def seconds_ahead(started_at: float) -> float:
    """How far ahead of real time a clock must be to read ``started_at`` seconds into a minute
    now (0 to 60)."""
    return (started_at - time.time() % 60) % 60


@pytest.fixture
def schedulers(settings) -> Iterator[Callable[[int], list[subprocess.Popen[bytes]]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(n: int) -> list[subprocess.Popen[bytes]]:
        env = hub_env(settings, HUB_SCHEDULER_TICK_SECONDS="1")
        ahead = f"{seconds_ahead(STARTED_AT):.3f}"
        for _ in range(n):
            started.append(
                subprocess.Popen(
                    [sys.executable, "-m", "tests.clock_ahead", ahead, "scheduler"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
        return started

    yield start
    for process in started:
        process.terminate()
    for process in started:
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while True:
        db.session.rollback()
        if condition():
            return
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def deliveries_to_probation() -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.recipient_name == "tokyo-probation")
        )
        or 0
    )


def finished_slots() -> list[str]:
    return list(
        db.session.scalars(
            select(JobRun.slot)
            .where(JobRun.job == JOB, JobRun.status == "done")
            .order_by(JobRun.slot)
        )
    )


@pytest.mark.slow
def test_two_schedulers_deliver_a_change_exactly_once(ctx, seeded: Seeded, outbox, schedulers):
    assert deliveries.deliver("tokyo-probation", seeded.round_id).status == "sent"
    set_schedule("tokyo-probation", "* * * * *", since=utcnow() - timedelta(minutes=5))
    staff = db.session.get_one(User, seeded.staff_id)
    submit_answers(
        seeded.round_id,
        MINATO,
        staff,
        plan_status="formulated",
        plan_name="港区再犯防止推進計画",
        plan_date="2021-02-01",
    )
    first, second = schedulers(2)

    wait_until(lambda: len(finished_slots()) >= 1, 60, "the scheduled delivery")
    assert deliveries_to_probation() == 2
    slot = finished_slots()[0]  # (the next minute's may be done too, if they started slowly)
    wait_until(lambda: len(finished_slots()) >= 2, 90, "the next minute's run")
    assert deliveries_to_probation() == 2
    assert first.poll() is None, first.stderr.read().decode() if first.stderr else ""
    assert second.poll() is None, second.stderr.read().decode() if second.stderr else ""
    correction = db.session.scalars(
        select(Delivery).where(Delivery.correction_of_id.is_not(None))
    ).one()
    assert correction.trigger == "schedule"
    assert correction.status == "sent"
    assert finished_slots()[0] == slot
