"""The questionnaire as data, shaped like an XLSForm.

A questionnaire is a tree of plain frozen dataclasses: sections (XLSForm groups) holding questions,
questions holding choices and rules. The rules are expression trees (:mod:`forms.expression`):
``relevant`` (the question is asked only when it holds), ``required`` (``True`` or an expression)
and ``constraint`` (what the answer must satisfy, with ``.`` for the answer itself). Nothing here
knows about Flask pages, marshmallow or openpyxl; the schema, the web form, the Excel template and
the workbook are projections of these objects, and :mod:`forms.xlsform` reads and writes them as
XLSForm files. Names (ids) and choice codes are stable: the API, the Excel template and the
exports use them. How rules evaluate against answers is in :mod:`forms.rules`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

from forms.expression import Binary, Call, Current, Expr, Literal, conjuncts, references, unparse
from forms.wording import one_line

OTHER = "other"
OTHER_SUFFIX = "_other"
REFERENCE_DATE = "reference_date"
"""``${reference_date}``: the round's 基準日, usable in any rule; no question may take the name."""

SUMMARY_KEYS = frozenset(
    {
        "round",
        "survey",
        "reference_date",
        "municipalities",
        "responded",
        "municipalities_by_region",
        "responded_by_region",
        "notes",
    }
)
"""The round summary's own keys (``GET /rounds/{id}/summary``); questions are keyed by name
beside them, so no question may take one of these names."""
BY_REGION = "_by_region"
"""The summary key of a one-of question's split by region: ``<name>_by_region``."""
LISTED = "_municipalities"
"""The summary key of the headline's listed municipalities: ``<listed_choice>_municipalities``."""


def summary_key_clash(name: str) -> bool:
    """Whether a question named ``name`` could clash with a key of the round summary."""
    return name in SUMMARY_KEYS or name.endswith((BY_REGION, LISTED))


class Kind(StrEnum):
    """What a question holds. The XLSForm type each kind is written as is in
    :data:`forms.xlsform.vocabulary.TYPE_NAMES` (``select_one`` for ``ONE_OF``, ``acknowledge`` for
    ``BOOL``, …)."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    BOOL = "bool"
    """A single check box, stored as JSON ``true`` (XLSForm's ``acknowledge``)."""
    PHONE = "phone"
    EMAIL = "email"
    ONE_OF = "one_of"
    MANY_OF = "many_of"
    NOTE = "note"
    """Text shown in the form, with no answer."""


NUMBER_KINDS = frozenset({Kind.INTEGER, Kind.DECIMAL})


@dataclass(frozen=True)
class Label:
    ja: str
    en: str

    def get(self, locale: str) -> str:
        return self.en if locale.startswith("en") else self.ja

    def inline(self, locale: str = "ja") -> str:
        """The label on one line (:func:`forms.wording.one_line`), for a sentence or a title that
        quotes it."""
        return one_line(self.get(locale))

    @classmethod
    def same(cls, text: str) -> Label:
        """A text given in one language only, serving both."""
        return cls(text, text)


@dataclass(frozen=True)
class Choice:
    code: str
    label: Label
    mark: str = ""
    """A circled number such as ① shown before the label, as in the source document."""
    columns: tuple[tuple[str, str], ...] | None = None
    """The choices sheet's other columns (``(name, text)``, by name) of a list that a
    ``choice_filter`` filters; ``None`` for every other list."""

    def display(self, locale: str = "ja") -> str:
        text = self.label.get(locale)
        return f"{self.mark}{text}" if self.mark else text

    def filter_values(self) -> dict[str, str]:
        """What a ``choice_filter`` sees of this choice: its columns, and ``name`` its code."""
        return {**dict(self.columns or ()), "name": self.code}


@dataclass(frozen=True)
class Bounds:
    """Limits a constraint states plainly (``string-length(.) <= 200``, ``. >= 0``), for the HTML
    ``maxlength``, the Excel data validation and precise messages."""

    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None


@dataclass(frozen=True)
class Question:
    id: str
    """XLSForm ``name``."""
    kind: Kind
    label: Label
    hint: Label | None = None
    required: bool | Expr = False
    """``True``: always required on submit; an expression: required when it holds."""
    relevant: Expr | None = None
    """The question is asked only when this holds; its answer is not kept otherwise."""
    constraint: Expr | None = None
    constraint_message: Label | None = None
    required_message: Label | None = None
    choices: tuple[Choice, ...] = ()
    list_name: str = ""
    """The XLSForm choice list the choices come from (several questions may share one)."""
    personal: bool = False
    """Personal data (names, phone numbers, e-mail) that no delivery may carry."""
    other_of: str | None = None
    """For ``<name>_other``, the text of an ``other`` choice: the choice question it belongs to."""
    default: str | int | float | bool | tuple[str, ...] | None = None
    """XLSForm ``default``: the answer a new response starts with, as it is stored (a many-of's
    codes as a tuple); a previous round's accepted answer takes its place."""
    choice_filter: Expr | None = None
    """XLSForm ``choice_filter``: a choice is offered when it holds for it (its columns by bare
    name, other answers by ``${name}``); an answer outside it is refused."""
    appearance: str | None = None
    """XLSForm ``appearance`` the web form honours: ``multiline`` (a text as a box of several
    lines), ``minimal`` (a one-of as a drop-down list), ``likert`` (a one-of as a scale, its
    choices side by side) or ``columns`` (a one-of's or many-of's choices in as many columns as
    the screen holds; ``columns-3``: in three); any other is not kept."""
    guidance: Label | None = None
    """XLSForm ``guidance_hint``: a longer explanation for whoever needs it, shown folded under
    the hint (as ODK Collect and Enketo show it) and in the Excel template's 入力のしかた."""
    calculation: Expr | None = None
    """XLSForm ``calculate``: the value is this expression of the other answers, worked out by
    the hub on every save (:func:`forms.rules.calculated`), never typed. Its kind is
    ``DECIMAL`` when the expression gives a number, else ``TEXT``."""

    @property
    def has_choices(self) -> bool:
        return self.kind in (Kind.ONE_OF, Kind.MANY_OF)

    @property
    def is_note(self) -> bool:
        return self.kind == Kind.NOTE

    @property
    def is_calculated(self) -> bool:
        """A ``calculate``: its answer is worked out from the others, never sent."""
        return self.calculation is not None

    def choice(self, code: str) -> Choice | None:
        return self._choice_by_code.get(code)

    @cached_property
    def _choice_by_code(self) -> dict[str, Choice]:
        """Each choice by its code (the first, should one repeat): looked up per answer and per
        cell, so a list of 1,741 municipalities is not scanned each time."""
        found: dict[str, Choice] = {}
        for choice in self.choices:
            found.setdefault(choice.code, choice)
        return found

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)

    @property
    def always_required(self) -> bool:
        return self.required is True

    @property
    def required_if(self) -> Expr | None:
        """The condition of a conditionally required question (``None`` otherwise)."""
        return None if isinstance(self.required, bool) else self.required

    @cached_property
    def bounds(self) -> Bounds:
        return constraint_bounds(self.constraint)

    @property
    def max_length(self) -> int | None:
        return self.bounds.max_length

    @property
    def min_value(self) -> float | None:
        return self.bounds.min_value

    @property
    def max_value(self) -> float | None:
        return self.bounds.max_value

    def rules(self) -> tuple[Expr, ...]:
        """Every expression of the question."""
        candidates = (
            self.relevant,
            self.required_if,
            self.constraint,
            self.choice_filter,
            self.calculation,
        )
        return tuple(e for e in candidates if e is not None)


@dataclass(frozen=True)
class Section:
    """An XLSForm group (``id`` its name); a run of questions outside any group has ``id`` ""."""

    id: str
    title: Label
    items: tuple[Question, ...]
    """The questions and notes in order."""
    relevant: Expr | None = None

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """The questions that take an answer (notes left out)."""
        return tuple(q for q in self.items if not q.is_note)

    @property
    def grouped(self) -> bool:
        return bool(self.id)


@dataclass(frozen=True)
class Questionnaire:
    id: str
    """XLSForm ``form_id``."""
    version: int
    title: Label
    sections: tuple[Section, ...]
    headline: str = ""
    """The one-of question whose table leads the summary, split by region (計画の策定状況)."""
    listed_choice: str = ""
    """The headline's choice whose municipalities are listed by name (策定済み)."""
    renamed: tuple[tuple[str, str], ...] = ()
    """``(name, old name)`` of questions renamed since an earlier version (settings ``renamed``):
    a new round prefills each from the answer given under its old name."""
    skipped: tuple[tuple[int, str], ...] = field(default=(), compare=False, repr=False)
    """``(row, type)`` of the file's rows read past (device metadata such as ``start``, which
    ODK and KoboToolbox put in every form): said on the preview, not part of the definition."""
    ignored: tuple[str, ...] = field(default=(), compare=False, repr=False)
    """What else of the file the hub read past (a media column, a setting such as
    ``public_key``, a comment row), each located (``settingsシート 2行目 style列: …``), in the
    language of the upload: said with :attr:`skipped`, not part of the definition."""
    headline_title: str | None = None
    """The heading of the headline's table in 集計 (settings ``headline_title``); ``None``: the
    headline question's label. torikumi's is 「区市町村の計画の策定状況」."""

    def __post_init__(self) -> None:
        problems = definition_problems(self)
        if problems:
            raise ValueError(f"{self.id}: " + "; ".join(problems))

    def __hash__(self) -> int:
        """Cheap after the first call: the schema, form and template caches are keyed by the
        definition, once per request (hashing the whole tree each time cost ~0.1 ms)."""
        return self._hash

    @cached_property
    def _hash(self) -> int:
        return hash((self.id, self.version, self.fingerprint()))

    @cached_property
    def items(self) -> tuple[Question, ...]:
        """Questions and notes, in order."""
        return tuple(q for s in self.sections for q in s.items)

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """The questions that take an answer, in order."""
        return tuple(q for s in self.sections for q in s.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def question(self, question_id: str) -> Question:
        question = self.get(question_id)
        if question is None:
            raise KeyError(question_id)
        return question

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    @property
    def headline_heading(self) -> str:
        """The heading of the headline's table in 集計, on one line: ``headline_title``, else
        the headline question's label ("" without a headline)."""
        if not self.headline:
            return ""
        return self.headline_title or self.question(self.headline).label.inline()

    def previous_name(self, question_id: str) -> str:
        """The name ``question_id`` had in the version before (itself unless renamed), by this
        version's ``renamed`` alone; across every stored version: :mod:`forms.lineage`."""
        return dict(self.renamed).get(question_id, question_id)

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def relevance_order(self) -> tuple[Question, ...]:
        """Questions and notes ordered so that each comes after every question its relevance
        (its own ``relevant`` and its group's) refers to; document order where free."""
        return _relevance_order(self)[0]

    def relevance_dependencies(self, item: Question) -> frozenset[str]:
        """The questions whose answers decide whether ``item`` is asked (and, for a
        ``calculate``, its value: it is worked out before the rules that read it)."""
        section = self.section_of(item.id)
        candidates = (item.relevant, section.relevant if section else None, item.calculation)
        rules = [r for r in candidates if r]
        names = frozenset().union(*(references(r) for r in rules)) if rules else frozenset()
        return names - {REFERENCE_DATE}

    def section_of(self, question_id: str) -> Section | None:
        return self._section_by_item.get(question_id)

    @cached_property
    def _section_by_item(self) -> dict[str, Section]:
        return {q.id: s for s in self.sections for q in s.items}

    @cached_property
    def choice_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.has_choices)

    def defaults(self) -> dict[str, Any]:
        """The answers a new response starts with (XLSForm ``default``), as answers are stored."""
        return {
            q.id: list(q.default) if isinstance(q.default, tuple) else q.default
            for q in self.questions
            if q.default is not None
        }

    @cached_property
    def calculated(self) -> tuple[Question, ...]:
        """The ``calculate`` questions, in :attr:`relevance_order` (each after what it reads)."""
        return tuple(q for q in self.relevance_order if q.is_calculated)

    @cached_property
    def calculated_ids(self) -> frozenset[str]:
        return frozenset(q.id for q in self.calculated)

    @cached_property
    def personal_fields(self) -> frozenset[str]:
        """Questions holding personal data (names, phone numbers, e-mail) that no delivery may carry."""
        return frozenset(q.id for q in self.questions if q.personal)

    def fingerprint(self) -> str:
        """A stable hash of the definition: it changes whenever any id, label or rule changes."""
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:
        """Worked out once per object (a definition never changes): an upload, its draft and its
        publishing compare and key it several times, each a walk of every choice."""
        payload = json.dumps(_plain(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


_LATER_FIELDS = frozenset(
    {
        "default",
        "appearance",
        "choice_filter",
        "columns",
        "guidance",
        "headline_title",
        "calculation",
    }
)
"""Fields added after definitions were first stored: left out while unset, so that a stored
definition keeps the fingerprint it was stored with."""


def _plain(value: Any) -> Any:
    """JSON-ready data of a definition, each rule as its text (positions in a file don't count)."""
    if isinstance(value, Expr):
        return unparse(value)
    if is_dataclass(value):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in fields(value)
            if f.compare and not (f.name in _LATER_FIELDS and getattr(value, f.name) is None)
        }
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


# ---------------------------------------------------------------------------- derived facts


def constraint_bounds(constraint: Expr | None) -> Bounds:
    """The plain limits among the ``and``-ed parts of ``constraint``."""
    if constraint is None:
        return Bounds()
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    for part in conjuncts(constraint):
        bound = _bound_of(part)
        if bound is None:
            continue
        what, op, number = bound
        if what == "length" and op in ("<=", "<"):
            limit = int(number) - (1 if op == "<" and number == int(number) else 0)
            max_length = limit if max_length is None else min(max_length, limit)
        elif what == "value" and op == ">=":
            min_value = number if min_value is None else max(min_value, number)
        elif what == "value" and op == "<=":
            max_value = number if max_value is None else min(max_value, number)
    return Bounds(max_length, min_value, max_value)


_MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}


def _bound_of(part: Expr) -> tuple[str, str, float] | None:
    """``("length"|"value", op, number)`` for ``string-length(.) op N`` or ``. op N``."""
    if not isinstance(part, Binary) or part.op not in _MIRRORED:
        return None
    subject, op, other = part.left, part.op, part.right
    if isinstance(subject, Literal):
        subject, op, other = other, _MIRRORED[op], subject
    if not isinstance(other, Literal) or isinstance(other.value, str):
        return None
    number = float(other.value)
    if isinstance(subject, Current):
        return ("value", op, number)
    if (
        isinstance(subject, Call)
        and subject.name == "string-length"
        and isinstance(subject.args[0], Current)
    ):
        return ("length", op, number)
    return None


def constraint_step(part: Expr) -> tuple[float, float] | None:
    """``(start, step)`` for a whole-number step rule, ``(. - start) mod step = 0`` or
    ``. mod step = 0`` (start 0), as a ``range`` writes it (``forms.xlsform.ranges``)."""
    if not (isinstance(part, Binary) and part.op == "=" and part.right == Literal(0)):
        return None
    modulo = part.left
    if not (isinstance(modulo, Binary) and modulo.op == "mod"):
        return None
    step, offset = modulo.right, modulo.left
    if not isinstance(step, Literal) or isinstance(step.value, str) or step.value <= 0:
        return None
    if isinstance(offset, Current):
        return 0.0, float(step.value)
    if (
        isinstance(offset, Binary)
        and offset.op == "-"
        and isinstance(offset.left, Current)
        and isinstance(offset.right, Literal)
        and not isinstance(offset.right.value, str)
    ):
        return float(offset.right.value), float(step.value)
    return None


def other_question_of(
    question_id: str, kind: Kind, choice_questions: dict[str, Question]
) -> str | None:
    """The choice question a ``<name>_other`` text question specifies (``None`` for others)."""
    if kind != Kind.TEXT or not question_id.endswith(OTHER_SUFFIX):
        return None
    owner = choice_questions.get(question_id.removesuffix(OTHER_SUFFIX))
    return owner.id if owner is not None and owner.choice(OTHER) is not None else None


def _relevance_order(questionnaire: Questionnaire) -> tuple[tuple[Question, ...], list[str]]:
    """The order (see ``Questionnaire.relevance_order``) and, when there is none, a cycle."""
    items = {q.id: q for q in questionnaire.items}
    needs = {name: questionnaire.relevance_dependencies(q) for name, q in items.items()}
    order, cycle = dependency_order(list(items), needs)
    return tuple(items[name] for name in order), cycle


def dependency_order(
    names: list[str], needs: Mapping[str, frozenset[str]]
) -> tuple[list[str], list[str]]:
    """``names`` ordered so that each comes after the names it needs (others are ignored),
    keeping the given order where free; when there is no such order, the names placed so far
    and a cycle of names (``[a, b, a]``)."""
    known = set(names)
    waiting = {name: needs.get(name, frozenset()) & known for name in names}
    placed: set[str] = set()
    order: list[str] = []
    while len(order) < len(names):
        ready = next((n for n in names if n not in placed and waiting[n] <= placed), None)
        if ready is None:
            left = {n: waiting[n] - placed for n in names if n not in placed}
            return order, _a_cycle(left)
        placed.add(ready)
        order.append(ready)
    return order, []


def _a_cycle(needs: dict[str, frozenset[str]]) -> list[str]:
    """Follow unmet needs from any name until one repeats: every name left waits on another."""
    path: list[str] = [min(needs)]
    while True:
        step = min(needs[path[-1]] & set(needs))
        if step in path:
            return [*path[path.index(step) :], step]
        path.append(step)


def relevance_cycle(questionnaire: Questionnaire) -> list[str]:
    """Names whose ``relevant`` rules wait on each other (``[a, b, a]``), or ``[]``."""
    return _relevance_order(questionnaire)[1]


# ------------------------------------------------------------------------------ invariants


def definition_problems(questionnaire: Questionnaire) -> list[str]:
    """What makes a definition unusable (the file reader reports these with rows first)."""
    problems: list[str] = []
    ids = [q.id for q in questionnaire.items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        problems.append(f"duplicate question ids: {duplicates}")
    answerable = {q.id for q in questionnaire.questions} | {REFERENCE_DATE}
    if REFERENCE_DATE in ids:
        problems.append(f"{REFERENCE_DATE} is reserved")
    for section in questionnaire.sections:
        rules = [section.relevant] if section.relevant is not None else []
        for item in section.items:
            rules += item.rules()
        for rule in rules:
            unknown = references(rule) - answerable
            if unknown:
                problems.append(
                    f"{section.id or 'survey'} refers to unknown question(s) {sorted(unknown)}"
                )
    if not problems and (cycle := relevance_cycle(questionnaire)):
        problems.append(f"relevant or calculate rules form a cycle: {' → '.join(cycle)}")
    for name, _old in questionnaire.renamed:
        if name not in answerable:
            problems.append(f"renamed {name} is not a question")
    if questionnaire.headline:
        headline = questionnaire.get(questionnaire.headline)
        if headline is None or headline.kind != Kind.ONE_OF:
            problems.append(f"headline {questionnaire.headline} is not a one-of question")
        elif headline.choice(questionnaire.listed_choice) is None:
            problems.append(
                f"{questionnaire.listed_choice} is not a choice of {questionnaire.headline}"
            )
    if questionnaire.headline_title is not None and not questionnaire.headline:
        problems.append("headline_title without a headline")
    return problems
