"""A round opened by mistake is taken back before anyone answered it; after, it can only be
closed."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from hub.db import db
from hub.models import AuditEvent, ReminderSent, Response, Round
from hub.services import deliveries, responses
from tests.conftest import make_round, response_of
from tests.web.conftest import Web, page, text_of

CHIYODA = "131016"


@pytest.fixture
def staff(web) -> Web:
    return web("staff")


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_round_nobody_answered_is_taken_back_and_audited(app: Flask, staff: Web) -> None:
    with app.app_context():
        round_ = make_round()
        round_id, title = round_.id, round_.title
        db.session.add(ReminderSent(round_id=round_id, municipality_code=CHIYODA, kind="due_soon"))
        db.session.commit()
    board = page(staff.get(f"/staff/rounds/{round_id}"))
    assert board.xpath("//*[@data-remove-round-link]")
    confirm = page(staff.get(f"/staff/rounds/{round_id}/remove"))
    assert confirm.xpath("//form[@data-remove-round]")
    done = staff.post(f"/staff/rounds/{round_id}/remove", {})
    assert done.status_code == 302
    assert f"調査回「{title}」を取り消しました。" in text_of(staff.get(done.headers["Location"]))
    assert staff.get(f"/staff/rounds/{round_id}").status_code == 404
    with app.app_context():
        assert (count(Round), count(Response), count(ReminderSent)) == (0, 0, 0)
        removed = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "round.remove")
        ).one()
        assert removed.details["title"] == title
        assert removed.details["municipalities"] == 62
    row = page(staff.get("/audit/?action=round.remove")).xpath("//tr[@data-audit-event]")[0]
    shown = " ".join(row.text_content().split())
    assert "調査回の取り消し" in shown
    assert f"取り消された調査回（番号 {round_id}）" in shown
    assert f"名称: {title}" in shown


def test_the_round_opened_again_gets_a_number_of_its_own(app: Flask, staff: Web) -> None:
    """The round opened to replace one taken back never takes its number (SQLite gave the
    highest number again): the audit log, the links in mails and a downloaded template name
    one round each."""
    with app.app_context():
        mistaken = make_round().id
    assert staff.post(f"/staff/rounds/{mistaken}/remove", {}).status_code == 302
    with app.app_context():
        again = make_round().id
    assert again > mistaken
    assert staff.get(f"/staff/rounds/{mistaken}").status_code == 404
    row = page(staff.get("/audit/?action=round.remove")).xpath("//tr[@data-audit-event]")[0]
    assert f"取り消された調査回（番号 {mistaken}）" in " ".join(row.text_content().split())


def test_once_anyone_saved_it_can_only_be_closed(app: Flask, staff: Web) -> None:
    with app.app_context():
        round_id = make_round().id
        responses.save_draft(
            response_of(round_id, CHIYODA),
            raw_answers={"contact_name": "山田"},
            version=0,
            user=None,
        )
        db.session.commit()
    board = page(staff.get(f"/staff/rounds/{round_id}"))
    assert not board.xpath("//*[@data-remove-round-link]")
    shown = page(staff.get(f"/staff/rounds/{round_id}/remove"))
    assert "1団体が既に回答を保存・提出しています。" in shown.xpath(
        "string(//*[@data-not-removable])"
    )
    assert not shown.xpath("//form[@data-remove-round]")
    refused = staff.post(f"/staff/rounds/{round_id}/remove", {})
    assert refused.status_code == 409
    with app.app_context():
        assert count(Round) == 1


def test_once_its_tables_were_sent_it_stays(app: Flask, staff: Web) -> None:
    with app.app_context():
        round_id = make_round().id
        deliveries.request_delivery("moj", round_id, user=None)  # staff's 「今すぐ送信」
        db.session.commit()
    refused = staff.post(f"/staff/rounds/{round_id}/remove", {})
    assert refused.status_code == 409
    assert "既に送信" in text_of(refused)


def test_the_page_reads_in_english(app: Flask, staff: Web) -> None:
    with app.app_context():
        round_id = make_round().id
    staff.get("/language/en")
    shown = text_of(staff.get(f"/staff/rounds/{round_id}/remove"))
    assert "Take back this round" in shown
    assert "取り消" not in shown
