"""The schedule, run in-process with explicit times: cron slots claimed once, unchanged content
never re-sent, a missed slot delivered once on return, on-close deliveries, closing rounds."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hub import jobs
from hub.db import db, utcnow
from hub.models import AuditEvent, Delivery, JobRun, Recipient, Round, User
from hub.services import claims, deliveries
from hub.services.recipients import Changes, update_recipient
from tests.conftest import make_round
from tests.deliveries.conftest import CHUO, MINATO, Seeded, submit_answers

TOKYO = ZoneInfo("Asia/Tokyo")


def set_schedule(name: str, schedule: str, *, since: datetime) -> None:
    """Give ``name`` the schedule, as if it had been set at ``since``."""
    update_recipient(name, Changes(schedule=schedule), user=None)
    db.session.flush()
    db.session.get_one(Recipient, name).updated_at = since
    db.session.commit()


def count(name: str) -> int:
    return int(
        db.session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.recipient_name == name)
        )
        or 0
    )


def minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def test_due_fire_time_is_the_latest_cron_time_in_tokyo():
    monday_8 = datetime(2021, 4, 5, 8, 0, tzinfo=TOKYO)
    at = jobs.due_fire_time("0 9 * * 1", after=monday_8, now=monday_8 + timedelta(hours=2))
    assert at == datetime(2021, 4, 5, 9, 0, tzinfo=TOKYO)
    assert jobs.due_fire_time("0 9 * * 1", after=at, now=at + timedelta(days=6)) is None
    every = jobs.due_fire_time(
        "* * * * *",
        after=datetime(2021, 4, 5, 12, 0, 30, tzinfo=TOKYO),
        now=datetime(2021, 4, 5, 12, 2, 10, tzinfo=TOKYO),
    )
    assert every == datetime(2021, 4, 5, 12, 2, tzinfo=TOKYO)
    assert jobs.slot_of(every) == "2021-04-05T03:02Z"


def test_every_minute_a_change_leads_to_exactly_one_delivery(ctx, seeded: Seeded, outbox):
    start = minute(utcnow())
    set_schedule("tokyo-probation", "* * * * *", since=start - timedelta(minutes=5))
    jobs.scheduled_deliveries(start + timedelta(seconds=5))
    assert count("tokyo-probation") == 1
    jobs.scheduled_deliveries(start + timedelta(seconds=20))
    jobs.scheduled_deliveries(start + timedelta(minutes=1, seconds=1))
    jobs.scheduled_deliveries(start + timedelta(minutes=2, seconds=1))
    assert count("tokyo-probation") == 1
    assert count("moj") == 0, "moj is off"

    staff = db.session.get_one(User, seeded.staff_id)
    submit_answers(
        seeded.round_id,
        MINATO,
        staff,
        plan_status="formulated",
        plan_name="港区計画",
        plan_date="2021-01-04",
    )
    tick = start + timedelta(minutes=3, seconds=1)
    results: list[object] = []
    app = ctx

    def scheduler() -> None:
        with app.app_context():
            results.append(jobs.scheduled_deliveries(tick))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert count("tokyo-probation") == 2
    latest = db.session.scalars(
        select(Delivery).order_by(Delivery.created_at.desc()).limit(1)
    ).one()
    assert latest.correction_of_id is not None
    assert latest.trigger == "schedule"
    for later in range(4, 7):
        jobs.scheduled_deliveries(start + timedelta(minutes=later, seconds=1))
    assert count("tokyo-probation") == 2


@pytest.mark.usefixtures("shared_always")
def test_a_weekly_slot_missed_during_a_long_outage_is_delivered_once_on_return(ctx, outbox):
    """Monday 9:00 weekly; the hub down from Sunday to Tuesday of the week after next: the two
    missed Mondays coalesce into one run of the latest, however long the outage."""
    monday_9 = datetime(2026, 11, 16, 9, 0, tzinfo=TOKYO)
    make_round(opens_at=monday_9 - timedelta(days=10))
    set_schedule("moj", "0 9 * * 1", since=monday_9 - timedelta(days=3))
    jobs.scheduled_deliveries(monday_9 + timedelta(seconds=30))
    assert count("moj") == 1

    back = monday_9 + timedelta(days=15, hours=1)  # Tuesday 1 December, 10:00
    jobs.scheduled_deliveries(back)
    jobs.scheduled_deliveries(back + timedelta(minutes=1))
    slots = db.session.scalars(
        select(JobRun.slot).where(JobRun.job == "deliveries:moj").order_by(JobRun.slot)
    ).all()
    assert slots == [jobs.slot_of(monday_9), jobs.slot_of(monday_9 + timedelta(days=14))]


@pytest.mark.usefixtures("shared_always")
def test_a_slot_missed_while_down_is_delivered_once_on_return(ctx, outbox):
    now = utcnow()
    make_round(opens_at=now - timedelta(days=10))
    today_9 = datetime.combine(now.astimezone(TOKYO).date(), datetime.min.time(), TOKYO).replace(
        hour=9
    )
    if today_9 > now:
        today_9 -= timedelta(days=1)
    back = today_9 + timedelta(minutes=90)
    set_schedule("moj", "0 9 * * *", since=today_9 - timedelta(days=5))
    claims.claim("deliveries:moj", jobs.slot_of(today_9 - timedelta(days=3)))
    db.session.commit()

    jobs.scheduled_deliveries(back)
    jobs.scheduled_deliveries(back + timedelta(minutes=1))
    assert count("moj") == 1
    slots = db.session.scalars(
        select(JobRun.slot).where(JobRun.job == "deliveries:moj").order_by(JobRun.slot)
    ).all()
    assert slots[-1] == jobs.slot_of(today_9)
    assert len(slots) == 2, "three missed days coalesce into one run"


@pytest.mark.usefixtures("shared_always")
def test_a_schedule_set_after_its_time_does_not_fire_until_the_next(ctx, outbox):
    now = utcnow()
    make_round(opens_at=now - timedelta(days=10))
    set_schedule("moj", "* * * * *", since=now)
    jobs.scheduled_deliveries(now)
    assert count("moj") == 0
    jobs.scheduled_deliveries(minute(now) + timedelta(minutes=1))
    assert count("moj") == 1


@pytest.mark.usefixtures("shared_always")
def test_on_close_delivers_once_when_the_deadline_has_passed(ctx, outbox):
    now = utcnow()
    round_ = make_round(opens_at=now - timedelta(days=3), deadline=now + timedelta(hours=1))
    set_schedule("moj", "on-close", since=now - timedelta(days=1))
    jobs.scheduled_deliveries(now)
    assert count("moj") == 0
    after = round_.deadline + timedelta(seconds=30)
    assert jobs.rounds_closing(after) == [round_.id]
    assert jobs.rounds_closing(after) is None, "a second scheduler finds the minute claimed"
    assert jobs.rounds_closing(after + timedelta(minutes=1)) == []
    jobs.scheduled_deliveries(after)
    jobs.scheduled_deliveries(after + timedelta(minutes=1))
    assert count("moj") == 1
    delivery = db.session.scalars(select(Delivery)).one()
    assert delivery.trigger == "on-close"
    closes = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "round.close")).all()
    assert len(closes) == 1
    assert db.session.get_one(Round, round_.id).closed_at is not None


def test_send_now_requests_are_picked_up_once(ctx, seeded: Seeded, outbox):
    assert deliveries.deliver("moj", seeded.round_id).status == "sent"
    deliveries.request_delivery("moj", None, user=None, force=True)
    db.session.commit()
    (outcome,) = jobs.run_job("deliveries.requests")
    assert outcome.status == "sent"
    assert outcome.delivery.forced is True
    assert outcome.delivery.trigger == "request"
    assert jobs.run_job("deliveries.requests") == []
    assert count("moj") == 2


def test_retries_run_from_the_schedule(ctx, seeded: Seeded, outbox, monkeypatch):
    from exports.channels import CHANNELS, ChannelError

    def refuse(parcel, settings):
        raise ChannelError("ディスクがいっぱいです")

    monkeypatch.setitem(CHANNELS, "outbox", refuse)
    now = utcnow()
    first = deliveries.deliver("moj", seeded.round_id, now=now)
    assert first.status == "retrying"
    monkeypatch.undo()
    later = now + timedelta(minutes=1, seconds=5)
    (outcome,) = jobs.delivery_retries(later)
    assert outcome.status == "sent"
    assert jobs.delivery_retries(later) is None


def test_the_scheduler_holds_every_job_with_coalescing(app):
    scheduler = jobs.build_scheduler(app, blocking=False)
    scheduler.start(paused=True)
    try:
        check_jobs(scheduler.get_jobs())
    finally:
        scheduler.shutdown(wait=False)


def check_jobs(scheduled: list) -> None:
    ids = {job.id for job in scheduled}
    assert ids == {j.id for j in jobs.JOBS}
    assert ids >= {
        "rounds.close",
        "deliveries.schedule",
        "deliveries.requests",
        "deliveries.retry",
        "reminders",
    }
    for job in scheduled:
        assert job.coalesce is True
        assert job.misfire_grace_time == 3600
        assert job.max_instances == 1


def test_a_delivery_is_not_duplicated_by_two_callers_at_once(app, ctx, seeded: Seeded, outbox):
    chuo_changed = db.session.get_one(User, seeded.staff_id)
    assert deliveries.deliver("moj", seeded.round_id).status == "sent"
    submit_answers(seeded.round_id, CHUO, chuo_changed, plan_status="internal_feasibility")
    barrier = threading.Barrier(3)
    statuses: list[str] = []

    def deliver() -> None:
        with app.app_context():
            barrier.wait(timeout=10)
            statuses.append(deliveries.deliver("moj", seeded.round_id).status)

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert statuses.count("sent") == 1, statuses
    assert count("moj") == 2
