"""The referral (つなぎ) mails as their readers receive them, through a real SMTP server: the
new referral to the window, overdue follow-ups to the window, a referral not accepted in time to
whoever sent it. Each is well formed (tests/mailbox.py ``read_as_received``), names nobody and no
need, and its one link leads after sign-in to the page it names."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask

from hub.db import db, utcnow
from hub.jobs import run_job
from hub.models import Referral
from tests.conftest import sign_in
from tests.mailbox import Inbox, link_in, read_as_received
from tests.referrals.conftest import NAME, PHONE, SENT_ON, SURELY_LATE, Cast

pytestmark = pytest.mark.usefixtures("office_clock")
"""The scheduler's own mails go only while the offices are open: a fixed office morning."""


def read(app: Flask, smtp: Inbox, address: str) -> list[tuple[str, str]]:
    public_url = app.extensions["hub_settings"].public_url
    out = []
    for raw in smtp.raw_to(address):
        message, text = read_as_received(raw, public_url)
        out.append((str(message["Subject"]), text))
    assert NAME.encode() not in smtp.as_read
    assert PHONE.encode() not in smtp.as_read
    assert "住居".encode() not in smtp.as_read
    return out


def lands_on(app: Flask, email: str, path: str) -> bool:
    return sign_in(app.test_client(), email, next_url=path).headers["Location"] == path


def test_every_referral_mail_reads_as_written(
    app: Flask, cast: Cast, smtp: Inbox, refer: Callable[..., int]
):
    referral_id = refer(sent_on=SENT_ON)
    [(subject, text)] = read(app, smtp, cast.emails["window"])
    assert subject == "新しいつなぎ依頼が1件あります"
    assert text.startswith("八王子市 相談窓口 ご担当者様\n\n新しいつなぎ依頼が1件あります。")
    assert link_in(text) == f"/referrals/{referral_id}"
    assert lands_on(app, cast.emails["window"], link_in(text))

    smtp.envelopes.clear()
    cast.window.post(f"/referrals/{referral_id}/accept")
    cast.window.post(
        f"/referrals/{referral_id}/contacts",
        {"on": "2025-04-01", "method": "phone", "note": "初回", "next_follow_up": "2025-04-08"},
    )
    late = refer()
    with app.app_context():
        db.session.get_one(Referral, late).sent_at = utcnow() - SURELY_LATE
        db.session.commit()
    smtp.envelopes.clear()
    with app.app_context():
        run_job("referrals.follow_up", utcnow() + timedelta(minutes=1))
    [(subject, text)] = read(app, smtp, cast.emails["window"])
    assert subject == "フォロー予定日を過ぎたつなぎがあります"
    assert text.startswith(
        "八王子市 相談窓口 ご担当者様\n\nフォロー予定日を過ぎたつなぎが1件あります。"
    )
    assert lands_on(app, cast.emails["window"], link_in(text))
    assert link_in(text) == "/referrals"
    [(subject, text)] = read(app, smtp, cast.emails["staff"])
    assert subject == "5営業日以内に受理されていないつなぎがあります"
    assert link_in(text) == f"/referrals/{late}"
    assert lands_on(app, cast.emails["staff"], link_in(text))
