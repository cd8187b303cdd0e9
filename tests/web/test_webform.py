"""The WTForms form built from the questionnaire definition."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, RadioField, StringField, TextAreaField

from forms import registry
from forms.model import Kind, Label, Question, Questionnaire, Section
from forms.webform import MultiCheckboxField, form_class
from hub.web.editing import ConfirmForm

TORIKUMI = registry.latest("torikumi")

FIELD_TYPES = {
    Kind.ONE_OF: RadioField,
    Kind.MANY_OF: MultiCheckboxField,
    Kind.BOOL: BooleanField,
}


def test_one_field_per_question_with_its_label_in_each_language(app):
    with app.test_request_context():
        for locale in ("ja", "en"):
            form = form_class(TORIKUMI, locale)(formdata=None)
            for question in TORIKUMI:
                field = form[question.id]
                assert field.label.text == question.label.get(locale)
                expected = FIELD_TYPES.get(question.kind, (StringField, TextAreaField))
                assert isinstance(field, expected), question.id
                if question.has_choices:
                    assert [c.value for c in field.iter_choices()] == list(question.codes)
    assert form_class(TORIKUMI, "ja") is form_class(TORIKUMI, "ja")


def test_answers_are_the_raw_input_and_irrelevant_ones_can_be_left_out(app):
    posted = MultiDict(
        [
            ("plan_status", "no_plan"),
            ("plan_name", "書きかけ"),
            ("programs", "shamei_campaign"),
            ("programs", "other"),
            ("programs_other", "独自事業"),
            ("lead_department_undecided", "y"),
            ("lead_department", "福祉部"),
            ("cooperating_employers", "１２"),
            ("version", "3"),
        ]
    )
    with app.test_request_context(method="POST", data=posted):
        form = form_class(TORIKUMI, "ja")()
        raw = form.answers()
        assert raw["cooperating_employers"] == "１２"
        assert raw["programs"] == ["shamei_campaign", "other"]
        assert raw["lead_department_undecided"] is True
        assert raw["plan_name"] == "書きかけ"
        assert raw["contact_name"] is None
        relevant = form.answers(relevant_only=True)
        assert "plan_name" not in relevant
        assert "lead_department" not in relevant
        assert relevant["programs_other"] == "独自事業"
        assert form.posted_version() == 3


@pytest.mark.parametrize("version", ["", "abc", "３", "-1", "1.5", "9" * 5000])
def test_a_missing_or_odd_version_is_always_stale(app, version):
    with app.test_request_context(method="POST", data={"version": version}):
        assert form_class(TORIKUMI, "ja")().posted_version() == -1


def test_a_question_id_clashing_with_the_form_is_refused():
    clash = Questionnaire(
        id="clash",
        version=1,
        title=Label("衝突", "Clash"),
        sections=(Section("A", Label("A", "A"), (Question("data", Kind.TEXT, Label("a", "a")),)),),
    )
    with pytest.raises(ValueError, match="data"):
        form_class(clash, "ja")


@pytest.mark.parametrize("version", ["", "abc", "-1", "9" * 5000])
def test_the_submit_confirmations_odd_version_is_always_stale(app, version):
    with app.test_request_context(method="POST", data={"version": version}):
        assert ConfirmForm().posted_version() == -1
