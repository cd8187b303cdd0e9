"""Every step of a referral walked as people take it — the desk and 東京保護観察所 referring
with what people type, the window accepting, declining, noting contacts and closing, a
re-routing, a withdrawal, outsiders probing — leaves the person's name, phone, address and
free text in no log record, mail or audit row; and the retention job then erases them from
every table (the window's notes and reasons too) while the access log and the counts stay."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from hub.db import db, utcnow
from hub.jobs import run_job
from hub.models import Referral, ReferralEvent, ReferralRead
from tests.referrals.conftest import CHIYODA, HACHIOJI, Cast
from tests.referrals.test_protection import database_bytes
from tests.web.conftest import Web

NAME = "鈴木 一郎"
KANA = "スズキ イチロウ"
PHONE_TYPED = "０９０－８７６５－４３２１"
PHONE = "090-8765-4321"
ADDRESS = "東京都千代田区丸の内三丁目9番9号"
SUMMARY = '=HYPERLINK("http://x") 就労先を探している。' + "詳" * 300
NOTE = f"{NAME}さん本人と面談。{PHONE}に折り返し"
REASON = f"{NAME}さんの住所（{ADDRESS}）が管轄外"
TYPED = (
    NAME,
    KANA,
    PHONE,
    PHONE.replace("-", ""),
    ADDRESS,
    "就労先を探している",
    "本人と面談",
    "管轄外",
)


def leaks(data: str) -> list[str]:
    return [value for value in TYPED if value in data]


def _form(municipality: str) -> dict[str, object]:
    return {
        "municipality": municipality,
        "person-name": NAME,
        "person-kana": KANA,
        "person-birth_year": "S40",
        "person-phone": PHONE_TYPED,
        "person-address": ADDRESS,
        "needs": ["employment"],
        "summary": SUMMARY,
        "consent-obtained_on": "令和7年4月1日",
        "consent-obtained_by": "相談員 佐藤",
        "consent-scope": "連絡先と概要を窓口に伝えること",
        "address_outside_confirmed": "yes",  # the address is 千代田区's, on purpose
    }


def test_every_step_leaves_nothing_personal_in_logs_mails_or_audit_and_retention_erases_it(
    app: Flask,
    cast: Cast,
    desk: Web,
    window: Web,
    smtp,
    caplog: pytest.LogCaptureFixture,
    refer: Callable[..., int],
) -> None:
    caplog.set_level(logging.DEBUG)
    desk.get("/referrals/new")
    sent = desk.post("/referrals/new", _form(HACHIOJI))
    assert sent.status_code == 302
    closed = int(sent.headers["Location"].rsplit("/", 1)[1])
    probation = cast.probation.post(
        "/referrals",
        {
            "municipality": "八王子市",
            "person": {"name": NAME, "kana": KANA, "birth_year": "平成元年", "address": ADDRESS},
            "needs": ["housing"],
            "summary": SUMMARY,
            "consent": {"obtained_on": "2025-04-01", "obtained_by": "観察官", "scope": "窓口へ"},
            "address_outside_confirmed": True,
        },
    )
    assert probation.status_code == 201, probation.get_json()
    declined = int(probation.get_json()["id"])
    withdrawn = int(
        desk.post("/referrals/new", _form(HACHIOJI)).headers["Location"].rsplit("/", 1)[1]
    )
    with app.app_context():  # contacts may be dated from the day it was sent
        for referral_id in (closed, declined, withdrawn):
            db.session.get_one(Referral, referral_id).sent_at = utcnow() - timedelta(days=10)
        db.session.commit()

    case = f"/referrals/{closed}"
    window.get(case)
    assert window.post(f"{case}/accept").status_code == 302
    on = (utcnow() - timedelta(days=2)).date().isoformat()
    contact = {"on": on, "method": "phone", "note": NOTE, "next_follow_up": "12/5"}
    assert window.post(f"{case}/contact", contact).status_code == 302
    assert window.post(f"{case}/close", {"outcome": "connected"}).status_code == 302
    assert cast.window.post(f"/referrals/{declined}/decline", {"reason": REASON}).status_code == 200
    rerouted = cast.probation.post(
        f"/referrals/{declined}/reroute",
        {"municipality": CHIYODA, "consent": {"scope": "千代田区の窓口へ", "confirmed": True}},
    )
    assert rerouted.status_code == 200, rerouted.get_json()
    assert (
        cast.other_window.post(f"/referrals/{declined}/decline", {"reason": REASON}).status_code
        == 200
    )
    cast.window.post(f"/referrals/{withdrawn}/accept")
    cast.window.post(
        f"/referrals/{withdrawn}/contacts", {"on": on, "method": "visit", "note": NOTE}
    )
    desk.get(f"/referrals/{withdrawn}")
    assert (
        desk.post(f"/referrals/{withdrawn}/withdraw-consent", {"confirm": "yes"}).status_code == 302
    )
    for outsider in (cast.respondent, cast.other_window, cast.moj):  # probes: 403 and 404
        outsider.get(f"/referrals/{closed}")
        outsider.post(f"/referrals/{closed}/accept")
        outsider.post(f"/referrals/{closed}/contacts", {"on": on, "method": "phone", "note": NOTE})
    cast.respondent.post("/referrals", {"person": {"name": NAME, "phone": PHONE}})

    assert leaks(caplog.text) == []
    mails = smtp.as_read.decode("utf-8")
    assert mails, "the windows were mailed"
    assert leaks(mails) == []
    with app.app_context():
        audit = db.session.execute(text("SELECT action, target, details FROM audit_event")).all()
        queued = db.session.execute(text("SELECT * FROM outgoing_mail")).all()
    assert {"referral.create", "referral.decline", "referral.forbidden"} <= {a for a, *_ in audit}
    assert leaks(repr(audit)) == []
    assert leaks(repr(queued)) == []

    with app.app_context():
        reads = db.session.scalar(select(func.count()).select_from(ReferralRead))
        db.session.get_one(Referral, closed).closed_at = utcnow() - timedelta(days=400)
        db.session.commit()
        run_job("referrals.retention")  # `closed` is due; `declined` was declined today
    with app.app_context():
        erased = db.session.get_one(Referral, closed)
        assert erased.person_sealed is None
        assert erased.erased_because == "retention"
        gone = [closed, withdrawn]
        sealed = db.session.scalars(
            select(ReferralEvent.text_sealed).where(
                ReferralEvent.referral_id.in_(gone), ReferralEvent.text_sealed.is_not(None)
            )
        ).all()
        assert sealed == []
        kept = db.session.get_one(Referral, declined)
        assert kept.person_sealed is not None  # declined today: kept for its re-routing
        assert db.session.scalar(select(func.count()).select_from(ReferralRead)) >= reads
    summary = cast.staff.get("/referrals/summary").get_json()
    assert summary["total"] == 3
    assert summary["by_outcome"]["connected"] == 1
    log = cast.staff.get(f"/referrals/{closed}/access-log").get_json()
    assert log, "the access log stays after the erasure"
    assert leaks(database_bytes(app).decode("utf-8", "replace")) == []
