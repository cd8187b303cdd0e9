"""備考 of a round's summary tables: staff write a note for one row (a choice of a question).

A note is free text: kept as typed (Japanese typography, 全角 brackets and spaces; only control
characters and surrounding blanks go, :func:`forms.normalize.clean_text`), rendered as text in
every file (never a formula), and every change is audited without its text. An empty note removes
the row's note. The notes show in 集計, in the summary JSON (``notes``) and in deliveries.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import select

from forms.model import Question
from forms.normalize import InvalidValue, clean_text
from hub.db import db, utcnow
from hub.errors import Invalid, NotFound
from hub.models import Round, SummaryNote, User
from hub.services import audit

MAX_NOTE = 400
"""Characters in one note: a sentence or two, as the source document's 備考 column holds."""

Key = tuple[str, str]
"""``(question id, choice code)``: one row of a summary table."""


def note_question(round_: Round, question_id: str, code: str) -> Question:
    """The choice question of the row, or 404: only rows of the summary tables take a note."""
    question = round_.questionnaire.get(question_id)
    if question is None or not question.has_choices or question.personal:
        raise NotFound(
            _(
                "調査回%(round)sの集計表に項目「%(q)s」はありません。",
                round=round_.id,
                q=question_id,
            )
        )
    if question.choice(code) is None:
        raise NotFound(
            _("項目「%(q)s」に選択肢コード「%(code)s」はありません。", q=question_id, code=code)
        )
    return question


def cleaned_note(text: object) -> str:
    """The note as it will be stored; :class:`InvalidValue` saying why it cannot be."""
    if not isinstance(text, str):
        raise InvalidValue(_("備考は文字列で入力してください。"))
    note = clean_text(text)
    if len(note) > MAX_NOTE:
        raise InvalidValue(
            _("備考は%(max)s文字以内にしてください（%(n)s文字）。", max=MAX_NOTE, n=len(note))
        )
    return note


def notes_of(round_: Round) -> dict[Key, str]:
    rows = db.session.execute(
        select(SummaryNote.question_id, SummaryNote.code, SummaryNote.note).where(
            SummaryNote.round_id == round_.id
        )
    )
    return {(q, c): note for q, c, note in rows}


def set_note(round_: Round, question_id: str, code: str, text: object, *, user: User) -> str:
    """Write (or, with empty text, remove) one row's note; returns the note as stored."""
    note_question(round_, question_id, code)
    try:
        note = cleaned_note(text)
    except InvalidValue as error:
        raise Invalid({"note": [str(error)]}) from None
    _write(round_, (question_id, code), note, user=user)
    return note


def set_notes(round_: Round, typed: Mapping[Key, object], *, user: User) -> int:
    """Write every changed note of the staff page at once; nothing is written if any note is
    refused (errors keyed ``question.code``). Returns how many notes changed."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[Key, str] = {}
    for (question_id, code), text in typed.items():
        note_question(round_, question_id, code)
        try:
            cleaned[(question_id, code)] = cleaned_note(text)
        except InvalidValue as error:
            errors[f"{question_id}.{code}"] = [str(error)]
    if errors:
        raise Invalid(errors)
    current = notes_of(round_)
    changed = [key for key, note in cleaned.items() if current.get(key, "") != note]
    for key in changed:
        _write(round_, key, cleaned[key], user=user)
    return len(changed)


def _write(round_: Round, key: Key, note: str, *, user: User) -> None:
    question_id, code = key
    row = db.session.get(SummaryNote, (round_.id, question_id, code))
    before = row.note if row is not None else ""
    if before == note:
        return
    if not note:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(
            SummaryNote(
                round_id=round_.id,
                question_id=question_id,
                code=code,
                note=note,
                updated_at=utcnow(),
                updated_by_id=user.id,
            )
        )
    else:
        row.note, row.updated_at, row.updated_by_id = note, utcnow(), user.id
    db.session.flush()
    audit.record(
        "summary_note.set",
        user=user,
        target=f"round/{round_.id}",
        question=question_id,
        code=code,
        characters=len(note),
        removed=not note,
    )
