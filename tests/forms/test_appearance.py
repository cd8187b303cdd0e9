"""XLSForm ``appearance``: ``multiline`` draws a text as a box of several lines, ``minimal`` a
select_one as a drop-down list, ``likert`` a select_one as a scale and ``columns`` (or ODK's
older ``horizontal``) the choices in columns; every other appearance is ignored (not kept), as
ODK ignores what a client cannot draw."""

from __future__ import annotations

import pytest
from wtforms import RadioField, SelectField, StringField, TextAreaField

from forms.webform import field_for
from forms.xlsform import read_xlsform, write_xlsform
from tests.forms.xlsform_files import YES_NO, form

HEADER = ("type", "name", "label", "appearance")


def read(*rows: tuple[object, ...]):
    return read_xlsform(form(rows, YES_NO, survey_header=HEADER), "kenshu.xlsx")


@pytest.mark.parametrize(
    ("kind", "appearance", "kept"),
    [
        ("text", "multiline", "multiline"),
        ("text", "Multiline", "multiline"),
        ("select_one yes_no", "minimal", "minimal"),
        ("select_one yes_no", "minimal quick", "minimal"),
        ("select_one yes_no", "likert", "likert"),
        ("select_one yes_no", "quick likert", "likert"),
        ("select_one yes_no", "columns", "columns"),
        ("select_one yes_no", "horizontal", "columns"),
        ("select_one yes_no", "columns-pack", "columns"),
        ("select_multiple yes_no", "columns-3", "columns-3"),
        ("select_one yes_no", "columns-03", "columns-3"),
        ("select_one yes_no", "columns-10", "columns-10"),
        ("select_one yes_no", "columns-11", "columns"),
        ("select_one yes_no", "columns-0", "columns"),
        ("text", "columns-3", None),
        ("select_multiple yes_no", "horizontal-compact", "columns"),
        ("select_multiple yes_no", "likert", None),
        ("select_multiple yes_no", "minimal", None),
        ("integer", "likert", None),
        ("integer", "multiline", None),
        ("text", "numbers", None),
        ("text", None, None),
    ],
)  # fmt: skip
def test_the_appearances_the_web_form_draws_are_kept(
    kind: str, appearance: str | None, kept: str | None
) -> None:
    assert read((kind, "q", "質問", appearance)).question("q").appearance == kept


def test_appearances_are_written_back_and_read_the_same() -> None:
    questionnaire = read(
        ("text", "memo", "自由記述", "multiline"),
        ("select_one yes_no", "plan", "計画", "minimal"),
        ("integer", "count", "件数", None),
    )
    again = read_xlsform(write_xlsform(questionnaire), "kenshu.xlsx")
    assert again == questionnaire
    assert again.fingerprint() == questionnaire.fingerprint()


@pytest.mark.parametrize(
    ("kind", "appearance", "field_type"),
    [
        ("text", "multiline", TextAreaField),
        ("text", None, StringField),
        ("select_one yes_no", "minimal", SelectField),
        ("select_one yes_no", None, RadioField),
    ],
)  # fmt: skip
def test_the_web_form_draws_what_the_appearance_asks(
    app, kind: str, appearance: str | None, field_type: type
) -> None:
    question = read((kind, "q", "質問", appearance)).question("q")
    with app.test_request_context():
        field = field_for(question, "ja")
    assert field.field_class is field_type
    if field_type is SelectField:
        choices = field.kwargs["choices"]
        assert [(c.value, c.label) for c in choices] == [
            ("", "選択してください"), ("yes", "はい"), ("no", "いいえ"),
        ]  # fmt: skip


def test_a_scale_and_columns_are_written_back_and_read_the_same() -> None:
    questionnaire = read(
        ("select_one yes_no", "useful", "役に立ったか", "likert"),
        ("select_multiple yes_no", "areas", "地域", "horizontal"),
        ("select_one yes_no", "base", "拠点", "columns-3"),
    )
    again = read_xlsform(write_xlsform(questionnaire), "kenshu.xlsx")
    assert again == questionnaire
    assert again.question("areas").appearance == "columns"
    assert again.question("base").appearance == "columns-3"
