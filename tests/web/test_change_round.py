"""A round's deadline moved, or its title changed, after it opened: the municipalities still to
submit are told the new deadline, a closed round takes answers again, and their reminders are
sent anew for the new deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from forms.tokyo import format_datetime, in_tokyo
from hub.db import db, utcnow
from hub.errors import Invalid
from hub.models import AuditEvent, ResponseState, Round
from hub.services import responses, rounds
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.deliveries.conftest import remind
from tests.mailbox import Inbox, send_queued
from tests.web.conftest import Web, page, text_of

pytestmark = pytest.mark.usefixtures("office_clock")
"""The scheduler's own mails go only while the offices are open: a fixed office morning."""

CHIYODA, CHUO, HACHIOJI = "131016", "131024", "132012"


@pytest.fixture
def staff(web) -> Web:
    return web("staff")


@pytest.fixture
def round_id(app: Flask) -> int:
    """A round for three municipalities, each with a respondent: 千代田区 has submitted, 八王子市
    holds an extension a month past the deadline, 中央区 has not started."""
    with app.app_context():
        round_ = make_round(municipalities=[CHIYODA, CHUO, HACHIOJI])
        for code in (CHIYODA, CHUO, HACHIOJI):
            make_user(role="respondent", municipality=code, email=f"clerk-{code}@example.jp")
        responses.submit(response_of(round_.id, CHIYODA), raw_answers=complete_answers(), user=None)
        hachioji = response_of(round_.id, HACHIOJI)
        responses.grant_extension(hachioji, round_.deadline + timedelta(days=30), user=None)
        db.session.commit()
        return round_.id


def typed(when: datetime) -> str:
    return f"{in_tokyo(when):%Y-%m-%d %H:%M}"


def deadline_of(app: Flask, round_id: int) -> datetime:
    with app.app_context():
        return db.session.get_one(Round, round_id).deadline


def test_a_later_deadline_is_mailed_to_those_whose_deadline_moved(
    app: Flask, staff: Web, round_id: int, smtp: Inbox
) -> None:
    before = deadline_of(app, round_id)
    form = page(staff.get(f"/staff/rounds/{round_id}/change"))
    assert form.xpath("//input[@name='deadline']/@value") == [typed(before)]
    assert form.xpath("//input[@name='notify']/@checked")
    later = (before + timedelta(days=7)).replace(second=0, microsecond=0)
    title = form.xpath("//input[@name='title']/@value")[0]
    done = staff.post(
        f"/staff/rounds/{round_id}/change",
        {"title": title, "deadline": typed(later), "notify": "y"},
    )
    assert done.status_code == 302
    shown = text_of(staff.get(done.headers["Location"]))
    assert "調査回の設定を変更しました。" in shown
    assert "1団体の回答者に、新しい提出期限をメールで知らせます。" in shown
    assert format_datetime(later) in shown
    send_queued(app)
    [mail] = smtp.messages  # 中央区 only: 千代田区 submitted, 八王子市 keeps its later extension
    assert str(mail["To"]) == f"clerk-{CHUO}@example.jp"
    assert str(mail["Subject"]).startswith("【提出期限の変更】")
    body = mail.get_content()
    assert f"変更前: {format_datetime(before)}" in body
    assert f"変更後: {format_datetime(later)}" in body
    assert f"/respond/rounds/{round_id}/{CHUO}" in body
    with app.app_context():
        changed = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "round.change")
        ).one()
        assert changed.details == {
            "reopened": False,
            "deadline_before": before.isoformat(),
            "deadline": later.isoformat(),
        }


def test_a_closed_round_takes_answers_again_until_its_new_deadline(
    app: Flask, staff: Web, round_id: int, web
) -> None:
    with app.app_context():
        rounds.close_round(db.session.get_one(Round, round_id), user=None)
        db.session.commit()
    board = page(staff.get(f"/staff/rounds/{round_id}"))
    link = board.xpath("//*[@data-change-round-link]")[0]
    assert link.text_content() == "期限を延ばして受付を再開"
    later = utcnow() + timedelta(days=3)
    done = staff.post(
        f"/staff/rounds/{round_id}/change", {"title": "延長した調査", "deadline": typed(later)}
    )
    assert "締め切っていた調査回の受付を再開しました。" in text_of(
        staff.get(done.headers["Location"])
    )
    clerk = web("respondent", municipality=CHUO)
    form = clerk.get(f"/respond/rounds/{round_id}/{CHUO}")
    assert form.status_code == 200
    with app.app_context():
        round_ = db.session.get_one(Round, round_id)
        assert (round_.title, round_.closed_at) == ("延長した調査", None)
        responses.submit(response_of(round_id, CHUO), raw_answers=complete_answers(), user=None)
        db.session.commit()
        assert response_of(round_id, CHUO).state == ResponseState.SUBMITTED


def test_bad_values_are_refused_by_field_and_kept(
    app: Flask, staff: Web, round_id: int, smtp: Inbox
) -> None:
    before = deadline_of(app, round_id)
    refused = staff.post(
        f"/staff/rounds/{round_id}/change", {"title": "　", "deadline": "来週の金曜", "notify": "y"}
    )
    assert refused.status_code == 422
    doc = page(refused)
    assert (
        doc.xpath("string(//*[@id='title-error'])")
        .strip()
        .endswith("調査回の名称を入力してください。")
    )
    assert doc.xpath("//*[@id='deadline-error']")
    assert doc.xpath("//input[@name='deadline']/@value") == ["来週の金曜"]
    past = staff.post(
        f"/staff/rounds/{round_id}/change",
        {"title": "調査", "deadline": typed(utcnow() - timedelta(hours=1))},
    )
    assert past.status_code == 422
    assert "今すぐ締め切るときは「調査回を締め切る」を押します" in text_of(past)
    assert deadline_of(app, round_id) == before
    assert smtp.messages == []


def test_without_the_tick_nobody_is_mailed(
    app: Flask, staff: Web, round_id: int, smtp: Inbox
) -> None:
    later = deadline_of(app, round_id) + timedelta(days=7)
    done = staff.post(
        f"/staff/rounds/{round_id}/change", {"title": "調査", "deadline": typed(later)}
    )
    assert done.status_code == 302
    send_queued(app)
    assert smtp.messages == []


def test_the_scheduled_reminder_comes_again_for_the_new_deadline(
    app: Flask, round_id: int, smtp: Inbox
) -> None:
    with app.app_context():
        round_ = db.session.get_one(Round, round_id)
        old = round_.deadline
        due = remind(old - timedelta(days=1))
        assert [(r.municipality_code, r.kind) for r in due] == [(CHUO, "due_soon")]
        rounds.change_round(
            round_, title=round_.title, deadline=typed(old + timedelta(days=7)), user=None
        )
        db.session.commit()
        new = db.session.get_one(Round, round_id).deadline
        assert remind(old - timedelta(hours=1)) == []
        again = remind(new - timedelta(days=1))
        assert [(r.municipality_code, r.kind) for r in again] == [(CHUO, "due_soon")]
    assert str(smtp.messages[-1]["Subject"]).endswith(f"（締切 {format_datetime(new)}）")


def test_the_page_reads_in_english(staff: Web, round_id: int) -> None:
    staff.get("/language/en")
    shown = text_of(staff.get(f"/staff/rounds/{round_id}/change"))
    assert "Change the round's settings" in shown
    assert "提出期限" not in shown


def test_a_new_title_alone_leaves_a_closed_round_closed(
    app: Flask, staff: Web, round_id: int
) -> None:
    """Staff closed the round early, then mend a typo in its title: it stays closed."""
    with app.app_context():
        rounds.close_round(db.session.get_one(Round, round_id), user=None)
        db.session.commit()
    form = page(staff.get(f"/staff/rounds/{round_id}/change"))
    deadline = form.xpath("//input[@name='deadline']/@value")[0]
    done = staff.post(
        f"/staff/rounds/{round_id}/change", {"title": "令和8年度 調査", "deadline": deadline}
    )
    assert done.status_code == 302
    with app.app_context():
        round_ = db.session.get_one(Round, round_id)
        assert round_.title == "令和8年度 調査"
        assert round_.closed_at is not None


def test_a_finished_round_s_title_is_mended_though_its_deadline_passed(
    app: Flask, staff: Web
) -> None:
    with app.app_context():
        round_ = make_round(opens_at=utcnow() - timedelta(days=30))
        round_.deadline = utcnow() - timedelta(days=1)
        db.session.commit()
        round_id = round_.id
    form = page(staff.get(f"/staff/rounds/{round_id}/change"))
    deadline = form.xpath("//input[@name='deadline']/@value")[0]
    done = staff.post(
        f"/staff/rounds/{round_id}/change", {"title": "直した名称", "deadline": deadline}
    )
    assert done.status_code == 302


def test_a_municipality_with_an_extension_is_told_its_own_deadline_before(
    app: Flask, staff: Web, round_id: int, smtp: Inbox
) -> None:
    """八王子市's extension ran a month past the old deadline; the new one is later still."""
    before = deadline_of(app, round_id)
    later = (before + timedelta(days=40)).replace(second=0, microsecond=0)
    staff.post(
        f"/staff/rounds/{round_id}/change",
        {"title": "調査", "deadline": typed(later), "notify": "y"},
    )
    send_queued(app)
    [mail] = smtp.to(f"clerk-{HACHIOJI}@example.jp")
    body = mail.get_content()
    assert f"変更前: {format_datetime(before + timedelta(days=30))}" in body
    assert f"変更後: {format_datetime(later)}" in body
    assert len(smtp.messages) == 2  # and 中央区


def test_a_round_not_yet_open_gets_a_new_opening_time(app: Flask, staff: Web) -> None:
    """Opened for next week by mistake: staff empty the opening time and it takes answers now.
    Once open, the page offers no opening time, and the API refuses one."""
    with app.app_context():
        round_ = make_round(
            opens_at=utcnow() + timedelta(days=7), deadline=utcnow() + timedelta(days=30)
        )
        round_id = round_.id
        assert round_.state_at(utcnow()).value == "upcoming"
    form = page(staff.get(f"/staff/rounds/{round_id}/change"))
    [shown] = form.xpath("//input[@name='opens_at']/@value")
    deadline = form.xpath("//input[@name='deadline']/@value")[0]
    late = staff.post(
        f"/staff/rounds/{round_id}/change",
        {"title": "調査", "deadline": deadline, "opens_at": "2099-01-01 09:00"},
    )
    assert late.status_code == 422
    assert "提出期限は受付開始日時より後にしてください。" in text_of(late)
    done = staff.post(
        f"/staff/rounds/{round_id}/change", {"title": "調査", "deadline": deadline, "opens_at": ""}
    )
    assert done.status_code == 302
    with app.app_context():
        round_ = db.session.get_one(Round, round_id)
        assert round_.state_at(utcnow()).value == "open"
        changed = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "round.change")
        ).one()
        assert set(changed.details) == {"title", "opens_at_before", "opens_at", "reopened"}
    assert shown != typed(utcnow())
    again = page(staff.get(f"/staff/rounds/{round_id}/change"))
    assert not again.xpath("//input[@name='opens_at']")


def test_the_service_refuses_a_new_opening_time_once_open(app: Flask, round_id: int) -> None:
    with app.app_context(), pytest.raises(Invalid) as refused:
        rounds.change_round(
            db.session.get_one(Round, round_id),
            title="調査",
            deadline=None,
            opens_at="2099-01-01 09:00",
            user=None,
        )
    assert refused.value.errors == {
        "opens_at": ["受付を始めた調査回の受付開始日時は変えられません。"]
    }


def test_a_page_shown_before_the_round_opened_still_changes_it_after(
    app: Flask, staff: Web
) -> None:
    """Staff open the page while the round is still to open, and press 変更する after it opened:
    the opening time sent back as shown (or emptied: "now") is no change, and the new deadline
    is taken. A different opening time is refused on the field, which the page shows again with
    what was typed."""
    with app.app_context():
        round_ = make_round(
            opens_at=utcnow() + timedelta(days=7), deadline=utcnow() + timedelta(days=30)
        )
        round_id = round_.id
    form = page(staff.get(f"/staff/rounds/{round_id}/change"))
    [shown] = form.xpath("//input[@name='opens_at']/@value")
    with app.app_context():  # meanwhile, it opens (as the scheduler's clock would have it)
        db.session.get_one(Round, round_id).opens_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    own = page(staff.get(f"/staff/rounds/{round_id}/change")).xpath(
        "//input[@name='opens_at']/@value"
    )
    assert own == [], "once open, the page offers no opening time"
    with app.app_context():
        opened_at = in_tokyo(db.session.get_one(Round, round_id).opens_at)
    new_deadline = typed(utcnow() + timedelta(days=40))
    for sent_back in (f"{opened_at:%Y-%m-%d %H:%M}", ""):
        done = staff.post(
            f"/staff/rounds/{round_id}/change",
            {"title": "調査", "deadline": new_deadline, "opens_at": sent_back},
        )
        assert done.status_code == 302, sent_back
    assert typed(deadline_of(app, round_id)) == new_deadline

    refused = staff.post(
        f"/staff/rounds/{round_id}/change",
        {"title": "調査", "deadline": new_deadline, "opens_at": shown},
    )
    assert refused.status_code == 422
    shown_again = page(refused)
    assert shown_again.xpath("//input[@name='opens_at']/@value") == [shown]
    assert "受付を始めた調査回の受付開始日時は変えられません。" in text_of(refused)
    link = shown_again.xpath("//*[@data-error-summary]//a/@href")
    assert link == ["#opens_at"]
    assert shown_again.xpath("//*[@id='opens_at']")
