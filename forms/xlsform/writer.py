"""A :class:`Questionnaire` as an XLSForm file, in the layout the reader reads back equal.

Sheet ``survey`` has one row per question, note and group boundary with ``label::ja`` and
``label::en`` (and the same for hints and messages), rules as expression text; ``choices`` lists
each choice list once; ``settings`` holds form_id, version, the title and the summary options.
Every text cell is written as text, never as a formula, whatever it starts with.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from forms.expression import Expr, unparse
from forms.model import Choice, Label, Question, Questionnaire
from forms.xlsform.vocabulary import CALCULATE, CHOICES, SETTINGS, SURVEY, TYPE_NAMES

SURVEY_HEADERS = (
    "type",
    "name",
    "label::ja",
    "label::en",
    "hint::ja",
    "hint::en",
    "required",
    "relevant",
    "constraint",
    "constraint_message::ja",
    "constraint_message::en",
    "required_message::ja",
    "required_message::en",
    "personal",
)
CHOICE_HEADERS = ("list_name", "name", "label::ja", "label::en", "mark")
SETTINGS_HEADERS = (
    "form_id",
    "version",
    "form_title",
    "form_title_en",
    "headline",
    "listed_choice",
)
"""``form_title`` is the Japanese title (XLSForm's title has no languages; pyxform fails on
``form_title::en``), ``form_title_en`` the hub's column for the English one."""
WIDTH = 28


def write_xlsform(questionnaire: Questionnaire) -> bytes:
    """The definition as .xlsx bytes; :func:`forms.xlsform.read_xlsform` reads it back equal."""
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = SURVEY
    _fill(survey, _survey_headers(questionnaire), _survey_rows(questionnaire))
    _fill(workbook.create_sheet(CHOICES), *_choices_sheet(questionnaire))
    headers, row = _settings(questionnaire)
    _fill(workbook.create_sheet(SETTINGS), headers, [row])
    workbook.properties.title = questionnaire.title.ja
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsform_rows(questionnaire: Questionnaire) -> dict[str, list[dict[str, str]]]:
    """The three sheets as rows of ``{column: text}`` (empty cells left out): the definition as
    the API shows it, in the same words as the file."""
    settings_headers, settings_row = _settings(questionnaire)
    sheets = {
        SURVEY: (_survey_headers(questionnaire), _survey_rows(questionnaire)),
        CHOICES: _choices_sheet(questionnaire),
        SETTINGS: (settings_headers, [settings_row]),
    }
    return {
        name: [
            {h: str(v) for h, v in zip(headers, row, strict=False) if v not in (None, "")}
            for row in rows
        ]
        for name, (headers, rows) in sheets.items()
    }


def _settings(questionnaire: Questionnaire) -> tuple[tuple[str, ...], tuple[object, ...]]:
    headers: tuple[str, ...] = SETTINGS_HEADERS
    row = _settings_row(questionnaire)
    if questionnaire.headline_title is not None:
        headers, row = (*headers, "headline_title"), (*row, questionnaire.headline_title)
    if questionnaire.renamed:
        headers, row = (*headers, "renamed"), (*row, _renamed_text(questionnaire))
    return headers, row


def _fill(sheet: Worksheet, headers: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = WIDTH
    for number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            if value is None or value == "":
                continue
            cell = sheet.cell(row=number, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
                if value[:1] in ("=", "+", "-", "@"):
                    cell.quotePrefix = True
    sheet.freeze_panes = "A2"


def _texts(label: Label | None) -> tuple[str, str]:
    return (label.ja, label.en) if label is not None else ("", "")


def _rule(expr: Expr | None) -> str:
    return unparse(expr) if expr is not None else ""


OPTIONAL_HEADERS = (
    "default",
    "appearance",
    "choice_filter",
    "guidance_hint::ja",
    "guidance_hint::en",
    "calculation",
)
"""Written only when a question has one, after the others (files written before them stay the
same)."""


def _survey_headers(questionnaire: Questionnaire) -> tuple[str, ...]:
    return (*SURVEY_HEADERS, *_optional_headers(questionnaire))


def _optional_headers(questionnaire: Questionnaire) -> tuple[str, ...]:
    return tuple(
        header
        for header in OPTIONAL_HEADERS
        if any(getattr(q, _FIELD_OF.get(header, header)) is not None for q in questionnaire.items)
    )


def _default_text(question: Question) -> object:
    """A default as the reader reads it back (and ODK): codes space-separated, a tick as OK."""
    value = question.default
    if value is None:
        return ""
    if isinstance(value, tuple):
        return " ".join(value)
    if isinstance(value, bool):
        return "OK" if value else "no"  # OK: ODK's value of a ticked acknowledge
    return str(value)


def _survey_rows(questionnaire: Questionnaire) -> list[tuple[object, ...]]:
    optional = _optional_headers(questionnaire)
    rows: list[tuple[object, ...]] = []
    for section in questionnaire.sections:
        if section.grouped:
            rows.append(
                (
                    "begin_group",
                    section.id,
                    *_texts(section.title),
                    "",
                    "",
                    "",
                    _rule(section.relevant),
                )
            )
        rows += [_question_row(q, optional) for q in section.items]
        if section.grouped:
            rows.append(("end_group",))
    return rows


def _question_row(question: Question, optional: tuple[str, ...]) -> tuple[object, ...]:
    kind = CALCULATE if question.is_calculated else TYPE_NAMES[question.kind]
    if question.has_choices:
        kind = f"{kind} {question.list_name or question.id}"
    required = question.required if isinstance(question.required, bool) else None
    return (
        kind,
        question.id,
        *_texts(question.label),
        *_texts(question.hint),
        "yes" if required else _rule(question.required_if),
        _rule(question.relevant),
        _rule(question.constraint),
        *_texts(question.constraint_message),
        *_texts(question.required_message),
        "yes" if question.personal else "",
        *(_OPTIONAL_TEXTS[header](question) for header in optional),
    )


def _appearance_text(question: Question) -> object:
    return question.appearance or ""


def _choice_filter_text(question: Question) -> object:
    return _rule(question.choice_filter)


def _guidance_ja(question: Question) -> object:
    return _texts(question.guidance)[0]


def _guidance_en(question: Question) -> object:
    return _texts(question.guidance)[1]


def _calculation_text(question: Question) -> object:
    return _rule(question.calculation)


_OPTIONAL_TEXTS = {
    "default": _default_text,
    "appearance": _appearance_text,
    "choice_filter": _choice_filter_text,
    "guidance_hint::ja": _guidance_ja,
    "guidance_hint::en": _guidance_en,
    "calculation": _calculation_text,
}
_FIELD_OF = {"guidance_hint::ja": "guidance", "guidance_hint::en": "guidance"}
"""The question's field an optional header writes, where the header is not its name."""


def _choices_sheet(
    questionnaire: Questionnaire,
) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """The choices sheet's headers and rows: the columns ``choice_filter``s read come last."""
    extra = tuple(
        dict.fromkeys(
            name
            for question in questionnaire.choice_questions
            for choice in question.choices
            for name, _text in choice.columns or ()
        )
    )
    rows = [
        (*row, *(dict(columns).get(name, "") for name in extra))
        for row, columns in _choice_rows(questionnaire)
    ]
    return (*CHOICE_HEADERS, *extra), rows


def _choice_rows(
    questionnaire: Questionnaire,
) -> list[tuple[tuple[object, ...], tuple[tuple[str, str], ...]]]:
    written: dict[str, tuple[Choice, ...]] = {}
    rows: list[tuple[tuple[object, ...], tuple[tuple[str, str], ...]]] = []
    for question in questionnaire.choice_questions:
        list_name = question.list_name or question.id
        if list_name in written:
            if written[list_name] != question.choices:
                raise ValueError(f"list {list_name} has different choices in {question.id}")
            continue
        written[list_name] = question.choices
        rows += [
            ((list_name, c.code, c.label.ja, c.label.en, c.mark), c.columns or ())
            for c in question.choices
        ]
    return rows


def _settings_row(questionnaire: Questionnaire) -> tuple[object, ...]:
    return (
        questionnaire.id,
        str(questionnaire.version),
        questionnaire.title.ja,
        questionnaire.title.en,
        questionnaire.headline,
        questionnaire.listed_choice,
    )


def _renamed_text(questionnaire: Questionnaire) -> str:
    return ", ".join(f"{name}={old}" for name, old in questionnaire.renamed)
