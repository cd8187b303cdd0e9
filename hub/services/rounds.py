"""Opening and closing rounds (調査回), with every municipality asked and last answers pre-filled."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select

from forms import registry
from forms.model import Questionnaire
from forms.normalize import clean_text, to_wareki
from hub.db import db, utcnow
from hub.errors import Conflict, Invalid, NotFound
from hub.models import (
    Municipality,
    Response,
    ResponseChoice,
    ResponseState,
    Round,
    Survey,
    User,
)
from hub.services import audit
from hub.services.responses import choice_rows


def survey_for(key: str) -> Survey:
    """The newest loaded version of a built-in questionnaire."""
    try:
        questionnaire = registry.latest(key)
    except LookupError:
        raise NotFound(
            f"調査票 {key} はありません（使える調査票: {', '.join(registry.ids())}）。"
        ) from None
    survey = db.session.scalar(
        select(Survey).filter_by(key=questionnaire.id, version=questionnaire.version)
    )
    if survey is None:
        raise NotFound(f"調査票 {key} が読み込まれていません（hub init を実行してください）。")
    return survey


def open_round(
    survey_key: str,
    *,
    reference_date: date,
    deadline: datetime,
    opens_at: datetime | None = None,
    title: str = "",
    municipality_codes: list[str] | None = None,
    user: User | None = None,
) -> Round:
    """Open a round for the given municipalities (all active ones by default)."""
    survey = survey_for(survey_key)
    opens_at = opens_at or utcnow()
    if deadline <= opens_at:
        raise Invalid({"deadline": ["締切は開始日時より後にしてください。"]})
    municipalities = _municipalities(municipality_codes)
    round_ = Round(
        survey_id=survey.id,
        survey=survey,
        title=clean_text(title) or f"{survey.title}（{to_wareki(reference_date)}現在）",
        reference_date=reference_date,
        opens_at=opens_at,
        deadline=deadline,
        created_by_id=user.id if user else None,
    )
    db.session.add(round_)
    db.session.flush()
    previous = _previous_accepted(round_)
    questionnaire = survey.questionnaire
    responses = [
        _new_response(round_, code, previous.get(code), questionnaire) for code in municipalities
    ]
    db.session.add_all(responses)
    db.session.flush()
    rows = [row for response in responses if response.answers for row in choice_rows(response)]
    if rows:
        db.session.execute(insert(ResponseChoice), rows)
    audit.record(
        "round.open",
        user=user,
        target=f"round/{round_.id}",
        survey=survey.key,
        reference_date=reference_date.isoformat(),
        deadline=deadline.isoformat(),
        municipalities=len(responses),
        prefilled=sum(1 for r in responses if r.prefilled_from_id),
    )
    return round_


def _municipalities(codes: list[str] | None) -> list[str]:
    active = list(
        db.session.scalars(
            select(Municipality.code)
            .where(Municipality.active.is_(True))
            .order_by(Municipality.code)
        )
    )
    if codes is None:
        if not active:
            raise Conflict("自治体が登録されていません（hub init を実行してください）。")
        return active
    unknown = sorted(set(codes) - set(active))
    if unknown:
        raise Invalid({"municipalities": [f"登録されていない自治体コード: {', '.join(unknown)}"]})
    return sorted(set(codes))


def _previous_accepted(round_: Round) -> dict[str, Response]:
    """Each municipality's latest accepted response in an earlier round of the same questionnaire.

    "Earlier" is by reference date; a municipality that skipped the last round still gets its
    answers from the round before.
    """
    rows = db.session.scalars(
        select(Response)
        .join(Round, Round.id == Response.round_id)
        .join(Survey, Survey.id == Round.survey_id)
        .where(
            Survey.key == round_.survey.key,
            Round.id != round_.id,
            Round.reference_date < round_.reference_date,
            Response.state == ResponseState.ACCEPTED,
        )
        .order_by(Round.reference_date.desc(), Round.id.desc())
    )
    latest: dict[str, Response] = {}
    for response in rows:
        latest.setdefault(response.municipality_code, response)
    return latest


def _new_response(
    round_: Round, code: str, previous: Response | None, questionnaire: Questionnaire
) -> Response:
    answers: dict[str, Any] = {}
    if previous is not None:
        known = {q.id for q in questionnaire}
        answers = {k: v for k, v in previous.answers.items() if k in known}
    return Response(
        round=round_,
        round_id=round_.id,
        municipality_code=code,
        state=ResponseState.NOT_STARTED,
        version=0,
        answers=answers,
        prefilled_from_id=previous.id if previous is not None else None,
    )


def close_round(round_: Round, *, user: User | None) -> Round:
    if round_.closed_at is not None:
        raise Conflict("この調査回は既に締め切られています。")
    round_.closed_at = utcnow()
    audit.record("round.close", user=user, target=f"round/{round_.id}")
    db.session.flush()
    return round_


def list_rounds() -> list[Round]:
    return list(
        db.session.scalars(select(Round).order_by(Round.reference_date.desc(), Round.id.desc()))
    )
