"""The scheduled follow-ups and retention, ``hub referrals purge`` and ``hub keys rotate``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask

from hub.crypto import DataKeys, parse_keys
from hub.db import db, utcnow
from hub.jobs import run_job
from hub.models import Referral, ReferralStatus
from hub.services.referrals import queries
from tests.referrals.conftest import NAME, PHONE, SENT_ON, SURELY_LATE, Cast, referral_body

pytestmark = pytest.mark.usefixtures("office_clock")
"""The scheduler's own mails go only while the offices are open: a fixed office morning."""


def _set(app: Flask, referral_id: int, **values) -> None:
    with app.app_context():
        referral = db.session.get_one(Referral, referral_id)
        for key, value in values.items():
            setattr(referral, key, value)
        db.session.commit()


def test_overdue_follow_ups_are_mailed_to_the_window_once(app: Flask, cast: Cast, smtp, overdue):
    with app.app_context():
        run_job("referrals.follow_up")
        run_job("referrals.follow_up", utcnow() + timedelta(minutes=1))
    mails = smtp.to(cast.emails["window"])
    assert len(mails) == 1
    assert mails[0]["Subject"] == "フォロー予定日を過ぎたつなぎがあります"
    raw = smtp.as_read
    assert NAME.encode() not in raw
    assert PHONE.encode() not in raw
    assert {a for rcpts, _ in smtp.envelopes for a in rcpts} == {cast.emails["window"]}
    listed = cast.window.get("/referrals").get_json()
    assert listed[0]["overdue"] is True


def test_a_referral_not_accepted_in_5_working_days_is_flagged_to_the_referrer(
    app: Flask, cast: Cast, smtp, refer: Callable[..., int]
):
    referral_id = refer()
    fresh = refer()
    _set(app, referral_id, sent_at=utcnow() - SURELY_LATE)
    smtp.envelopes.clear()
    with app.app_context():
        run_job("referrals.follow_up")
        run_job("referrals.follow_up", utcnow() + timedelta(minutes=1))
    mails = smtp.to(cast.emails["staff"])
    assert len(mails) == 1
    assert f"No.{referral_id}" in mails[0].get_content()
    assert NAME not in mails[0].get_content()
    listed = {r["id"]: r for r in cast.staff.get("/referrals").get_json()}
    assert listed[referral_id]["late"] is True
    assert listed[fresh]["late"] is False


def test_working_days_skip_weekends_holidays_and_the_year_end():
    friday = date(2025, 4, 4)
    assert queries.add_working_days(friday, 5) == date(2025, 4, 11)
    assert queries.add_working_days(date(2025, 4, 5), 1) == date(2025, 4, 7)
    # sent on the last open day of the year: 29 Dec – 3 Jan closed, 4 Jan 2026 a Sunday
    assert queries.add_working_days(date(2025, 12, 26), 5) == date(2026, 1, 9)
    # Golden Week 2026: 29 Apr, then 3–6 May (6 May the substitute for Sunday 3 May)
    assert queries.add_working_days(date(2026, 4, 28), 5) == date(2026, 5, 11)
    # Silver Week 2026: 21–23 Sep (22 Sep the day between two holidays)
    assert queries.add_working_days(date(2026, 9, 18), 5) == date(2026, 9, 30)


def test_a_referral_sent_before_the_year_end_is_not_late_after_it():
    sent = datetime(2025, 12, 26, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo, the last open day
    referral = Referral(status=ReferralStatus.SENT, sent_at=sent)
    assert queries.acceptance_due(referral) == date(2026, 1, 9)
    assert not queries.is_late(referral, date(2026, 1, 9))
    assert queries.is_late(referral, date(2026, 1, 13))  # 12 Jan: 成人の日


def test_retention_erases_closed_referrals_and_keeps_the_counts(
    app: Flask, cast: Cast, refer: Callable[..., int], runner, monkeypatch
):
    old, recent, still_open = refer(), refer(), refer()
    for referral_id in (old, recent):
        cast.window.post(f"/referrals/{referral_id}/accept")
        cast.window.post(f"/referrals/{referral_id}/close", {"outcome": "connected"})
    _set(app, old, closed_at=utcnow() - timedelta(days=400))
    with app.app_context():
        run_job("referrals.retention")
    assert cast.staff.get(f"/referrals/{old}").get_json()["person"] is None
    assert cast.staff.get(f"/referrals/{recent}").get_json()["person"]["name"] == NAME
    settings = app.extensions["hub_settings"]
    monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(referral_retention_days=0))
    result = runner("referrals", "purge")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "1件のつなぎの本人情報を消去しました（終了、または受理できないと伝えられたままになってから"
        "0日を過ぎたもの）。"
    )
    english = runner("--lang", "en", "referrals", "purge")
    assert english.output == (
        "Erased the personal data of 0 referrals (closed, or declined and never re-routed, more "
        "than 0 days ago).\n"
    )
    assert cast.staff.get(f"/referrals/{recent}").get_json()["person"] is None
    assert cast.staff.get(f"/referrals/{still_open}").get_json()["person"]["name"] == NAME
    summary = cast.staff.get("/referrals/summary").get_json()
    assert summary["total"] == 3
    assert summary["by_outcome"]["connected"] == 2
    timeline = cast.window.get(f"/referrals/{old}").get_json()["timeline"]
    assert timeline[-1]["action"] == "erased"


def _set_event(app: Flask, referral_id: int, action: str, at: datetime) -> None:
    with app.app_context():
        for event in db.session.get_one(Referral, referral_id).events:
            if event.action == action:
                event.at = at
        db.session.commit()


def test_retention_erases_a_referral_declined_long_ago_and_never_re_routed(
    app: Flask, cast: Cast, refer: Callable[..., int]
):
    """A declined referral waits for its referrer to re-route it; one left waiting longer than the
    retention period is finished with, and its person erased like a closed one's. One declined
    recently, and one re-routed after an old decline, keep theirs."""
    stale, recent, rerouted = refer(), refer(), refer()
    for referral_id in (stale, recent, rerouted):
        answer = cast.window.post(f"/referrals/{referral_id}/decline", {"reason": "定員超過"})
        assert answer.status_code == 200, answer.get_json()
    long_ago = utcnow() - timedelta(days=400)
    for referral_id in (stale, rerouted):
        _set(app, referral_id, sent_at=long_ago - timedelta(days=5))
        _set_event(app, referral_id, "declined", long_ago)
    answer = cast.staff.post(
        f"/referrals/{rerouted}/reroute",
        {"municipality": "131016", "consent": {"scope": "千代田区の窓口へ", "confirmed": True}},
    )
    assert answer.status_code == 200, answer.get_json()
    with app.app_context():
        run_job("referrals.retention")
    erased = cast.staff.get(f"/referrals/{stale}").get_json()
    assert erased["person"] is None
    assert erased["erased_because"] == "retention"
    assert erased["status"] == "declined"
    assert [e.get("text") for e in erased["timeline"] if e["action"] == "declined"] == [""]
    assert erased["consent"]["scope"] is None
    with app.app_context():
        referral = db.session.get_one(Referral, stale)
        assert referral.person_sealed is None
        assert referral.consent_scope_sealed is None
        assert all(event.text_sealed is None for event in referral.events)
    for kept in (recent, rerouted):
        assert cast.staff.get(f"/referrals/{kept}").get_json()["person"]["name"] == NAME
    assert cast.staff.get("/referrals/summary").get_json()["total"] == 3


def test_keys_rotate_re_encrypts_with_a_new_key_file(
    app: Flask, cast: Cast, refer: Callable[..., int], runner
):
    referral_id = refer(sent_on=SENT_ON)
    cast.window.post(f"/referrals/{referral_id}/accept")
    cast.window.post(
        f"/referrals/{referral_id}/contacts",
        {"on": "2025-04-01", "method": "phone", "note": "メモ", "next_follow_up": None},
    )
    settings = app.extensions["hub_settings"]
    key_file = settings.instance_dir / "data_key"
    before = key_file.read_text()
    with app.app_context():
        stored = db.session.get_one(Referral, referral_id)
        sealed_before, scope_before = stored.person_sealed, stored.consent_scope_sealed
    result = runner("keys", "rotate")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "3件の暗号化された値を新しい鍵で暗号化し直しました。\n"
        f"新しい鍵は {key_file} にあります。この鍵のバックアップを取り直してください。\n"
    )
    after = key_file.read_text()
    assert after != before
    assert before.strip() not in after
    assert before.strip() not in result.output
    assert after.strip() not in result.output
    with app.app_context():
        stored = db.session.get_one(Referral, referral_id)
        assert stored.person_sealed != sealed_before
        assert stored.consent_scope_sealed is not None
        assert stored.consent_scope_sealed != scope_before
        assert not DataKeys(parse_keys(before, name="old"), source="old").holds_key_of(
            stored.consent_scope_sealed
        )
    body = cast.window.get(f"/referrals/{referral_id}").get_json()
    assert body["person"]["name"] == NAME
    assert body["consent"]["scope"] == referral_body()["consent"]["scope"]
    assert body["timeline"][-1]["text"] == "メモ"
    english = runner("--lang", "en", "keys", "rotate")
    assert english.output == (
        "Re-encrypted 3 encrypted values with the new key.\n"
        f"The new key is in {key_file}. Make a new backup of this key.\n"
    )
    assert cast.window.get(f"/referrals/{referral_id}").get_json()["person"]["name"] == NAME


def test_keys_rotate_with_a_single_env_key_explains_what_to_do(app: Flask, runner, monkeypatch):
    from hub.crypto import DataKeys, new_key

    settings = app.extensions["hub_settings"]
    monkeypatch.setitem(
        app.extensions,
        "hub_settings",
        settings.with_(data_keys=DataKeys([new_key()], source="HUB_DATA_KEY")),
    )
    result = runner("keys", "rotate")
    assert result.exit_code == 1
    assert "新しい鍵,古い鍵" in result.output
    assert "Traceback" not in result.output
    english = runner("--lang", "en", "keys", "rotate")
    assert english.exit_code == 1
    assert "set it to “NEW,OLD”, the new key first" in english.stderr
    assert "新しい鍵" not in english.stderr


def test_a_running_hub_reads_the_rotated_key_file_by_itself(
    app: Flask, cast: Cast, refer: Callable[..., int], runner, monkeypatch
):
    """Another process rotated the key: this one still holds the old key and meets a value
    sealed with the new one; it reads the key file again instead of failing."""
    referral_id = refer()
    stale = app.extensions["hub_settings"]
    assert runner("keys", "rotate").exit_code == 0
    monkeypatch.setitem(app.extensions, "hub_settings", stale)
    assert cast.window.get(f"/referrals/{referral_id}").get_json()["person"]["name"] == NAME


def test_a_lost_key_file_gives_one_clear_answer_everywhere_not_a_traceback(
    app: Flask, cast: Cast, refer: Callable[..., int], desk, runner, monkeypatch, caplog
):
    """The key file was lost and the hub made itself a new one at start: the case page, the
    API and ``hub keys rotate`` say the key is missing (the log says which key source), and
    nothing that would need the old key is changed."""
    from hub.crypto import load_or_create

    referral_id = refer()
    settings = app.extensions["hub_settings"]
    key_file = settings.instance_dir / "data_key"
    kept = key_file.read_text()
    key_file.unlink()
    try:
        replaced = load_or_create(None, settings.instance_dir)
        monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(data_keys=replaced))
        with app.app_context():
            sealed = db.session.get_one(Referral, referral_id).person_sealed
        page = desk.get(f"/referrals/{referral_id}")
        assert page.status_code == 503
        shown = page.get_data(as_text=True)
        assert "つなぎの個人情報を開く鍵がハブにありません" in shown
        assert NAME not in shown
        assert "Traceback" not in shown
        answer = cast.window.get(f"/referrals/{referral_id}")
        assert answer.status_code == 503
        assert "鍵のバックアップから戻す" in answer.get_json()["message"]
        result = runner("keys", "rotate")
        assert result.exit_code == 1
        assert "つなぎの個人情報を開く鍵がハブにありません" in result.output
        assert "Traceback" not in result.output
        with app.app_context():
            assert db.session.get_one(Referral, referral_id).person_sealed == sealed
        assert any(str(key_file) in r.getMessage() for r in caplog.records)
        init = runner("init")
        assert init.exit_code == 0, init.output
        assert f"つなぎの個人情報 2 件を開く鍵が、データ鍵（{key_file}）にありません" in init.output
        english = runner("--lang", "en", "init")
        assert (
            f"hub: Warning: the data key ({key_file}) holds no key that opens 2 values of "
            "referrals' personal data." in english.output
        )
        assert not any(NAME in r.getMessage() for r in caplog.records)
    finally:
        key_file.write_text(kept)


def test_hub_init_says_nothing_of_keys_when_they_open_everything(refer: Callable[..., int], runner):
    refer()
    result = runner("init")
    assert result.exit_code == 0, result.output
    assert "データ鍵" not in result.output
