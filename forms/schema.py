"""The marshmallow schema derived from a questionnaire definition.

One schema validates and normalizes answers wherever they come from: the web form, the API and
the Excel upload. Values come out JSON-ready (dates as ``YYYY-MM-DD``, integers as ``int``,
decimals as numbers, many-of answers as lists of codes in the definition's order), so what is
stored is what the API returns. Every save checks the definition's constraints (the 基準日 rule
among them); ``submit=True`` adds its requirements, and drops the answers to questions that are
not asked. A draft may be incomplete.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date
from functools import cache, lru_cache
from typing import Any

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validates_schema

from forms import describe, normalize, rules, tokyo
from forms.expression import Binary, Call, Current, Literal, Ref, conjuncts, disjuncts, uses_current
from forms.expression.evaluate import string
from forms.model import REFERENCE_DATE, Choice, Kind, Question, Questionnaire, constraint_step
from forms.numbers import parse_decimal
from forms.rules import Context, answer_value
from forms.wording import kind_of, listed

EMPTY: tuple[Any, ...] = (None, "", [], ())


def is_empty(value: Any) -> bool:
    return value in EMPTY or (isinstance(value, str) and not value.strip())


class AnswerField(fields.Field):
    """Base for every answer field: empty input means "not answered" (``None``)."""

    def __init__(self, question: Question, **kwargs: Any) -> None:
        super().__init__(required=False, allow_none=True, load_default=None, **kwargs)
        self.question = question

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        if is_empty(value):
            return self.empty()
        try:
            return self.convert(value)
        except normalize.InvalidValue as exc:
            raise ValidationError(str(exc)) from exc

    def empty(self) -> Any:
        return None

    def convert(self, value: Any) -> Any:
        raise NotImplementedError

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


def _expects_text(sent: str) -> str:
    return _("文字で入力してください（%(sent)sが送られました）。", sent=sent)


def _text_of(value: Any, expected: Callable[[str], str] = _expects_text) -> str:
    """``value`` as text (a number as written); anything else — an object, a list, true/false —
    is refused with ``expected``: what the question wants, and what sort of value came."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise normalize.InvalidValue(expected(kind_of(value)))
    if isinstance(value, float) and not math.isfinite(value):
        raise normalize.InvalidValue(_("NaN や Infinity は使えません。"))
    return normalize.clean_text(str(value))


class TextField(AnswerField):
    def convert(self, value: Any) -> str | None:
        return _text_of(value) or None


class IntegerField(AnswerField):
    def convert(self, value: Any) -> int:
        number = normalize.parse_integer(value)
        if abs(number) > 2_147_483_647:
            raise normalize.InvalidValue(_("数が大きすぎます。"))
        return number


class DecimalField(AnswerField):
    def convert(self, value: Any) -> float:
        return parse_decimal(_text_of(value) if isinstance(value, str) else value)


def _expects_date(sent: str) -> str:
    return _(
        "日付を 2021-04-01 のような文字で入力してください（%(sent)sが送られました）。", sent=sent
    )


class DateField(AnswerField):
    def convert(self, value: Any) -> str:
        if isinstance(value, date):
            return value.isoformat()
        return normalize.parse_date(_text_of(value, _expects_date)).isoformat()


class BoolField(AnswerField):
    def empty(self) -> bool:
        return False

    def convert(self, value: Any) -> bool:
        return normalize.parse_bool(value)


class PhoneField(AnswerField):
    def convert(self, value: Any) -> str:
        return normalize.normalize_phone(_text_of(value))


class EmailField(AnswerField):
    def convert(self, value: Any) -> str:
        return normalize.normalize_email(_text_of(value))


def _expects_choice(sent: str) -> str:
    return _("選択肢のコードか名前を文字で入力してください（%(sent)sが送られました）。", sent=sent)


class OneOfField(AnswerField):
    """A choice code; the Japanese or English label (with or without its ① mark) is accepted too."""

    def convert(self, value: Any) -> str:
        text = _text_of(value, _expects_choice)
        key = normalize.choice_key(text)
        code = self.lookup().get(key)
        if code is None and key in _shared_labels(self.question):
            codes = listed(_shared_labels(self.question)[key])
            raise normalize.InvalidValue(
                _(
                    "「%(value)s」に当たる選択肢が複数あります（%(codes)s）。コードで入力してください。",
                    value=text[:50],
                    codes=codes,
                )
            )
        if code is None:
            raise normalize.InvalidValue(_("選択肢にない値です: %(value)s", value=text[:50]))
        return code

    def lookup(self) -> dict[str, str]:
        return _choice_lookup(self.question)


def _label_keys(choice: Choice) -> set[str]:
    texts = (
        choice.label.ja,
        choice.label.en,
        choice.display("ja"),
        choice.display("en"),
        choice.mark,
    )
    return {normalize.choice_key(t) for t in texts if t}


@cache
def _choice_lookup(question: Question) -> dict[str, str]:
    """Each choice by its code and by every label it is written with; a label two choices share
    (府中市 of two prefectures) names neither: :func:`_shared_labels`."""
    table = {normalize.choice_key(c.code): c.code for c in question.choices}
    shared = _shared_labels(question)
    for choice in question.choices:
        for key in _label_keys(choice):
            if key not in shared:
                table.setdefault(key, choice.code)
    return table


def choice_code(question: Question, text: str) -> str | None:
    """The code of the choice of ``question`` that ``text`` names, as an answer is read (its code
    or a label, full-width and case folded); ``None`` when it names none, or more than one."""
    return _choice_lookup(question).get(normalize.choice_key(text))


@cache
def _shared_labels(question: Question) -> dict[str, tuple[str, ...]]:
    """The labels more than one choice is written with, and those choices' codes."""
    codes: dict[str, list[str]] = {}
    for choice in question.choices:
        for key in _label_keys(choice):
            codes.setdefault(key, []).append(choice.code)
    return {key: tuple(found) for key, found in codes.items() if len(found) > 1}


class ManyOfField(AnswerField):
    """A list of choice codes, deduplicated and put in the definition's order."""

    def empty(self) -> list[str]:
        return []

    def convert(self, value: Any) -> list[str]:
        if isinstance(value, str):
            value = [part for part in value.replace("、", ",").split(",") if part.strip()]
        if not isinstance(value, list | tuple):
            raise normalize.InvalidValue(
                _(
                    "選択肢のコードのリストで指定してください（%(sent)sが送られました）。",
                    sent=kind_of(value),
                )
            )
        wrong = [item for item in value if isinstance(item, bool) or not _is_text(item)]
        if wrong:
            raise normalize.InvalidValue(
                _(
                    "選択肢はコードか名前を文字で並べてください（リストに%(sent)sがあります）。",
                    sent=listed(dict.fromkeys(kind_of(item) for item in wrong)),
                )
            )
        lookup = _choice_lookup(self.question)
        chosen: set[str] = set()
        unknown: list[str] = []
        for item in value:
            text = item if isinstance(item, str) else str(item)
            code = lookup.get(normalize.choice_key(text))
            if code is None:
                unknown.append(text[:50])
            else:
                chosen.add(code)
        if unknown:
            raise normalize.InvalidValue(_("選択肢にない値です: %(value)s", value=listed(unknown)))
        return [code for code in self.question.codes if code in chosen]


def _is_text(item: Any) -> bool:
    """A list's item that names a choice: text, or a number (a code such as ``1``)."""
    return isinstance(item, str | int | float)


FIELD_TYPES: dict[Kind, type[AnswerField]] = {
    Kind.TEXT: TextField,
    Kind.INTEGER: IntegerField,
    Kind.DECIMAL: DecimalField,
    Kind.DATE: DateField,
    Kind.BOOL: BoolField,
    Kind.PHONE: PhoneField,
    Kind.EMAIL: EmailField,
    Kind.ONE_OF: OneOfField,
    Kind.MANY_OF: ManyOfField,
}


class AnswersSchema(Schema):
    """Base class; concrete schemas are made by :func:`schema_for`."""

    questionnaire: Questionnaire

    def __init__(
        self,
        *,
        submit: bool = False,
        reference_date: date | None = None,
        ignore_unknown: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(unknown=EXCLUDE if ignore_unknown else RAISE, **kwargs)
        self.submit = submit
        self.reference_date = reference_date

    class Meta:
        ordered = True

    @validates_schema(skip_on_field_errors=False)
    def check_constraints(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Every answer that loaded against its constraint, even when other fields failed, so
        one round trip names every bad value."""
        errors = _rule_errors(self.questionnaire, data, self.reference_date, required=False)
        if errors:
            raise ValidationError(errors)

    @validates_schema
    def check_required(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not self.submit:
            return
        errors = _rule_errors(
            self.questionnaire, data, self.reference_date, constraints=False, required=True
        )
        if errors:
            raise ValidationError(errors)


def _rule_errors(
    questionnaire: Questionnaire,
    data: Mapping[str, Any],
    reference_date: date | None,
    *,
    constraints: bool = True,
    required: bool,
) -> dict[str, list[str]]:
    """Constraint and (with ``required``) requirement errors of normalized answers, by question.

    Every answer given is checked against its constraint, asked or not (a form with scripts off
    shows every field, and an API client may send any): what is stored always satisfies the
    definition. A question that is not asked is never required, and its answer is dropped on
    submit (see :func:`load_answers`).
    """
    context = Context(questionnaire, data, reference_date=reference_date, on=rules.today())
    errors: dict[str, list[str]] = {}
    for question in questionnaire:
        value = data.get(question.id)
        problems: list[str] = []
        if required and context.is_required(question) and _unanswered(value):
            problems.append(_required_message(question))
        if constraints and not _unanswered(value) and not context.constraint_holds(question, value):
            problems.append(constraint_message(question, value, context))
        if constraints and not _unanswered(value):
            problems += [_not_offered_message(c) for c in context.not_offered(question, value)]
        if problems:
            errors[question.id] = problems
    return errors


def _not_offered_message(choice: Choice) -> str:
    return _(
        "「%(choice)s」は、ほかの質問への回答からは選べません（選べる選択肢だけが表示されます）。",
        choice=choice.display(_locale()),
    )


def _unanswered(value: Any) -> bool:
    return is_empty(value) or value is False


def _locale() -> str:
    locale = get_locale() if has_request_context() else None
    return locale.language if locale is not None else "ja"


def _required_message(question: Question) -> str:
    if question.required_message is not None:
        return question.required_message.get(_locale())
    if question.has_choices:
        return _("選択してください（必須）。")
    if question.kind == Kind.BOOL:
        return _("チェックを入れてください（必須）。")
    return _("入力してください（必須）。")


def constraint_message(question: Question, value: Any, context: Context) -> str:
    """Why ``value`` breaks the question's constraint: the file's ``constraint_message`` when it
    gives one, else a precise sentence for the plain shapes (``string-length(.) <= 200``,
    ``. >= 0``, ``. <= ${reference_date}``), else the rule in words."""
    locale = _locale()
    if question.constraint_message is not None:
        return question.constraint_message.get(locale)
    assert question.constraint is not None
    current = answer_value(question, value)
    failing = next(
        (p for p in conjuncts(question.constraint) if not context.holds(p, current=current)),
        question.constraint,
    )
    stepped = constraint_step(failing)
    if stepped is not None:
        return _(
            "%(first)s、%(second)s、%(third)s…のように、%(step)sずつの値で入力してください。",
            step=string(stepped[1]),
            **describe.step_examples(*stepped),
        )
    bodies = [d for d in disjuncts(failing) if uses_current(d)]
    if len(bodies) == 1 and isinstance(bodies[0], Binary):
        message = _plain_message(question, bodies[0], current, context)
        if message is not None:
            return message
    rule = describe.constraint_text(question, context.questionnaire, locale)
    return _("この回答は条件を満たしていません（%(rule)s）。", rule=rule)


def _plain_message(question: Question, expr: Binary, current: Any, context: Context) -> str | None:
    left, op, right = expr.left, expr.op, expr.right
    if not uses_current(left):
        left, op, right = right, _FLIPPED.get(op, op), left
    if isinstance(right, Ref) and right.name == REFERENCE_DATE and isinstance(left, Current):
        day = context.reference_date
        if day is None or op not in ("<=", ">="):
            return None
        if op == "<=":
            return _(
                "基準日（%(date)s）より後の日付は入力できません。",
                date=tokyo.format_day(day, _locale()),
            )
        return _(
            "基準日（%(date)s）より前の日付は入力できません。",
            date=tokyo.format_day(day, _locale()),
        )
    if isinstance(right, Call) and right.name == "today" and isinstance(left, Current):
        return _("未来の日付は入力できません。") if op == "<=" else None
    if not isinstance(right, Literal) or isinstance(right.value, str):
        return None
    limit = string(float(right.value))
    if isinstance(left, Call) and isinstance(left.args[0], Current):
        return _measure_message(left.name, op, limit, current)
    if isinstance(left, Current):
        return _value_message(question, op, limit)
    return None


_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _measure_message(function: str, op: str, limit: str, current: Any) -> str | None:
    if function == "string-length":
        count = len(string(current))
        if op in ("<=", "<"):
            return _(
                "%(limit)s文字以内で入力してください（現在%(count)s文字）。",
                limit=limit if op == "<=" else int(float(limit)) - 1,
                count=count,
            )
        if op in (">=", ">"):
            return _(
                "%(limit)s文字以上で入力してください（現在%(count)s文字）。",
                limit=limit if op == ">=" else int(float(limit)) + 1,
                count=count,
            )
    if function == "count-selected":
        if op == "<=":
            return _("選べるのは%(limit)s個までです。", limit=limit)
        if op == ">=":
            return _("%(limit)s個以上選んでください。", limit=limit)
    return None


def _value_message(question: Question, op: str, limit: str) -> str | None:
    whole = question.kind == Kind.INTEGER
    if op == ">=":
        if whole:
            return _("%(minimum)s以上の整数で入力してください。", minimum=limit)
        return _("%(minimum)s以上の数を入力してください。", minimum=limit)
    if op == "<=":
        if whole:
            return _("%(maximum)s以下の整数で入力してください。", maximum=limit)
        return _("%(maximum)s以下の数を入力してください。", maximum=limit)
    if op == ">":
        return _("%(limit)sより大きい数を入力してください。", limit=limit)
    if op == "<":
        return _("%(limit)s未満の数を入力してください。", limit=limit)
    return None


@cache
def schema_for(questionnaire: Questionnaire) -> type[AnswersSchema]:
    """The schema class for a questionnaire: one field per question, named by its id."""
    declared: dict[str, Any] = {
        q.id: FIELD_TYPES[q.kind](q) for q in questionnaire.questions if not q.is_calculated
    }
    declared["questionnaire"] = questionnaire
    name = f"{questionnaire.id.title()}V{questionnaire.version}Schema"
    return type(name, (AnswersSchema,), declared)


@lru_cache(maxsize=512)
def _schema(
    questionnaire: Questionnaire, submit: bool, reference_date: date | None, ignore_unknown: bool
) -> AnswersSchema:
    """A schema instance, made once per questionnaire, mode and reference date: making one deep-
    copies every field, and loading keeps no state on the instance (messages are translated when
    a value fails, in the request's language), so threads share it."""
    return schema_for(questionnaire)(
        submit=submit, reference_date=reference_date, ignore_unknown=ignore_unknown
    )


def load_answers(
    questionnaire: Questionnaire,
    data: Mapping[str, Any],
    *,
    submit: bool = False,
    reference_date: date | None = None,
    ignore_unknown: bool = False,
) -> dict[str, Any]:
    """Validate and normalize ``data``; raise ``ValidationError`` with per-field messages.

    The result holds only answered questions (empty answers are dropped), so a draft stores exactly
    what was typed. On submit, answers to questions that are not asked (say, the plan's name when
    no plan is being made) are dropped too, as ODK drops non-relevant answers.

    Each ``calculate`` is worked out from the loaded answers (:func:`forms.rules.calculated`);
    a value given for one here is passed over (a stored response's own, a carried one): the
    services refuse one a client sends (``hub.services.responses``).
    """
    schema = _schema(questionnaire, submit, reference_date, ignore_unknown)
    worked_out = questionnaire.calculated_ids
    given = {k: v for k, v in data.items() if k not in worked_out} if worked_out else dict(data)
    loaded: dict[str, Any] = schema.load(given)
    answers = {k: v for k, v in loaded.items() if not _unanswered(v)}
    if submit:
        answers = rules.without_hidden(questionnaire, answers, reference_date=reference_date)
    if not worked_out:
        return answers
    return rules.calculated(questionnaire, answers, reference_date=reference_date)


def completeness_errors(
    questionnaire: Questionnaire, answers: Mapping[str, Any], reference_date: date | None
) -> dict[str, list[str]]:
    """The errors a submit would give for already-normalized answers (empty when complete)."""
    return _rule_errors(questionnaire, answers, reference_date, required=True)


def rule_answers(questionnaire: Questionnaire, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Raw answers (as a form posts them) with each value the schema can read normalized and
    the rest left out: what relevance is decided on before the answers are validated."""
    fields = schema_for(questionnaire)().fields
    readable: dict[str, Any] = {}
    for name, value in raw.items():
        field = fields.get(name)
        if not isinstance(field, AnswerField) or is_empty(value):
            continue
        try:
            readable[name] = field.convert(value)
        except (normalize.InvalidValue, TypeError, ValueError):
            continue
    return readable
