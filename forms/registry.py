"""The questionnaires the hub ships, read from their definition files in ``forms/definitions/``.

Each file is an XLSForm (``docs/questionnaires.md``) and the only place its questions, codes and
labels are written. A new version of a questionnaire is a new file beside the old one, never an
edit in place, so rounds opened on the old version keep their meaning and old Excel templates
still upload. (Definitions stored in the database come with issue 12, part B.)
"""

from __future__ import annotations

from pathlib import Path

from forms.model import Questionnaire
from forms.xlsform import read_xlsform

DEFINITIONS = Path(__file__).parent / "definitions"


def _shipped() -> tuple[Questionnaire, ...]:
    definitions = tuple(
        read_xlsform(path.read_bytes(), path.name) for path in sorted(DEFINITIONS.glob("*.xlsx"))
    )
    keys = [(q.id, q.version) for q in definitions]
    if len(set(keys)) != len(keys):
        raise ValueError(f"two definition files hold the same questionnaire version: {keys}")
    return definitions


BUILT_IN: tuple[Questionnaire, ...] = _shipped()

_BY_KEY = {(q.id, q.version): q for q in BUILT_IN}


def get(questionnaire_id: str, version: int) -> Questionnaire:
    try:
        return _BY_KEY[(questionnaire_id, version)]
    except KeyError:
        raise LookupError(f"unknown questionnaire {questionnaire_id} v{version}") from None


def latest(questionnaire_id: str) -> Questionnaire:
    versions = [q for q in _BY_KEY.values() if q.id == questionnaire_id]
    if not versions:
        raise LookupError(f"unknown questionnaire {questionnaire_id}")
    return max(versions, key=lambda q: q.version)


def ids() -> list[str]:
    return sorted({q.id for q in BUILT_IN})
