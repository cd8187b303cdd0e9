"""Hearings (聞き取り) with the municipalities, and how far 都 has got: "n/62 heard".

A municipality counts as heard in a fiscal year when at least one hearing with it was held in that
year; several hearings with one municipality are all kept. Services only flush.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from forms.consultation import load_hearing
from hub.db import db
from hub.errors import Invalid
from hub.models import Hearing, Municipality, User
from hub.services import audit


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """First and last day of a fiscal year (April 1 to March 31)."""
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)


def record_hearing(
    municipality_code: str, data: Mapping[str, Any], *, user: User | None
) -> Hearing:
    """Validate and add one hearing; ``Invalid`` with per-field messages otherwise."""
    errors: dict[str, list[str]] = {}
    municipality = db.session.get(Municipality, (municipality_code or "").strip())
    if municipality is None or not municipality.active:
        errors["municipality"] = [_("区市町村を選択してください。")]
    try:
        hearing = load_hearing(data)
    except ValidationError as exc:
        errors.update(exc.messages)  # type: ignore[arg-type]
    if errors:
        raise Invalid(errors)
    assert municipality is not None
    record = Hearing(
        municipality_code=municipality.code,
        held_on=hearing["held_on"],
        department=hearing["department"],
        topics=hearing["topics"],
        notes=hearing["notes"],
        created_by_id=user.id if user is not None else None,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        "hearing.record", user=user, target=str(record.id), municipality_code=municipality.code
    )
    return record


@dataclass(frozen=True)
class HearingProgress:
    fiscal_year: int
    heard: list[Municipality]
    not_heard: list[Municipality]

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
    """Which active municipalities were heard in the fiscal year and which not, in code order."""
    start, end = fiscal_year_bounds(fiscal_year)
    heard_codes = set(
        db.session.scalars(
            select(Hearing.municipality_code)
            .where(Hearing.held_on >= start, Hearing.held_on <= end)
            .group_by(Hearing.municipality_code)
        )
    )
    everyone = db.session.scalars(
        select(Municipality).where(Municipality.active.is_(True)).order_by(Municipality.code)
    ).all()
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
