"""Counts for one round, straight from SQL GROUP BYs over the choice index.

Everything downstream (the summary API, the workbook, CSV and JSON exports, scheduled deliveries)
reads these counts; choices are counted by SQL, never in Python loops. Number questions' values
are read by one query and summarized (n, sum, min, median, max) here. All of it is generic over
the questionnaire: nothing here knows a question's name.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased

from forms.lineage import Lineage
from forms.model import BY_REGION, LISTED, NUMBER_KINDS, Kind, Question, Questionnaire
from hub.db import db
from hub.models import (
    COUNTED,
    Municipality,
    Response,
    ResponseChoice,
    Round,
    SummaryNote,
    Survey,
    User,
    ordered_regions,
)
from hub.models.survey import SHOWN_STATES, shown_state
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
    numbers: dict[str, NumberStats]
    """``{question_id: stats}`` for every integer and decimal question."""
    notes: dict[str, dict[str, str]]
    """The 備考 staff wrote for rows of the summary tables: ``{question_id: {code: text}}``."""

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
        numbers=number_stats(round_),
        notes=summary_notes(round_),
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
    """The JSON summary of docs/api.md, for any questionnaire: the fixed keys, the headline's
    listed municipalities, each choice question ``{code: n}`` (a one-of also
    ``<name>_by_region``), each number question ``{n, sum, min, median, max}`` and ``notes``.

    Question names cannot clash with the fixed keys: :func:`forms.model.summary_key_clash` refuses
    them when a definition is read. Questions marked ``personal`` are left out: the summary is
    read by respondents and counterparts and goes out with deliveries.
    """
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
    for question in q.questions:
        if question.personal:
            continue
        if question.has_choices:
            result[question.id] = counts.choices[question.id]
            if question.kind == Kind.ONE_OF:
                result[f"{question.id}{BY_REGION}"] = counts.choices_by_region[question.id]
        elif question.id in counts.numbers:
            result[question.id] = counts.numbers[question.id].as_json()
    if q.headline:
        result[f"{q.listed_choice}{LISTED}"] = counts.listed
    result["notes"] = counts.notes
    return result


def summary_notes(round_: Round) -> dict[str, dict[str, str]]:
    """The round's 備考 ``{question_id: {code: text}}``, in the questionnaire's order."""
    rows = db.session.execute(
        select(SummaryNote.question_id, SummaryNote.code, SummaryNote.note).where(
            SummaryNote.round_id == round_.id
        )
    ).all()
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for question_id, code, note in rows:
        found[question_id][code] = note
    notes: dict[str, dict[str, str]] = {}
    for question in round_.questionnaire.choice_questions:
        if question.id in found:
            notes[question.id] = {
                c: found[question.id][c] for c in question.codes if c in found[question.id]
            }
    return notes


# --- per-municipality rows and the other counts the workbook shows ----------------------------


@dataclass(frozen=True)
class AnswerRow:
    """One municipality of the round; ``answers`` only when its response is counted."""

    code: str
    name: str
    region: str
    state: str
    answers: dict[str, Any] | None
    returned: bool = False
    """Sent back with a reason, and not yet submitted again (it reads 差し戻し)."""


def answer_rows(round_: Round) -> list[AnswerRow]:
    """Every municipality asked in the round, by code, with the answers that the counts use.

    One plain query, fetched at once: the rows end up in a list anyway, and a server-side cursor
    (``yield_per``) cost four more round trips and a plan chosen for the first rows (PostgreSQL
    plans a cursor for a fast start), five times the time of the query for 1,741 rows."""
    rows = db.session.execute(
        select(
            Municipality.code,
            Municipality.name,
            Municipality.region,
            Response.state,
            Response.answers,
            Response.return_reason.is_not(None),
        )
        .join(Response, Response.municipality_code == Municipality.code)
        .where(Response.round_id == round_.id)
        .order_by(Municipality.code)
    )
    counted = {str(s) for s in COUNTED}
    return [
        AnswerRow(code, name, region, state, answers if state in counted else None, returned)
        for code, name, region, state, answers, returned in rows
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
    """Who changed the response last in any way (accepting or returning it too), as pages name
    people: personal data."""
    answers_updated_at: datetime | None
    answers_updated_by: str | None
    """Who last entered or changed the answers (:data:`hub.models.survey.ANSWERING`): whom to
    call about them; personal data."""
    on_behalf: bool
    """Those answers were entered by 都 staff on the municipality's behalf (代理入力)."""
    extension_until: datetime | None
    return_reason: str | None


def submission_rows(round_: Round) -> list[SubmissionRow]:
    """Every municipality's state in the round, with who touched it last and who last entered
    its answers, by code: one statement."""
    enterer = aliased(User)
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
            Response.answers_entered_at,
            enterer.display_name,
            enterer.organisation,
            enterer.email,
            Response.answers_entered_on_behalf,
            Response.extension_until,
            Response.return_reason,
        )
        .join(Response, Response.municipality_code == Municipality.code)
        .outerjoin(User, User.id == Response.updated_by_id)
        .outerjoin(enterer, enterer.id == Response.answers_entered_by_id)
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
            answers_updated_at=entered_at,
            answers_updated_by=(
                person_label(entered_name, entered_organisation, entered_email)
                if entered_email
                else None
            ),
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
            entered_at,
            entered_name,
            entered_organisation,
            entered_email,
            on_behalf,
            extension_until,
            return_reason,
        ) in rows
    ]


def state_counts(round_: Round) -> dict[str, int]:
    """``{state: n}`` for every state as people see it (a returned draft is 差し戻し), in the
    life-cycle order."""
    counts = dict.fromkeys(SHOWN_STATES, 0)
    returned = Response.return_reason.is_not(None)
    rows = db.session.execute(
        select(Response.state, returned, func.count())
        .where(Response.round_id == round_.id)
        .group_by(Response.state, returned)
    )
    for state, was_returned, n in rows:
        counts[shown_state(state, returned=bool(was_returned))] += int(n)
    return counts


@dataclass(frozen=True)
class NumberStats:
    """A number question over the counted responses that answered it."""

    n: int
    sum: int | float
    min: int | float | None
    median: int | float | None
    max: int | float | None

    def as_json(self) -> dict[str, int | float | None]:
        return {
            "n": self.n,
            "sum": self.sum,
            "min": self.min,
            "median": self.median,
            "max": self.max,
        }


def number_stats(round_: Round) -> dict[str, NumberStats]:
    """For each integer and decimal question, over the counted responses that answered it with
    a number: the values come from one query (a JSON path per question); a median needs them all
    anyway. The values are read as stored JSON, not cast in SQL: a stored value that is no
    number (text an older definition allowed, a decimal in an integer question) is left out of
    the statistics instead of failing the whole query."""
    questions = [q for q in round_.questionnaire.questions if q.kind in NUMBER_KINDS]
    if not questions:
        return {}
    rows = db.session.execute(
        select(*(Response.answers[q.id] for q in questions)).where(
            Response.round_id == round_.id, Response.state.in_([str(s) for s in COUNTED])
        )
    ).all()
    return {
        q.id: _stats(q, [n for row in rows if (n := _number(q, row[i])) is not None])
        for i, q in enumerate(questions)
    }


def _number(question: Question, value: Any) -> int | float | None:
    """``value`` when it is a number of the question's kind (an integer for an integer question)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if question.kind == Kind.INTEGER:
        return value if isinstance(value, int) else None
    return float(value)


def _stats(question: Question, values: list[int | float]) -> NumberStats:
    if not values:
        return NumberStats(0, 0, None, None, None)
    middle = median(values)
    if question.kind == Kind.INTEGER and middle == int(middle):
        middle = int(middle)
    # decimals summed exactly rounded, so the total does not depend on the order the rows came in
    total = sum(values) if question.kind == Kind.INTEGER else math.fsum(values)
    return NumberStats(len(values), total, min(values), middle, max(values))


@dataclass(frozen=True)
class CountsOfRound:
    """One round's counts of one choice question, for 経年比較."""

    round: Round
    question: Question
    """The question as that round's definition has it (labels may differ between versions)."""
    asked: int
    responded: int
    counts: dict[str, int]


@dataclass(frozen=True)
class QuestionHistory:
    question: Question
    rounds: list[CountsOfRound]
    """Oldest first, this round last: the earlier rounds that asked the question, by name."""


def earlier_rounds(round_: Round) -> list[Round]:
    """The rounds of the same questionnaire (any version) with an earlier 基準日, and this one last."""
    return list(
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


def _one_of(round_: Round, name: str) -> Question | None:
    question = round_.questionnaire.get(name)
    return question if question is not None and question.kind == Kind.ONE_OF else None


def asked_as(rounds: list[Round], name: str, lineage: Lineage) -> dict[int, Question]:
    """The ``select_one`` each round (oldest first, this one last) asked as question ``name`` of
    the last round: by the name it had in that round's version (settings ``renamed`` followed
    across every stored version, ``lineage``: ``c=b`` in v3 and ``b=a`` in v2 find ``a`` in a
    round on v1, though no round used v2): ``{round id: question}``."""
    version = rounds[-1].survey.version
    found: dict[int, Question] = {}
    for r in rounds:
        older = lineage.name_in(version, name, r.survey.version)
        question = _one_of(r, older) if older is not None else None
        if question is not None:
            found[r.id] = question
    return found


def choice_history(round_: Round) -> list[QuestionHistory]:
    """For each ``select_one`` of this round that the previous round also asked (by the name it
    had there, :func:`asked_as`, as a ``select_one``), its counts in every round that asked it;
    headline first. Empty when there is no previous round. Questions marked ``personal`` are
    left out."""
    rounds = earlier_rounds(round_)
    if len(rounds) < 2:
        return []
    previous = rounds[-2]
    questionnaire = round_.questionnaire
    lineage = round_.survey.lineage()
    asked = {
        q.id: asked_as(rounds, q.id, lineage)
        for q in questionnaire.questions
        if q.kind == Kind.ONE_OF and not q.personal
    }
    names = [name for name, found in asked.items() if previous.id in found]
    names.sort(key=lambda name: name != questionnaire.headline)
    if not names:
        return []
    ids = [r.id for r in rounds]
    counted = Response.state.in_([str(s) for s in COUNTED])
    sizes = {
        round_id: (int(asked_), int(responded or 0))
        for round_id, asked_, responded in db.session.execute(
            select(Response.round_id, func.count(), func.sum(case((counted, 1), else_=0)))
            .where(Response.round_id.in_(ids))
            .group_by(Response.round_id)
        )
    }
    every_name = sorted({q.id for name in names for q in asked[name].values()})
    found: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for round_id, name, code, n in db.session.execute(
        select(Response.round_id, ResponseChoice.question_id, ResponseChoice.code, func.count())
        .join(ResponseChoice, ResponseChoice.response_id == Response.id)
        .where(Response.round_id.in_(ids), counted, ResponseChoice.question_id.in_(every_name))
        .group_by(Response.round_id, ResponseChoice.question_id, ResponseChoice.code)
    ):
        found[(round_id, name)][code] = int(n)
    histories = []
    for name in names:
        columns = []
        for r in rounds:
            question = asked[name].get(r.id)
            if question is None:
                continue
            tally = found.get((r.id, question.id), {})
            counts = {code: tally.get(code, 0) for code in question.codes}
            columns.append(CountsOfRound(r, question, *sizes.get(r.id, (0, 0)), counts))
        histories.append(QuestionHistory(questionnaire.question(name), columns))
    return histories
