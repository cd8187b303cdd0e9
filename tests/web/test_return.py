"""Returning responses, one or many with one reason, and telling the municipalities by mail:
the mail names the survey, the deadline and the page, never the reason staff typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from hub.db import db, utcnow
from hub.models import AuditEvent, ResponseState, Revision, Round
from hub.services import responses
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.mailbox import Inbox, send_queued
from tests.web.conftest import Web, page, text_of, textarea_value

CHIYODA, HACHIOJI, OKUTAMA = "131016", "132012", "133086"
REASON = "問3の人数が昨年の10倍です。桁を確かめてください。"


@pytest.fixture
def staff(web) -> Web:
    return web("staff")


def submitted(app: Flask, round_id: int, code: str, *, respondent: bool = True) -> None:
    """``code``'s response submitted; ``respondent``: it has an account to write to."""
    with app.app_context():
        if respondent:
            make_user(role="respondent", municipality=code, email=f"clerk-{code}@example.jp")
        responses.submit(response_of(round_id, code), raw_answers=complete_answers(), user=None)
        db.session.commit()


def ticking(form, codes: list[str]) -> MultiDict:
    """What the browser posts with ``codes`` ticked on the list ``form``."""
    data = [("csrf_token", form.xpath(".//input[@name='csrf_token']/@value")[0])]
    data += [("municipality", code) for code in codes]
    data += [(i.get("name"), i.get("value")) for i in form.xpath(".//input[@type='hidden']")
             if i.get("name", "").startswith("version-")]  # fmt: skip
    return MultiDict(data)


def test_returning_one_tells_its_respondents_without_the_reason(
    app: Flask, staff: Web, smtp: Inbox
) -> None:
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    staff.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}")
    done = staff.post(f"/staff/rounds/{round_id}/responses/{CHIYODA}/return", {"reason": REASON})
    assert done.status_code == 302
    assert "1団体の回答者に、差し戻したことをメールで知らせます。" in text_of(
        staff.get(done.headers["Location"])
    )
    assert smtp.messages == [], "the page queues; the scheduler sends"
    shown = page(staff.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}"))
    notice = shown.xpath("string(//*[@id='return-reason-title']/..)")
    assert "差し戻し済み（区市町村の再提出待ち）" in notice, "staff read that it waits"
    assert REASON in notice
    assert "もう一度提出してください" not in notice, "that is the municipality's to read"
    clerk = Web(app)
    clerk.login(f"clerk-{CHIYODA}@example.jp")
    theirs = page(clerk.get(f"/respond/rounds/{round_id}/{CHIYODA}"))
    assert "東京都から差し戻されました" in theirs.xpath("string(//*[@id='return-reason-title'])")
    send_queued(app)
    [mail] = smtp.to(f"clerk-{CHIYODA}@example.jp")
    body = mail.get_content()
    assert str(mail["Subject"]).startswith("【差し戻し】")
    assert f"/respond/rounds/{round_id}/{CHIYODA}" in body
    assert "までに提出してください" in body
    assert "問3" not in body
    assert "桁" not in body
    with app.app_context():
        audited = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "response.return_mail")
        ).one()
        assert (audited.municipality_code, audited.details) == (CHIYODA, {"recipients": 1})


def test_after_the_deadline_the_mail_says_an_extension_is_needed(
    app: Flask, staff: Web, smtp: Inbox
) -> None:
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    with app.app_context():
        round_ = db.session.get_one(Round, round_id)
        round_.deadline = utcnow() - timedelta(hours=1)
        db.session.commit()
    staff.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}")
    staff.post(f"/staff/rounds/{round_id}/responses/{CHIYODA}/return", {"reason": REASON})
    send_queued(app)
    [mail] = smtp.messages
    assert "期限の延長が必要" in mail.get_content()


def test_the_return_stands_when_no_mail_can_go_and_staff_are_told(app: Flask, staff: Web) -> None:
    """No HUB_SMTP_URL (a fresh `make run`): the response is returned, and the page says that
    nobody was told, so that staff phone."""
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    staff.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}")
    done = staff.post(f"/staff/rounds/{round_id}/responses/{CHIYODA}/return", {"reason": REASON})
    shown = text_of(staff.get(done.headers["Location"]))
    assert "千代田区の回答を差し戻しました。" in shown
    assert "HUB_SMTP_URL）が設定されていないため、メールでは知らせていません" in shown
    assert "電話などで知らせてください。" in shown
    with app.app_context():
        assert response_of(round_id, CHIYODA).state == ResponseState.DRAFT


def test_many_are_returned_with_one_reason_and_each_municipality_is_told(
    app: Flask, staff: Web, smtp: Inbox
) -> None:
    """Nothing is ticked at first; of the ticked, one accepted by someone else after the list
    was shown is left and named; one without an account is returned and named as not told."""
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    submitted(app, round_id, HACHIOJI)
    submitted(app, round_id, OKUTAMA, respondent=False)
    board = page(staff.get(f"/staff/rounds/{round_id}"))
    assert board.xpath("//*[@data-return-many-link]")
    listed = page(staff.get(f"/staff/rounds/{round_id}/return"))
    form = listed.xpath("//form[@data-decide-many='return']")[0]
    assert form.xpath(".//input[@type='checkbox'][@checked]") == []
    with app.app_context():  # 八王子市 is accepted by someone else meanwhile
        responses.accept(response_of(round_id, HACHIOJI), user=None)
        db.session.commit()
    data = ticking(form, [CHIYODA, HACHIOJI, OKUTAMA])
    data["reason"] = REASON
    done = staff.client.post(f"/staff/rounds/{round_id}/return", data=data)
    assert done.status_code == 302
    shown = text_of(staff.get(done.headers["Location"]))
    assert "2件の回答を差し戻しました。" in shown
    assert "1団体の回答者に、差し戻したことをメールで知らせます。" in shown
    assert "回答者のアカウントがないため、メールで知らせていません: 奥多摩町" in shown
    send_queued(app)
    assert "変わったため差し戻していません（回答を開いて確かめてください）: 八王子市" in shown
    with app.app_context():
        states = {c: response_of(round_id, c).state for c in (CHIYODA, HACHIOJI, OKUTAMA)}
        reasons = db.session.scalars(
            select(Revision.reason).where(Revision.action == "return").order_by(Revision.id)
        ).all()
    assert states == {
        CHIYODA: ResponseState.DRAFT,
        HACHIOJI: ResponseState.ACCEPTED,
        OKUTAMA: ResponseState.DRAFT,
    }
    assert reasons == [REASON, REASON]
    assert [str(m["To"]) for m in smtp.messages] == [f"clerk-{CHIYODA}@example.jp"]
    respondent = page(staff.get(f"/staff/rounds/{round_id}/responses/{OKUTAMA}"))
    assert REASON in respondent.text_content()


def test_returning_many_without_a_choice_or_a_reason_keeps_what_was_typed(
    app: Flask, staff: Web, smtp: Inbox
) -> None:
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    submitted(app, round_id, HACHIOJI)
    form = page(staff.get(f"/staff/rounds/{round_id}/return")).xpath("//form")[-1]
    data = ticking(form, [])
    data["reason"] = REASON
    refused = staff.client.post(f"/staff/rounds/{round_id}/return", data=data)
    assert refused.status_code == 422
    doc = page(refused)
    assert doc.xpath("//*[@data-error-summary]//a[@href='#decide-first']")
    assert textarea_value(doc.xpath("//textarea[@name='reason']")[0]) == REASON
    data = ticking(form, [HACHIOJI])
    data["reason"] = "　"
    refused = staff.client.post(f"/staff/rounds/{round_id}/return", data=data)
    assert refused.status_code == 422
    doc = page(refused)
    assert "差し戻しの理由を入力してください。" in doc.xpath("string(//*[@id='reason-error'])")
    assert doc.xpath("//input[@type='checkbox'][@checked]/@value") == [HACHIOJI]
    with app.app_context():
        assert {response_of(round_id, c).state for c in (CHIYODA, HACHIOJI)} == {
            ResponseState.SUBMITTED
        }
    assert smtp.messages == []


def test_the_page_reads_in_english(app: Flask, staff: Web) -> None:
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    staff.get("/language/en")
    shown = text_of(staff.get(f"/staff/rounds/{round_id}/return"))
    assert "Return submitted responses together" in shown
    assert "差し戻" not in shown


def test_a_forged_version_of_any_length_is_left_alone_not_a_500(
    app: Flask, staff: Web, smtp: Inbox
) -> None:
    """A version of 5,000 digits (more than Python's int() reads) names the response as changed."""
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    form = page(staff.get(f"/staff/rounds/{round_id}/return")).xpath("//form")[-1]
    data = ticking(form, [CHIYODA])
    data[f"version-{CHIYODA}"] = "9" * 5000
    data["reason"] = REASON
    for path in ("return", "accept"):
        answer = staff.client.post(f"/staff/rounds/{round_id}/{path}", data=data)
        assert answer.status_code == 302, path
        assert "一覧を表示した後に変わったため" in text_of(staff.get(answer.headers["Location"]))
    with app.app_context():
        assert response_of(round_id, CHIYODA).state == ResponseState.SUBMITTED
