"""The scope of the person's consent (同意の範囲) is personal data like the person: sealed at rest
in a column of its own, its reads in the access log, erased with the person, re-sealed by a key
rotation (``test_jobs.py``), sealed for the rows stored before by migration 0020
(``tests/test_migrations.py``), and shown on the case page and by the API as before."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import text

from hub.db import db
from hub.models import Referral
from hub.services.referrals import personal
from tests.referrals.conftest import CHIYODA, Cast, referral_body
from tests.referrals.test_protection import database_bytes
from tests.web.conftest import Web, page, text_of

SCOPE = "氏名・連絡先を八王子市の窓口へ。母（山田 良子）と同居、兄には伝えない"
"""What people write in the scope: a relative's name, the family's situation."""
NEW_SCOPE = "氏名・連絡先を千代田区の窓口へ。母（山田 良子）の了解済み"


def _refer(refer: Callable[..., int]) -> int:
    return refer(consent={**referral_body()["consent"], "scope": SCOPE})


def _stored_row(app: Flask, referral_id: int) -> str:
    """The referral's row as the database holds it, every column (a look without the hub)."""
    with app.app_context():
        row = db.session.execute(
            text("SELECT * FROM referral WHERE id = :id"), {"id": referral_id}
        ).one()
    return repr(tuple(row))


def test_the_stored_row_holds_the_scope_sealed_and_no_clear_text(
    app: Flask, cast: Cast, refer: Callable[..., int]
) -> None:
    referral_id = _refer(refer)
    stored = _stored_row(app, referral_id)
    assert "山田" not in stored
    assert "兄には" not in stored
    with app.app_context():
        referral = db.session.get_one(Referral, referral_id)
        assert referral.consent_scope_sealed is not None
        assert personal.open_scope(referral) == SCOPE
        assert not hasattr(referral, "consent_scope")
    assert SCOPE.encode() not in database_bytes(app)
    assert cast.window.get(f"/referrals/{referral_id}").get_json()["consent"]["scope"] == SCOPE


def test_a_scope_copied_to_another_referral_does_not_open(
    app: Flask, refer: Callable[..., int]
) -> None:
    first, second = _refer(refer), _refer(refer)
    with app.app_context():
        a, b = db.session.get_one(Referral, first), db.session.get_one(Referral, second)
        b.consent_scope_sealed = a.consent_scope_sealed
        with pytest.raises(personal.SealedDataUnreadable):
            personal.open_scope(b)
        db.session.rollback()


def test_re_routing_seals_the_new_scope_and_keeps_the_old_one_on_the_timeline_only(
    app: Flask, cast: Cast, refer: Callable[..., int]
) -> None:
    referral_id = _refer(refer)
    cast.window.post(f"/referrals/{referral_id}/decline", {"reason": "管轄外"})
    answer = cast.staff.post(
        f"/referrals/{referral_id}/reroute",
        {"municipality": CHIYODA, "consent": {"scope": NEW_SCOPE, "confirmed": True}},
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["consent"]["scope"] == NEW_SCOPE
    kept = [e["text"] for e in body["timeline"] if e["action"] == "consent_reconfirmed"]
    assert kept == [SCOPE]
    stored = _stored_row(app, referral_id)
    assert "山田" not in stored
    assert "了解済み" not in stored
    everything = database_bytes(app)
    assert SCOPE.encode() not in everything
    assert NEW_SCOPE.encode() not in everything


def test_reading_the_scope_is_logged_with_the_persons_fields(
    desk: Web, cast: Cast, refer: Callable[..., int]
) -> None:
    referral_id = _refer(refer)
    cast.window.get(f"/referrals/{referral_id}")
    log = cast.staff.get(f"/referrals/{referral_id}/access-log").get_json()
    assert "consent.scope" in log[0]["fields"]
    assert "person.name" in log[0]["fields"]
    shown = text_of(desk.get(f"/referrals/{referral_id}"))
    assert f"範囲: {SCOPE}" in shown
    fields = page(desk.last).xpath("//h2[@id='reads']/following::table[1]//tbody//td[3]")
    assert all("同意の範囲" in td.text_content() for td in fields)
    desk.get("/language/en")
    shown = text_of(desk.get(f"/referrals/{referral_id}"))
    assert f"Scope: {SCOPE}" in shown
    assert "Scope of consent" in shown  # the field in the access log


def test_withdrawal_erases_the_scope_with_the_person(
    app: Flask, desk: Web, cast: Cast, refer: Callable[..., int]
) -> None:
    referral_id = _refer(refer)
    answer = cast.staff.post(f"/referrals/{referral_id}/withdraw-consent")
    assert answer.status_code == 200
    consent = answer.get_json()["consent"]
    assert consent["scope"] is None
    assert consent["obtained_by"] == referral_body()["consent"]["obtained_by"]
    with app.app_context():
        assert db.session.get_one(Referral, referral_id).consent_scope_sealed is None
    shown = text_of(desk.get(f"/referrals/{referral_id}"))
    assert "範囲は本人の情報とともに消去されています。" in shown
    assert "都 相談員 佐藤 が取得" in shown
    assert SCOPE not in shown
    desk.get("/language/en")
    shown = text_of(desk.get(f"/referrals/{referral_id}"))
    assert "The scope was erased with the person's data." in shown


def test_the_forms_say_the_scope_is_sealed_and_erased_with_the_person(
    desk: Web, cast: Cast, refer: Callable[..., int]
) -> None:
    declined = _refer(refer)
    cast.window.post(f"/referrals/{declined}/decline", {"reason": "管轄外"})
    for url in ("/referrals/new", f"/referrals/{declined}"):
        shown = text_of(desk.get(url))
        assert "暗号化して保存され、本人の情報とともに消去されます" in shown
        assert "暗号化されず" not in shown
