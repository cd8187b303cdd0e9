"""The つなぎ follow-ups the scheduler sends by itself wait while the offices are closed and go
once at the next opening; they and the new-referral notice are in Japanese, with English after it
for the accounts that chose English, and a window's opens with its municipality's greeting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Flask

from hub.db import db
from hub.jobs import run_job
from hub.models import Referral, User
from tests.clock import TokyoClock
from tests.conftest import make_user
from tests.referrals.conftest import NAME, PHONE, Cast


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def follow_up(app: Flask, clock: TokyoClock, at: str) -> None:
    with app.app_context():
        run_job("referrals.follow_up", clock.set(at))


def test_overdue_follow_ups_wait_over_the_year_end_and_go_once_on_the_fourth(
    app: Flask, cast: Cast, smtp, overdue: int, tokyo_clock: TokyoClock
):
    for closed in ("2026-12-26 10:00", "2026-12-29 10:00", "2027-01-01 10:00", "2027-01-04 08:29"):
        follow_up(app, tokyo_clock, closed)
    assert smtp.to(cast.emails["window"]) == []
    with app.app_context():
        assert db.session.get_one(Referral, overdue).follow_up_reminded_on is None
    follow_up(app, tokyo_clock, "2027-01-04 08:30")
    follow_up(app, tokyo_clock, "2027-01-04 08:31")
    follow_up(app, tokyo_clock, "2027-01-05 10:00")
    (mail,) = smtp.to(cast.emails["window"])
    assert body_of(mail).startswith("八王子市 相談窓口 ご担当者様\n")
    assert "フォロー予定日を過ぎたつなぎが1件あります。" in body_of(mail)


def test_a_late_referral_is_flagged_on_the_next_office_day_not_on_a_holiday(
    app: Flask, cast: Cast, smtp, refer: Callable[..., int], tokyo_clock: TokyoClock
):
    referral_id = refer()
    with app.app_context():  # sent on Friday 25 December: 5 working days end on 8 January
        referral = db.session.get_one(Referral, referral_id)
        referral.sent_at = tokyo_clock.set("2026-12-25 09:00")
        db.session.commit()
    smtp.messages.clear()
    follow_up(app, tokyo_clock, "2027-01-11 10:00")  # 成人の日
    assert smtp.to(cast.emails["staff"]) == []
    follow_up(app, tokyo_clock, "2027-01-12 08:30")
    follow_up(app, tokyo_clock, "2027-01-12 09:00")
    (mail,) = smtp.to(cast.emails["staff"])
    assert f"つなぎ No.{referral_id} は、依頼から5営業日を過ぎても受理されていません。" in body_of(
        mail
    )


def test_window_accounts_that_chose_english_get_the_english_after_the_japanese(
    app: Flask, cast: Cast, smtp, refer: Callable[..., int], tokyo_clock: TokyoClock
):
    tokyo_clock.set("2027-02-18 10:00")
    with app.app_context():
        english = make_user(role="window", municipality="132012", email="en.window@example.jp")
        db.session.get_one(User, english.id).locale = "en"
        db.session.commit()
    smtp.messages.clear()
    referral_id = refer()
    japanese = smtp.to(cast.emails["window"])
    (both,) = smtp.to("en.window@example.jp")
    assert [str(m["Subject"]) for m in japanese] == ["新しいつなぎ依頼が1件あります"]
    assert str(both["Subject"]) == "新しいつなぎ依頼が1件あります / A new referral has arrived"
    assert "English" not in body_of(japanese[0])
    text = body_of(both)
    assert text.startswith("八王子市 相談窓口 ご担当者様\n")
    english_part = text.split("-- English --\n", 1)[1]
    assert english_part.startswith("To the consultation window of Hachioji\n")
    assert f"/referrals/{referral_id}" in english_part
    for mail in (*japanese, both):
        assert NAME not in body_of(mail)
        assert PHONE not in body_of(mail)

    with app.app_context():  # the scheduler's follow-up, a week later, in both languages too
        referral = db.session.get_one(Referral, referral_id)
        referral.status = "accepted"
        referral.next_follow_up = date(2027, 2, 19)
        db.session.commit()
    follow_up(app, tokyo_clock, "2027-02-22 09:00")
    later = smtp.to("en.window@example.jp")[-1]
    assert "1 referral is past its follow-up date." in body_of(later)
    assert "フォロー予定日を過ぎたつなぎが1件あります。" in body_of(later)
    assert (
        str(smtp.to(cast.emails["window"])[-1]["Subject"])
        == "フォロー予定日を過ぎたつなぎがあります"
    )
