"""Deadline reminders: exactly the municipalities that have not submitted, once per point, in
Japanese, through a real SMTP conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forms.tokyo import format_datetime
from hub import jobs
from hub.db import db, utcnow
from hub.models import OutgoingMail, ReminderSent, Round, User
from hub.services import reminders, responses
from tests.conftest import make_user
from tests.deliveries.conftest import BUNKYO, SHINJUKU, Inbox, Seeded, free_port, remind

pytestmark = pytest.mark.usefixtures("office_clock")
"""The scheduler's own mails go only while the offices are open: a fixed office morning."""


def reached(inbox: Inbox) -> dict[str, list[str]]:
    """Subjects received, by envelope recipient."""
    found: dict[str, list[str]] = {}
    for message in inbox.messages:
        for address in str(message["To"]).split(", "):
            found.setdefault(address, []).append(str(message["Subject"]))
    return found


def test_reminders_reach_exactly_those_who_have_not_submitted_once_per_point(
    ctx, seeded: Seeded, respondents, smtp: Inbox
):
    second = make_user(
        role="respondent", municipality=SHINJUKU, email="fuku.tanto@city.example.lg.jp"
    )
    deadline = db.session.get_one(Round, seeded.round_id).deadline

    assert remind(deadline - timedelta(days=4)) == []
    assert smtp.messages == []

    soon = deadline - timedelta(days=3) + timedelta(minutes=1)
    sent = remind(soon)
    assert sorted((r.municipality_code, r.kind, r.queued) for r in sent) == [
        (SHINJUKU, "due_soon", True),
        (BUNKYO, "due_soon", True),
    ]
    got = reached(smtp)
    assert set(got) == {respondents[SHINJUKU], second.email, respondents[BUNKYO]}
    assert all(len(subjects) == 1 for subjects in got.values())
    assert got[respondents[BUNKYO]][0].startswith("【提出のお願い】")
    shinjuku = next(m for m in smtp.messages if second.email in str(m["To"]))
    body = shinjuku.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert body.startswith("新宿区 ご担当者様")
    assert "現在の状態: 一時保存（未提出）" in body
    public = ctx.extensions["hub_settings"].public_url.rstrip("/")
    assert f"{public}/respond/rounds/{seeded.round_id}/{SHINJUKU}\n" in body, "one click to answer"
    assert remind(soon + timedelta(hours=5)) == []

    staff = db.session.get_one(User, seeded.staff_id)
    bunkyo = responses.get_response(seeded.round_id, BUNKYO)
    responses.grant_extension(bunkyo, deadline + timedelta(days=2), user=staff)
    db.session.commit()
    over = remind(deadline + timedelta(minutes=1))
    assert [(r.municipality_code, r.kind) for r in over] == [
        (SHINJUKU, "overdue"),
        (BUNKYO, "due_soon"),  # its new deadline, two days on, is reminded of as the old one was
    ]
    assert str(smtp.to(respondents[SHINJUKU])[-1]["Subject"]).startswith("【提出期限超過】")
    extended = format_datetime(deadline + timedelta(days=2))
    assert str(smtp.to(respondents[BUNKYO])[-1]["Subject"]) == (
        f"【提出のお願い】{db.session.get_one(Round, seeded.round_id).title}（締切 {extended}）"
    )
    assert remind(deadline + timedelta(hours=1)) == []
    assert remind(deadline + timedelta(days=2, minutes=1)) == [], "Saturday: held"
    late = remind(deadline + timedelta(days=4, hours=-1, minutes=-30))  # Monday, 8:30
    assert [(r.municipality_code, r.kind) for r in late] == [(BUNKYO, "overdue")]
    assert len(smtp.messages) == 5
    rows = db.session.scalars(select(ReminderSent.municipality_code, ReminderSent.kind)).all()
    assert len(rows) == 5


def test_two_schedulers_send_one_reminder(ctx, app, seeded: Seeded, respondents, smtp: Inbox):
    deadline = db.session.get_one(Round, seeded.round_id).deadline
    soon = deadline - timedelta(days=2)
    assert jobs.reminders(soon) is not None
    assert jobs.reminders(soon) is None
    assert jobs.reminders(soon + timedelta(minutes=1)) == []
    assert len(jobs.mail_queue(soon + timedelta(minutes=1))) == 2
    assert jobs.mail_queue(soon + timedelta(minutes=2)) == []
    assert len(smtp.messages) == 2


def test_an_unreachable_mail_server_keeps_the_reminders_queued_and_a_later_run_sends_all(
    ctx, app, seeded: Seeded, respondents, monkeypatch
):
    """Two reminders due and no mail server: both are queued once, the queue's run tries the
    first and stops instead of waiting for the server once per mail; a run a minute later, with
    the server, sends both over one connection, and the points are not queued again."""
    from tests.mailbox import Inbox as Relay
    from tests.mailbox import start_server

    settings = app.extensions["hub_settings"]
    monkeypatch.setitem(
        app.extensions, "hub_settings", settings.with_(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    )
    due = db.session.get_one(Round, seeded.round_id).deadline - timedelta(days=1)
    assert [r.queued for r in remind(due)] == [True, True]
    waiting = db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)).all()
    assert [(m.about, m.sent_at, m.attempts) for m in waiting] == [
        ("reminder.due_soon", None, 0),  # the server's fault, not the mail's: no try counted
        ("reminder.due_soon", None, 0),
    ]
    assert "127.0.0.1" in (waiting[0].error or "")

    relay = Relay()
    with start_server(relay) as url:
        monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(smtp_url=url))
        assert remind(due + timedelta(minutes=1)) == []
    assert len(relay.messages) == 2
    assert len(relay.connections) == 1
    assert len(db.session.scalars(select(ReminderSent)).all()) == 2


def test_without_a_mail_server_nothing_is_claimed(ctx, seeded: Seeded, respondents):
    deadline = db.session.get_one(Round, seeded.round_id).deadline
    assert reminders.queue_reminders(deadline - timedelta(days=1)) == []
    assert db.session.scalars(select(ReminderSent)).all() == []


def test_a_municipality_without_accounts_is_skipped_until_it_has_one(ctx, seeded: Seeded, smtp):
    deadline = db.session.get_one(Round, seeded.round_id).deadline
    skipped = remind(deadline - timedelta(days=1))
    assert {r.municipality_code for r in skipped} == {SHINJUKU, BUNKYO}
    assert smtp.messages == []
    make_user(role="respondent", municipality=BUNKYO, email="bunkyo@city.example.lg.jp")
    (sent,) = [r for r in remind(utcnow() + timedelta(days=13, hours=1)) if r.queued]
    assert sent.municipality_code == BUNKYO
    assert [str(m["To"]) for m in smtp.messages] == ["bunkyo@city.example.lg.jp"]


def test_a_round_closed_early_by_staff_sends_no_reminders(ctx, seeded: Seeded, respondents, smtp):
    from hub.services.rounds import close_round

    round_ = db.session.get_one(Round, seeded.round_id)
    close_round(round_, user=None)
    db.session.commit()
    assert reminders.queue_reminders(round_.deadline - timedelta(days=1)) == []
    assert reminders.queue_reminders(round_.deadline + timedelta(hours=1)) == []
    assert smtp.messages == []


def test_a_reminder_recorded_before_deadlines_were_kept_counts_for_any_deadline(
    ctx, seeded: Seeded, respondents, smtp: Inbox
):
    """Rows from before the upgrade name no deadline: a point they recorded is not sent again,
    whatever the deadline now is."""
    deadline = db.session.get_one(Round, seeded.round_id).deadline
    db.session.add(
        ReminderSent(
            round_id=seeded.round_id, municipality_code=BUNKYO, kind="due_soon", deadline=None
        )
    )
    db.session.commit()
    sent = reminders.queue_reminders(deadline - timedelta(days=1))
    assert [(r.municipality_code, r.kind) for r in sent] == [(SHINJUKU, "due_soon")]


def test_a_reminder_queued_to_a_municipality_that_submits_before_it_goes_is_dropped(
    ctx, seeded: Seeded, respondents, smtp: Inbox
):
    """The mail server down for an hour around the due-soon point: 文京区 submits meanwhile, so
    its 「まだ提出されていません」 is dropped, not delivered late; 新宿区's goes."""
    from hub.services import mail_queue
    from tests.deliveries.conftest import submit_answers

    due = db.session.get_one(Round, seeded.round_id).deadline - timedelta(days=1)
    assert [r.municipality_code for r in reminders.queue_reminders(due)] == [SHINJUKU, BUNKYO]
    submit_answers(seeded.round_id, BUNKYO, db.session.get_one(User, seeded.staff_id))
    outcome = mail_queue.send_due(due + timedelta(hours=1))
    assert sorted((o.municipality_code, o.sent, o.dropped) for o in outcome) == [
        (SHINJUKU, True, False),
        (BUNKYO, False, True),
    ]
    assert list(smtp.to(respondents[BUNKYO])) == []
    assert reminders.queue_reminders(due + timedelta(hours=2)) == [], "its point stays claimed"


def test_a_scheduled_reminder_counts_as_reminded_once_queued_and_not_once_given_up(
    ctx, seeded: Seeded, respondents, smtp: Inbox
):
    """The board's 最終督促 and 本日送信済み read the scheduler's queued reminders as staff's:
    one waiting counts, one the queue gave up on does not (staff may chase it by hand)."""
    due = db.session.get_one(Round, seeded.round_id).deadline - timedelta(days=1)
    reminders.queue_reminders(due)
    round_ = db.session.get_one(Round, seeded.round_id)
    assert reminders.last_reminded(round_) == {SHINJUKU: due, BUNKYO: due}
    bunkyo = db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.municipality_code == BUNKYO)
    ).one()
    bunkyo.given_up_at, bunkyo.error = due + timedelta(hours=2), "宛先が受け付けられませんでした"
    db.session.commit()
    assert reminders.last_reminded(round_) == {SHINJUKU: due}
    mails = reminders.mails_to(seeded.round_id, BUNKYO)
    assert [(m.kind, m.state) for m in mails] == [("due_soon", "given_up")], "listed once"


def test_a_returned_response_is_reminded_as_returned(ctx, seeded: Seeded, respondents, smtp: Inbox):
    """千代田区's answer sent back near the deadline: its reminder says 差し戻し, as the return
    mail and the board do, not 一時保存（未提出）."""
    from tests.deliveries.conftest import CHIYODA

    staff = db.session.get_one(User, seeded.staff_id)
    returned = responses.get_response(seeded.round_id, CHIYODA)
    responses.return_response(returned, "連絡先を確認してください", user=staff)
    db.session.commit()
    remind(db.session.get_one(Round, seeded.round_id).deadline - timedelta(days=1))
    (mail,) = smtp.to(respondents[CHIYODA])
    body = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "現在の状態: 差し戻し\n" in body
