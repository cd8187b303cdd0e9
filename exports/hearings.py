"""How far 都 has got with the hearings (聞き取り): "n/62 heard", and the year's hearings.

A municipality counts as heard in a fiscal year when at least one hearing with it was held in that
year. Read only; hearings are recorded by :mod:`hub.services.hearings`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select

from forms.consultation import fiscal_year_bounds
from hub.db import db
from hub.models import Hearing, Municipality


class Place(NamedTuple):
    """What the hearings' views show of a municipality (read as plain rows: a national table
    of municipalities loads far faster without an ORM object per row)."""

    code: str
    name: str
    name_en: str
    region: str


@dataclass(frozen=True)
class HearingProgress:
    fiscal_year: int
    heard: list[Place]
    not_heard: list[Place]

    @property
    def total(self) -> int:
        return len(self.heard) + len(self.not_heard)

    @property
    def heard_count(self) -> int:
        return len(self.heard)

    def label(self) -> str:
        """``49/62 区市町村`` as the source document writes it."""
        return f"{self.heard_count}/{self.total} 区市町村"


def progress(fiscal_year: int) -> HearingProgress:
    """Which municipalities were heard in the fiscal year and which not, in code order: those
    that existed in the year (retired since counts; retired before does not, unless heard)."""
    start, end = fiscal_year_bounds(fiscal_year)
    heard_codes = set(
        db.session.scalars(
            select(Hearing.municipality_code)
            .where(Hearing.held_on >= start, Hearing.held_on <= end)
            .group_by(Hearing.municipality_code)
        )
    )
    everyone = [
        Place(*row)
        for row in db.session.execute(
            select(Municipality.code, Municipality.name, Municipality.name_en, Municipality.region)
            .where(Municipality.existed_on(start) | Municipality.code.in_(heard_codes))
            .order_by(Municipality.code)
        )
    ]
    return HearingProgress(
        fiscal_year=fiscal_year,
        heard=[m for m in everyone if m.code in heard_codes],
        not_heard=[m for m in everyone if m.code not in heard_codes],
    )


def list_hearings(fiscal_year: int) -> list[tuple[Hearing, Municipality]]:
    """The fiscal year's hearings, by date then municipality."""
    start, end = fiscal_year_bounds(fiscal_year)
    rows = db.session.execute(
        select(Hearing, Municipality)
        .join(Municipality, Municipality.code == Hearing.municipality_code)
        .where(Hearing.held_on >= start, Hearing.held_on <= end)
        .order_by(Hearing.held_on, Municipality.code, Hearing.id)
    )
    return [(h, m) for h, m in rows]
