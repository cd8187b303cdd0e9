"""The browser form of a questionnaire, built from its definition (``forms/model.py``).

One WTForms field per question, named by the question's id, labelled in the page's language; no
field is ever written by hand in a template. The form only carries what was typed: every check
and every normalization happens in ``forms.schema.load_answers`` (through the response services),
so the web, the API and the Excel upload accept and refuse exactly the same things.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import suppress
from datetime import date
from functools import cache
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from forms import rules
from forms.model import Choice, Kind, Label, Question, Questionnaire
from forms.numbers import whole_number
from forms.schema import rule_answers
from forms.tokyo import format_day
from forms.wording import in_japanese

LONG_TEXT = 200
"""Text questions allowing more characters than this get a multi-line box."""

RESERVED = frozenset({"version", "csrf_token", "action", "questionnaire"})


def clashes(name: str) -> bool:
    """Whether a question named ``name`` would clash with the form's own fields or methods."""
    return name in RESERVED or hasattr(QuestionnaireForm, name)


class MultiCheckboxField(SelectMultipleField):
    """A many-of question as a group of check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuestionnaireForm(FlaskForm):
    """Base class of the generated forms; ``version`` is the response version the page showed."""

    questionnaire: ClassVar[Questionnaire]
    version = HiddenField()

    def answers(self, *, relevant_only: bool = False) -> dict[str, Any]:
        """The raw answers as typed, keyed by question id, for ``responses.save_draft`` (a
        ``calculate`` left out: the server works it out from the others).

        ``relevant_only`` leaves out questions that are not asked given what was typed (with
        scripts off every field is on the page; on submit those are ignored). Relevance is
        decided on the values the schema can read; an unreadable value counts as unanswered.
        """
        raw = {q.id: _raw_value(self[q.id], q) for q in self.questionnaire if not q.is_calculated}
        if relevant_only:
            asked = rules.asked(self.questionnaire, rule_answers(self.questionnaire, raw))
            raw = {name: value for name, value in raw.items() if asked.get(name, True)}
        return raw

    def posted_version(self) -> int:
        """The version the page was built from; ``-1`` (always stale) when it is not a number."""
        version = whole_number(self.version.data)
        return -1 if version is None else version


def _raw_value(field: Field, question: Question) -> Any:
    if question.kind == Kind.MANY_OF:
        return list(field.data or [])
    if question.kind == Kind.BOOL:
        return bool(field.data)
    return field.data


def initial_data(
    questionnaire: Questionnaire, answers: Mapping[str, Any], version: int, locale: str
) -> dict[str, Any]:
    """What a form built for a GET shows: the stored (normalized) answers and their version, a
    date as the pages write it (令和3年4月1日 in Japanese: what was typed as 和暦 comes back as
    和暦, and reads back as the same day), a decimal without an exponent (0.00001, as
    :func:`forms.rules.number_text` writes it and ``hub.js`` works a calculation out)."""
    shown = dict(answers)
    for question in questionnaire:
        value = shown.get(question.id)
        if question.kind == Kind.DATE and isinstance(value, str):
            with suppress(ValueError):  # not a stored date: shown as it is
                shown[question.id] = format_day(date.fromisoformat(value), locale)
        elif question.kind == Kind.DECIMAL and isinstance(value, float):
            shown[question.id] = rules.number_text(value)
    return {**shown, "version": str(version)}


@cache
def form_class(questionnaire: Questionnaire, locale: str) -> type[QuestionnaireForm]:
    """The form class for a questionnaire, labelled in ``locale`` (``ja`` or ``en``)."""
    attributes: dict[str, Any] = {"questionnaire": questionnaire}
    for question in questionnaire:
        if clashes(question.id):
            raise ValueError(f"question id {question.id!r} clashes with a form attribute")
        attributes[question.id] = field_for(question, locale)
    name = f"{questionnaire.id.title()}V{questionnaire.version}{locale.title()}Form"
    return type(name, (QuestionnaireForm,), attributes)


UNCHOSEN = Label("選択してください", "Choose one")
"""The first entry of a drop-down list (``appearance`` ``minimal``): nothing chosen."""


def field_for(question: Question, locale: str) -> Field:
    """An unbound WTForms field for one question; no validators (the schema validates)."""
    label = question.label.get(locale)
    description = question.hint.get(locale) if question.hint else ""
    common: dict[str, Any] = {"label": label, "description": description}
    if question.is_calculated:
        # shown, never sent back as typed: hub.js works it out live, the server on every save
        return StringField(render_kw={"readonly": True, "tabindex": "-1"}, **common)
    if question.kind == Kind.ONE_OF and question.appearance == "minimal":
        unchosen = SelectChoice("", UNCHOSEN.get(locale))
        choices = [unchosen, *_choices(question, locale, options=True)]
        return SelectField(choices=choices, validate_choice=False, **common)
    if question.kind == Kind.ONE_OF:
        return RadioField(choices=_choices(question, locale), validate_choice=False, **common)
    if question.kind == Kind.MANY_OF:
        return MultiCheckboxField(
            choices=_choices(question, locale), validate_choice=False, **common
        )
    if question.kind == Kind.BOOL:
        return BooleanField(**common)
    if question.kind == Kind.TEXT and (
        question.appearance == "multiline" or (question.max_length or 0) > LONG_TEXT
    ):
        return TextAreaField(render_kw={"rows": 6}, **common)
    return StringField(render_kw=_input_attributes(question.kind), **common)


def _choices(question: Question, locale: str, *, options: bool = False) -> list[SelectChoice]:
    """The choices as WTForms takes them; ``options``: a drop-down's, each carrying what the
    browser's ``choice_filter`` reads of it (radios and check boxes carry it on their ``.choice``
    box, ``macros/forms.html``)."""
    return [
        SelectChoice(
            choice.code,
            choice.display(locale),
            render_kw=_option_attributes(question, choice, locale) if options else {},
        )
        for choice in question.choices
    ]


def _option_attributes(question: Question, choice: Choice, locale: str) -> dict[str, str]:
    """A drop-down's option: what ``choice_filter`` reads of it, and ``lang="ja"`` when its
    label falls back to the Japanese on a page in another language (an ``<option>`` holds no
    markup: the pages mark the radios' and check boxes' labels themselves)."""
    attributes = _filter_values(choice) if question.choice_filter else {}
    text = choice.display(locale)
    if locale != "ja" and in_japanese(text):
        attributes["lang"] = "ja"
    return attributes


def _filter_values(choice: Choice) -> dict[str, str]:
    return {"data-choice": json.dumps(choice.filter_values(), ensure_ascii=False)}


def _input_attributes(kind: Kind) -> dict[str, str]:
    """Hints for keyboards and autofill; none of them restricts what may be typed."""
    attributes: dict[Kind, dict[str, str]] = {
        Kind.INTEGER: {"inputmode": "numeric", "autocomplete": "off"},
        Kind.DECIMAL: {"inputmode": "decimal", "autocomplete": "off"},
        Kind.DATE: {"autocomplete": "off"},
        Kind.PHONE: {"type": "tel", "autocomplete": "tel"},
        Kind.EMAIL: {"inputmode": "email", "autocomplete": "email", "spellcheck": "false"},
    }
    return attributes.get(kind, {})
