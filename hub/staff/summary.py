"""集計と備考: the round's count tables as staff see them, with a 備考 for every row.

Each choice question's counts (the same SQL counts as the workbook's 集計 and the summary API)
with one text box per choice; saving writes the changed notes at once, or none of them when one is
refused (the typed text stays on the page with the error beside it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from exports.aggregate import RoundCounts, round_counts
from forms.model import Question
from hub.auth.gate import require_actor
from hub.auth.policy import allow
from hub.db import db
from hub.errors import Invalid
from hub.models import Round
from hub.services import notes, responses
from hub.staff.views import bp
from hub.web.display import locale_code

FIELD_PREFIX = "note:"


@dataclass(frozen=True)
class NoteRow:
    code: str
    label: str
    count: int
    share: float | None
    field: str
    """The form field (``note:question:code``) and, with ``-`` for ``:``, the input's id."""
    note: str
    errors: tuple[str, ...]


@dataclass(frozen=True)
class NoteTable:
    question: Question
    label: str
    rows: tuple[NoteRow, ...]


def field_name(question_id: str, code: str) -> str:
    return f"{FIELD_PREFIX}{question_id}:{code}"


def note_tables(
    counts: RoundCounts,
    locale: str,
    typed: Mapping[notes.Key, str] | None = None,
    errors: Mapping[str, list[str]] | None = None,
) -> list[NoteTable]:
    """A table per choice question that the summary shows (personal ones never are)."""
    typed, errors = typed or {}, errors or {}
    tables = []
    for question in counts.questionnaire.choice_questions:
        if question.personal:
            continue
        saved = counts.notes.get(question.id, {})
        rows = tuple(
            NoteRow(
                code=choice.code,
                label=choice.display(locale),
                count=counts.choices[question.id][choice.code],
                share=(
                    counts.choices[question.id][choice.code] / counts.responded
                    if counts.responded
                    else None
                ),
                field=field_name(question.id, choice.code),
                note=typed.get((question.id, choice.code), saved.get(choice.code, "")),
                errors=tuple(errors.get(f"{question.id}.{choice.code}", ())),
            )
            for choice in question.choices
        )
        tables.append(NoteTable(question, question.label.get(locale), rows))
    return tables


def _page(
    round_: Round,
    *,
    typed: Mapping[notes.Key, str] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    counts = round_counts(round_)
    tables = note_tables(counts, locale_code(), typed, errors)
    return (
        render_template(
            "staff/summary.html",
            round=round_,
            counts=counts,
            tables=tables,
            max_note=notes.MAX_NOTE,
        ),
        status,
    )


@bp.get("/rounds/<int:round_id>/summary")
@allow("response.review")
def summary(round_id: int) -> ResponseReturnValue:
    """The count tables with a 備考 box per row."""
    return _page(responses.get_round(round_id))


@bp.post("/rounds/<int:round_id>/summary")
@allow("summary.annotate")
def save_notes(round_id: int) -> ResponseReturnValue:
    round_ = responses.get_round(round_id)
    typed: dict[notes.Key, str] = {}
    for name, value in request.form.items():
        if name.startswith(FIELD_PREFIX):
            question_id, _sep, code = name.removeprefix(FIELD_PREFIX).partition(":")
            typed[(question_id, code)] = value
    try:
        changed = notes.set_notes(round_, typed, user=require_actor())
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _page(round_, typed=typed, errors=exc.errors, status=422)
    if changed:
        flash(_("備考を保存しました（%(n)s件）。", n=changed), "success")
    else:
        flash(_("変更された備考はありません。"), "info")
    return redirect(url_for("staff.summary", round_id=round_id))
