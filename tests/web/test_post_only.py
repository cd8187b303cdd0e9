"""A page only a button reaches, opened again by a reload or a bookmark, leads to the page above
it with a word on why; never a bare 405 error page. The API and other methods keep their 405."""

from __future__ import annotations

from flask import Flask

from tests.conftest import make_round
from tests.web.conftest import Web, page, text_of

CHIYODA = "131016"


def test_reloading_a_button_only_page_leads_to_the_page_above_with_a_word_on_why(
    app: Flask, web
) -> None:
    with app.app_context():
        round_id = make_round().id
    staff: Web = web("staff")
    for path, above in [
        (f"/staff/rounds/{round_id}/reminders", f"/staff/rounds/{round_id}"),
        (f"/staff/rounds/{round_id}/reminders/send", f"/staff/rounds/{round_id}"),
        (f"/staff/rounds/{round_id}/mail/given-up", f"/staff/rounds/{round_id}"),
        (
            f"/staff/rounds/{round_id}/responses/{CHIYODA}/return",
            f"/staff/rounds/{round_id}/responses/{CHIYODA}",
        ),
    ]:
        reopened = staff.get(path)
        assert reopened.status_code == 302, path
        assert reopened.headers["Location"] == above, path
    shown = text_of(staff.get(f"/staff/rounds/{round_id}"))
    assert "この画面は、ボタンを押したときにだけ表示されます" in shown


def test_someone_signed_out_is_asked_to_sign_in_and_learns_nothing(app: Flask, client) -> None:
    with app.app_context():
        round_id = make_round().id
    reopened = client.get(f"/staff/rounds/{round_id}/reminders")
    assert reopened.status_code == 302
    followed = client.get(reopened.headers["Location"], follow_redirects=True)
    assert page(followed).xpath("//form//input[@name='password']"), "the sign-in page"


def test_a_respondent_is_led_to_the_page_above_and_it_refuses_as_always(app: Flask, web) -> None:
    with app.app_context():
        round_id = make_round().id
    respondent: Web = web("respondent", municipality="131024")
    reopened = respondent.get(f"/staff/rounds/{round_id}/reminders")
    assert reopened.headers["Location"] == f"/staff/rounds/{round_id}"
    assert respondent.get(reopened.headers["Location"]).status_code == 403


def test_the_api_and_other_methods_keep_their_405(app: Flask, web, api_as) -> None:
    staff: Web = web("staff")
    refused = staff.post("/staff/", {})
    assert refused.status_code == 405
    assert "この方法では操作できません。" in text_of(refused)
    api = api_as("staff")
    answer = api.get("/rounds/1/reminders")
    assert answer.status_code == 405
    assert answer.get_json()["message"] == "この方法では操作できません。"


def test_behind_a_path_prefix_the_page_above_keeps_it(app: Flask, web) -> None:
    """Mounted under /hub by a proxy (SCRIPT_NAME): the way back keeps the prefix."""
    with app.app_context():
        round_id = make_round().id
    staff: Web = web("staff")
    reopened = staff.get(
        f"/staff/rounds/{round_id}/reminders", environ_overrides={"SCRIPT_NAME": "/hub"}
    )
    assert reopened.status_code == 302
    assert reopened.headers["Location"] == f"/hub/staff/rounds/{round_id}"
