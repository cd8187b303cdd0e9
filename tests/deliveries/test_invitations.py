"""The request to answer (依頼メール): sent once to each municipality a round asks, when the round
opens, by the scheduler — never for a round opened without it, nor again for a moved deadline —
and a due-soon reminder it already met is not sent after it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from forms.tokyo import format_datetime
from hub.db import db, utcnow
from hub.models import AuditEvent, ReminderSent, Round
from hub.services import reminders, rounds
from tests.conftest import make_user
from tests.deliveries.conftest import remind
from tests.mailbox import Inbox

pytestmark = pytest.mark.usefixtures("office_clock")
"""The scheduler's own mails go only while the offices are open: a fixed office morning."""

CHIYODA, CHUO, HACHIOJI = "131016", "131024", "132012"


def open_for_three(*, invite: bool, opens_in: timedelta, deadline_in: timedelta) -> int:
    round_ = rounds.open_round(
        "torikumi",
        reference_date=date(2026, 4, 1),
        opens_at=utcnow() + opens_in,
        deadline=utcnow() + deadline_in,
        municipality_codes=[CHIYODA, CHUO, HACHIOJI],
        invite=invite,
    )
    db.session.commit()
    return round_.id


def clerks() -> None:
    for code in (CHIYODA, CHUO):
        make_user(role="respondent", municipality=code, email=f"clerk-{code}@example.jp")


def test_the_request_goes_once_when_the_round_opens(ctx: Flask, smtp: Inbox) -> None:
    clerks()
    round_id = open_for_three(
        invite=True, opens_in=timedelta(hours=2), deadline_in=timedelta(days=30)
    )
    assert reminders.queue_reminders(utcnow()) == []  # not open yet
    opened = utcnow() + timedelta(hours=2, minutes=1)
    sent = remind(opened)
    assert sorted((r.municipality_code, r.kind, r.queued) for r in sent) == [
        (CHIYODA, "invite", True),
        (CHUO, "invite", True),
        (HACHIOJI, "invite", False),  # no account to write to; tried again next run
    ]
    [mail] = smtp.to(f"clerk-{CHIYODA}@example.jp")
    round_ = db.session.get_one(Round, round_id)
    assert str(mail["Subject"]) == (
        f"【回答のお願い】{round_.title}（締切 {format_datetime(round_.deadline)}）"
    )
    body = mail.get_content()
    assert "基準日: 令和8年4月1日" in body
    assert f"/respond/rounds/{round_id}/{CHIYODA}" in body
    again = remind(opened + timedelta(minutes=1))
    assert [(r.municipality_code, r.queued) for r in again] == [(HACHIOJI, False)]
    assert len(smtp.messages) == 2
    audited = db.session.execute(
        select(AuditEvent.municipality_code, AuditEvent.details).where(
            AuditEvent.action == "reminder.invite"
        )
    ).all()
    assert sorted(audited) == [(CHIYODA, {"recipients": 1}), (CHUO, {"recipients": 1})]
    assert reminders.invited(round_) == 2
    assert reminders.last_reminded(round_) == {}, "a request is no 督促"


def test_no_request_for_a_round_opened_without_it(ctx: Flask, smtp: Inbox) -> None:
    clerks()
    open_for_three(invite=False, opens_in=timedelta(hours=-1), deadline_in=timedelta(days=30))
    assert reminders.queue_reminders(utcnow()) == []
    assert smtp.messages == []


def test_a_round_opened_close_to_its_deadline_sends_the_request_not_also_the_reminder(
    ctx: Flask, smtp: Inbox
) -> None:
    clerks()
    round_id = open_for_three(
        invite=True, opens_in=timedelta(minutes=-1), deadline_in=timedelta(days=1)
    )
    first = reminders.queue_reminders(utcnow())
    assert {(r.municipality_code, r.kind) for r in first if r.queued} == {
        (CHIYODA, "invite"),
        (CHUO, "invite"),
    }
    assert [r for r in reminders.queue_reminders(utcnow() + timedelta(hours=1)) if r.queued] == []
    deadline = db.session.get_one(Round, round_id).deadline
    late = reminders.queue_reminders(deadline + timedelta(minutes=1))
    assert {(r.municipality_code, r.kind) for r in late if r.queued} == {
        (CHIYODA, "overdue"),
        (CHUO, "overdue"),
    }


def test_a_moved_deadline_sends_no_second_request(ctx: Flask, smtp: Inbox) -> None:
    clerks()
    round_id = open_for_three(
        invite=True, opens_in=timedelta(minutes=-1), deadline_in=timedelta(days=30)
    )
    reminders.queue_reminders(utcnow())
    round_ = db.session.get_one(Round, round_id)
    later = round_.deadline + timedelta(days=7)
    rounds.change_round(round_, title=round_.title, deadline=later.isoformat(), user=None)
    db.session.commit()
    assert [r for r in reminders.queue_reminders(utcnow()) if r.queued] == []
    kinds = db.session.scalars(select(ReminderSent.kind)).all()
    assert kinds == ["invite", "invite"]


def test_a_run_reads_the_accounts_once_however_many_municipalities_have_none(
    ctx: Flask, smtp: Inbox
) -> None:
    """Until a municipality has a respondent account its request waits, tried each minute: that
    costs the run one query for every municipality's accounts, not a query and a commit each."""
    from sqlalchemy import event

    clerks()
    rounds.open_round(
        "torikumi",
        reference_date=date(2026, 4, 1),
        opens_at=utcnow() - timedelta(minutes=1),
        deadline=utcnow() + timedelta(days=30),
        invite=True,
    )
    db.session.commit()
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        tried = reminders.queue_reminders(utcnow())
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert sorted(r.municipality_code for r in tried if r.queued) == [CHIYODA, CHUO]
    waiting = [r for r in tried if not r.queued]
    assert len(waiting) == 60
    assert {r.error for r in waiting} == {reminders.NO_ACCOUNT}
    accounts = [s for s in statements if "FROM user_account" in s]
    assert len(accounts) == 1, accounts
    assert len(statements) < 30, statements
