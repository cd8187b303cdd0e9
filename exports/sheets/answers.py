"""回答一覧: one row per municipality, one column per question (many-of questions as one 0/1
column per choice, the その他 text beside them), ready for filters and pivot tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from exports.aggregate import AnswerRow, answer_rows
from exports.tables import TITLES, Cell, Table, as_of
from forms.model import Kind, Question, Questionnaire
from hub.models import Round
from hub.models.survey import response_state_label


@dataclass(frozen=True)
class _Column:
    key: str
    header: str
    question: Question
    code: str | None = None
    """For a many-of question: the choice this 0/1 column stands for."""


def answer_columns(questionnaire: Questionnaire, *, personal: bool = True) -> list[_Column]:
    """One column per question, many-of questions as one 0/1 column per choice."""
    columns: list[_Column] = []
    for q in questionnaire.questions:
        if not personal and q.id in questionnaire.personal_fields:
            continue
        if q.kind == Kind.MANY_OF:
            columns += [
                _Column(f"{q.id}.{c.code}", f"{q.label.ja}：{c.label.ja}", q, c.code)
                for c in q.choices
            ]
        else:
            columns.append(_Column(q.id, _answer_header(questionnaire, q), q))
    return columns


def _answer_header(questionnaire: Questionnaire, question: Question) -> str:
    if question.other_of:
        return f"{questionnaire.question(question.other_of).label.ja}：その他の内容"
    return question.label.ja


def _column_values(column: _Column, answers: list[dict[str, Any]]) -> list[Cell]:
    """The cells of ``column`` for each of ``answers`` (counted responses only).

    The conversion is chosen once per column, not once per cell: a many-of choice is 1 when the
    stored list holds its code (0 otherwise), a check box 1 when ticked; empty answers are empty
    cells; a one-of shows its choice as the source document writes it (a code it does not know as
    stored); a date an ISO date (anything else as stored); a number as a number (anything else as
    text); the rest as text."""
    q = column.question
    qid = q.id
    code = column.code
    values = [a.get(qid) for a in answers]
    if code is not None:
        return [1 if isinstance(v, list) and code in v else 0 for v in values]
    if q.kind == Kind.BOOL:
        return [1 if v else 0 for v in values]
    if q.kind == Kind.ONE_OF:
        shown: dict[str, str] = {}
        for choice in q.choices:
            shown.setdefault(choice.code, choice.display())
        return [_one_of(v, shown) for v in values]
    if q.kind == Kind.DATE:
        return [_date(v) for v in values]
    if q.kind in (Kind.INTEGER, Kind.DECIMAL):
        return [_number(v) for v in values]
    return [None if v is None or v == "" else v if v.__class__ is str else str(v) for v in values]


def _one_of(value: object, shown: dict[str, str]) -> Cell:
    if value is None or value == "":
        return None
    text = str(value)
    return shown.get(text, text)


def _date(value: object) -> Cell:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return str(value)


def _number(value: object) -> Cell:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return value
    return str(value)


_TEXT_KINDS = frozenset({Kind.TEXT, Kind.PHONE, Kind.EMAIL})


def answers_table(round_: Round, *, personal: bool = True) -> Table:
    """One row per municipality, one column per question: ready for filters and pivot tables."""
    columns = answer_columns(round_.questionnaire, personal=personal)
    fixed = (("code", "団体コード"), ("name", "区市町村"), ("region", "地域"), ("state", "状態"))
    rows = _rows(columns, answer_rows(round_))
    user_text = frozenset(
        len(fixed) + i
        for i, c in enumerate(columns)
        if c.code is None and c.question.kind in _TEXT_KINDS
    )
    fields, sections = _column_groups(round_.questionnaire, columns, first=len(fixed))
    return Table.of(
        "answers",
        f"{TITLES['answers'].ja}（{as_of(round_)}）",
        (*(h for _, h in fixed), *(c.header for c in columns)),
        rows,
        keys=(*(k for k, _ in fixed), *(c.key for c in columns)),
        user_text=user_text,
        notes=(
            "回答の値は提出済み・受理済みの回答だけに表示します。"
            "複数選択の項目は選択肢ごとに 1（選択）／0 の列です。列の意味は「定義」シートにあります。",
        ),
        filterable=True,
        frozen_columns=2,
        fields=tuple(range(len(fixed))) + fields,
        sections=sections,
    )


def _rows(columns: list[_Column], found: list[AnswerRow]) -> list[tuple[Cell, ...]]:
    """The list's rows, built column by column: the fixed columns, then each answer column over
    the counted responses; a response not counted has empty answer cells."""
    counted = [r.answers for r in found if r.answers is not None]
    by_column = [_column_values(c, counted) for c in columns]
    counted_rows = iter(zip(*by_column, strict=True)) if columns else None
    empty = (None,) * len(columns)
    rows: list[tuple[Cell, ...]] = []
    for r in found:
        fixed = (r.code, r.name, r.region, response_state_label(r.state, returned=r.returned).ja)
        if r.answers is None:
            rows.append(fixed + empty)
        elif counted_rows is None:
            rows.append(fixed)
        else:
            rows.append(fixed + next(counted_rows))
    return rows


def _column_groups(
    questionnaire: Questionnaire, columns: list[_Column], *, first: int
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Where fields and sections start among the answer columns (offset by ``first``): a
    question's columns and the その他 text that goes with it are one field; a section is an
    XLSForm group of the definition. Printed column groups break only there."""
    fields: list[int] = []
    sections: list[int] = []
    field = section = None
    for i, column in enumerate(columns):
        q = column.question
        field_id = q.other_of or q.id
        found = questionnaire.section_of(q.id)
        section_id = found.id if found is not None else ""
        if field_id != field:
            fields.append(first + i)
        if section_id != section:
            sections.append(first + i)
        field, section = field_id, section_id
    return tuple(fields), tuple(sections)
