"""Each revision says what happened — saved by the municipality, entered on its behalf, uploaded
from Excel, returned, accepted — and the pages say exactly that (issue 14, item 5): a return is
not 代理入力."""

from __future__ import annotations

from hub.db import db
from hub.services import excel, responses
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.web.conftest import page, text_of

CHIYODA = "131016"


def _status_updated(answer) -> str:
    row = page(answer).xpath("//dt[normalize-space()='最終更新']/following-sibling::dd")[0]
    return " ".join(row.text_content().split())


def test_a_return_reads_as_a_return_not_as_proxy_entry(app, web):
    clerk = web("respondent", municipality=CHIYODA)
    staff = web("staff")
    with app.app_context():
        round_id = make_round().id
        response = response_of(round_id, CHIYODA)
        clerk_user = db.session.get(type(clerk.user), clerk.user.id)
        responses.submit(response, raw_answers=complete_answers(), user=clerk_user)
        db.session.commit()
    url = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    staff.get(url)
    assert staff.post(f"{url}/return", {"reason": "電話番号を直通に。"}).status_code == 302

    form = clerk.get(f"/respond/rounds/{round_id}/{CHIYODA}")
    updated = _status_updated(form)
    assert "東京都が差し戻し" in updated
    assert "代理入力" not in text_of(form)
    history = text_of(clerk.get(f"/respond/rounds/{round_id}/{CHIYODA}/history"))
    assert "代理入力" not in history
    assert "東京都が差し戻し" in history
    assert "提出" in history

    with app.app_context():
        latest = response_of(round_id, CHIYODA).latest_revision
        assert latest is not None
        assert (latest.action, latest.on_behalf, latest.event) == ("return", False, "returned")


def test_each_kind_of_change_is_named(app, web):
    staff = web("staff")
    with app.app_context():
        round_id = make_round().id
        clerk = make_user(role="respondent", municipality=CHIYODA)
        staff_user = make_user(role="staff")
        response = response_of(round_id, CHIYODA)
        responses.save_draft(response, {"plan_status": "no_plan"}, version=0, user=clerk)
        excel.save_upload(
            response, complete_answers(), version=response.version, user=clerk, cells={}
        )
        responses.save_draft(
            response, complete_answers(), version=response.version, user=staff_user
        )
        responses.submit(response, user=staff_user)
        responses.accept(response, user=staff_user)
        db.session.commit()
        events = [r.event for r in responses.revisions(response)]
    assert events == [
        "saved",
        "uploaded",
        "saved_on_behalf",
        "submitted_on_behalf",
        "accepted",
    ]
    shown = text_of(staff.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}"))
    for words in (
        "Excelから取り込み",
        "東京都が代理入力（一時保存）",
        "東京都が代理入力（提出）",
        "東京都が受理",
    ):
        assert words in shown
    board = text_of(staff.get(f"/staff/rounds/{round_id}"))
    assert "東京都が受理" in board


def test_the_api_names_the_event(app, api_as):
    staff = api_as("staff")
    with app.app_context():
        round_id = make_round().id
    staff.save(round_id, CHIYODA, {"plan_status": "no_plan"})
    revisions = staff.get(f"/rounds/{round_id}/responses/{CHIYODA}/revisions").get_json()
    assert [r["event"] for r in revisions] == ["saved_on_behalf"]
