"""Deadline reminders: exactly the municipalities that have not submitted, once per point, in
Japanese, through a real SMTP conversation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forms.tokyo import format_datetime
from hub import jobs
from hub.db import db, utcnow
from hub.models import ReminderSent, Round, User
from hub.services import reminders, responses
from tests.conftest import make_user
from tests.deliveries.conftest import BUNKYO, SHINJUKU, Inbox, Seeded, free_port


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

    assert reminders.send_reminders(deadline - timedelta(days=4)) == []
    assert smtp.messages == []

    soon = deadline - timedelta(days=3) + timedelta(minutes=1)
    sent = reminders.send_reminders(soon)
    assert sorted((r.municipality_code, r.kind, r.sent) for r in sent) == [
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
    assert reminders.send_reminders(soon + timedelta(hours=5)) == []

    staff = db.session.get_one(User, seeded.staff_id)
    bunkyo = responses.get_response(seeded.round_id, BUNKYO)
    responses.grant_extension(bunkyo, deadline + timedelta(days=2), user=staff)
    db.session.commit()
    over = reminders.send_reminders(deadline + timedelta(minutes=1))
    assert [(r.municipality_code, r.kind) for r in over] == [
        (SHINJUKU, "overdue"),
        (BUNKYO, "due_soon"),  # its new deadline, two days on, is reminded of as the old one was
    ]
    assert str(smtp.to(respondents[SHINJUKU])[-1]["Subject"]).startswith("【提出期限超過】")
    extended = format_datetime(deadline + timedelta(days=2))
    assert str(smtp.to(respondents[BUNKYO])[-1]["Subject"]) == (
        f"【提出のお願い】{db.session.get_one(Round, seeded.round_id).title}（締切 {extended}）"
    )
    assert reminders.send_reminders(deadline + timedelta(hours=1)) == []
    late = reminders.send_reminders(deadline + timedelta(days=2, minutes=1))
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
    assert len(smtp.messages) == 2


def test_an_unreachable_mail_server_stops_the_run_and_the_next_run_sends_all(
    ctx, app, seeded: Seeded, respondents, monkeypatch
):
    """Two reminders due and no mail server: the run tries the first, stops instead of waiting
    for the server once per reminder, claims nothing; the next run, with the server, sends both
    over one connection."""
    from tests.mailbox import Inbox as Relay
    from tests.mailbox import start_server

    settings = app.extensions["hub_settings"]
    monkeypatch.setitem(
        app.extensions, "hub_settings", settings.with_(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    )
    deadline = db.session.get_one(Round, seeded.round_id).deadline
    (failed,) = reminders.send_reminders(deadline - timedelta(days=1))
    assert not failed.sent
    assert "127.0.0.1" in (failed.error or "")
    assert db.session.scalars(select(ReminderSent)).all() == []

    relay = Relay()
    with start_server(relay) as url:
        monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(smtp_url=url))
        sent = reminders.send_reminders(deadline - timedelta(days=1) + timedelta(minutes=1))
    assert [r.sent for r in sent] == [True, True]
    assert len(relay.messages) == 2
    assert len(relay.connections) == 1


def test_without_a_mail_server_nothing_is_claimed(ctx, seeded: Seeded, respondents):
    deadline = db.session.get_one(Round, seeded.round_id).deadline
    assert reminders.send_reminders(deadline - timedelta(days=1)) == []
    assert db.session.scalars(select(ReminderSent)).all() == []


def test_a_municipality_without_accounts_is_skipped_until_it_has_one(ctx, seeded: Seeded, smtp):
    deadline = db.session.get_one(Round, seeded.round_id).deadline
    skipped = reminders.send_reminders(deadline - timedelta(days=1))
    assert {r.municipality_code for r in skipped} == {SHINJUKU, BUNKYO}
    assert smtp.messages == []
    make_user(role="respondent", municipality=BUNKYO, email="bunkyo@city.example.lg.jp")
    (sent,) = [
        r for r in reminders.send_reminders(utcnow() + timedelta(days=13, hours=1)) if r.sent
    ]
    assert sent.municipality_code == BUNKYO


def test_a_round_closed_early_by_staff_sends_no_reminders(ctx, seeded: Seeded, respondents, smtp):
    from hub.services.rounds import close_round

    round_ = db.session.get_one(Round, seeded.round_id)
    close_round(round_, user=None)
    db.session.commit()
    assert reminders.send_reminders(round_.deadline - timedelta(days=1)) == []
    assert reminders.send_reminders(round_.deadline + timedelta(hours=1)) == []
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
    sent = reminders.send_reminders(deadline - timedelta(days=1))
    assert [(r.municipality_code, r.kind) for r in sent] == [(SHINJUKU, "due_soon")]
