"""Which municipality a referral goes to, as the list changes: until its day (a merger decided
for next April) a municipality may still be referred to and the form says the day; from its day
it is refused by name; and where two municipalities share a name (府中市 of Tokyo and of
Hiroshima on a national list) the name alone is refused and the form tells them apart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask

from forms import tokyo
from forms.normalize import to_wareki
from hub.db import db
from hub.services.municipalities import set_active
from tests.conftest import add_hiroshima_fuchu
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
    add_hiroshima_fuchu(app)
    refused = cast.staff.post("/referrals", referral_body(municipality="府中市"))
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["municipality"] == [
        "「府中市」という区市町村が複数あります（132063、342076）。団体コードで指定してください。"
    ]
    assert cast.staff.post("/referrals", referral_body(municipality="132063")).status_code == 201


def test_the_form_tells_municipalities_that_share_a_name_apart_by_prefecture(
    app: Flask, cast: Cast, desk: Web, refer: Callable[..., int]
) -> None:
    """On the referral form and the case page's 「つなぎ先の変更」, the two 府中市 say their
    prefecture; other municipalities do not."""
    add_hiroshima_fuchu(app)
    options = {
        o.get("value"): o.text_content()
        for o in page(desk.get("/referrals/new")).xpath("//select[@name='municipality']/option")
    }
    assert (options["132063"], options["342076"], options[HACHIOJI]) == (
        "府中市（東京都）",
        "府中市（広島県）",
        "八王子市",
    )
    referral_id = refer(cast.staff, municipality="342076")
    case = page(desk.get(f"/referrals/{referral_id}"))
    rerouted = {
        o.get("value"): o.text_content()
        for o in case.xpath("//form[contains(@action, 'reroute')]//select/option")
    }
    assert rerouted["132063"] == "府中市（東京都）"
    assert "342076" not in rerouted
    desk.get("/language/en")
    english = page(desk.get("/referrals/new")).xpath("//option[@value='342076']")[0]
    assert english.text_content() == "Fuchu (Hiroshima)"


def test_the_retire_page_counts_what_is_under_way_there(
    app: Flask, cast: Cast, refer: Callable[..., int]
) -> None:
    """Whoever retires 八王子市 sees, as counts only, its referrals not yet done (one sent, one
    accepted; a declined one is the referrer's to send on) and its answers still to come."""
    from tests.conftest import make_round

    refer()
    accepted = refer()
    assert cast.window.post(f"/referrals/{accepted}/accept").status_code == 200
    declined = refer()
    assert (
        cast.window.post(f"/referrals/{declined}/decline", {"reason": "対象外です"}).status_code
        == 200
    )
    with app.app_context():
        make_round(municipalities=[HACHIOJI, CHIYODA])
    admin = Web(app)
    assert admin.login(cast.emails["admin"]).status_code == 302
    shown = page(admin.get(f"/admin/municipalities/{HACHIOJI}/retire"))
    work = shown.xpath("string(//*[@data-open-work])")
    assert "完了していないつなぎ: 2件" in work
    assert "まだ提出していない回答: 1件" in work
    assert "対象外" not in shown.text_content()
    other = page(admin.get("/admin/municipalities/133086/retire"))  # 奥多摩町: nothing under way
    assert not other.xpath("//*[@data-open-work]")
