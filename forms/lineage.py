"""The names a question had across the stored versions of one questionnaire (settings ``renamed``
followed across every version, not one step only).

A version's ``renamed`` (``b=a``) says what a question was called before. A question renamed in
v2 (``b=a``) and again in v3 (``c=b``) is one question under three names: v3's ``c`` is v2's
``b`` and v1's ``a``. :func:`lineage` works this out once for the whole series of versions, and
every use asks it: the carrying of answers into a new round, the previous answer shown beside a
field, 経年比較 and the preview of a new version (``docs/questionnaires.md``).

The rule, stepping from each version to the one before it (``older``):

* a question named in the newer version's ``renamed`` (``new=old``) goes on as ``old`` — unless
  ``new`` was already a question of ``older`` and ``old`` was not: that entry is a ``renamed``
  copied on from an earlier version's file (an exported file keeps its settings), and the
  question goes on under its name;
* any other question goes on under its own name, also through a version that did not ask it (a
  question left out for a year and asked again is the same question);
* except a name another question took as its old name at this step: a question ``b`` of the
  newer version while ``c=b`` renames another one is a **new** question that reuses the free
  name ``b`` — ``b`` in the versions before belongs to ``c``'s chain, and ``b``'s chain stops
  there. A name is never joined to two chains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from forms.model import Questionnaire


@dataclass(frozen=True)
class Lineage:
    """For each version of one questionnaire id and each of its questions, the name it has in
    every other version its chain reaches (earlier and later) where that name is a question."""

    versions: tuple[int, ...]
    names: Mapping[int, Mapping[str, Mapping[int, str]]] = field(repr=False)
    """``{version: {question: {other version: its name there}}}``."""

    def name_in(self, version: int, question_id: str, other: int) -> str | None:
        """The name ``question_id`` of ``version`` has in version ``other`` (itself when
        ``other`` is ``version``), ``None`` when that version has no question of its chain."""
        if other == version:
            return question_id
        return self.names.get(version, {}).get(question_id, {}).get(other)

    def earlier_names(self, version: int, question_id: str) -> tuple[str, ...]:
        """Every other name ``question_id`` of ``version`` had in earlier versions, newest
        first (each once)."""
        found: list[str] = []
        chain = self.names.get(version, {}).get(question_id, {})
        for other in sorted((v for v in chain if v < version), reverse=True):
            if chain[other] != question_id and chain[other] not in found:
                found.append(chain[other])
        return tuple(found)


def lineage(versions: Iterable[Questionnaire]) -> Lineage:
    """The chains of every question across ``versions`` (one questionnaire id, any order)."""
    ordered = sorted(versions, key=lambda q: q.version)
    steps = [_step(newer, older) for older, newer in pairwise(ordered)]
    back: dict[int, dict[str, dict[int, str]]] = {}
    for index, questionnaire in enumerate(ordered):
        chains: dict[str, dict[int, str]] = {}
        for question in questionnaire.questions:
            chain: dict[int, str] = {}
            name = question.id
            for at in range(index - 1, -1, -1):
                found = _back(steps[at], name)
                if found is None:
                    break
                name = found
                if ordered[at].get(name) is not None:
                    chain[ordered[at].version] = name
            chains[question.id] = chain
        back[questionnaire.version] = chains
    # the later versions, read from their own chains back (the first question that reaches it)
    names: dict[int, dict[str, dict[int, str]]] = {
        version: {q: dict(chain) for q, chain in chains.items()} for version, chains in back.items()
    }
    for later in ordered:
        for question_id, chain in back[later.version].items():
            for version, name in chain.items():
                names[version].setdefault(name, {}).setdefault(later.version, question_id)
    return Lineage(tuple(q.version for q in ordered), names)


@dataclass(frozen=True)
class _Step:
    renamed: Mapping[str, str]
    """The newer version's ``renamed`` that take effect at this step: ``{new: old}``."""
    taken: frozenset[str]
    """The old names of those: another question's name before this step."""


def _step(newer: Questionnaire, older: Questionnaire) -> _Step:
    renamed = {
        new: old
        for new, old in newer.renamed
        if not (older.get(new) is not None and older.get(old) is None)
    }
    return _Step(renamed, frozenset(renamed.values()))


def _back(step: _Step, name: str) -> str | None:
    if name in step.renamed:
        return step.renamed[name]
    if name in step.taken:
        return None
    return name


def step_names(older: Questionnaire, newer: Questionnaire) -> dict[str, str | None]:
    """The name each question of ``newer`` has in ``older`` by the rule of one step (``newer``'s
    own ``renamed``), ``None`` where its chain stops; whether it is a question of ``older`` is
    for the caller to see."""
    step = _step(newer, older)
    return {q.id: _back(step, q.id) for q in newer.questions}


def key_of(versions: Sequence[Questionnaire]) -> tuple[tuple[str, int, str], ...]:
    """What a lineage depends on: each version's id, number and fingerprint."""
    return tuple(sorted((q.id, q.version, q.fingerprint()) for q in versions))
