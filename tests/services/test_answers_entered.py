"""最終入力者 kept on the response row (``answers_entered_at``, ``_by_id``, ``_on_behalf``): every
path that writes answers moves it only when it changes an answer — or writes them first —, and
what the row says is what the revisions say (the rule migration 0021 filled it by, checked here
after every step against the revisions themselves)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from hub.db import db
from hub.models import Response, Revision, User
from hub.models.survey import ANSWERING
from hub.services import excel, responses
from hub.services.response_records import read_record
from tests.conftest import complete_answers, make_round, make_user

CHIYODA = "131016"
HACHIOJI = "132012"

Entered = tuple[datetime, int | None, bool]


def on_the_row(response_id: int) -> Entered | None:
    """What the row says: when, by whom (user id), on the municipality's behalf."""
    at, by, on_behalf = db.session.execute(
        select(
            Response.answers_entered_at,
            Response.answers_entered_by_id,
            Response.answers_entered_on_behalf,
        ).where(Response.id == response_id)
    ).one()
    if at is None:
        assert (by, on_behalf) == (None, False)
        return None
    return at, by, on_behalf


def by_the_revisions(response_id: int) -> Entered | None:
    """The rule, read from the revisions: the last save or submit that changed an answer; while
    none did, the first save or submit."""
    written = db.session.scalars(
        select(Revision)
        .where(Revision.response_id == response_id, Revision.action.in_(ANSWERING))
        .order_by(Revision.number)
    ).all()
    changed = [r for r in written if r.changes]
    chosen = changed[-1] if changed else written[0] if written else None
    return None if chosen is None else (chosen.created_at, chosen.user_id, chosen.on_behalf)


def entered(response_id: int) -> Entered | None:
    """The row's, once it is checked against the revisions."""
    row = on_the_row(response_id)
    assert row == by_the_revisions(response_id)
    return row


def last_revision(response_id: int) -> Revision:
    found = db.session.scalars(
        select(Revision).where(Revision.response_id == response_id).order_by(Revision.number.desc())
    ).first()
    assert found is not None
    return found


def fresh(round_id: int, code: str) -> Response:
    db.session.expire_all()
    return responses.get_response(round_id, code)


def by(user: User, response_id: int, *, on_behalf: bool = False) -> Entered:
    """Entered by ``user`` in the response's latest revision."""
    return last_revision(response_id).created_at, user.id, on_behalf


def test_a_page_s_save_and_submit_move_it_only_when_they_change_an_answer(ctx: Flask) -> None:
    """The pages' path (a :class:`Response`): the respondent's form, staff's 代理入力, and
    accepting, returning and taking an acceptance back, which write no answers."""
    round_id = make_round().id
    clerk = make_user(role="respondent", municipality=CHIYODA)
    staff = make_user(role="staff")
    response = responses.get_response(round_id, CHIYODA)
    assert entered(response.id) is None

    responses.save_draft(response, complete_answers(), version=0, user=clerk)
    mine = by(clerk, response.id)
    assert entered(response.id) == mine
    assert response.answers_entered is not None
    assert (response.answers_entered.at, response.answers_entered.by) == (mine[0], clerk.label)

    # saved again as it stands, then submitted by 都 on its behalf without a change
    responses.save_draft(response, complete_answers(), version=1, user=clerk)
    responses.submit(response, user=staff)
    assert entered(response.id) == mine
    responses.return_response(response, "確認のため", user=staff)
    responses.submit(response, user=clerk)
    responses.accept(response, user=staff)
    responses.unaccept(response, user=staff)
    responses.return_response(response, "直します", user=staff)
    assert entered(response.id) == mine
    assert fresh(round_id, CHIYODA).answers_entered == response.answers_entered

    # 代理入力 that changes one answer: 都 staff entered them now
    response = fresh(round_id, CHIYODA)
    responses.save_draft(
        response, complete_answers(comments="都が補記"), version=response.version, user=staff
    )
    theirs = by(staff, response.id, on_behalf=True)
    assert entered(response.id) == theirs
    assert response.answers_entered is not None
    assert (response.answers_entered.by, response.answers_entered.on_behalf) == (staff.label, True)
    assert fresh(round_id, CHIYODA).answers_entered == response.answers_entered
    db.session.commit()


def test_the_api_s_record_moves_it_only_when_it_changes_an_answer(ctx: Flask) -> None:
    """The burst's path (a :class:`ResponseRecord`, written in one statement on PostgreSQL): the
    record it answers with says what the next read of the row says."""
    round_id = make_round().id
    clerk = make_user(role="respondent", municipality=CHIYODA)
    staff = make_user(role="staff")

    def step(user: User, answers: dict[str, Any] | None, *, submit: bool = False) -> Any:
        record = responses.record_for(round_id, CHIYODA, user)
        if submit:
            responses.submit(record, user=user, raw_answers=answers, version=record.version)
        else:
            assert answers is not None
            responses.save_draft(record, answers, version=record.version, user=user)
        again = read_record(round_id, CHIYODA)
        assert again is not None
        assert record.answers_entered == again.answers_entered
        return record

    record = step(clerk, complete_answers())
    mine = by(clerk, record.id)
    assert entered(record.id) == mine
    assert record.answers_entered is not None
    assert (record.answers_entered.by, record.answers_entered.on_behalf) == (clerk.label, False)

    step(clerk, complete_answers())
    step(staff, None, submit=True)  # 都 submits it as it stands
    assert entered(record.id) == mine
    assert last_revision(record.id).on_behalf, "the submit itself was on the municipality's behalf"

    responses.return_response(fresh(round_id, CHIYODA), "確認のため", user=staff)
    record = step(staff, complete_answers(comments="都が補記"), submit=True)
    assert entered(record.id) == by(staff, record.id, on_behalf=True)
    db.session.commit()


def test_an_excel_upload_moves_it_only_when_it_changes_an_answer(ctx: Flask) -> None:
    round_id = make_round().id
    clerk = make_user(role="respondent", municipality=CHIYODA)
    staff = make_user(role="staff")
    response = responses.get_response(round_id, CHIYODA)

    excel.save_upload(response, complete_answers(), version=0, user=clerk, cells={})
    mine = by(clerk, response.id)
    assert last_revision(response.id).source == "excel"
    assert entered(response.id) == mine

    # the same file again, by 都: nothing written, nothing moved
    excel.save_upload(response, complete_answers(), version=1, user=staff, cells={})
    assert response.version == 1
    assert entered(response.id) == mine

    excel.save_upload(
        response, complete_answers(comments="Ｅｘｃｅｌから"), version=1, user=staff, cells={}
    )
    assert entered(response.id) == by(staff, response.id, on_behalf=True)
    db.session.commit()


def test_carried_answers_are_entered_by_the_first_who_writes_them(ctx: Flask) -> None:
    """A round's response starts with the answers last accepted from the municipality: no one
    entered them in this round until someone writes them; the first write counts while no
    write changes them, the first change after it."""
    clerk = make_user(role="respondent", municipality=CHIYODA)
    staff = make_user(role="staff")
    earlier = make_round()
    response = responses.get_response(earlier.id, CHIYODA)
    responses.submit(response, user=clerk, raw_answers=complete_answers(comments="前年度"))
    responses.accept(response, user=staff)
    db.session.commit()

    later = make_round(reference_date=earlier.reference_date.replace(year=2022))
    carried = responses.get_response(later.id, CHIYODA)
    assert carried.prefilled_from_id == response.id
    assert carried.answers.get("comments") == "前年度"
    assert entered(carried.id) is None

    responses.submit(carried, user=staff)  # 都 submits the carried answers as they are
    first = by(staff, carried.id, on_behalf=True)
    assert entered(carried.id) == first
    responses.return_response(carried, "確認のため", user=staff)
    responses.submit(carried, user=clerk)
    assert entered(carried.id) == first

    responses.return_response(carried, "今年度の内容に", user=staff)
    responses.save_draft(
        carried, complete_answers(comments="今年度"), version=carried.version, user=clerk
    )
    assert entered(carried.id) == by(clerk, carried.id)
    db.session.commit()


def test_deciding_many_at_once_leaves_it(ctx: Flask) -> None:
    """まとめて受理 and まとめて差し戻し write no answers."""
    round_ = make_round()
    staff = make_user(role="staff")
    seen, before = {}, {}
    for code in (CHIYODA, HACHIOJI):
        clerk = make_user(role="respondent", municipality=code)
        response = responses.get_response(round_.id, code)
        responses.submit(response, user=clerk, raw_answers=complete_answers())
        seen[code], before[code] = response.version, entered(response.id)
    assert responses.accept_many(round_, {CHIYODA: seen[CHIYODA]}, user=staff).done
    assert responses.return_many(round_, {HACHIOJI: seen[HACHIOJI]}, "全体", user=staff).done
    for code in (CHIYODA, HACHIOJI):
        response_id = responses.get_response(round_.id, code).id
        assert last_revision(response_id).user_id == staff.id
        assert entered(response_id) == before[code]
    db.session.commit()
