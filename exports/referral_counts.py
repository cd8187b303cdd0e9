"""Referral (つなぎ) statistics per fiscal year: by receiving municipality, by need, by outcome, and
the share of closed referrals that reached support. Counts only; never a person.

True counts for 都 staff; for everyone else (windows, respondents, counterparts, deliveries) the
values left by ``exports.suppression.suppress`` (the one rule), run over the tables together: the
municipalities add up to the total, and the outcomes plus the referrals still open add up to it
too (the open ones are an implicit cell, protected but never published). Needs are many-of, so
each need is protected on its own, together with its complement: the referrals without that need
(total − the need) are an implicit cell too, so that a total of 5 beside 住居 4 does not give
away the one referral that did not need housing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from exports.suppression import Relation, Share, share, suppress
from hub.db import db
from hub.models import NEEDS, OUTCOMES, Municipality, Referral, ReferralStatus

Value = int | None
OPEN = "open"
WITHOUT = "without:"
"""Implicit cells ``without:<need>``: the referrals of the year that did not name that need."""


@dataclass(frozen=True)
class ReferralCounts:
    fiscal_year: int
    total: Value
    by_municipality: Mapping[str, Value]
    by_need: Mapping[str, Value]
    by_outcome: Mapping[str, Value]
    connected_share: Share | None
    suppressed: bool
    municipality_names: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {
            "fiscal_year": self.fiscal_year,
            "total": self.total,
            "by_municipality": dict(self.by_municipality),
            "by_need": dict(self.by_need),
            "by_outcome": dict(self.by_outcome),
            "connected_share": self.connected_share.value if self.connected_share else None,
        }


def _municipalities() -> dict[str, str]:
    rows = db.session.execute(
        select(Municipality.code, Municipality.name).order_by(Municipality.code)
    )
    return {code: name for code, name in rows.all()}  # noqa: C416 (Row is no pair for dict())


def true_counts(fiscal_year: int) -> tuple[int, dict[str, int], dict[str, int], dict[str, int]]:
    """``(total, by municipality, by need, by outcome)`` of the fiscal year, every code present."""
    in_year = Referral.fiscal_year == fiscal_year
    by_municipality = dict.fromkeys(_municipalities(), 0)
    for code, n in db.session.execute(
        select(Referral.municipality_code, func.count())
        .where(in_year)
        .group_by(Referral.municipality_code)
    ):
        by_municipality[code] = n
    by_outcome = dict.fromkeys(OUTCOMES, 0)
    for outcome, n in db.session.execute(
        select(Referral.outcome, func.count())
        .where(in_year, Referral.status == ReferralStatus.CLOSED)
        .group_by(Referral.outcome)
    ):
        if outcome in by_outcome:
            by_outcome[outcome] = n
    by_need = dict.fromkeys(NEEDS, 0)
    for needs in db.session.scalars(select(Referral.needs).where(in_year)):
        for code in needs or ():
            if code in by_need:
                by_need[code] += 1
    return sum(by_municipality.values()), by_municipality, by_need, by_outcome


def has_referrals(fiscal_year: int) -> bool:
    return (
        db.session.scalar(
            select(func.count()).select_from(Referral).where(Referral.fiscal_year == fiscal_year)
        )
        or 0
    ) > 0


def summary(fiscal_year: int, *, suppressed: bool) -> ReferralCounts:
    total, by_municipality, by_need, by_outcome = true_counts(fiscal_year)
    closed = sum(by_outcome.values())
    names = _municipalities()
    connected = by_outcome["connected"]
    if not suppressed:
        return ReferralCounts(
            fiscal_year,
            total,
            by_municipality,
            by_need,
            by_outcome,
            share(connected, closed),
            False,
            names,
        )
    cells = {"total": total, OPEN: total - closed}
    cells |= {f"m:{c}": n for c, n in by_municipality.items()}
    cells |= {f"o:{c}": n for c, n in by_outcome.items()}
    cells |= {f"n:{c}": n for c, n in by_need.items()}
    cells |= {f"{WITHOUT}{c}": total - n for c, n in by_need.items()}
    relations = [
        Relation.of("total", [f"m:{c}" for c in by_municipality]),
        Relation.of("total", [*(f"o:{c}" for c in by_outcome), OPEN]),
        *(Relation.of("total", [f"n:{c}", f"{WITHOUT}{c}"]) for c in by_need),
    ]
    implicit = [OPEN, *(f"{WITHOUT}{c}" for c in by_need)]
    # a window knows how many referrals its municipality received: it must learn no other
    shown = suppress(
        cells, relations, implicit=implicit, insiders=[f"m:{c}" for c in by_municipality]
    )
    outcomes = {c: shown[f"o:{c}"] for c in by_outcome}
    return ReferralCounts(
        fiscal_year,
        shown["total"],
        {c: shown[f"m:{c}"] for c in by_municipality},
        {c: shown[f"n:{c}"] for c in by_need},
        outcomes,
        share(
            connected,
            closed,
            part_hidden=outcomes["connected"] is None,
            whole_hidden=any(v is None for v in outcomes.values()),
        ),
        True,
        names,
    )
