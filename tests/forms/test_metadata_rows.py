"""Rows of device metadata (``start``, ``end``, ``today``, ``deviceid``…), which ODK's templates
and every form KoboToolbox exports carry, are read past and said, not refused: the hub records who
saved and submitted what, and when, itself."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from forms.model import Kind
from forms.schema import load_answers
from forms.xlsform import DefinitionError, read_xlsform, write_xlsform
from forms.xlsform.vocabulary import UNSUPPORTED_TYPES
from tests.forms.xlsform_files import form

KOBO_HEAD = [("start", "start", None), ("end", "end", None), ("today", "today", None),
             ("deviceid", "deviceid", None)]  # fmt: skip


def test_metadata_rows_are_read_past_and_listed() -> None:
    plain = read_xlsform(form([("integer", "count", "件数")]), "kenshu.xlsx")
    kobo = read_xlsform(form([*KOBO_HEAD, ("integer", "count", "件数")]), "kenshu.xlsx")
    assert kobo == plain
    assert kobo.fingerprint() == plain.fingerprint()
    assert kobo.skipped == ((2, "start"), (3, "end"), (4, "today"), (5, "deviceid"))
    assert plain.skipped == ()
    assert read_xlsform(write_xlsform(kobo), "kenshu.xlsx").skipped == ()


def test_a_rule_on_a_metadata_row_is_refused_as_naming_no_question() -> None:
    rows = [*KOBO_HEAD, ("date", "held_on", "開催日", None, None, ". <= ${today}")]
    with pytest.raises(DefinitionError) as caught:
        read_xlsform(form(rows), "kenshu.xlsx")
    assert [p.row for p in caught.value.problems] == [6]
    assert "「today」という名前の質問はありません" in caught.value.problems[0].message


@pytest.mark.parametrize(
    ("type_text", "good", "bad"),
    [
        ("phone number", "0353211111", "03-5321-1111"),
        ("percentage", 100, 101),
        ("number of days in last month", 31, 32),
        ("number of days in last six months", 183, 184),
        ("number of days in last year", 365, 366),
    ],
)
def test_pyxforms_visible_input_types_are_questions_with_their_limits(
    type_text: str, good: object, bad: object
) -> None:
    """Respondents see these in ODK (pyxform gives them a control): never read past."""
    q = read_xlsform(form([(type_text, "q", "質問")]), "kenshu.xlsx")
    assert q.skipped == ()
    question = q.question("q")
    assert question.kind == (Kind.TEXT if type_text == "phone number" else Kind.INTEGER)
    assert load_answers(q, {"q": good}) == {"q": good}
    with pytest.raises(ValidationError):
        load_answers(q, {"q": bad})
    if type_text != "phone number":
        with pytest.raises(ValidationError):
            load_answers(q, {"q": -1})
    assert read_xlsform(write_xlsform(q), "kenshu.xlsx") == q


def test_every_type_read_past_is_invisible_in_pyxform() -> None:
    """A type read past as metadata has no control in pyxform: no respondent sees it."""
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    metadata = [t for t, reason in UNSUPPORTED_TYPES.items() if reason == "metadata"]
    known = [t for t in metadata if t in QUESTION_TYPE_DICT]
    assert len(known) > 20
    assert [t for t in known if "control" in QUESTION_TYPE_DICT[t]] == []
