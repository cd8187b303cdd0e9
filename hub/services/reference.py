"""Reference data: municipalities from CSV, built-in questionnaires, default recipients."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

from forms import registry
from hub.db import db
from hub.models import Recipient, Survey
from hub.services import municipalities, questionnaires
from hub.services.municipalities import ChangeKind

TOKYO_CSV = "tokyo_municipalities.csv"

DEFAULT_RECIPIENTS: tuple[tuple[str, str], ...] = (
    ("moj", "法務省 保護局"),
    ("tokyo-probation", "東京保護観察所"),
)


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int


def import_municipalities(rows: Iterable[Mapping[str, str]]) -> ImportResult:
    """Add and update (never retire or bring back) the municipalities of ``rows``."""
    plan = municipalities.apply_plan(
        municipalities.plan_import(rows, reactivate=False), user=None, audited=False
    )
    return ImportResult(
        plan.count(ChangeKind.ADDED), plan.count(ChangeKind.UPDATED), plan.unchanged
    )


def tokyo_csv() -> bytes:
    return resources.files("hub.data").joinpath(TOKYO_CSV).read_bytes()


def load_surveys() -> list[Survey]:
    """Store every shipped questionnaire version (``forms/definitions/``) as an imported one
    would be; safe to repeat, and a stored version is never changed."""
    return [
        questionnaires.store_shipped(questionnaire, f"{questionnaire.id}.xlsx")
        for questionnaire in registry.BUILT_IN
    ]


def ensure_default_recipients() -> None:
    for name, title in DEFAULT_RECIPIENTS:
        if db.session.get(Recipient, name) is None:
            db.session.add(
                Recipient(name=name, title=title, channel="outbox", formats=["xlsx", "csv", "json"])
            )
    db.session.flush()


def initialize() -> ImportResult:
    """What ``hub init`` does after migrating: reference data, questionnaires, recipients."""
    result = import_municipalities(municipalities.read_municipality_list(tokyo_csv()))
    load_surveys()
    ensure_default_recipients()
    return result
