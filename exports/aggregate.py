"""Counts for one round, straight from SQL GROUP BYs over the choice index.

Everything downstream (the summary API, the workbook, CSV and JSON exports, scheduled deliveries)
reads these counts; nothing counts responses in Python loops.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, select

from forms.model import Kind, Questionnaire
from hub.db import db
from hub.models import (
    COUNTED,
    Municipality,
    Response,
    ResponseChoice,
    ResponseState,
    Round,
    Survey,
    User,
    ordered_regions,
)
from hub.models.user import person_label


@dataclass(frozen=True)
class RoundCounts:
    round: Round
    regions: tuple[str, ...]
    asked_by_region: dict[str, int]
    responded_by_region: dict[str, int]
    choices: dict[str, dict[str, int]]
    """``{question_id: {code: n}}`` over submitted and accepted responses, every code present."""
    choices_by_region: dict[str, dict[str, dict[str, int]]]
    """``{question_id: {region: {code: n}}}``."""
    listed: dict[str, list[str]]
    """Names of the municipalities that chose the headline's listed choice, by region."""

    @property
    def questionnaire(self) -> Questionnaire:
        return self.round.questionnaire

    @property
    def asked(self) -> int:
        return sum(self.asked_by_region.values())

    @property
    def responded(self) -> int:
        return sum(self.responded_by_region.values())


def round_counts(round_: Round) -> RoundCounts:
    questionnaire = round_.questionnaire
    counted = Response.state.in_([str(s) for s in COUNTED])
    base = (
        select(Municipality.region, func.count(), func.sum(case((counted, 1), else_=0)))
        .join(Response, Response.municipality_code == Municipality.code)
        .where(Response.round_id == round_.id)
        .group_by(Municipality.region)
    )
    asked: dict[str, int] = {}
    responded: dict[str, int] = {}
    for region, n_asked, n_responded in db.session.execute(base):
        asked[region] = int(n_asked)
        responded[region] = int(n_responded or 0)
    regions = ordered_regions(set(asked))

    by_region: dict[str, dict[str, dict[str, int]]] = {
        q.id: {r: dict.fromkeys(q.codes, 0) for r in regions}
        for q in questionnaire.choice_questions
    }
    choice_counts = (
        select(ResponseChoice.question_id, Municipality.region, ResponseChoice.code, func.count())
        .join(Response, Response.id == ResponseChoice.response_id)
        .join(Municipality, Municipality.code == Response.municipality_code)
        .where(Response.round_id == round_.id, counted)
        .group_by(ResponseChoice.question_id, Municipality.region, ResponseChoice.code)
    )
    for question_id, region, code, n in db.session.execute(choice_counts):
        table = by_region.get(question_id, {}).get(region)
        if table is not None and code in table:
            table[code] = int(n)
    totals = {
        qid: {code: sum(per_region[r][code] for r in regions) for code in _codes(per_region)}
        for qid, per_region in by_region.items()
    }
    return RoundCounts(
        round=round_,
        regions=regions,
        asked_by_region=asked,
        responded_by_region=responded,
        choices=totals,
        choices_by_region=by_region,
        listed=_listed(round_, questionnaire, regions),
    )


def _codes(per_region: dict[str, dict[str, int]]) -> list[str]:
    first = next(iter(per_region.values()), {})
    return list(first)


def _listed(
    round_: Round, questionnaire: Questionnaire, regions: tuple[str, ...]
) -> dict[str, list[str]]:
    listed: dict[str, list[str]] = defaultdict(list)
    if questionnaire.headline:
        rows = db.session.execute(
            select(Municipality.region, Municipality.name)
            .join(Response, Response.municipality_code == Municipality.code)
            .join(ResponseChoice, ResponseChoice.response_id == Response.id)
            .where(
                Response.round_id == round_.id,
                Response.state.in_([str(s) for s in COUNTED]),
                ResponseChoice.question_id == questionnaire.headline,
                ResponseChoice.code == questionnaire.listed_choice,
            )
            .order_by(Municipality.code)
        )
        for region, name in rows:
            listed[region].append(name)
    return {r: listed.get(r, []) for r in regions}


def summary(counts: RoundCounts) -> dict[str, Any]:
    """The JSON summary of docs/api.md: headline table, by region, listed names, every choice."""
    q = counts.questionnaire
    result: dict[str, Any] = {
        "round": counts.round.id,
        "survey": q.id,
        "reference_date": counts.round.reference_date.isoformat(),
        "municipalities": counts.asked,
        "responded": counts.responded,
        "municipalities_by_region": counts.asked_by_region,
        "responded_by_region": counts.responded_by_region,
    }
    if q.headline:
        result[q.headline] = counts.choices[q.headline]
        result[f"{q.headline}_by_region"] = counts.choices_by_region[q.headline]
        result[f"{q.listed_choice}_municipalities"] = counts.listed
    for question in q.choice_questions:
        result.setdefault(question.id, counts.choices[question.id])
    return result


# --- per-municipality rows and the other counts the workbook shows ----------------------------


@dataclass(frozen=True)
class AnswerRow:
    """One municipality of the round; ``answers`` only when its response is counted."""

    code: str
    name: str
    region: str
    state: str
    answers: dict[str, Any] | None


def answer_rows(round_: Round) -> list[AnswerRow]:
    """Every municipality asked in the round, by code, with the answers that the counts use."""
    rows = db.session.execute(
        select(
            Municipality.code,
            Municipality.name,
            Municipality.region,
            Response.state,
            Response.answers,
        )
        .join(Response, Response.municipality_code == Municipality.code)
        .where(Response.round_id == round_.id)
        .order_by(Municipality.code)
        .execution_options(yield_per=500)
    )
    counted = {str(s) for s in COUNTED}
    return [
        AnswerRow(code, name, region, state, answers if state in counted else None)
        for code, name, region, state, answers in rows
    ]


@dataclass(frozen=True)
class SubmissionRow:
    code: str
    name: str
    region: str
    state: str
    version: int
    submitted_at: datetime | None
    accepted_at: datetime | None
    updated_at: datetime | None
    updated_by: str | None
    """The last editor's display name or e-mail address: personal data."""
    on_behalf: bool
    extension_until: datetime | None
    return_reason: str | None


def submission_rows(round_: Round) -> list[SubmissionRow]:
    """Every municipality's state in the round, with who touched it last, by code."""
    rows = db.session.execute(
        select(
            Municipality.code,
            Municipality.name,
            Municipality.region,
            Response.state,
            Response.version,
            Response.submitted_at,
            Response.accepted_at,
            Response.updated_at,
            User.display_name,
            User.organisation,
            User.email,
            Response.updated_on_behalf,
            Response.extension_until,
            Response.return_reason,
        )
        .join(Response, Response.municipality_code == Municipality.code)
        .outerjoin(User, User.id == Response.updated_by_id)
        .where(Response.round_id == round_.id)
        .order_by(Municipality.code)
    )
    return [
        SubmissionRow(
            code=code,
            name=name,
            region=region,
            state=state,
            version=version,
            submitted_at=submitted_at,
            accepted_at=accepted_at,
            updated_at=updated_at,
            updated_by=person_label(display_name, organisation, email) if email else None,
            on_behalf=bool(on_behalf),
            extension_until=extension_until,
            return_reason=return_reason,
        )
        for (
            code,
            name,
            region,
            state,
            version,
            submitted_at,
            accepted_at,
            updated_at,
            display_name,
            organisation,
            email,
            on_behalf,
            extension_until,
            return_reason,
        ) in rows
    ]


def state_counts(round_: Round) -> dict[str, int]:
    """``{state: n}`` for every response state, in the life-cycle order."""
    counts = dict.fromkeys((str(s) for s in ResponseState), 0)
    rows = db.session.execute(
        select(Response.state, func.count())
        .where(Response.round_id == round_.id)
        .group_by(Response.state)
    )
    for state, n in rows:
        counts[state] = int(n)
    return counts


@dataclass(frozen=True)
class NumberTotal:
    answered: int
    total: int


def number_totals(round_: Round) -> dict[str, NumberTotal]:
    """For each integer question: how many counted responses gave a number, and their sum."""
    questions = [q for q in round_.questionnaire.questions if q.kind == Kind.INTEGER]
    if not questions:
        return {}
    columns = []
    for q in questions:
        value = Response.answers[q.id].as_integer()
        columns += [func.count(value), func.sum(value)]
    row = db.session.execute(
        select(*columns).where(
            Response.round_id == round_.id, Response.state.in_([str(s) for s in COUNTED])
        )
    ).one()
    return {
        q.id: NumberTotal(int(row[2 * i] or 0), int(row[2 * i + 1] or 0))
        for i, q in enumerate(questions)
    }


@dataclass(frozen=True)
class HeadlineOfRound:
    round: Round
    asked: int
    responded: int
    counts: dict[str, int]


def headline_history(round_: Round) -> list[HeadlineOfRound]:
    """The headline counts of the earlier rounds of the same questionnaire and of this one.

    Earlier means an earlier 基準日; oldest first, this round last. Empty when the questionnaire
    has no headline question.
    """
    questionnaire = round_.questionnaire
    if not questionnaire.headline:
        return []
    rounds = list(
        db.session.scalars(
            select(Round)
            .join(Survey, Survey.id == Round.survey_id)
            .where(
                Survey.key == round_.survey.key,
                or_(Round.reference_date < round_.reference_date, Round.id == round_.id),
            )
            .order_by(Round.reference_date, Round.id)
        )
    )
    ids = [r.id for r in rounds]
    counted = Response.state.in_([str(s) for s in COUNTED])
    sizes = {
        round_id: (int(asked), int(responded or 0))
        for round_id, asked, responded in db.session.execute(
            select(Response.round_id, func.count(), func.sum(case((counted, 1), else_=0)))
            .where(Response.round_id.in_(ids))
            .group_by(Response.round_id)
        )
    }
    codes = questionnaire.question(questionnaire.headline).codes
    counts: dict[int, dict[str, int]] = {i: dict.fromkeys(codes, 0) for i in ids}
    for round_id, code, n in db.session.execute(
        select(Response.round_id, ResponseChoice.code, func.count())
        .join(ResponseChoice, ResponseChoice.response_id == Response.id)
        .where(
            Response.round_id.in_(ids),
            counted,
            ResponseChoice.question_id == questionnaire.headline,
        )
        .group_by(Response.round_id, ResponseChoice.code)
    ):
        if code in counts[round_id]:
            counts[round_id][code] = int(n)
    return [HeadlineOfRound(r, *sizes.get(r.id, (0, 0)), counts[r.id]) for r in rounds]
