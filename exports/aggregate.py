"""Counts for one round, straight from SQL GROUP BYs over the choice index.

Everything downstream (the summary API, the workbook, CSV and JSON exports, scheduled deliveries)
reads these counts; nothing counts responses in Python loops.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select

from forms.model import Questionnaire
from hub.db import db
from hub.models import REGIONS, Municipality, Response, ResponseChoice, Round
from hub.services.responses import COUNTED


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


def ordered_regions(found: set[str]) -> tuple[str, ...]:
    """Tokyo's regions in the document's order, then any others (other prefectures) by name."""
    return tuple(r for r in REGIONS if r in found) + tuple(sorted(found - set(REGIONS)))


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
    """The JSON summary of INTERFACES.md: headline table, by region, listed names, every choice."""
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
