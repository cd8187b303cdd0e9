"""Recording consultation-desk cases, one by one or as an imported list.

Every case goes through ``forms.consultation.load_case``, so the web form, the API and an imported
CSV/xlsx normalize alike. An import is all or nothing: a file with any bad row adds no case and the
error names every bad row and field (``5行目 age_group``). Services only flush; the caller commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select

from forms import tokyo
from forms.consultation import (
    CONSULTATION,
    REQUIRED_COLUMNS,
    case_form,
    column_for,
    fiscal_year_of,
    load_case,
)
from forms.model import Questionnaire
from hub.db import db
from hub.errors import Invalid
from hub.models import Consultation, ConsultationReferral, Municipality, User
from hub.services import audit
from hub.services.paging import Page, page_of
from hub.services.uploaded_tables import read_table

SOURCES = ("web", "api", "import")
CASES_PER_PAGE = 100


@dataclass(frozen=True)
class ImportResult:
    added: int
    ignored_columns: tuple[str, ...]
    """Columns of the file that are no field of a case record (never stored, e.g. 氏名)."""


@dataclass(frozen=True)
class Residences:
    """The municipalities a case or a hearing may name, in code order: the active ones, and the
    retired ones that kept the day they were retired (a case received, or a hearing held, before
    that day still names it)."""

    choices: list[tuple[str, str, str]]
    """``(code, name, name_en)`` of each."""
    retired_on: dict[str, date]
    """The day each retired one was retired."""
    shared_names: dict[str, str]
    """The prefecture code of each one whose name another of them shares (府中市 of Tokyo and of
    Hiroshima on a national list), which the list shows beside its name."""


def residences() -> Residences:
    rows = db.session.execute(
        select(
            Municipality.code,
            Municipality.name,
            Municipality.name_en,
            Municipality.retired_on,
            Municipality.prefecture_code,
        )
        .where(Municipality.active.is_(True) | Municipality.retired_on.is_not(None))
        .order_by(Municipality.code)
    ).all()
    counts = Counter(row.name for row in rows)
    return Residences(
        choices=[(row.code, row.name, row.name_en) for row in rows],
        retired_on={row.code: row.retired_on for row in rows if row.retired_on is not None},
        shared_names={row.code: row.prefecture_code for row in rows if counts[row.name] > 1},
    )


def municipality_names() -> dict[str, str]:
    """Every municipality's name by code, retired ones too: a case keeps its residence."""
    rows = db.session.execute(select(Municipality.code, Municipality.name))
    return {row.code: row.name for row in rows}


def case_questionnaire(found: Residences | None = None) -> Questionnaire:
    """The case record with the municipalities of the database as residence choices."""
    return case_form((found or residences()).choices)


def validate_case(
    form: Questionnaire,
    data: Mapping[str, Any],
    *,
    retired_on: Mapping[str, date],
    ignore_unknown: bool = False,
) -> dict[str, Any]:
    """A normalized case, or ``Invalid`` with per-field messages."""
    try:
        return load_case(
            form, data, today=tokyo.today(), retired_on=retired_on, ignore_unknown=ignore_unknown
        )
    except ValidationError as exc:
        raise Invalid(exc.messages) from None  # type: ignore[arg-type]


def record_case(data: Mapping[str, Any], *, user: User | None, source: str = "web") -> Consultation:
    """Validate and add one case; ``Invalid`` (nothing added) when any field is wrong."""
    found = residences()
    case = validate_case(case_questionnaire(found), data, retired_on=found.retired_on)
    consultation = _new_consultation(case, user=user, source=source)
    db.session.add(consultation)
    db.session.flush()
    audit.record("consultation.record", user=user, target=str(consultation.id), source=source)
    return consultation


def _new_consultation(case: Mapping[str, Any], *, user: User | None, source: str) -> Consultation:
    received: date = case["received_on"]
    return Consultation(
        received_on=received,
        fiscal_year=fiscal_year_of(received),
        channel=case["channel"],
        age_group=case["age_group"],
        caller=case["caller"],
        crime_related=case["crime_related"],
        crime_type=case["crime_type"] if case["crime_related"] else None,
        municipality_code=case["municipality"],
        source=source,
        created_by_id=user.id if user is not None else None,
        referrals=[ConsultationReferral(code=code) for code in case["referred_to"]],
    )


def import_cases(data: bytes, *, user: User | None, filename: str = "") -> ImportResult:
    """Add every case of a CSV (UTF-8 with or without BOM, or Shift_JIS) or xlsx case list.

    Nothing is added unless every row is valid: ``Invalid`` lists each bad row and field, keyed
    ``"5行目 age_group"`` with the row number as the spreadsheet shows it.
    """
    table = read_table(data)
    columns, ignored = _map_columns(table.header)
    found = residences()
    form = case_questionnaire(found)
    cases: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for line, values in table.rows:
        row = {field: values[i] if i < len(values) else None for i, field in columns.items()}
        try:
            cases.append(validate_case(form, row, retired_on=found.retired_on, ignore_unknown=True))
        except Invalid as exc:
            for field, messages in exc.errors.items():
                errors[f"{line}行目 {field}"] = messages
    if errors:
        bad_rows = len({key.split(" ", 1)[0] for key in errors})
        raise Invalid(
            errors,
            _("%(count)s行に誤りがあるため、1件も取り込んでいません。", count=bad_rows),
        )
    if not cases:
        raise Invalid({"file": [_("相談記録が1件もありません（1行目は列名の行です）。")]})
    db.session.add_all(_new_consultation(case, user=user, source="import") for case in cases)
    db.session.flush()
    audit.record("consultation.import", user=user, target=filename[:200], added=len(cases))
    return ImportResult(added=len(cases), ignored_columns=ignored)


def _map_columns(header: Sequence[Any]) -> tuple[dict[int, str], tuple[str, ...]]:
    columns: dict[int, str] = {}
    ignored: list[str] = []
    seen: dict[str, int] = {}
    errors: list[str] = []
    for i, cell in enumerate(header):
        title = "" if cell is None else str(cell).strip()
        if not title:
            continue
        field = column_for(title)
        if field is None:
            ignored.append(title)
        elif field in seen:
            errors.append(_("列「%(field)s」が2回あります。", field=field))
        else:
            seen[field] = i
            columns[i] = field
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        names = "、".join(f"{c}（{CONSULTATION.question(c).label.ja}）" for c in missing)
        errors.append(_("列が足りません: %(names)s", names=names))
    if errors:
        raise Invalid({"file": errors})
    return columns, tuple(ignored)


def latest_case_year(current: int) -> int:
    """The fiscal year the desk's pages open on: ``current`` when it has cases or when no year
    up to it has any, else the latest fiscal year before it that has cases (a new fiscal year
    starts empty, and the year just closed is what people come to read)."""
    latest = db.session.scalar(
        select(func.max(Consultation.fiscal_year)).where(Consultation.fiscal_year <= current)
    )
    return latest if latest is not None else current


def cases_page(fiscal_year: int, wanted_page: str | int | None) -> Page[Consultation]:
    """A page of the fiscal year's cases, newest first (staff's check of what was recorded)."""
    newest_first = (
        select(Consultation)
        .where(Consultation.fiscal_year == fiscal_year)
        .order_by(Consultation.received_on.desc(), Consultation.id.desc())
    )
    return page_of(newest_first, wanted_page, CASES_PER_PAGE)


def case_json(consultation: Consultation) -> dict[str, Any]:
    return {
        "id": consultation.id,
        "received_on": consultation.received_on.isoformat(),
        "fiscal_year": consultation.fiscal_year,
        "channel": consultation.channel,
        "age_group": consultation.age_group,
        "caller": consultation.caller,
        "crime_related": consultation.crime_related,
        "crime_type": consultation.crime_type,
        "referred_to": _ordered_referrals(consultation.referred_to),
        "municipality": consultation.municipality_code,
    }


def _ordered_referrals(codes: Sequence[str]) -> list[str]:
    order = CONSULTATION.question("referred_to").codes
    return [c for c in order if c in codes]
