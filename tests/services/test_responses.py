"""Services of the response life cycle, called directly: invariants the API relies on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from hub.db import db, utcnow
from hub.errors import Conflict, Invalid, NotFound
from hub.models import Municipality, Response, ResponseChoice, ResponseState, RoundState
from hub.services import responses, rounds
from tests.conftest import complete_answers, make_round, make_user

CHIYODA = "131016"


def choice_rows(response: Response) -> set[tuple[str, str]]:
    rows = db.session.execute(
        select(ResponseChoice.question_id, ResponseChoice.code).where(
            ResponseChoice.response_id == response.id
        )
    )
    return {(q, c) for q, c in rows}


def test_choice_index_mirrors_the_answers(ctx: Flask) -> None:
    response = responses.get_response(make_round().id, CHIYODA)
    responses.save_draft(
        response,
        {"plan_status": "council_review", "programs": ["shamei_campaign", "other"]},
        version=0,
        user=None,
    )
    assert choice_rows(response) == {
        ("plan_status", "council_review"),
        ("programs", "shamei_campaign"),
        ("programs", "other"),
    }
    responses.save_draft(response, {"requests": ["training"]}, version=1, user=None)
    assert choice_rows(response) == {("requests", "training")}
    db.session.commit()


def test_open_round_for_chosen_municipalities(ctx: Flask) -> None:
    round_ = make_round(municipalities=[CHIYODA, "133035", CHIYODA])
    codes = db.session.scalars(
        select(Response.municipality_code).where(Response.round_id == round_.id)
    ).all()
    assert sorted(codes) == [CHIYODA, "133035"]


def test_open_round_refuses_unknown_codes_and_backwards_deadlines(ctx: Flask) -> None:
    with pytest.raises(Invalid) as unknown:
        make_round(municipalities=[CHIYODA, "999999"])
    assert "999999" in unknown.value.errors["municipalities"][0]
    db.session.rollback()
    now = utcnow()
    with pytest.raises(Invalid) as backwards:
        make_round(opens_at=now, deadline=now - timedelta(minutes=1))
    assert "deadline" in backwards.value.errors
    db.session.rollback()
    with pytest.raises(NotFound):
        rounds.open_round("nope", reference_date=date(2021, 4, 1), deadline=now)


def test_inactive_municipalities_are_not_asked(ctx: Flask) -> None:
    db.session.execute(
        update(Municipality).where(Municipality.code == "134210").values(active=False)
    )
    db.session.commit()
    round_ = make_round()
    with pytest.raises(NotFound):
        responses.get_response(round_.id, "134210")


def test_close_round_once(ctx: Flask) -> None:
    round_ = make_round()
    rounds.close_round(round_, user=None)
    assert round_.state_at(utcnow()) == RoundState.CLOSED
    with pytest.raises(Conflict):
        rounds.close_round(round_, user=None)
    db.session.rollback()


def test_return_reason_length_is_bounded(ctx: Flask) -> None:
    response = responses.get_response(make_round().id, CHIYODA)
    responses.submit(response, user=None, raw_answers=complete_answers())
    with pytest.raises(Invalid):
        responses.return_response(response, "あ" * 2001, user=None)
    responses.return_response(response, "あ" * 2000, user=None)
    assert response.state == ResponseState.DRAFT
    db.session.commit()


def test_prefill_drops_answers_to_retired_questions(ctx: Flask) -> None:
    first = make_round(reference_date=date(2020, 4, 1))
    staff = make_user(role="staff")
    response = responses.get_response(first.id, CHIYODA)
    responses.submit(response, user=staff, raw_answers=complete_answers())
    responses.accept(response, user=staff)
    response.answers = {**response.answers, "retired_question": "old"}
    db.session.commit()
    second = make_round(reference_date=date(2021, 4, 1))
    prefilled = responses.get_response(second.id, CHIYODA)
    assert "retired_question" not in prefilled.answers
    assert prefilled.answers["plan_status"] == "no_plan"
    assert prefilled.prefilled_from_id == response.id
    assert choice_rows(prefilled) >= {("plan_status", "no_plan")}


def test_previous_round_is_by_reference_date_not_by_opening_order(ctx: Flask) -> None:
    newer = make_round(reference_date=date(2021, 4, 1))
    staff = make_user(role="staff")
    response = responses.get_response(newer.id, CHIYODA)
    responses.submit(response, user=staff, raw_answers=complete_answers())
    responses.accept(response, user=staff)
    db.session.commit()
    late_older = make_round(reference_date=date(2020, 4, 1))
    assert responses.get_response(late_older.id, CHIYODA).answers == {}


# -------------------------------------------------------------- a stateful property

ACTIONS = st.lists(
    st.sampled_from(["save", "save_stale", "submit", "return", "accept", "bad_save"]),
    min_size=1,
    max_size=7,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=ACTIONS)
def test_any_sequence_of_actions_keeps_the_history_consistent(
    ctx: Flask, actions: list[str]
) -> None:
    """Whatever happens, version == number of revisions and the state follows §5's arrows."""
    round_ = make_round(municipalities=[CHIYODA])
    response = responses.get_response(round_.id, CHIYODA)
    allowed = {
        "save": {ResponseState.NOT_STARTED, ResponseState.DRAFT},
        "submit": {ResponseState.NOT_STARTED, ResponseState.DRAFT},
        "return": {ResponseState.SUBMITTED},
        "accept": {ResponseState.SUBMITTED},
    }
    for action in actions:
        before = (response.state, response.version, dict(response.answers))
        try:
            if action == "save":
                responses.save_draft(
                    response, complete_answers(), version=response.version, user=None
                )
            elif action == "save_stale":
                responses.save_draft(response, {}, version=response.version + 1, user=None)
            elif action == "bad_save":
                responses.save_draft(
                    response, {"plan_status": "?"}, version=response.version, user=None
                )
            elif action == "submit":
                responses.submit(response, user=None, raw_answers=complete_answers())
            elif action == "return":
                responses.return_response(response, "理由", user=None)
            else:
                responses.accept(response, user=None)
            db.session.commit()
            assert before[0] in allowed[action]
        except (Conflict, Invalid):
            db.session.rollback()
            assert (response.state, response.version, response.answers) == before
            assert action in ("save_stale", "bad_save") or before[0] not in allowed[action]
        history = responses.revisions(response)
        assert [r.number for r in history] == list(range(1, response.version + 1))
        assert response.state == (history[-1].state if history else ResponseState.NOT_STARTED)
    db.session.rollback()


def test_the_services_errors_speak_the_pages_language(app) -> None:
    """Messages from the services go through gettext: the English UI gets them in English."""
    from hub.errors import NotFound
    from hub.services.responses import get_round
    from hub.services.users import password_problems

    with app.test_request_context("/?lang=en"):
        with pytest.raises(NotFound, match="There is no round 999"):
            get_round(999)
        assert "Use a password of at least 12 characters." in password_problems("short")
    with app.test_request_context("/"), pytest.raises(NotFound, match="調査回 999 はありません"):
        get_round(999)
