"""The questionnaires the hub ships, and the process-wide cache of stored definitions.

The shipped ones are the XLSForm files of ``forms/definitions/`` (``docs/questionnaires.md``);
``hub init`` stores them in the database like any imported definition. A stored definition is
immutable: its (id, version) never changes meaning, so :func:`stored` parses its bytes once per
process and hands the same :class:`Questionnaire` to every request (and thereby the same cached
schema and form classes, which are keyed by it). The key includes the definition's fingerprint,
so a database rebuilt with other content under the same (id, version) — tests, a restore — is
never answered from the cache.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from forms.lineage import Lineage, key_of, lineage
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


_STORED: dict[tuple[str, int, str], Questionnaire] = {}
_STORED_LOCK = threading.Lock()
parses = 0
"""How many stored definitions this process has parsed (a test proves requests reuse them)."""


def stored(
    questionnaire_id: str, version: int, fingerprint: str, data: Callable[[], bytes | None]
) -> Questionnaire:
    """The stored definition (id, version, fingerprint), parsed from ``data()`` on first use
    (``data()`` is not called on a hit: the bytes are not even read from the database). A row
    stored before definitions were kept has none: its shipped file serves."""
    key = (questionnaire_id, version, fingerprint)
    found = _STORED.get(key)
    if found is not None:
        return found
    with _STORED_LOCK:
        found = _STORED.get(key)
        if found is None:
            global parses
            definition = data()
            if definition is None:
                found = get(questionnaire_id, version)
            else:
                found = read_xlsform(definition, f"{questionnaire_id}.xlsx")
                parses += 1
            _STORED[key] = found
        return found


def remember(questionnaire: Questionnaire) -> None:
    """Put a definition just imported into the cache (it was parsed already)."""
    key = (questionnaire.id, questionnaire.version, questionnaire.fingerprint())
    with _STORED_LOCK:
        _STORED.setdefault(key, questionnaire)


_LINEAGES: dict[tuple[tuple[str, int, str], ...], Lineage] = {}


def lineage_of(versions: Sequence[Questionnaire]) -> Lineage:
    """The names each question of ``versions`` (every stored version of one questionnaire id)
    had in the others (:func:`forms.lineage.lineage`), worked out once per process for a series
    of versions: keyed by each version's fingerprint, so a new version (a longer series) or a
    database rebuilt with other content is worked out afresh, and never answered from another."""
    key = key_of(versions)
    found = _LINEAGES.get(key)
    if found is None:
        found = lineage(versions)
        with _STORED_LOCK:
            _LINEAGES.setdefault(key, found)
    return found
