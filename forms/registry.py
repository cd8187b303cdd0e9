"""The built-in questionnaires, by id and version.

A new version of a questionnaire is added beside the old one (never edited in place), so rounds
opened with the old version keep their meaning and old Excel templates still upload.
"""

from __future__ import annotations

from forms.model import Questionnaire
from forms.torikumi import TORIKUMI

BUILT_IN: tuple[Questionnaire, ...] = (TORIKUMI,)

_BY_KEY = {(q.id, q.version): q for q in BUILT_IN}


def get(questionnaire_id: str, version: int) -> Questionnaire:
    try:
        return _BY_KEY[(questionnaire_id, version)]
    except KeyError:
        raise LookupError(f"unknown questionnaire {questionnaire_id} v{version}") from None


def latest(questionnaire_id: str) -> Questionnaire:
    versions = [q for q in BUILT_IN if q.id == questionnaire_id]
    if not versions:
        raise LookupError(f"unknown questionnaire {questionnaire_id}")
    return max(versions, key=lambda q: q.version)


def ids() -> list[str]:
    return sorted({q.id for q in BUILT_IN})
