"""The example definition (docs/examples/kenshu_sanka.xlsx) as a questionnaire a round can use.

Until definitions are stored in the database (issue 12, part B), the registry knows only the
shipped files; :func:`example_round` adds the example to it for one test and opens a round.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask

from exports.definition_upload import read_definition
from forms import registry
from forms.model import Questionnaire
from hub.db import db, utcnow
from hub.services.reference import load_surveys
from hub.services.rounds import open_round

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "kenshu_sanka.xlsx"
REFERENCE_DATE = date(2025, 6, 1)


def example() -> Questionnaire:
    return read_definition(EXAMPLE.read_bytes(), EXAMPLE.name)


def example_round(app: Flask, monkeypatch: pytest.MonkeyPatch) -> int:
    """Open a round of the example for every municipality; returns its id."""
    definition = example()
    monkeypatch.setattr(registry, "BUILT_IN", (*registry.BUILT_IN, definition))
    monkeypatch.setitem(registry._BY_KEY, (definition.id, definition.version), definition)
    with app.app_context():
        load_surveys()
        round_ = open_round(
            definition.id,
            reference_date=REFERENCE_DATE,
            deadline=utcnow() + timedelta(days=14),
            opens_at=utcnow() - timedelta(days=1),
        )
        db.session.commit()
        return round_.id
