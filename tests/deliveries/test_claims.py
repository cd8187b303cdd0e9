"""Claims: of several processes or threads trying the same (job, slot), exactly one wins."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from hub.db import db, utcnow
from hub.models import JobRun
from hub.services import claims


def test_a_slot_is_claimed_once(ctx):
    assert claims.claim("rounds.close", "2021-04-01T00:00Z") is True
    assert claims.claim("rounds.close", "2021-04-01T00:00Z") is False
    assert claims.claim("rounds.close", "2021-04-01T00:01Z") is True
    assert claims.claim("reminders", "2021-04-01T00:00Z") is True
    db.session.commit()
    assert claims.last_slot("rounds.close") == "2021-04-01T00:01Z"
    assert claims.last_slot("nothing") is None


def test_a_rolled_back_claim_leaves_the_slot_free(ctx):
    assert claims.claim("deliveries:moj", "2021-04-01T09:00Z") is True
    db.session.rollback()
    assert claims.claim("deliveries:moj", "2021-04-01T09:00Z") is True
    claims.finish("deliveries:moj", "2021-04-01T09:00Z", error="boom")
    db.session.commit()
    run = db.session.scalars(select(JobRun)).one()
    assert (run.status, run.error) == ("failed", "boom")
    assert run.finished_at is not None


def test_concurrent_claims_from_threads_let_exactly_one_win(app):
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def contend() -> None:
        with app.app_context():
            barrier.wait(timeout=10)
            with db.unit_of_work():
                results.append(claims.claim("deliveries.retry", "2021-04-01T00:00Z"))

    threads = [threading.Thread(target=contend) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [False, False, False, True]


def test_old_runs_are_pruned(ctx):
    claims.claim("a", "1")
    db.session.commit()
    assert claims.prune(utcnow() - timedelta(days=1)) == 0
    assert claims.prune(utcnow() + timedelta(seconds=1)) == 1
    db.session.commit()
    assert db.session.scalars(select(JobRun)).all() == []
