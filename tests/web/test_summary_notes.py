"""集計と備考: staff see the round's count tables and write a 備考 per row on the page; a refused
note keeps everything typed on the page and saves nothing."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from hub.db import db
from hub.services import responses
from hub.services.notes import notes_of
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.web.conftest import Web, page, text_of

CHIYODA = "131016"
NOTE = "② パブリックコメント手続中　…　「令和3年8月時点策定済」"


@pytest.fixture
def round_id(app) -> int:
    with app.app_context():
        round_ = make_round()
        user = make_user(role="respondent", municipality=CHIYODA)
        responses.submit(
            response_of(round_.id, CHIYODA),
            raw_answers=complete_answers(plan_status="public_comment", plan_name="計画案"),
            user=user,
        )
        db.session.commit()
        return round_.id


def test_staff_write_notes_beside_the_counts(web, app, round_id: int) -> None:
    staff: Web = web("staff")
    board = page(staff.get(f"/staff/rounds/{round_id}"))
    assert board.xpath(f"//a[@href='/staff/rounds/{round_id}/summary']")
    doc = page(staff.get(f"/staff/rounds/{round_id}/summary"))
    row = doc.xpath("//input[@name='note:plan_status:public_comment']/ancestor::tr")[0]
    assert "1" in row.xpath("td[1]")[0].text_content()
    assert doc.xpath("//label[@for='note-plan_status-public_comment']")
    assert not doc.xpath("//input[starts-with(@name, 'note:contact_')]"), "no personal field"

    saved = staff.post(
        f"/staff/rounds/{round_id}/summary",
        {"note:plan_status:public_comment": NOTE, "note:programs:other": ""},
    )
    assert saved.status_code == 302, text_of(saved)
    shown = staff.get(f"/staff/rounds/{round_id}/summary")
    assert "備考を保存しました（1件）" in text_of(shown)
    value = page(shown).xpath("//input[@name='note:plan_status:public_comment']/@value")
    assert value == [NOTE]
    with app.app_context():
        assert notes_of(responses.get_round(round_id)) == {("plan_status", "public_comment"): NOTE}
    (link,) = page(shown).xpath("//a[@data-workbook-link]/@href")
    workbook = staff.get(link)
    assert workbook.status_code == 200
    assert workbook.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    book = load_workbook(BytesIO(workbook.data), read_only=True)
    assert any(NOTE in row for row in book["集計"].iter_rows(values_only=True))


def test_a_refused_note_keeps_what_was_typed_and_saves_nothing(web, app, round_id: int) -> None:
    staff: Web = web("staff")
    staff.get(f"/staff/rounds/{round_id}/summary")
    refused = staff.post(
        f"/staff/rounds/{round_id}/summary",
        {"note:plan_status:formulated": "策定済み（９）", "note:plan_status:no_plan": "あ" * 401},
    )
    assert refused.status_code == 422
    doc = page(refused)
    assert "400文字以内" in doc.xpath("//div[@data-error-summary]")[0].text_content()
    link = doc.xpath("//div[@data-error-summary]//a/@href")
    assert link == ["#note-plan_status-no_plan"]
    assert doc.xpath("//input[@name='note:plan_status:formulated']/@value") == ["策定済み（９）"]
    field = doc.xpath("//input[@id='note-plan_status-no_plan']")[0]
    assert field.get("aria-invalid") == "true"
    with app.app_context():
        assert notes_of(responses.get_round(round_id)) == {}


def test_only_staff_reach_the_page(web, round_id: int) -> None:
    respondent = web("respondent", municipality=CHIYODA)
    assert respondent.get(f"/staff/rounds/{round_id}/summary").status_code == 403
