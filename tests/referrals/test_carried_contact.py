"""A contact typed on a referral's case past the timeout comes back on the case after signing in
again (the sign-in page shows nothing of it: docs/security.md)."""

from __future__ import annotations

from hub.db import db
from hub.models import Referral
from tests.referrals.conftest import CHIYODA, HACHIOJI
from tests.web.conftest import Web, field_values
from tests.web.test_carried_typing import assert_kept_page, sign_in_again, text_of


def test_a_contact_typed_past_the_timeout_comes_back_on_the_case(app, clock, cast, refer):
    referral_id = refer()
    assert cast.window.post(f"/referrals/{referral_id}/accept").status_code == 200
    window = Web(app)
    assert window.login(cast.emails["window"]).status_code == 302
    case = f"/referrals/{referral_id}"
    window.get(case)
    token = window.csrf()
    clock.advance(minutes=45)
    typed = {"on": "令和元年５月７日", "method": "phone", "note": "=1+1 電話で本人と話した"}
    answer = window.client.post(f"{case}/contact", data={**typed, "csrf_token": token})
    window.last = answer
    assert_kept_page(answer)
    assert "電話で本人" not in answer.get_data(as_text=True)
    back = sign_in_again(window, answer, cast.emails["window"])
    assert back.status_code == 200, text_of(back)
    values = field_values(back, f"//form[@method='post'][@action='{case}/contact']")
    assert values["on"] == typed["on"]
    assert values["note"] == typed["note"]
    assert values["method"] == "phone"
    with app.app_context():
        assert not [
            e for e in db.session.get_one(Referral, referral_id).events if e.action == "contact"
        ]


def test_a_reroute_typed_past_the_timeout_comes_back_on_the_case(app, clock, cast, refer):
    """The referrer's new municipality and the scope of consent for it (up to 400 characters,
    typed while the person is on the phone) come back after signing in again; the tick that the
    person agreed is asked again, and nothing moved meanwhile. Before, the re-route form was not
    carried: its POST past the timeout went to the sign-in page and the scope was lost."""
    referral_id = refer()
    decline = cast.window.post(f"/referrals/{referral_id}/decline", {"reason": "管轄外"})
    assert decline.status_code == 200, decline.get_json()
    desk = Web(app)
    assert desk.login(cast.emails["staff"]).status_code == 302
    case = f"/referrals/{referral_id}"
    desk.get(case)
    token = desk.csrf()
    clock.advance(minutes=45)
    typed = {
        "municipality": CHIYODA,
        "consent-scope": "=1+1 氏名・連絡先・概要を千代田区の相談窓口に伝えること",
        "consent-confirmed": "yes",
    }
    answer = desk.client.post(f"{case}/reroute", data={**typed, "csrf_token": token})
    desk.last = answer
    assert_kept_page(answer)
    assert "千代田区の相談窓口" not in answer.get_data(as_text=True)
    back = sign_in_again(desk, answer, cast.emails["staff"])
    assert back.status_code == 200, text_of(back)
    values = field_values(back, f"//form[@method='post'][@action='{case}/reroute']")
    assert values["municipality"] == CHIYODA
    assert values["consent-scope"] == typed["consent-scope"]
    assert values["consent-confirmed"] == [], "the person's agreement is ticked again"
    with app.app_context():
        referral = db.session.get_one(Referral, referral_id)
        assert referral.municipality_code == HACHIOJI
        assert not [e for e in referral.events if e.action == "rerouted"]
