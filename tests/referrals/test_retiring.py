"""Referring to a municipality that merges: until its day (a merger decided for next April) the
person may still be referred to its window, and the form says the day; from its day it is refused
by name, from the API and the page alike."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from forms import tokyo
from forms.normalize import to_wareki
from hub.db import db
from hub.services.municipalities import set_active
from tests.referrals.conftest import CHIYODA, HACHIOJI, Cast, referral_body
from tests.web.conftest import Web, page


def retire(app: Flask, code: str, days_ahead: int) -> None:
    with app.app_context():
        set_active([code], active=False, user=None, on=tokyo.today() + timedelta(days=days_ahead))
        db.session.commit()


def test_a_municipality_retired_on_a_day_to_come_is_still_referred_to(
    app: Flask, cast: Cast, desk: Web
) -> None:
    retire(app, HACHIOJI, 120)
    sent = cast.staff.post("/referrals", referral_body(municipality="八王子市"))
    assert sent.status_code == 201, sent.get_json()
    assert cast.window.get(f"/referrals/{sent.get_json()['id']}").status_code == 200
    day = to_wareki(tokyo.today() + timedelta(days=120))
    options = page(desk.get("/referrals/new")).xpath("//select[@name='municipality']/option")
    assert f"八王子市（{day}廃止）" in [o.text_content() for o in options]


def test_from_its_day_it_is_refused_by_name_and_no_longer_offered(
    app: Flask, cast: Cast, desk: Web
) -> None:
    retire(app, CHIYODA, 0)
    refused = cast.staff.post("/referrals", referral_body(municipality=CHIYODA))
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["municipality"] == [
        f"区市町村「{CHIYODA}」は登録されていません。"
    ]
    offered = page(desk.get("/referrals/new")).xpath("//select[@name='municipality']/option/@value")
    assert CHIYODA not in offered
    assert HACHIOJI in offered


def test_a_name_two_municipalities_share_is_refused_and_the_code_is_asked_for(
    app: Flask, cast: Cast
) -> None:
    """要配慮個人情報 must not reach the wrong 府中市: the name alone is refused, naming both
    codes; the code is taken."""
    from hub.services import municipalities as listing

    with app.app_context():
        rows = [{"code": "342076", "name": "府中市", "kana": "ふちゅうし", "name_en": "Fuchu",
                 "region": "市部", "type": "市"}]  # fmt: skip
        listing.apply_plan(listing.plan_import(rows), user=None)
        db.session.commit()
    refused = cast.staff.post("/referrals", referral_body(municipality="府中市"))
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["municipality"] == [
        "「府中市」という区市町村が複数あります（132063、342076）。団体コードで指定してください。"
    ]
    assert cast.staff.post("/referrals", referral_body(municipality="132063")).status_code == 201
