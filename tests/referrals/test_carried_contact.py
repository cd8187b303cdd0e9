"""A contact typed on a referral's case past the timeout comes back on the case after signing in
again (the sign-in page shows nothing of it: docs/security.md)."""

from __future__ import annotations

from hub.db import db
from hub.models import Referral
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
