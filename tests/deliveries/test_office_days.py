"""The offices' hours as the hub is set, and the scheduler's reminders that wait for them: a
reminder refused by the mail server is tried again at the next opening, never on a closed day
or before the offices open, while the mails a person chose to send (督促, a return, a new
deadline) keep their doubling pauses; the hour the offices open (``HUB_OFFICE_OPENS``) and the
days 都 closes them on (``HUB_CLOSED_DAYS``) move the reminders. Through the scheduler's jobs,
with the hub's clock moved and a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from forms.tokyo import OfficeDays, in_tokyo
from hub.db import db
from hub.models import OutgoingMail, Round
from hub.services import reminders
from tests.clock import TokyoClock
from tests.deliveries.conftest import BUNKYO, SHINJUKU, Inbox, Seeded, free_port
from tests.deliveries.test_quiet_days import BOTH_OVERDUE, BOTH_SOON, deadline_at, tick
from tests.mailbox import start_server


class Relay(Inbox):
    """A mail server that refuses every mail (451) while ``refusing``."""

    refusing = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing:
            return "451 4.3.0 try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def relay(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Relay]:
    handler = Relay()
    with start_server(handler) as url:
        settings = app.extensions["hub_settings"]
        monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(smtp_url=url))
        yield handler


def next_tries() -> list[tuple[str, str, str]]:
    """Each mail still to go: its ``about``, its municipality and when it is tried next (Tokyo)."""
    db.session.expire_all()
    return [
        (m.about, m.municipality_code, f"{in_tokyo(m.not_before):%Y-%m-%d %H:%M}")
        for m in db.session.scalars(
            select(OutgoingMail)
            .where(OutgoingMail.sent_at.is_(None))
            .order_by(OutgoingMail.municipality_code)
        )
    ]


def test_a_refused_reminder_is_tried_again_at_the_next_opening_not_on_saturday(
    ctx, seeded: Seeded, respondents, relay: Relay, tokyo_clock: TokyoClock
):
    deadline_at(seeded, "2027-02-19 17:00")  # Friday
    assert tick(tokyo_clock, "2027-02-16 17:00") == BOTH_SOON
    assert len(relay.messages) == 2
    relay.refusing = True
    assert tick(tokyo_clock, "2027-02-19 23:59") == BOTH_OVERDUE  # refused: 1 minute's pause
    monday = "2027-02-22 08:30"
    assert next_tries() == [
        ("reminder.overdue", SHINJUKU, monday),
        ("reminder.overdue", BUNKYO, monday),
    ]
    relay.refusing = False
    for closed in ("2027-02-20 00:00", "2027-02-20 10:00", "2027-02-21 12:00", "2027-02-22 08:29"):
        tick(tokyo_clock, closed)
        assert len(relay.messages) == 2, closed
    tick(tokyo_clock, monday)
    assert len(relay.messages) == 4
    assert next_tries() == []


def test_an_unreachable_mail_server_holds_a_reminder_until_the_offices_open(
    app: Flask, ctx, seeded: Seeded, respondents, relay: Relay, tokyo_clock: TokyoClock, monkeypatch
):
    """Not only a refusal: while the mail server cannot be reached (from 23:59 on Friday) every
    mail waits a minute and is tried again; once it can, 督促 goes on Saturday, the reminders on
    Monday at the opening."""
    settings = app.extensions["hub_settings"]
    nobody = settings.with_(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    deadline_at(seeded, "2027-02-19 17:00")
    tokyo_clock.set("2027-02-19 23:59")
    monkeypatch.setitem(app.extensions, "hub_settings", nobody)
    reminders.queue_reminders(tokyo_clock.moment)
    chase_and_send(seeded, tokyo_clock)
    assert [about for about, _code, _at in next_tries()].count("reminder.overdue") == 2
    monkeypatch.setitem(app.extensions, "hub_settings", settings)
    tick(tokyo_clock, "2027-02-20 10:00")
    assert sorted(about for about, _code, _at in next_tries()) == ["reminder.overdue"] * 2
    assert len(relay.messages) == 2, "督促 went"
    tick(tokyo_clock, "2027-02-22 08:30")
    assert next_tries() == []
    assert len(relay.messages) == 4


def chase_and_send(seeded: Seeded, clock: TokyoClock) -> None:
    """督促 every late municipality, as staff do on the board, and run the ``mail.queue`` job."""
    from hub import jobs

    reminders.chase(db.session.get_one(Round, seeded.round_id), None, user=None, resend=True)
    db.session.commit()
    jobs.mail_queue(clock.moment)


def test_a_refused_chase_keeps_its_pause_into_the_night(
    ctx, seeded: Seeded, respondents, relay: Relay, tokyo_clock: TokyoClock
):
    """督促 goes when staff press it, and is tried again as soon as its pause ends, at night or
    at the weekend: a person chose to send it now."""
    deadline_at(seeded, "2027-02-19 17:00")
    tick(tokyo_clock, "2027-02-19 17:01")  # the overdue reminders go
    relay.refusing = True
    tokyo_clock.set("2027-02-19 23:59")
    chase_and_send(seeded, tokyo_clock)
    assert [at for about, _code, at in next_tries()] == ["2027-02-20 00:00"] * 2
    relay.refusing = False
    tick(tokyo_clock, "2027-02-20 00:00")  # Saturday
    assert len(relay.messages) == 4
    assert next_tries() == []


def set_office(app: Flask, monkeypatch: pytest.MonkeyPatch, office: OfficeDays) -> None:
    settings = app.extensions["hub_settings"]
    monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(office_days=office))


def test_the_reminders_wait_for_the_hour_the_offices_open_as_set(
    app: Flask, ctx, seeded: Seeded, respondents, smtp: Inbox, tokyo_clock: TokyoClock, monkeypatch
):
    set_office(app, monkeypatch, OfficeDays(opens=time(9, 15)))
    deadline_at(seeded, "2027-02-19 07:00")  # Friday 7:00: due soon from Tuesday 7:00
    assert tick(tokyo_clock, "2027-02-16 08:30") == []
    assert tick(tokyo_clock, "2027-02-16 09:14") == []
    assert tick(tokyo_clock, "2027-02-16 09:15") == BOTH_SOON
    assert "9:15以降に送ります" in reminders.when_reminders_go()


def test_a_day_tokyo_closes_on_moves_the_reminder_to_the_office_day_before(
    app: Flask, ctx, seeded: Seeded, respondents, smtp: Inbox, tokyo_clock: TokyoClock, monkeypatch
):
    """A deadline on Monday 15 February 2027 is due soon from Friday the 12th; 都 closes that
    Friday, and Thursday the 11th is 建国記念の日: the reminder goes on Wednesday the 10th, and
    nothing goes on the Friday."""
    set_office(app, monkeypatch, OfficeDays(closed=frozenset({date(2027, 2, 12)})))
    deadline_at(seeded, "2027-02-15 17:00")
    assert tick(tokyo_clock, "2027-02-10 08:29") == []
    assert tick(tokyo_clock, "2027-02-10 08:30") == BOTH_SOON
    assert tick(tokyo_clock, "2027-02-12 09:00") == []
    assert "都が指定した閉庁日も" in reminders.when_reminders_go()


def test_an_overdue_notice_waits_over_a_day_tokyo_closes_on(
    app: Flask, ctx, seeded: Seeded, respondents, smtp: Inbox, tokyo_clock: TokyoClock, monkeypatch
):
    set_office(app, monkeypatch, OfficeDays(closed=frozenset({date(2027, 2, 17)})))
    deadline_at(seeded, "2027-02-16 17:00")  # Tuesday; 都 closes Wednesday
    assert tick(tokyo_clock, "2027-02-13 09:00") == []  # Saturday: the Friday had it
    assert tick(tokyo_clock, "2027-02-17 09:00") == []
    assert tick(tokyo_clock, "2027-02-18 08:30") == BOTH_OVERDUE
