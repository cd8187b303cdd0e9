"""A 都 staff member's survey year, walked as they type and click: a deadline written the ways
people write it, the check before opening saying what opening would refuse, dates in messages in
the page's language, and a decision clicked twice (or made by someone else first) leading back to
the response as it is now, with what was typed."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from forms import tokyo
from hub.db import db
from hub.models import AuditEvent, ResponseState, Round
from tests.conftest import make_round, response_of
from tests.web.conftest import Web, page, text_of
from tests.web.test_staff import CHIYODA, submitted

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def opening(deadline: str, **more: str) -> dict[str, str]:
    return {
        "survey": "torikumi",
        "reference_date": "2026-04-01",
        "deadline": deadline,
        "opens_at": "",
        "title": "",
        **more,
    }


def deadline_error(answer) -> str:
    return " ".join(page(answer).xpath("string(//*[@id='deadline-error'])").split())


def test_a_deadline_with_the_time_right_after_the_day_opens_the_round(web, app) -> None:
    """「令和81年12月25日17時」 as people write it, without a space before the time."""
    staff: Web = web("staff")
    answer = staff.post("/staff/rounds/new", opening("令和81年12月25日17時"))
    assert answer.status_code == 302, deadline_error(answer)
    with app.app_context():
        opened = db.session.scalars(select(Round)).one()
        assert opened.deadline.isoformat() == "2099-12-25T08:00:00+00:00"


def test_a_month_and_day_without_their_year_are_refused_naming_the_year(web, app) -> None:
    """12/25 or １２月２５日: the message names the year the next 25 December falls in, as an
    example to type, and what was typed stays in the field."""
    staff: Web = web("staff")
    today = tokyo.today()
    year = today.year if date(today.year, 12, 25) >= today else today.year + 1
    for typed, example in (("12/25", "17:00"), ("１２月２５日 ９時", "09:00")):
        refused = staff.post("/staff/rounds/new", opening(typed))
        assert refused.status_code == 422
        assert deadline_error(refused).endswith(
            f"年も入力してください（例: {year}-12-25 {example}）。"
        )
        assert page(refused).xpath("//input[@name='deadline']/@value") == [typed]
    staff.get("/language/en")
    english = deadline_error(staff.post("/staff/rounds/new", opening("12/25")))
    assert english.endswith(f"Type the year too (for example: {year}-12-25 17:00).")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Round)) == 0


def test_the_check_before_opening_refuses_a_past_deadline_as_opening_does(web) -> None:
    """「依頼先を確かめる」 does not call a deadline fine that 「開始する」 then refuses."""
    staff: Web = web("staff")
    preview = staff.post("/staff/rounds/new", opening("2020-01-06 17:00", action="preview"))
    assert preview.status_code == 422
    assert deadline_error(preview).endswith(
        "提出期限が過ぎています（令和2年1月6日（月）17:00）。これから先の日時を入力してください。"
    )
    assert not page(preview).xpath("//*[contains(text(), '依頼先の確認')]")


def test_dates_in_the_opening_messages_are_written_in_the_page_s_language(web) -> None:
    staff: Web = web("staff")
    staff.get("/language/en")
    past = deadline_error(staff.post("/staff/rounds/new", opening("2020-01-06 17:00")))
    assert past.endswith(
        "The deadline has passed (Mon 6 Jan 2020 17:00). Enter a date and time still to come."
    )
    preview = staff.post("/staff/rounds/new", opening("2099-12-29 17:00", action="preview"))
    assert preview.status_code == 200
    [note] = page(preview).xpath("//*[@data-deadline-note]")
    said = " ".join(note.text_content().split())
    assert "Tue 29 Dec 2099 17:00" in said
    assert not JAPANESE.search(said), said


def test_a_second_click_on_a_decision_shows_the_response_as_it_is_now(web, app) -> None:
    """受理 clicked twice (two tabs, or a colleague first): not an error page that leads to the
    top, but the response's page saying why nothing was done, with its current actions."""
    staff: Web = web("staff")
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    url = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    staff.get(url)
    assert staff.post(f"{url}/accept").status_code == 302
    again = staff.post(f"{url}/accept")
    assert again.status_code == 409
    shown = text_of(again)
    assert "受理できるのは提出済みの回答だけです。" in shown
    assert "この回答の現在の状態を確かめてください。" in shown
    assert page(again).xpath("//*[@data-unaccept]//form"), "the accepted response's action"
    staff.get(url)
    assert staff.post(f"{url}/unaccept").status_code == 302
    twice = staff.post(f"{url}/unaccept")
    assert twice.status_code == 409
    assert "受理を取り消せるのは受理済みの回答だけです。" in text_of(twice)
    with app.app_context():
        assert response_of(round_id, CHIYODA).state == ResponseState.SUBMITTED
        actions = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.like("response.%accept"))
            .order_by(AuditEvent.id)
        ).all()
        assert actions == ["response.accept", "response.unaccept"]


def test_a_return_refused_because_the_response_moved_on_gives_the_reason_back(web, app) -> None:
    """Returned twice, or accepted by a colleague while the reason was typed: the reason typed is
    given back on the page, in the page's language."""
    staff: Web = web("staff")
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    url = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    colleague: Web = web("staff")
    colleague.get(url)
    staff.get(url)
    assert colleague.post(f"{url}/accept").status_code == 302
    reason = "電話番号の欄に、担当者の直通番号を書いてください。"
    refused = staff.post(f"{url}/return", {"reason": reason})
    assert refused.status_code == 409
    shown = text_of(refused)
    assert "差し戻せるのは提出済みの回答だけです。" in shown
    assert f"入力した差し戻しの理由（保存されていません）: {reason}" in shown
    colleague.post(f"{url}/unaccept")
    staff.get("/language/en")
    staff.get(url)
    staff.post(f"{url}/return", {"reason": reason})
    again = staff.post(f"{url}/return", {"reason": reason + "（再）"})
    assert again.status_code == 409
    assert f"The reason for returning that you typed (not saved): {reason}（再）" in text_of(again)
    with app.app_context():
        assert response_of(round_id, CHIYODA).return_reason == reason


def test_closing_a_round_twice_leads_back_to_its_board(web, app) -> None:
    staff: Web = web("staff")
    with app.app_context():
        round_id = make_round().id
    board = f"/staff/rounds/{round_id}"
    staff.get(board)
    assert staff.post(f"{board}/close").status_code == 302
    twice = staff.post(f"{board}/close")
    assert twice.status_code == 302
    assert twice.headers["Location"] == board
    assert "この調査回は既に締め切られています。" in text_of(staff.get(board))
    with app.app_context():
        closes = db.session.scalars(select(AuditEvent).filter_by(action="round.close")).all()
        assert len(closes) == 1


def test_what_staff_did_to_a_response_reads_in_english_on_english_pages(web, app) -> None:
    """The board's 最終更新 and the response's history name 東京都's decisions in English, as every
    other English page names the Tokyo Metropolitan Government."""
    staff: Web = web("staff")
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    url = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    staff.get("/language/en")
    staff.get(url)
    staff.post(f"{url}/accept")
    staff.post(f"{url}/unaccept")
    staff.post(f"{url}/return", {"reason": "Please give the direct line."})
    [row] = page(staff.get(f"/staff/rounds/{round_id}")).xpath(
        f"//tr[@data-municipality='{CHIYODA}']"
    )
    assert "Returned by the Tokyo Metropolitan Government" in row.text_content()
    assert not JAPANESE.search(row.text_content()), row.text_content()
    history = " ".join(page(staff.get(url)).xpath("//*[@id='history-title']/..//text()"))
    for done in ("Accepted by", "Acceptance withdrawn by", "Returned by"):
        assert f"{done} the Tokyo Metropolitan Government" in history
    assert "東京都" not in history
