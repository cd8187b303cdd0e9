"""The marshmallow schema derived from a questionnaire definition.

One schema validates and normalizes answers wherever they come from: the web form, the API and
the Excel upload. Values come out JSON-ready (dates as ``YYYY-MM-DD``, integers as ``int``,
many-of answers as lists of codes in the definition's order), so what is stored is what the API
returns. A draft may be incomplete; ``submit=True`` adds every requirement of the definition.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any

from flask_babel import gettext as _
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validates_schema

from forms import normalize
from forms.model import Kind, Question, Questionnaire

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


def _text_of(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise normalize.InvalidValue(_("文字で入力してください。"))
    if isinstance(value, float) and not math.isfinite(value):
        raise normalize.InvalidValue(_("NaN や Infinity は使えません。"))
    return normalize.normalize_text(str(value))


class TextField(AnswerField):
    def convert(self, value: Any) -> str | None:
        text = _text_of(value)
        limit = self.question.max_length
        if limit is not None and len(text) > limit:
            raise normalize.InvalidValue(
                _(
                    "%(limit)s文字以内で入力してください（現在%(count)s文字）。",
                    limit=limit,
                    count=len(text),
                )
            )
        return text or None


class IntegerField(AnswerField):
    def convert(self, value: Any) -> int:
        number = normalize.parse_integer(value)
        minimum = self.question.min_value
        if minimum is not None and number < minimum:
            raise normalize.InvalidValue(
                _("%(minimum)s以上の整数で入力してください。", minimum=minimum)
            )
        if number > 2_147_483_647:
            raise normalize.InvalidValue(_("数が大きすぎます。"))
        return number


class DateField(AnswerField):
    def convert(self, value: Any) -> str:
        if isinstance(value, date):
            return value.isoformat()
        return normalize.parse_date(_text_of(value)).isoformat()


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


def _choice_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


class OneOfField(AnswerField):
    """A choice code; the Japanese or English label (with or without its ① mark) is accepted too."""

    def convert(self, value: Any) -> str:
        text = _text_of(value)
        code = self.lookup().get(_choice_key(text))
        if code is None:
            raise normalize.InvalidValue(_("選択肢にない値です: %(value)s", value=text[:50]))
        return code

    def lookup(self) -> dict[str, str]:
        return _choice_lookup(self.question)


@cache
def _choice_lookup(question: Question) -> dict[str, str]:
    table: dict[str, str] = {}
    for choice in question.choices:
        for key in (
            choice.code,
            choice.label.ja,
            choice.label.en,
            choice.display("ja"),
            choice.display("en"),
            choice.mark,
        ):
            if key:
                table.setdefault(_choice_key(key), choice.code)
    return table


class ManyOfField(AnswerField):
    """A list of choice codes, deduplicated and put in the definition's order."""

    def empty(self) -> list[str]:
        return []

    def convert(self, value: Any) -> list[str]:
        if isinstance(value, str):
            value = [part for part in value.replace("、", ",").split(",") if part.strip()]
        if not isinstance(value, list | tuple):
            raise normalize.InvalidValue(_("選択肢のコードのリストで指定してください。"))
        lookup = _choice_lookup(self.question)
        chosen: set[str] = set()
        unknown: list[str] = []
        for item in value:
            text = item if isinstance(item, str) else str(item)
            code = lookup.get(_choice_key(text))
            if code is None:
                unknown.append(text[:50])
            else:
                chosen.add(code)
        if unknown:
            raise normalize.InvalidValue(
                _("選択肢にない値です: %(value)s", value="、".join(unknown))
            )
        return [code for code in self.question.codes if code in chosen]


FIELD_TYPES: dict[Kind, type[AnswerField]] = {
    Kind.TEXT: TextField,
    Kind.INTEGER: IntegerField,
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

    @validates_schema
    def check_rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors = _all_rule_errors(self.questionnaire, data, self.submit, self.reference_date)
        if errors:
            raise ValidationError(errors)


def _all_rule_errors(
    questionnaire: Questionnaire,
    data: Mapping[str, Any],
    submit: bool,
    reference_date: date | None,
) -> dict[str, list[str]]:
    shown = questionnaire.without_hidden(data) if submit else data
    errors: dict[str, list[str]] = {}
    for question in questionnaire:
        problems = _rule_errors(question, data, shown, submit, reference_date)
        if problems:
            errors[question.id] = problems
    return errors


def _rule_errors(
    question: Question,
    data: Mapping[str, Any],
    shown: Mapping[str, Any],
    submit: bool,
    reference_date: date | None,
) -> list[str]:
    """``shown`` is ``data`` without the answers to hidden questions (see ``without_hidden``)."""
    value = data.get(question.id)
    problems: list[str] = []
    if (
        submit
        and question.is_shown(shown)
        and question.is_required(shown)
        and is_empty(shown.get(question.id))
    ):
        problems.append(_required_message(question))
    rule = question.not_after_reference_date
    if (
        reference_date is not None
        and rule is not None
        and rule.holds(data)
        and isinstance(value, str)
        and value > reference_date.isoformat()
    ):
        problems.append(
            _(
                "基準日（%(date)s）より後の日付は入力できません。",
                date=normalize.to_wareki(reference_date),
            )
        )
    return problems


def _required_message(question: Question) -> str:
    if question.has_choices:
        return _("選択してください（必須）。")
    return _("入力してください（必須）。")


@cache
def schema_for(questionnaire: Questionnaire) -> type[AnswersSchema]:
    """The schema class for a questionnaire: one field per question, named by its id."""
    declared: dict[str, Any] = {q.id: FIELD_TYPES[q.kind](q) for q in questionnaire.questions}
    declared["questionnaire"] = questionnaire
    name = f"{questionnaire.id.title()}V{questionnaire.version}Schema"
    return type(name, (AnswersSchema,), declared)


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
    what was typed. On submit, answers to questions that are not shown (say, the plan's name when
    no plan is being made) are dropped too, as survey tools do with irrelevant answers.
    """
    schema = schema_for(questionnaire)(
        submit=submit, reference_date=reference_date, ignore_unknown=ignore_unknown
    )
    loaded: dict[str, Any] = schema.load(dict(data))
    answers = {k: v for k, v in loaded.items() if not is_empty(v) and v is not False}
    if submit:
        answers = questionnaire.without_hidden(answers)
    return answers


def completeness_errors(
    questionnaire: Questionnaire, answers: Mapping[str, Any], reference_date: date | None
) -> dict[str, list[str]]:
    """The errors a submit would give for already-normalized answers (empty when complete)."""
    return _all_rule_errors(questionnaire, answers, True, reference_date)
