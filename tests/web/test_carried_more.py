"""More page forms keep their typing past the timeout with JavaScript off (docs/security.md): a
round's change, a return's reason (one response or many), an extension's date, the board's
municipalities ticked for a reminder, an account's name and its role, the municipalities
import's choices (never the file) and a questionnaire's trial answers on its preview. Each POST
after the timeout saves nothing; signing in again as the account that typed gives the page with
the typing in its fields, still unsaved; another account gets the page as it is, nothing of it.
A page with two carried forms gives the typing to the one it was typed into only."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from hub.db import db
from hub.models import Municipality, OutgoingMail, ResponseState, Round, User
from tests.conftest import Clock, make_round, make_user, response_of
from tests.test_reference import HEADER, OSAKA
from tests.web.conftest import Web, field_values, page, text_of
from tests.web.test_carried_typing import (
    BACK,
    DISCARDED,
    assert_kept_page,
    sign_in_again,
    signed_in,
    timed_out_post,
)
from tests.web.test_remind import CHIYODA, CHUO, late_round
from tests.web.test_return import submitted

REASON = '=HYPERLINK("http://example.com") 問３の人数が昨年の１０倍です。令和元年度の値を確かめて'
WHEN = "令和8年12月28日 17時"


def another(app: Flask, answer: TestResponse, role: str, **kwargs: Any) -> Web:
    """Someone else of the same role signs in on the kept page: signed in, told the typing was
    discarded, sent to the page as it is."""
    other = Web(app)
    with app.app_context():
        email = make_user(role=role, **kwargs).email
    stolen = sign_in_again(other, answer, email)
    assert stolen.status_code == 302, text_of(stolen)
    assert stolen.headers["Location"].startswith("/"), "the hub's own page"
    shown = other.get(stolen.headers["Location"])
    assert shown.status_code == 200
    assert DISCARDED in text_of(shown)
    return other


def typed_on(
    web: Web, clock: Clock, page_url: str, action: str, typed: dict[str, Any]
) -> TestResponse:
    """Open ``page_url``, type into its form posting to ``action``, wait 31 minutes, press."""
    web.get(page_url)
    token = web.csrf()
    clock.advance(minutes=31)
    web.last = web.client.post(action, data={**typed, "csrf_token": token})
    return web.last


def in_form(answer: TestResponse, action: str) -> dict[str, Any]:
    return field_values(answer, f"//form[@method='post'][@action='{action}']")


def test_a_rounds_change_typed_past_the_timeout_comes_back(app: Flask, clock: Clock) -> None:
    staff = signed_in(app, clock, role="staff")
    with app.app_context():
        round_ = make_round()
        round_id, title, deadline = round_.id, round_.title, round_.deadline
    url = f"/staff/rounds/{round_id}/change"
    typed = {"title": "＝1+1 令和元年度　取組状況（再調査）", "deadline": WHEN, "notify": "y"}
    answer = timed_out_post(staff, clock, url, typed)
    assert_kept_page(answer)
    assert "再調査" not in answer.get_data(as_text=True)

    other = another(app, answer, "staff")
    assert "再調査" not in other.last.get_data(as_text=True)  # type: ignore[union-attr]
    assert in_form(other.last, url)["title"] == title  # type: ignore[arg-type]

    back = sign_in_again(staff, answer, staff.user.email)  # type: ignore[union-attr]
    assert back.status_code == 200, text_of(back)
    assert BACK in text_of(back)
    values = in_form(back, url)
    assert values["title"] == typed["title"]
    assert values["deadline"] == WHEN
    assert values["notify"] == ["y"]
    with app.app_context():
        kept = db.session.get_one(Round, round_id)
        assert (kept.title, kept.deadline) == (title, deadline), "given back, not saved"


def test_a_returns_reason_typed_past_the_timeout_comes_back_to_its_form_only(
    app: Flask, clock: Clock
) -> None:
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    staff = signed_in(app, clock, role="staff")
    url = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    answer = typed_on(staff, clock, url, f"{url}/return", {"reason": REASON})
    assert_kept_page(answer)
    assert "HYPERLINK" not in answer.get_data(as_text=True)

    other = another(app, answer, "staff")
    assert "HYPERLINK" not in other.last.get_data(as_text=True)  # type: ignore[union-attr]

    back = sign_in_again(staff, answer, staff.user.email)  # type: ignore[union-attr]
    assert back.status_code == 200, text_of(back)
    assert BACK in text_of(back)
    assert in_form(back, f"{url}/return")["reason"] == REASON
    with app.app_context():
        kept = response_of(round_id, CHIYODA)
        assert (kept.state, kept.return_reason) == (ResponseState.SUBMITTED, None), "not saved"

    done = staff.post(f"{url}/return", {"reason": in_form(back, f"{url}/return")["reason"]})
    assert done.status_code == 302, text_of(done)
    with app.app_context():
        returned = response_of(round_id, CHIYODA)
        assert returned.state == ResponseState.DRAFT
        assert returned.return_reason == REASON


def test_an_extension_refused_for_its_token_comes_back(app: Flask, clock: Clock) -> None:
    """Signed in again in another tab meanwhile: the page again at once, the date in the
    extension's field, no extension granted."""
    with app.app_context():
        round_id = make_round().id
    staff = signed_in(app, clock, role="staff")
    url = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    staff.get(url)
    token = staff.csrf()
    staff.post("/logout")
    assert staff.login(staff.user.email).status_code == 302  # type: ignore[union-attr]
    typed = {"until": "令和８年１２月２８日　１７時"}
    answer = staff.client.post(f"{url}/extension", data={**typed, "csrf_token": token})
    assert answer.status_code == 400
    assert "入力した内容は入力欄に残っています" in text_of(answer)
    assert in_form(answer, f"{url}/extension")["until"] == typed["until"]
    with app.app_context():
        assert response_of(round_id, CHIYODA).extension_until is None


def test_an_extension_typed_past_the_timeout_comes_back(app: Flask, clock: Clock) -> None:
    with app.app_context():
        round_id = make_round().id
    staff = signed_in(app, clock, role="staff")
    url = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    answer = typed_on(staff, clock, url, f"{url}/extension", {"until": WHEN})
    assert_kept_page(answer)
    other = another(app, answer, "staff")
    assert WHEN not in other.last.get_data(as_text=True)  # type: ignore[union-attr]
    back = sign_in_again(staff, answer, staff.user.email)  # type: ignore[union-attr]
    assert back.status_code == 200, text_of(back)
    assert in_form(back, f"{url}/extension")["until"] == WHEN
    with app.app_context():
        assert response_of(round_id, CHIYODA).extension_until is None


def test_returning_many_typed_past_the_timeout_comes_back_ticked(app: Flask, clock: Clock) -> None:
    with app.app_context():
        round_id = make_round().id
    for code in (CHIYODA, CHUO):
        submitted(app, round_id, code)
    staff = signed_in(app, clock, role="staff")
    url = f"/staff/rounds/{round_id}/return"
    staff.get(url)
    form = page(staff.last).xpath(f"//form[@action='{url}']")[0]
    versions = {
        i.get("name"): i.get("value")
        for i in form.xpath(".//input[@type='hidden']")
        if i.get("name", "").startswith("version-")
    }
    token = staff.csrf()
    clock.advance(minutes=31)
    data = {"municipality": [CHUO], "reason": REASON, "csrf_token": token, **versions}
    answer = staff.last = staff.client.post(url, data=data)
    assert_kept_page(answer)

    other = another(app, answer, "staff")
    assert in_form(other.last, url)["municipality"] == []  # type: ignore[arg-type]
    assert "HYPERLINK" not in other.last.get_data(as_text=True)  # type: ignore[union-attr]

    back = sign_in_again(staff, answer, staff.user.email)  # type: ignore[union-attr]
    assert back.status_code == 200, text_of(back)
    values = in_form(back, url)
    assert values["municipality"] == [CHUO]
    assert values["reason"] == REASON
    with app.app_context():
        assert response_of(round_id, CHUO).state == ResponseState.SUBMITTED


def test_the_municipalities_ticked_for_a_reminder_come_back_on_the_same_view(
    app: Flask, clock: Clock
) -> None:
    round_id = late_round(app)
    staff = signed_in(app, clock, role="staff")
    board = f"/staff/rounds/{round_id}?region=%E5%8C%BA%E9%83%A8"  # 区部
    staff.get(board)
    form = page(staff.last).xpath("//form[@data-remind]")[0]
    action = form.get("action")
    assert "region=" in action
    token = staff.csrf()
    clock.advance(minutes=31)
    data = {"municipality": [CHIYODA, CHUO], "csrf_token": token}
    # what url_for would take as its own is not the page's: its address stays the hub's
    posted_to = f"{action}&_external=1&_scheme=javascript"
    answer = staff.last = staff.client.post(posted_to, data=data)
    assert_kept_page(answer)

    other = another(app, answer, "staff")
    assert other.last.request.path == f"/staff/rounds/{round_id}"  # type: ignore[union-attr]
    ticked = page(other.last).xpath("//form[@data-remind]//input[@name='municipality'][@checked]")
    assert ticked == []

    back = sign_in_again(staff, answer, staff.user.email)  # type: ignore[union-attr]
    assert back.status_code == 200, text_of(back)
    assert BACK in text_of(back)
    shown = page(back)
    assert shown.xpath("//select[@name='region']/option[@selected]/@value") == ["区部"]
    ticked = shown.xpath("//form[@data-remind]//input[@name='municipality'][@checked]/@value")
    assert sorted(ticked) == sorted([CHIYODA, CHUO])
    with app.app_context():
        assert not db.session.scalar(select(func.count()).select_from(OutgoingMail))


def account_to_edit(app: Flask) -> int:
    with app.app_context():
        return make_user(role="respondent", municipality=CHIYODA).id


def test_an_accounts_name_typed_past_the_timeout_comes_back_to_its_form_only(
    app: Flask, clock: Clock
) -> None:
    user_id = account_to_edit(app)
    admin = signed_in(app, clock, role="admin")
    url = f"/admin/users/{user_id}"
    typed = {
        "display_name": "＝1+1 村上　一郎",
        "organisation": "=SUM(A1) 千代田区 保健福祉部",
        "phone": "０３－３２６４－２１１１",
    }
    answer = typed_on(admin, clock, url, f"{url}/profile", typed)
    assert_kept_page(answer)
    assert "村上" not in answer.get_data(as_text=True)

    other = another(app, answer, "admin")
    assert "村上" not in other.last.get_data(as_text=True)  # type: ignore[union-attr]

    back = sign_in_again(admin, answer, admin.user.email)  # type: ignore[union-attr]
    assert back.status_code == 200, text_of(back)
    assert BACK in text_of(back)
    profile = in_form(back, f"{url}/profile")
    for name, value in typed.items():
        assert profile[name] == value, name
    role = in_form(back, f"{url}/role")
    assert (role["role"], role["municipality"]) == ("respondent", CHIYODA), "the role's own"
    with app.app_context():
        account = db.session.get_one(User, user_id)
        assert (account.display_name, account.organisation, account.phone) == ("", "", "")


def test_a_role_change_typed_past_the_timeout_comes_back_to_its_form_only(
    app: Flask, clock: Clock
) -> None:
    user_id = account_to_edit(app)
    with app.app_context():
        before = db.session.get_one(User, user_id).session_version
    admin = signed_in(app, clock, role="admin")
    url = f"/admin/users/{user_id}"
    typed = {"role": "window", "municipality": "132012", "recipient": ""}
    answer = typed_on(admin, clock, url, f"{url}/role", typed)
    assert_kept_page(answer)

    other = another(app, answer, "admin")
    shown = in_form(other.last, f"{url}/role")  # type: ignore[arg-type]
    assert (shown["role"], shown["municipality"]) == ("respondent", CHIYODA)

    back = sign_in_again(admin, answer, admin.user.email)  # type: ignore[union-attr]
    assert back.status_code == 200, text_of(back)
    role = in_form(back, f"{url}/role")
    assert (role["role"], role["municipality"]) == ("window", "132012")
    with app.app_context():
        account = db.session.get_one(User, user_id)
        assert (account.role, account.municipality_code) == ("respondent", CHIYODA)
        assert account.session_version == before, "no session ended"


def test_the_municipalities_imports_choices_come_back_without_the_file(
    app: Flask, clock: Clock
) -> None:
    admin = signed_in(app, clock, role="admin")
    with app.app_context():
        known = int(db.session.scalar(select(func.count()).select_from(Municipality)) or 0)
    data = ("\n".join([HEADER, *OSAKA]) + "\n").encode()
    typed = {"prefecture": "27", "retire_missing": "y", "file": (io.BytesIO(data), "大阪.csv")}
    answer = typed_on(admin, clock, "/admin/municipalities", "/admin/municipalities/import", typed)
    assert_kept_page(answer)
    assert "大阪" not in answer.get_data(as_text=True)

    other = another(app, answer, "admin")
    assert in_form(other.last, "/admin/municipalities/import")["prefecture"] == ""  # type: ignore[arg-type]

    back = sign_in_again(admin, answer, admin.user.email)  # type: ignore[union-attr]
    assert back.status_code == 200, text_of(back)
    values = in_form(back, "/admin/municipalities/import")
    assert values["prefecture"] == "27"
    assert values["retire_missing"] == ["y"]
    assert page(back).xpath("//form[@action='/admin/municipalities/import']//input[@type='file']")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Municipality)) == known


def test_a_previews_trial_answers_typed_past_the_timeout_come_back(
    app: Flask, clock: Clock
) -> None:
    staff = signed_in(app, clock, role="staff")
    url = "/staff/questionnaires/torikumi/versions/1"
    typed = {"plan_status": "no_plan", "lead_department": "＝1+1 福祉部　地域福祉課"}
    answer = timed_out_post(staff, clock, url, typed)
    assert_kept_page(answer)
    back = sign_in_again(staff, answer, staff.user.email)  # type: ignore[union-attr]
    assert back.status_code == 200, text_of(back)
    values = field_values(back, f"//form[@method='post'][@action='{url}'][@data-questionnaire]")
    assert values["lead_department"] == typed["lead_department"]
    assert values["plan_status"] == "no_plan"


def test_a_reminders_confirmation_is_not_refilled(app: Flask, clock: Clock) -> None:
    """The preview's 「送信する」 is a confirmation: past the timeout, the sign-in page of old."""
    round_id = late_round(app)
    staff = signed_in(app, clock, role="staff")
    board = f"/staff/rounds/{round_id}"
    send = f"{board}/reminders/send"
    answer = typed_on(staff, clock, board, send, {"municipality": [CHIYODA]})
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")
    with app.app_context():
        assert not db.session.scalar(select(func.count()).select_from(OutgoingMail))
