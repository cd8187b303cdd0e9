"""How a questionnaire's rules apply to a set of answers.

Answers come in as stored (normalized JSON values) or as typed (the raw strings of a web form or
an Excel cell): :func:`answer_value` reads either into the value an expression sees — a number for
number questions, a date for dates, codes separated by spaces for many-of answers, ``"OK"`` for a
ticked box (as ODK's ``acknowledge``), ``""`` for anything unanswered or unreadable.
``today()`` is today in Tokyo (:func:`forms.tokyo.today`).

As in ODK, a question whose ``relevant`` (or whose group's) does not hold is not asked, and its
answer counts as empty in every other rule, so relevance is decided in dependency order
(``Questionnaire.relevance_order``). A rule that needs a fact the caller does not have (the 基準日
outside a round, ``today()`` outside a request) is given the benefit of the doubt: the question is
asked, the constraint holds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from forms import normalize
from forms.expression import (
    Env,
    Expr,
    Unknowable,
    Value,
    column_name,
    columns_of,
    references,
    truthy,
)
from forms.expression.evaluate import as_date, evaluate, number, string
from forms.model import REFERENCE_DATE, Choice, Kind, Question, Questionnaire
from forms.numbers import parse_decimal
from forms.tokyo import today

ACKNOWLEDGED = "OK"


def answer_value(question: Question, value: Any) -> Value:
    """What ``${name}`` of ``question`` is when its answer is ``value`` (stored or as typed)."""
    if value is None or value == "" or value == [] or value is False:
        return ""
    kind = question.kind
    if kind == Kind.MANY_OF:
        return " ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
    if kind == Kind.BOOL:
        return ACKNOWLEDGED if _ticked(value) else ""
    if kind in (Kind.INTEGER, Kind.DECIMAL):
        return _number(value)
    if kind == Kind.DATE:
        return _date(value)
    return str(value)


def stored_value(question: Question, value: Value) -> Any:
    """A ``calculate``'s result as its answer is stored: a number (a whole one as an integer)
    for a ``DECIMAL``, text for a ``TEXT``; ``None`` for nothing (an empty text, NaN, infinity —
    ``${a} + ${b}`` while one is unanswered). A number is kept to :func:`calculated_number`'s
    digits either way: ``if(${b} > 0, ${a} + ${b}, 'なし')`` (a ``TEXT``, for its ``'なし'``)
    keeps 0.1 + 0.2 as ``0.3``, as the same sum in a ``DECIMAL`` does, and stores nothing for
    ``0 div 0`` or ``number()`` of an unanswered question, as a ``DECIMAL`` does — never the
    text ``NaN`` or ``Infinity`` (a text the calculation writes, ``string(0 div 0)``, is kept)."""
    if question.kind == Kind.DECIMAL:
        return calculated_number(value)
    if isinstance(value, float):
        return number_text(calculated_number(value)) or None
    text = string(value)
    return text or None


def calculated_number(value: Value) -> int | float | None:
    """A number a calculation yields, as it is kept and shown: to 15 significant digits (the
    digits a decimal answer may hold: 0.1 + 0.2 is 0.3, 100 div 3 is 33.3333333333333; what
    ``round()`` rounded stays as rounded), a whole one as an integer; ``None`` for NaN and
    infinity. ``hub/static/hub.js`` works out the same (``calculate``)."""
    x = number(value)
    if not math.isfinite(x):
        return None
    x = float(f"{x:.15g}")
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def number_text(value: int | float | None) -> str:
    """A number as the pages write it: positional, never with an exponent (0.00001, not
    ``1e-05``; 20000000000000000, not ``2e+16``), as ``hub/static/hub.js`` writes a
    calculation's value; empty for ``None``."""
    if value is None:
        return ""
    return str(value) if isinstance(value, int) else string(float(value))


def calculated(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    *,
    reference_date: date | None = None,
) -> dict[str, Any]:
    """``answers`` with each ``calculate`` worked out from the others (a value sent for one is
    replaced; an empty result is left out): what every save stores, from the web, the API and
    the Excel upload alike."""
    if not questionnaire.calculated:
        return dict(answers)
    kept = {k: v for k, v in answers.items() if k not in questionnaire.calculated_ids}
    context = Context(questionnaire, kept, reference_date=reference_date, on=today())
    values = context.calculated()
    return {**kept, **{k: v for k, v in values.items() if v is not None}}


def _ticked(value: Any) -> bool:
    try:
        return normalize.parse_bool(value)
    except (normalize.InvalidValue, TypeError):
        return False


def _number(value: Any) -> Value:
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(parse_decimal(str(value)))
    except normalize.InvalidValue:
        return str(value)


def _date(value: Any) -> Value:
    if isinstance(value, date):
        return value
    text = str(value)
    parsed = as_date(text)
    if parsed is not None:
        return parsed
    try:
        return normalize.parse_date(text)
    except normalize.InvalidValue:
        return ""


class Context:
    """Answers as the rules see them, for one round (``reference_date``) and one day."""

    def __init__(
        self,
        questionnaire: Questionnaire,
        answers: Mapping[str, Any],
        *,
        reference_date: date | None = None,
        on: date | None = None,
    ) -> None:
        self.questionnaire = questionnaire
        self.answers = answers
        self.reference_date = reference_date
        self.on = on
        self._asked: dict[str, bool] | None = None
        self._calculated: dict[str, Any] = {}

    def resolve(self, name: str) -> Value:
        if name == REFERENCE_DATE:
            if self.reference_date is None:
                raise Unknowable(name)
            return self.reference_date
        question = self.questionnaire.get(name)
        if question is None or not self.asked().get(name, True):
            return ""
        if question.calculation is not None:
            return answer_value(question, self._value_of(question))
        return answer_value(question, self.answers.get(name))

    def calculated(self) -> dict[str, Any]:
        """``{name: value}`` of every ``calculate`` as it is stored (``None``: empty, or not
        asked), worked out from these answers — never from a value sent for it."""
        self.asked()
        return {q.id: self._value_of(q) for q in self.questionnaire.calculated}

    def _value_of(self, question: Question) -> Any:
        """One ``calculate``'s value, once. It comes after what it reads in
        ``relevance_order``, so whatever asks for it (a rule deciding a later question's
        relevance) finds what it reads decided already."""
        if question.id not in self._calculated:
            asked = self.asked().get(question.id, True)
            self._calculated[question.id] = self._calculate(question) if asked else None
        return self._calculated[question.id]

    def _calculate(self, question: Question) -> Any:
        assert question.calculation is not None
        try:
            value = evaluate(question.calculation, self.env())
        except Unknowable:
            return None
        return stored_value(question, value)

    def env(self, current: Value = "") -> Env:
        return Env(self.resolve, current, self.on)

    def holds(self, expr: Expr, *, current: Value = "", unknown: bool = True) -> bool:
        """Whether ``expr`` holds; ``unknown`` when it needs a fact this context lacks."""
        try:
            return truthy(expr, self.env(current))
        except Unknowable:
            return unknown

    def asked(self) -> dict[str, bool]:
        """``{name: asked?}`` for every question and note (see the module docstring)."""
        if self._asked is None:
            self._asked = {}
            for item in self.questionnaire.relevance_order:
                self._asked[item.id] = self._is_asked(item)
        return self._asked

    def _is_asked(self, item: Question) -> bool:
        if item.relevant is not None and not self.holds(item.relevant):
            return False
        section = self.questionnaire.section_of(item.id)
        return section is None or section.relevant is None or self.holds(section.relevant)

    def is_required(self, question: Question) -> bool:
        """Required on submit: asked, and always required or its condition holds."""
        if not self.asked().get(question.id, True) or question.required is False:
            return False
        if question.required is True:
            return True
        return self.holds(question.required, unknown=False)

    def offered(self, question: Question) -> tuple[Choice, ...]:
        """The choices its ``choice_filter`` offers with these answers (all without one); a
        filter that needs a fact this context lacks (the 基準日) offers the choice."""
        if question.choice_filter is None:
            return question.choices
        return tuple(
            choice for choice in question.choices if self._offers(question.choice_filter, choice)
        )

    def _offers(self, rule: Expr, choice: Choice) -> bool:
        env = Env(self.resolve, "", self.on, choice.filter_values())
        try:
            return truthy(rule, env)
        except Unknowable:
            return True

    def not_offered(self, question: Question, value: Any) -> list[Choice]:
        """The chosen choices (of a non-empty answer) its ``choice_filter`` does not offer."""
        rule = question.choice_filter
        if rule is None:
            return []
        codes = value if isinstance(value, list) else [value]
        chosen = [c for c in question.choices if c.code in codes]
        return [c for c in chosen if not self._offers(rule, c)]

    def constraint_holds(self, question: Question, value: Any) -> bool:
        """Whether the (non-empty) answer ``value`` satisfies the question's constraint."""
        if question.constraint is None:
            return True
        return self.holds(question.constraint, current=answer_value(question, value))

    def without_hidden(self) -> dict[str, Any]:
        """The answers without those to questions that are not asked; other keys are kept."""
        asked = self.asked()
        return {k: v for k, v in self.answers.items() if asked.get(k, True)}


def without_hidden(
    questionnaire: Questionnaire, answers: Mapping[str, Any], *, reference_date: date | None = None
) -> dict[str, Any]:
    return Context(
        questionnaire, answers, reference_date=reference_date, on=today()
    ).without_hidden()


def asked(
    questionnaire: Questionnaire, answers: Mapping[str, Any], *, reference_date: date | None = None
) -> dict[str, bool]:
    """``{name: asked?}`` for every question and note of ``questionnaire``."""
    return Context(questionnaire, answers, reference_date=reference_date, on=today()).asked()


@dataclass(frozen=True)
class Cascade:
    """A ``select_one`` or ``select_multiple`` whose ``choice_filter`` reads one other
    ``select_one`` only (ODK's cascading select): the choices it offers for each choice of that
    question — what a spreadsheet's dependent drop-down list (or greyed rows) can hold."""

    parent: Question
    offered: tuple[tuple[Choice, tuple[Choice, ...]], ...]
    """``(parent's choice, the choices offered when it is chosen)``, in the parent's order."""


def _columns_read(rule: Expr) -> tuple[str, ...] | None:
    """The choice columns ``rule`` reads, each by its name; ``None`` when one is named by an
    expression (which could read any)."""
    names = [column_name(call) for call in columns_of(rule)]
    return None if None in names else tuple(sorted({n for n in names if n is not None}))


def _column_key(choice: Choice, read: tuple[str, ...] | None) -> tuple[str | None, ...] | None:
    """What a rule reading the columns ``read`` sees of ``choice``; ``None``: all of it."""
    if read is None:
        return None
    values = choice.filter_values()
    return tuple(values.get(name) for name in read)


def cascade(
    questionnaire: Questionnaire, question: Question, *, reference_date: date | None = None
) -> Cascade | None:
    """``question``'s :class:`Cascade`; ``None`` when its rule reads anything else (several
    answers, a number, a fact not known here) — a list that cannot be worked out beforehand."""
    rule = question.choice_filter
    if rule is None or question.kind not in (Kind.ONE_OF, Kind.MANY_OF):
        return None
    names = references(rule) - {REFERENCE_DATE}
    parent = questionnaire.get(next(iter(names))) if len(names) == 1 else None
    if parent is None or parent.kind != Kind.ONE_OF or parent.id == question.id:
        return None
    on = today()
    read = _columns_read(rule)
    keyed = [(c, _column_key(c, read)) for c in question.choices]

    def offered_for(chosen: Choice) -> tuple[Choice, ...]:
        def resolve(name: str) -> Value:
            if name != REFERENCE_DATE:
                return answer_value(parent, chosen.code)
            if reference_date is None:
                raise Unknowable(name)
            return reference_date

        # the rule sees of a choice only the columns it reads: choices alike in those share
        # one evaluation (47 prefectures' municipalities: 47 × 47, not 47 × 1,741)
        seen: dict[tuple[str | None, ...] | Choice, bool] = {}
        offered = []
        for c, key in keyed:
            shared = c if key is None else key
            if shared not in seen:
                seen[shared] = truthy(rule, Env(resolve, "", on, c.filter_values()))
            if seen[shared]:
                offered.append(c)
        return tuple(offered)

    try:
        return Cascade(parent, tuple((c, offered_for(c)) for c in parent.choices))
    except Unknowable:
        return None
