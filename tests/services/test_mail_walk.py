"""Every mail to a municipality's respondents and every temporary password, walked as the clerk
who receives it reads it: through a real SMTP server, parsed back with Python's email package —
headers (RFC 2047, Date in Tokyo's time, Message-ID, Auto-Submitted), the text exactly as
written with 〜, ①, 髙 and 﨑 intact, one link on its own line that leads, after sign-in, to
the page it names, the same closing lines, and no text staff typed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from exports.channels.smtp import closing
from forms.tokyo import format_datetime
from hub.db import db, utcnow
from hub.models import Response, Round, User
from hub.services import mail_queue, municipal_mail, reminders, users
from tests.conftest import make_round, make_user, response_of, sign_in
from tests.mailbox import SPECIAL, Inbox, link_in, read_as_received

pytestmark = pytest.mark.usefixtures("office_clock")
"""The scheduler's own mails go only while the offices are open: a fixed office morning."""

CHIYODA, CHUO = "131016", "131024"
CLERK = "clerk-chiyoda@example.lg.jp"
TITLE = f"再犯防止の取組状況調査{SPECIAL}"
REASON = "山田様の件、電話番号 090-1111-2222 を消してください"
REPLY_TO = "東京都 福祉局 再犯防止担当 <saihan@example.metro.tokyo.lg.jp>"


@pytest.fixture
def replies(app: Flask, smtp: Inbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """The real SMTP server, and the 担当's address set as ``HUB_MAIL_REPLY_TO``."""
    settings = app.extensions["hub_settings"]
    monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(mail_reply_to=REPLY_TO))
    return smtp


def a_round(*, deadline_in: timedelta) -> Round:
    round_ = make_round(municipalities=[CHIYODA, CHUO], deadline=utcnow() + deadline_in)
    round_.title = TITLE
    db.session.commit()
    make_user(role="respondent", municipality=CHIYODA, email=CLERK)
    return round_


def received(app: Flask, smtp: Inbox) -> list[tuple[str, str, str]]:
    """Each message to the clerk: its subject, its text (checked as received) and its link."""
    public_url = app.extensions["hub_settings"].public_url
    out = []
    for raw in smtp.raw_to(CLERK):
        message, text = read_as_received(raw, public_url)
        assert message["Reply-To"].addresses[0].addr_spec == "saihan@example.metro.tokyo.lg.jp"
        assert str(message["Reply-To"]) == REPLY_TO
        out.append((str(message["Subject"]), text, link_in(text)))
    return out


def test_every_mail_to_a_municipality_reads_as_written(app: Flask, ctx: Flask, replies: Inbox):
    round_ = a_round(deadline_in=timedelta(days=2))
    round_.invite = True
    db.session.commit()
    response = response_of(round_.id, CHIYODA)
    written: dict[str, tuple[str, str]] = {}
    now = utcnow()
    reminders.queue_reminders(now)  # the request to answer (依頼)
    written["invite"] = reminders.invitation(response)
    mail_queue.send_due(now)
    reminders.chase(round_, [CHIYODA], user=None)  # 督促 from the board
    written["chase"] = reminders.reminder_message(response, reminders.DUE_SOON)
    mail_queue.send_due(utcnow())
    response.return_reason = REASON  # as a return leaves it
    written["return"] = municipal_mail.return_mail(response)
    municipal_mail.tell_returned([response])
    before = round_.deadline
    round_.deadline = before + timedelta(days=7)
    written["deadline"] = municipal_mail.deadline_mail(response, before)
    municipal_mail.tell_new_deadline([(response, before)])
    db.session.commit()
    mail_queue.send_due(utcnow())

    got = received(app, replies)
    assert [(s, t) for s, t, _ in got] == list(written.values())
    deadline = format_datetime(response.deadline_for())
    form = f"/respond/rounds/{round_.id}/{CHIYODA}"
    for subject, text, path in got:
        assert SPECIAL in subject
        assert SPECIAL in text
        assert REASON not in text
        assert "090" not in text
        assert path == form
        assert text.endswith("\n".join(closing(app.extensions["hub_settings"])[2:]) + "\n")
        assert "saihan@example.metro.tokyo.lg.jp までご連絡ください" in text
    assert deadline in got[-1][0]
    assert f"変更後: {deadline}" in got[-1][1]
    assert re.fullmatch(r"令和\d+年\d+月\d+日（[月火水木金土日]）\d\d:\d\d", deadline)
    db.session.close()
    assert sign_in(app.test_client(), CLERK, next_url=form).headers["Location"] == form


def test_the_scheduled_reminders_read_as_written(app: Flask, ctx: Flask, replies: Inbox):
    soon = a_round(deadline_in=timedelta(days=2))
    late = make_round(municipalities=[CHIYODA], deadline=utcnow() + timedelta(hours=1))
    late.title = TITLE
    db.session.commit()
    later = utcnow() + timedelta(hours=2)
    reminders.queue_reminders(later)
    mail_queue.send_due(later)
    got = {subject: text for subject, text, _ in received(app, replies)}
    for round_, kind in ((soon, reminders.DUE_SOON), (late, reminders.OVERDUE)):
        response = db.session.get_one(Response, response_of(round_.id, CHIYODA).id)
        subject, body = reminders.reminder_message(response, kind)
        assert got[subject] == body
    assert len(got) == 2


def test_a_temporary_password_mail_reads_as_written(app: Flask, ctx: Flask, smtp: Inbox):
    admin = make_user(role="admin")
    staff = make_user(role="staff", email="staff-walk@example.metro.tokyo.lg.jp")
    staff.display_name = f"髙﨑 花子{SPECIAL}"
    db.session.commit()
    users.reset_password(staff, actor=admin)
    db.session.commit()
    users.deactivate(staff, actor=admin)
    users.reactivate(db.session.get_one(User, staff.id), actor=admin)
    db.session.commit()
    public_url = app.extensions["hub_settings"].public_url
    texts = []
    for raw in smtp.raw_to(staff.email):
        message, text = read_as_received(raw, public_url)
        assert message["Reply-To"] is None, "none unless HUB_MAIL_REPLY_TO is set"
        assert "ご不明な点、宛先の変更や配信の停止は、東京都の担当者にご連絡ください。" in text
        assert text.startswith(f"髙﨑 花子{SPECIAL} 様\n")
        assert link_in(text) == "/login"
        texts.append((str(message["Subject"]), text))
    assert [s for s, _ in texts] == [
        "【再犯防止 連携調査ハブ】パスワードが再設定されました",
        "【再犯防止 連携調査ハブ】アカウントが再び有効になりました",
    ]


def test_a_temporary_password_comes_in_english_too_for_a_user_who_chose_it(
    app: Flask, ctx: Flask, smtp: Inbox
):
    admin = make_user(role="admin")
    staff = make_user(role="staff", email="english-walk@example.metro.tokyo.lg.jp")
    staff.locale = "en"
    db.session.commit()
    users.reset_password(staff, actor=admin)
    db.session.commit()
    (raw,) = smtp.raw_to(staff.email)
    message, text = read_as_received(raw, app.extensions["hub_settings"].public_url)
    assert (
        str(message["Subject"])
        == "【再犯防止 連携調査ハブ】パスワードが再設定されました / Password reset"
    )
    japanese, _, english = text.partition("-- English --")
    assert "仮パスワード: " in japanese
    assert "reset the password of your account" in english
    assert "72 hours" in english
    assert link_in(text) == "/login"


def test_a_named_sender_keeps_its_name_and_a_sound_message_id(
    app: Flask, ctx: Flask, smtp: Inbox, monkeypatch: pytest.MonkeyPatch
):
    settings = app.extensions["hub_settings"]
    sender = "東京都 福祉局 <hub@example.metro.tokyo.lg.jp>"
    monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(mail_from=sender))
    a_round(deadline_in=timedelta(days=2))
    reminders.queue_reminders(utcnow())
    mail_queue.send_due(utcnow())
    (raw,) = smtp.raw_to(CLERK)
    message, _text = read_as_received(raw, settings.public_url)
    (address,) = message["From"].addresses
    assert (address.display_name, address.addr_spec) == (
        "東京都 福祉局",
        "hub@example.metro.tokyo.lg.jp",
    )
    assert str(message["Message-ID"]).endswith("@example.metro.tokyo.lg.jp>")


def test_a_bare_sender_address_is_named_as_the_hub(ctx: Flask, smtp: Inbox):
    a_round(deadline_in=timedelta(days=2))
    reminders.queue_reminders(utcnow())
    mail_queue.send_due(utcnow())
    (message,) = smtp.to(CLERK)
    (address,) = message["From"].addresses
    assert address.display_name == "東京都 再犯防止 連携調査ハブ"
