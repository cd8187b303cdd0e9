"""The whole schedule, declared in one registry; each job is a thin call into an idempotent service.

``hub scheduler`` runs it in the foreground (production, one process); ``make run`` runs it inside
its single development process; gunicorn workers never start one. Even so every run is claimed in
the database before it acts (a unique ``(job, slot)`` row, see :mod:`hub.services.claims`), so a
second scheduler started by mistake or a deploy overlap does the work once.

The jobs tick every minute (and the "send now" pick-up every 15 seconds); each tick claims the
current minute. Recipients' cron schedules are evaluated on every tick in Asia/Tokyo: the latest
fire time since the recipient's last claimed run (at most a day back, never before its profile
was last changed) is due, so a delivery missed while the hub was down runs once when it comes back. Every
job also runs once as soon as the scheduler starts.

``HUB_SCHEDULER_TICK_SECONDS`` (for tests and troubleshooting) makes every job tick at that
interval instead; slots, and so the work done, stay per minute.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from forms.tokyo import TOKYO
from hub.db import db, utcnow
from hub.models import Round
from hub.services import claims, questionnaires

log = logging.getLogger(__name__)

TICK_ENV = "HUB_SCHEDULER_TICK_SECONDS"
KEEP_RUNS = timedelta(days=14)


@dataclass(frozen=True)
class Job:
    id: str
    trigger: Callable[[], BaseTrigger]
    run: Callable[[datetime], Any]
    """Called with the current time inside an app context; commits its own work."""


def _tick_seconds() -> int | None:
    raw = os.environ.get(TICK_ENV, "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def every_minute() -> BaseTrigger:
    tick = _tick_seconds()
    return IntervalTrigger(seconds=tick) if tick else CronTrigger(second=0, timezone=TOKYO)


def every_quarter_minute() -> BaseTrigger:
    tick = _tick_seconds()
    return IntervalTrigger(seconds=tick) if tick else CronTrigger(second="*/15", timezone=TOKYO)


def hourly() -> BaseTrigger:
    return CronTrigger(minute=7, timezone=TOKYO)


def slot_of(moment: datetime) -> str:
    """A minute as the sortable text used for claims: ``2021-04-01T00:00Z`` (UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def parse_slot(slot: str) -> datetime | None:
    try:
        return datetime.strptime(slot, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def claimed(
    job: str,
    now: datetime,
    work: Callable[[datetime], Any],
    *,
    slot: str | None = None,
    found: Callable[[Any], dict[str, Any]] | None = None,
) -> Any:
    """Run ``work(now)`` only if this process claims ``(job, slot)`` (default: this minute);
    ``found`` turns what it returned into the run's ``result`` (what it found, for pages)."""
    slot = slot or slot_of(now)
    with db.unit_of_work():
        won = claims.claim(job, slot)
    if not won:
        log.debug("%s %s: claimed by another process", job, slot)
        return None
    try:
        result = work(now)
    except Exception as exc:
        db.session.rollback()
        with db.unit_of_work():
            claims.finish(job, slot, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    with db.unit_of_work():
        claims.finish(job, slot, result=found(result) if found else None)
    return result


# --- the jobs ---------------------------------------------------------------------------------


def close_due_rounds(now: datetime) -> list[int]:
    """Close every round whose deadline has passed (extensions still let their holders submit)."""
    from hub.services.rounds import close_round

    with db.unit_of_work():
        due = list(
            db.session.scalars(
                select(Round).where(Round.closed_at.is_(None), Round.deadline <= now)
            )
        )
        for round_ in due:
            close_round(round_, user=None)
    return [r.id for r in due]


def due_fire_time(schedule: str, *, after: datetime, now: datetime) -> datetime | None:
    """The latest fire time of the cron ``schedule`` in ``(after, now]``, or ``None``."""
    from hub.services.recipients import cron_trigger

    trigger = cron_trigger(schedule)
    latest = None
    fire = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire)
    return latest


def scheduled_deliveries(now: datetime) -> list[Any]:
    """Each recipient whose schedule is due now: deliver its rounds (unchanged ones are skipped)."""
    from hub.services.recipients import OFF, ON_CLOSE, list_recipients

    due: list[tuple[str, str]] = []
    for recipient in list_recipients():
        if not recipient.active or recipient.schedule == OFF:
            continue
        if recipient.schedule == ON_CLOSE:
            due.append((recipient.name, slot_of(now)))
            continue
        # missed fire times since the last run (kept however old: claims.KEEP_LAST) or since the
        # schedule was set coalesce into one run of the latest: a weekly delivery missed during
        # a week-long outage goes once when the hub is back
        last = parse_slot(claims.last_slot(f"deliveries:{recipient.name}") or "")
        after = max(recipient.updated_at, last or recipient.updated_at)
        fire = due_fire_time(recipient.schedule, after=after, now=now)
        if fire is not None:
            due.append((recipient.name, slot_of(fire)))
    db.session.commit()
    outcomes: list[Any] = []
    for name, slot in due:
        try:
            found = claimed(
                f"deliveries:{name}", now, _deliver_to(name), slot=slot, found=_look_result
            )
        except Exception as exc:
            trouble = _database_trouble(exc)
            if trouble is None:
                log.exception("scheduled delivery to %s failed", name)
            else:
                log.warning("scheduled delivery to %s failed (database: %s)", name, trouble)
            db.session.rollback()
            continue
        outcomes.extend(found or [])
    return outcomes


def _look_result(outcomes: Any) -> dict[str, Any]:
    from hub.services.deliveries import look_result

    return look_result(outcomes)


def _deliver_to(name: str) -> Callable[[datetime], Any]:
    from hub.services.deliveries import deliver_scheduled

    return lambda now: deliver_scheduled(name, now)


def delivery_requests(now: datetime) -> Any:
    from hub.services.deliveries import pick_up_requests

    return pick_up_requests(now)


def delivery_retries(now: datetime) -> Any:
    from hub.services.deliveries import retry_due

    return claimed("deliveries.retry", now, retry_due)


def reminders(now: datetime) -> Any:
    """The request to answer and the reminders, queued for ``mail.queue`` to send."""
    from hub.services.reminders import queue_reminders

    return claimed("reminders", now, queue_reminders)


def mail_queue(now: datetime) -> Any:
    """The mails to municipalities that the scheduler, pages, the API and commands queued."""
    from hub.services.mail_queue import send_due

    return claimed("mail.queue", now, send_due)


def rounds_closing(now: datetime) -> Any:
    return claimed("rounds.close", now, close_due_rounds)


def housekeeping(now: datetime) -> Any:
    """Old claims and mails sent long ago pruned, questionnaire drafts nobody published
    discarded, and the copies of mail and HTTPS deliveries past their keeping removed."""
    from hub.services.delivered_files import prune_copies
    from hub.services.mail_queue import prune as prune_sent_mail

    def prune(at: datetime) -> int:
        with db.unit_of_work():
            return (
                claims.prune(at - KEEP_RUNS)
                + prune_sent_mail(at)
                + questionnaires.expire_drafts(at)
                + prune_copies(at)
            )

    return claimed("housekeeping", now, prune, slot=f"{now.astimezone(UTC):%Y-%m-%dT%H}h")


def referral_follow_up(now: datetime) -> Any:
    """Overdue follow-ups to the windows, referrals not accepted in 5 working days to their
    referrer (each mailed once, without personal data)."""
    from hub.services.referrals import followup

    return claimed("referrals.follow_up", now, followup.run)


def referral_retention(now: datetime) -> Any:
    """Erase the personal data of referrals closed longer ago than the retention period."""
    from hub.services.referrals import retention

    def purge(at: datetime) -> int:
        with db.unit_of_work():
            return retention.purge(at)

    return claimed("referrals.retention", now, purge, slot=f"{now.astimezone(UTC):%Y-%m-%dT%H}h")


JOBS: tuple[Job, ...] = (
    Job("rounds.close", every_minute, rounds_closing),
    Job("deliveries.schedule", every_minute, scheduled_deliveries),
    Job("deliveries.requests", every_quarter_minute, delivery_requests),
    Job("deliveries.retry", every_minute, delivery_retries),
    Job("reminders", every_minute, reminders),
    Job("mail.queue", every_minute, mail_queue),
    Job("housekeeping", hourly, housekeeping),
    Job("referrals.follow_up", every_minute, referral_follow_up),
    Job("referrals.retention", hourly, referral_retention),
)


def run_job(job_id: str, now: datetime | None = None) -> Any:
    """Run one job now, in the current app context (tests, troubleshooting)."""
    job = next((j for j in JOBS if j.id == job_id), None)
    if job is None:
        raise KeyError(f"no job {job_id}; jobs: {', '.join(j.id for j in JOBS)}")
    return job.run(now or utcnow())


def build_scheduler(app: Flask, *, blocking: bool) -> BaseScheduler:
    """A scheduler holding every job of ``JOBS``, each run inside an app context."""
    tz = app.extensions["hub_settings"].timezone
    options: dict[str, Any] = {
        "timezone": tz,
        "executors": {"default": ThreadPoolExecutor(2)},
        "job_defaults": {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    }
    scheduler: BaseScheduler = (
        BlockingScheduler(**options) if blocking else BackgroundScheduler(**options)
    )
    start = datetime.now(ZoneInfo(tz))
    for job in JOBS:
        scheduler.add_job(
            _in_context(app, job), job.trigger(), id=job.id, name=job.id, next_run_time=start
        )
    return scheduler


def _database_trouble(exc: Exception) -> str | None:
    """The driver's own first line when ``exc`` is the database being unreachable or refusing
    (“database … does not exist”, “Connection refused”), never the statement or its
    parameters; None for any other error."""
    if isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        lines = str(exc.orig).strip().splitlines()
        return lines[0] if lines else type(exc.orig).__name__
    return None


def _in_context(app: Flask, job: Job) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            try:
                job.run(utcnow())
            except Exception as exc:
                trouble = _database_trouble(exc)
                if trouble is None:
                    log.exception("job %s failed", job.id)
                else:
                    log.warning("job %s failed (database: %s)", job.id, trouble)

    return run
