"""The whole schedule, declared in one registry; each job is a thin call into an idempotent service.

``hub scheduler`` runs it in the foreground (production, one process); ``make run`` runs it inside
its single development process; gunicorn workers never start one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from flask import Flask

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: str
    trigger: Callable[[], BaseTrigger]
    run: Callable[[], Any]
    """Called inside an app context; commits its own unit of work."""


JOBS: tuple[Job, ...] = ()


def build_scheduler(app: Flask, *, blocking: bool) -> BaseScheduler:
    """A scheduler holding every job of ``JOBS``, each run inside an app context."""
    tz = app.extensions["hub_settings"].timezone
    options: dict[str, Any] = {
        "timezone": tz,
        "job_defaults": {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    }
    scheduler: BaseScheduler = (
        BlockingScheduler(**options) if blocking else BackgroundScheduler(**options)
    )
    for job in JOBS:
        scheduler.add_job(_in_context(app, job), job.trigger(), id=job.id, name=job.id)
    return scheduler


def _in_context(app: Flask, job: Job) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            try:
                job.run()
            except Exception:
                log.exception("job %s failed", job.id)

    return run
