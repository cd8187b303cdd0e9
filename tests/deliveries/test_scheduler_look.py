"""When the scheduler last looked at a recipient's scheduled delivery and what it found — sent,
nothing new, failed — on the recipient's page (staff) and the counterpart's page, so that
"nothing new" reads apart from "the scheduler is not running"; and, for staff, whether a
scheduler runs at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from hub import jobs
from hub.db import db, utcnow
from hub.models import JobRun, Recipient
from hub.services import claims
from hub.services.recipients import Changes, update_recipient
from hub.web.display import tokyo
from tests.deliveries.conftest import Seeded
from tests.web.conftest import page

LOOK = "string(//*[@data-scheduler-look])"


def said(client: FlaskClient, url: str) -> str:
    return " ".join(page(client.get(url)).xpath(LOOK).split())


def scheduled_run(app: Flask, at) -> JobRun:
    """The scheduler's ``deliveries.schedule`` job at ``at``; the recipient's run it claimed."""
    with app.app_context():
        jobs.run_job("deliveries.schedule", at)
        run = claims.last_run("deliveries:moj")
        assert run is not None
        db.session.expunge(run)
        return run


def test_the_pages_say_when_the_scheduler_last_looked_and_what_it_found(
    app: Flask, seeded: Seeded, outbox, login: Callable[..., FlaskClient]
):
    start = utcnow().replace(second=0, microsecond=0)
    with app.app_context():
        update_recipient("moj", Changes(schedule="* * * * *"), user=None)
        db.session.get_one(Recipient, "moj").updated_at = start - timedelta(minutes=1)
        db.session.commit()
    staff = login("staff")
    assert "スケジューラーはまだこの配信先を確認していません。" in said(
        staff, "/staff/recipients/moj"
    )

    first = scheduled_run(app, start + timedelta(minutes=1))
    assert first.result == {
        "rounds": 1,
        "sent": 1,
        "failed": 0,
        "refused": 0,
        "busy": 0,
        "waiting": 0,
        "unchanged": 0,
    }
    text = said(staff, "/staff/recipients/moj?lang=ja")
    assert "定期配信の最終確認" in text
    assert "1件の調査回を配信しました。" in text

    second = scheduled_run(app, start + timedelta(minutes=2))
    assert second.slot > first.slot
    text = said(staff, "/staff/recipients/moj?lang=ja")
    assert "1件は前回の配信から変更がなく、送っていません。" in text
    with app.test_request_context("/?lang=ja"):
        assert second.finished_at is not None
        assert tokyo(second.finished_at) in text
    en = said(staff, "/staff/recipients/moj?lang=en")
    assert "Nothing new for 1 since the last delivery, so not sent." in en

    counterpart = login("counterpart", recipient="moj")
    assert "1件は前回の配信から変更がなく、送っていません。" in said(counterpart, "/counterpart")
    mine = said(counterpart, "/counterpart?lang=en")
    assert "Scheduler's last check" in mine
    assert "Nothing new for 1 since the last delivery" in mine
    assert "Scheduler last ran" not in mine, "whether the hub's scheduler runs is for staff"


def test_a_look_that_failed_or_a_recipient_never_scheduled_reads_so(
    app: Flask, seeded: Seeded, outbox, login: Callable[..., FlaskClient]
):
    staff = login("staff")
    assert "定期配信をしていないため" in said(staff, "/staff/recipients/tokyo-probation")
    with app.app_context():
        update_recipient("moj", Changes(schedule="* * * * *"), user=None)
        db.session.commit()
    with app.app_context():
        assert claims.claim("deliveries:moj", "2026-01-01T00:00Z")
        claims.finish("deliveries:moj", "2026-01-01T00:00Z", error="OSError: disk full")
        db.session.commit()
    assert "確認の途中でエラーになりました" in said(staff, "/staff/recipients/moj")


def test_staff_read_whether_a_scheduler_runs_at_all(app: Flask, login: Callable[..., FlaskClient]):
    staff = login("staff")
    quiet = "スケジューラーが動いていないようです"
    assert quiet in said(staff, "/staff/recipients/moj")
    with app.app_context():
        jobs.run_job("rounds.close")
    text = said(staff, "/staff/recipients/moj")
    assert "スケジューラーの最終動作" in text
    assert quiet not in text


def test_the_housekeeping_keeps_the_latest_look_at_each_recipient(app: Flask):
    """A monthly delivery's last look is older than the claims the housekeeping forgets."""
    with app.app_context():
        for slot in ("2020-01-01T00:00Z", "2020-02-01T00:00Z"):
            claims.claim("deliveries:moj", slot)
            claims.claim("rounds.close", slot)
        db.session.flush()
        db.session.execute(
            JobRun.__table__.update().values(claimed_at=utcnow() - timedelta(days=300))
        )
        assert claims.prune(utcnow() - jobs.KEEP_RUNS) == 3
        run = claims.last_run("deliveries:moj")
        assert run is not None
        assert run.slot == "2020-02-01T00:00Z"
        assert claims.last_run("rounds.close") is None
