"""The scheduler's own reminders wait while the offices are closed — Saturdays and Sundays,
national holidays and 振替休日, 29 December to 3 January, and before 8:30 — and go, once, at
the next opening; a due-soon point whose days before the deadline are all closed goes on the
last office day before them. Through the scheduler's jobs, with the hub's clock moved."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from forms.tokyo import TOKYO
from hub import jobs
from hub.db import db
from hub.models import ReminderSent, Round
from tests.clock import TokyoClock
from tests.deliveries.conftest import BUNKYO, SHINJUKU, Inbox, Seeded


def tokyo(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


def deadline_at(seeded: Seeded, text: str) -> None:
    round_ = db.session.get_one(Round, seeded.round_id)
    round_.opens_at = tokyo("2026-11-02 09:00")
    round_.deadline = tokyo(text)
    db.session.commit()


def tick(clock: TokyoClock, text: str) -> list[tuple[str, str]]:
    """The scheduler's minute at ``text`` (Tokyo): its reminders job, then its mail queue job;
    the points it queued."""
    moment = clock.set(text)
    queued = jobs.reminders(moment) or []
    jobs.mail_queue(moment)
    return sorted((r.municipality_code, r.kind) for r in queued if r.queued)


BOTH_SOON = [(SHINJUKU, "due_soon"), (BUNKYO, "due_soon")]
BOTH_OVERDUE = [(SHINJUKU, "overdue"), (BUNKYO, "overdue")]


def sent(smtp: Inbox) -> int:
    return len(smtp.messages)


def test_a_reminder_that_would_fall_on_saturday_goes_on_friday_once(
    ctx, seeded: Seeded, respondents, smtp: Inbox, tokyo_clock: TokyoClock
):
    deadline_at(seeded, "2027-02-16 17:00")  # Tuesday: its 3 days before start on Saturday
    assert tick(tokyo_clock, "2027-02-12 08:29") == []  # Friday, before the offices open
    assert sent(smtp) == 0
    assert db.session.scalars(select(ReminderSent)).all() == [], "nothing claimed while held"
    assert tick(tokyo_clock, "2027-02-12 08:30") == BOTH_SOON
    assert sent(smtp) == 2
    for later in ("2027-02-12 08:31", "2027-02-13 17:01", "2027-02-15 08:30", "2027-02-16 09:00"):
        assert tick(tokyo_clock, later) == [], later
    assert sent(smtp) == 2, "each point once"


def test_a_point_reached_before_the_offices_open_waits_for_half_past_eight(
    ctx, seeded: Seeded, respondents, smtp: Inbox, tokyo_clock: TokyoClock
):
    deadline_at(seeded, "2027-02-19 07:00")  # Friday 7:00: its 3 days before start Tuesday 7:00
    assert tick(tokyo_clock, "2027-02-16 07:00") == []
    assert tick(tokyo_clock, "2027-02-16 08:29") == []
    assert tick(tokyo_clock, "2027-02-16 08:30") == BOTH_SOON


def test_the_year_end_brings_the_reminders_forward_to_the_twenty_eighth(
    ctx, seeded: Seeded, respondents, smtp: Inbox, tokyo_clock: TokyoClock
):
    deadline_at(seeded, "2027-01-05 17:00")  # due soon from Saturday 2 January: closed
    assert tick(tokyo_clock, "2026-12-25 17:00") == []  # Friday: too early
    assert tick(tokyo_clock, "2026-12-28 08:30") == BOTH_SOON
    for closed in ("2026-12-29 09:00", "2027-01-02 17:00", "2027-01-04 08:30"):
        assert tick(tokyo_clock, closed) == [], closed
    assert tick(tokyo_clock, "2027-01-05 10:00") == []
    assert tick(tokyo_clock, "2027-01-05 17:01") == BOTH_OVERDUE
    assert tick(tokyo_clock, "2027-01-06 09:00") == []


def test_a_deadline_whose_days_before_are_all_closed_is_reminded_of_on_the_last_office_day(
    ctx, seeded: Seeded, respondents, smtp: Inbox, tokyo_clock: TokyoClock
):
    """Monday 4 January at 8:00: its 3 days before (from 1 January, 8:00) are closed, and so is
    the morning itself until 8:30. The reminder goes on Monday 28 December, not never."""
    deadline_at(seeded, "2027-01-04 08:00")
    assert tick(tokyo_clock, "2026-12-25 17:00") == []  # Friday: too early
    assert tick(tokyo_clock, "2026-12-28 08:29") == []
    assert tick(tokyo_clock, "2026-12-28 08:30") == BOTH_SOON
    body = smtp.messages[-1].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "令和9年1月4日（月）08:00" in body
    for closed in ("2026-12-29 09:00", "2027-01-01 09:00", "2027-01-04 07:59"):
        assert tick(tokyo_clock, closed) == [], closed
    assert tick(tokyo_clock, "2027-01-04 08:30") == BOTH_OVERDUE
    assert sent(smtp) == 4


@pytest.mark.parametrize(
    ("deadline", "closed", "opening"),
    [
        # Friday's deadline; Monday 11 January 2027 is 成人の日
        ("2027-01-08 17:00", ("2027-01-09 09:00", "2027-01-11 09:00"), "2027-01-12 08:30"),
        # Friday's deadline; Monday 22 March 2027 is the 振替休日 of 春分の日 (Sunday 21st)
        ("2027-03-19 17:00", ("2027-03-20 09:00", "2027-03-22 10:00"), "2027-03-23 08:30"),
    ],
    ids=["national-holiday", "substitute-holiday"],
)
def test_an_overdue_notice_waits_over_a_holiday(
    ctx,
    seeded: Seeded,
    respondents,
    smtp: Inbox,
    tokyo_clock: TokyoClock,
    deadline: str,
    closed: tuple[str, ...],
    opening: str,
):
    deadline_at(seeded, deadline)
    assert tick(tokyo_clock, deadline.replace("17:00", "09:00")) == BOTH_SOON
    for moment in closed:
        assert tick(tokyo_clock, moment) == [], moment
    assert tick(tokyo_clock, opening) == BOTH_OVERDUE
    assert tick(tokyo_clock, opening.replace("08:30", "09:30")) == []
    assert len(db.session.scalars(select(ReminderSent)).all()) == 4
