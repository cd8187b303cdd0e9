"""The example definition (docs/examples/kenshu_sanka.xlsx) as a questionnaire a round can use:
:func:`example_round` imports it as staff would (``hub questionnaire import``) and opens a round.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask

from exports.definition_upload import read_definition
from forms.model import Questionnaire
from hub.db import db, utcnow
from hub.services.questionnaires import import_definition
from hub.services.rounds import open_round

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "kenshu_sanka.xlsx"
REFERENCE_DATE = date(2025, 6, 1)


def example() -> Questionnaire:
    return read_definition(EXAMPLE.read_bytes(), EXAMPLE.name)


def example_round(app: Flask, monkeypatch: pytest.MonkeyPatch | None = None) -> int:
    """Import the example and open a round of it for every municipality; returns its id."""
    definition = example()
    with app.app_context():
        import_definition(EXAMPLE.read_bytes(), EXAMPLE.name)
        round_ = open_round(
            definition.id,
            reference_date=REFERENCE_DATE,
            deadline=utcnow() + timedelta(days=14),
            opens_at=utcnow() - timedelta(days=1),
        )
        db.session.commit()
        return round_.id
