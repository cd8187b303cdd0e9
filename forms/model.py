"""The questionnaire as data.

A questionnaire is a tree of plain frozen dataclasses: sections holding questions, questions holding
choices and conditions. Nothing here knows about Flask, marshmallow or openpyxl; the schema, the web
form and the Excel template are projections of these objects (see ``schema.py``, ``webform.py`` and
``exports/template.py``). Ids and codes are stable: the API, the Excel template and the exports use them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

OTHER = "other"
OTHER_SUFFIX = "_other"


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DATE = "date"
    BOOL = "bool"
    PHONE = "phone"
    EMAIL = "email"
    ONE_OF = "one_of"
    MANY_OF = "many_of"


@dataclass(frozen=True)
class Label:
    ja: str
    en: str

    def get(self, locale: str) -> str:
        return self.en if locale.startswith("en") else self.ja


@dataclass(frozen=True)
class Choice:
    code: str
    label: Label
    mark: str = ""
    """A circled number such as ① shown before the label, as in the source document."""

    def display(self, locale: str = "ja") -> str:
        text = self.label.get(locale)
        return f"{self.mark}{text}" if self.mark else text


@dataclass(frozen=True)
class Condition:
    """True when the answer to ``question`` is one of ``values`` (or contains one, for many-of).

    With ``values`` empty the condition holds when the answer is truthy (a checked box, a
    non-empty text). ``negate`` turns it around ("unless ...").
    """

    question: str
    values: tuple[str, ...] = ()
    negate: bool = False

    def holds(self, answers: Mapping[str, Any]) -> bool:
        value = answers.get(self.question)
        if not self.values:
            result = bool(value)
        elif isinstance(value, list | tuple | set | frozenset):
            result = any(v in self.values for v in value)
        else:
            result = value in self.values
        return not result if self.negate else result


ALWAYS: bool = True
OPTIONAL: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    kind: Kind
    label: Label
    required: bool | Condition = OPTIONAL
    """``True``: always required on submit; a ``Condition``: required when it holds."""
    shown: Condition | None = None
    """The field only makes sense when this holds; the web form hides it otherwise."""
    choices: tuple[Choice, ...] = ()
    max_length: int | None = None
    min_value: int | None = None
    not_after_reference_date: Condition | None = None
    """For dates: when this holds, the date must not be later than the round's 基準日."""
    help: Label | None = None
    other_of: str | None = None
    """For the text field of an ``other`` choice: the id of the question it belongs to."""

    @property
    def has_choices(self) -> bool:
        return self.kind in (Kind.ONE_OF, Kind.MANY_OF)

    def choice(self, code: str) -> Choice | None:
        return next((c for c in self.choices if c.code == code), None)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)

    def is_required(self, answers: Mapping[str, Any]) -> bool:
        if isinstance(self.required, Condition):
            return self.required.holds(answers)
        return self.required

    def is_shown(self, answers: Mapping[str, Any]) -> bool:
        return self.shown is None or self.shown.holds(answers)


@dataclass(frozen=True)
class Section:
    id: str
    title: Label
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: int
    title: Label
    sections: tuple[Section, ...]
    personal_fields: frozenset[str] = field(default_factory=frozenset)
    """Questions holding personal data (names, phone numbers, e-mail) that no delivery may carry."""
    headline: str = ""
    """The one-of question whose table leads the summary, split by region (計画の策定状況)."""
    listed_choice: str = ""
    """The headline's choice whose municipalities are listed by name (策定済み)."""

    def __post_init__(self) -> None:
        ids = [q.id for q in self.questions]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise ValueError(f"duplicate question ids in {self.id}: {sorted(duplicates)}")
        known = set(ids)
        for q in self.questions:
            for cond in (q.required, q.shown, q.not_after_reference_date):
                if isinstance(cond, Condition) and cond.question not in known:
                    raise ValueError(f"{q.id} refers to unknown question {cond.question}")
        if self.headline and self.question(self.headline).choice(self.listed_choice) is None:
            raise ValueError(f"{self.listed_choice} is not a choice of {self.headline}")
        unknown_personal = self.personal_fields - known
        if unknown_personal:
            raise ValueError(f"unknown personal fields: {sorted(unknown_personal)}")

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def get(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def without_hidden(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The answers to questions that are shown, following chains of conditions.

        A question shown only by a hidden question is hidden too (``plan_integrated_with_other``
        when ``plan_integrated_with`` is hidden because no plan is being made), so this repeats
        until nothing more drops out. Keys that are not questions are kept.
        """
        kept = dict(answers)
        while True:
            hidden = [k for k in kept if (q := self.get(k)) is not None and not q.is_shown(kept)]
            if not hidden:
                return kept
            for key in hidden:
                del kept[key]

    @property
    def choice_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.has_choices)

    def fingerprint(self) -> str:
        """A stable hash of the definition: it changes whenever any id, label or rule changes."""
        payload = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()


def with_other(question: Question, other_label: Label | None = None) -> tuple[Question, Question]:
    """A choice question that offers その他 plus its free-text field ``<id>_other``.

    The text field is required exactly when ``other`` is chosen and shown only then, so the
    definition of a question never has to spell out its ``_other`` companion by hand.
    """
    if question.choice(OTHER) is None:
        question = Question(
            **{
                **question.__dict__,
                "choices": (*question.choices, Choice(OTHER, Label("その他", "Other"))),
            }
        )
    chosen = Condition(question.id, (OTHER,))
    label = other_label or Label(
        f"{question.label.ja}（その他の内容）", f"{question.label.en} (other, please specify)"
    )
    text = Question(
        id=question.id + OTHER_SUFFIX,
        kind=Kind.TEXT,
        label=label,
        required=chosen,
        shown=chosen,
        max_length=200,
        other_of=question.id,
    )
    return question, text
