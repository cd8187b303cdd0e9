"""Recording hearings (聞き取り) with the municipalities; several with one municipality are all kept,
but not one identical to a hearing already stored (a form sent twice by a double click). A hearing
recorded by mistake (the wrong municipality or day) is removed and recorded again.

How far 都 has got ("n/62 heard") and the year's list are read by :mod:`exports.hearings`.
Services only flush.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from forms import tokyo
from forms.consultation import day_text, load_hearing, retired_hearing_problem
from hub.db import db
from hub.errors import Invalid
from hub.models import Hearing, Municipality, User
from hub.services import audit


def record_hearing(
    municipality_code: str, data: Mapping[str, Any], *, user: User | None
) -> Hearing:
    """Validate and add one hearing; ``Invalid`` with per-field messages otherwise. A retired
    municipality may be named for a hearing held before the day it was retired; a hearing held
    after today, or identical to one stored, is refused (``_form`` names the stored one)."""
    errors: dict[str, list[str]] = {}
    municipality = db.session.get(Municipality, (municipality_code or "").strip())
    if municipality is None or not (municipality.active or municipality.retired_on):
        errors["municipality"] = [_("区市町村を選択してください。")]
    try:
        hearing = load_hearing(data, today=tokyo.today())
    except ValidationError as exc:
        errors.update(exc.messages)  # type: ignore[arg-type]
    else:
        held_on = hearing["held_on"]
        if (
            municipality is not None
            and municipality.retired_on
            and not municipality.existed_on(held_on)
        ):
            errors["municipality"] = [retired_hearing_problem(municipality.retired_on)]
    if errors:
        raise Invalid(errors)
    assert municipality is not None
    if _already_recorded(municipality.code, hearing):
        raise Invalid({"_form": [_recorded_problem(municipality, hearing)]})
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


def _already_recorded(code: str, hearing: dict[str, Any]) -> bool:
    """Whether a hearing with the same municipality, day, department and topics is stored: the
    same form sent twice (a double click, a reload) would count one hearing twice. The notes are
    left out of the comparison, so a second send with a note retyped is caught too."""
    stored = db.session.scalars(
        select(Hearing.topics).where(
            Hearing.municipality_code == code,
            Hearing.held_on == hearing["held_on"],
            Hearing.department == hearing["department"],
        )
    )
    topics = sorted(hearing["topics"])
    return any(sorted(t or []) == topics for t in stored)


def _recorded_problem(municipality: Municipality, hearing: dict[str, Any]) -> str:
    return _(
        "この聞き取りは記録済みです（%(day)s・%(name)s・%(department)s、同じ課題）。"
        "同じ聞き取りを二重に数えないよう、記録していません。",
        day=day_text(hearing["held_on"]),
        name=municipality.name,
        department=hearing["department"],
    )


def remove_hearing(hearing_id: int, *, user: User | None) -> Hearing | None:
    """Remove a hearing recorded by mistake: it leaves the list and "n/62 heard", and the audit
    log keeps its municipality, day, department and topics (not its notes: free text). ``None``
    when it is no longer stored (removed meanwhile by someone else, or a second click)."""
    hearing = db.session.get(Hearing, hearing_id)
    if hearing is None:
        return None
    audit.record(
        "hearing.remove",
        user=user,
        target=str(hearing.id),
        municipality_code=hearing.municipality_code,
        held_on=hearing.held_on.isoformat(),
        department=hearing.department,
        topics=list(hearing.topics or []),
    )
    db.session.delete(hearing)
    db.session.flush()
    return hearing
