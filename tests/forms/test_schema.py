"""The marshmallow schema derived from the definition: drafts, submit rules, codes, traps."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields

from forms import registry
from forms.model import OTHER, Kind
from forms.rules import Context
from forms.schema import AnswerField, completeness_errors, load_answers, schema_for
from tests.conftest import complete_answers

TORIKUMI = registry.latest("torikumi")

REFERENCE = date(2021, 4, 1)
PROPERTY = settings(max_examples=80, deadline=None)
OTHER_QUESTIONS = [q.id for q in TORIKUMI.choice_questions if OTHER in q.codes]


def submit(answers: dict[str, Any], reference_date: date = REFERENCE) -> dict[str, Any]:
    return load_answers(TORIKUMI, answers, submit=True, reference_date=reference_date)


def draft(answers: dict[str, Any]) -> dict[str, Any]:
    return load_answers(TORIKUMI, answers, reference_date=REFERENCE)


def submit_errors(answers: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        submit(answers)
    assert isinstance(info.value.messages, dict)
    return info.value.messages  # type: ignore[return-value]


def formulated(**overrides: Any) -> dict[str, Any]:
    plan = {"plan_status": "formulated", "plan_name": "再犯防止推進計画", "plan_date": "2021-03-31"}
    return complete_answers(**{**plan, **overrides})


# ----------------------------------------------------------------------------- the schema


def test_one_field_per_question_derived_from_the_definition() -> None:
    schema = schema_for(TORIKUMI)()
    assert list(schema.fields) == [q.id for q in TORIKUMI]
    for question in TORIKUMI:
        field = schema.fields[question.id]
        assert isinstance(field, AnswerField)
        assert field.question == question
    assert schema_for(TORIKUMI) is schema_for(TORIKUMI)


def test_drafts_may_be_empty_or_partial() -> None:
    assert draft({}) == {}
    assert draft({"plan_status": "formulated"}) == {"plan_status": "formulated"}
    assert draft({"contact_email": "", "programs": [], "comments": "  "}) == {}


def test_complete_answers_submit() -> None:
    assert submit(complete_answers())["plan_status"] == "no_plan"
    assert submit(formulated())["plan_date"] == "2021-03-31"


def test_submit_requires_everything_required() -> None:
    errors = submit_errors({})
    assert set(errors) == {
        "plan_status",
        "lead_department",
        "consultation_setup",
        "contact_name",
        "contact_phone",
        "contact_email",
    }
    assert errors["plan_status"] == ["選択してください（必須）。"]
    assert errors["contact_name"] == ["入力してください（必須）。"]


def test_formulated_needs_a_name_and_a_date() -> None:
    errors = submit_errors(complete_answers(plan_status="formulated"))
    assert set(errors) == {"plan_name", "plan_date"}


def test_public_comment_needs_a_name_but_no_date() -> None:
    errors = submit_errors(complete_answers(plan_status="public_comment"))
    assert set(errors) == {"plan_name"}
    ok = submit(complete_answers(plan_status="public_comment", plan_name="計画案"))
    assert ok["plan_name"] == "計画案"


@pytest.mark.parametrize(
    "status", ["council_review", "internal_planning", "internal_feasibility", "no_plan"]
)
def test_other_statuses_need_neither_and_drop_them(status: str) -> None:
    loaded = submit(complete_answers(plan_status=status, plan_name="x", plan_date="2030-01-01"))
    assert "plan_name" not in loaded
    assert "plan_date" not in loaded


@pytest.mark.parametrize(
    ("typed", "ok"),
    [("2021-03-31", True), ("2021-04-01", True), ("令和3年4月1日", True), ("2021-04-02", False)],
)
def test_plan_date_not_after_the_reference_date(typed: str, ok: bool) -> None:
    answers = formulated(plan_date=typed)
    if ok:
        assert submit(answers)["plan_date"] <= "2021-04-01"
    else:
        errors = submit_errors(answers)
        assert list(errors) == ["plan_date"]
        assert "基準日（令和3年4月1日）" in errors["plan_date"][0]


def test_future_plan_date_is_fine_while_only_in_public_comment() -> None:
    answers = complete_answers(plan_status="public_comment", plan_name="案", plan_date="2021-08-01")
    assert submit(answers)["plan_date"] == "2021-08-01"


def test_future_plan_date_is_refused_in_a_draft_too() -> None:
    with pytest.raises(ValidationError) as info:
        draft({"plan_status": "formulated", "plan_date": "2022-01-01"})
    assert "plan_date" in info.value.messages


@pytest.mark.parametrize(
    ("undecided", "department", "needs_department"),
    [
        (None, None, True),
        (False, None, True),
        ("いいえ", None, True),
        (True, None, False),
        ("はい", None, False),
        ("○", None, False),
        (True, "福祉部", False),
    ],
)
def test_lead_department_unless_undecided(
    undecided: Any, department: str | None, needs_department: bool
) -> None:
    answers = complete_answers(lead_department=department, lead_department_undecided=undecided)
    if needs_department:
        assert set(submit_errors(answers)) == {"lead_department"}
    else:
        loaded = submit(answers)
        assert loaded.get("lead_department_undecided") is True or "lead_department" in loaded


@pytest.mark.parametrize("question_id", OTHER_QUESTIONS)
def test_other_text_is_required_when_other_is_chosen(question_id: str) -> None:
    question = TORIKUMI.question(question_id)
    chosen: Any = OTHER if question.kind == Kind.ONE_OF else [OTHER]
    base = complete_answers(plan_status="public_comment", plan_name="案")
    errors = submit_errors({**base, question_id: chosen})
    assert set(errors) == {f"{question_id}_other"}
    loaded = submit({**base, question_id: chosen, f"{question_id}_other": "独自の取組"})
    assert loaded[f"{question_id}_other"] == "独自の取組"


def test_a_field_shown_only_by_a_hidden_question_is_neither_required_nor_kept() -> None:
    """plan_integrated_with is hidden without a plan, and so is its その他 text."""
    answers = complete_answers(
        plan_integrated_with=["other"], plan_integrated_with_other="総合計画と一体"
    )
    loaded = submit(answers)
    assert "plan_integrated_with" not in loaded
    assert "plan_integrated_with_other" not in loaded
    assert submit(complete_answers(plan_integrated_with=["other"]))["plan_status"] == "no_plan"


@pytest.mark.parametrize("question_id", OTHER_QUESTIONS)
def test_other_text_without_other_is_dropped_on_submit(question_id: str) -> None:
    question = TORIKUMI.question(question_id)
    first = question.codes[0]
    chosen: Any = first if question.kind == Kind.ONE_OF else [first]
    answers = complete_answers(**{question_id: chosen, f"{question_id}_other": "残骸"})
    if question_id == "plan_integrated_with":
        answers.update(plan_status="public_comment", plan_name="案")
    loaded = submit(answers)
    assert f"{question_id}_other" not in loaded
    assert draft(answers)[f"{question_id}_other"] == "残骸"


def test_unknown_code_is_an_error_naming_it() -> None:
    with pytest.raises(ValidationError) as info:
        draft({"plan_status": "formulatd", "programs": ["shamei_campaign", "bogus"]})
    messages = info.value.messages
    assert isinstance(messages, dict)
    assert "formulatd" in messages["plan_status"][0]
    assert "bogus" in messages["programs"][0]


def test_unknown_key_is_an_error_unless_ignored() -> None:
    with pytest.raises(ValidationError) as info:
        draft({"plan_status": "no_plan", "favourite_colour": "blue"})
    assert "favourite_colour" in info.value.messages
    loaded = load_answers(TORIKUMI, {"favourite_colour": "blue"}, ignore_unknown=True)
    assert loaded == {}


def test_errors_are_per_field_and_keep_every_field() -> None:
    with pytest.raises(ValidationError) as info:
        draft({"cooperating_employers": "-1", "contact_email": "no-at-sign", "comments": "ok"})
    messages = info.value.messages
    assert isinstance(messages, dict)
    assert set(messages) == {"cooperating_employers", "contact_email"}
    assert "0以上" in messages["cooperating_employers"][0]
    assert info.value.valid_data is not None
    assert info.value.valid_data.get("comments") == "ok"


def test_completeness_errors_match_submit() -> None:
    answers = draft({"plan_status": "formulated", "programs": ["other"]})
    errors = completeness_errors(TORIKUMI, answers, REFERENCE)
    assert set(errors) == set(submit_errors(answers))
    assert completeness_errors(TORIKUMI, submit(formulated()), REFERENCE) == {}


# ------------------------------------------------------------------ the marshmallow 4 trap


def test_marshmallow_4_ignores_a_validator_that_returns_false() -> None:
    """Why our rules raise: marshmallow 4 no longer fails a field whose validator returns False."""

    class Naive(Schema):
        n = fields.Integer(validate=lambda value: value > 0)

    assert Naive().load({"n": -5}) == {"n": -5}


@pytest.mark.parametrize(
    ("question_id", "bad"),
    [
        ("plan_status", "none_of_these"),
        ("plan_name", "x" * 201),
        ("plan_date", "令和1年4月30日"),
        ("lead_department_undecided", "たぶん"),
        ("programs", ["nothing"]),
        ("cooperating_employers", "-1"),
        ("contact_phone", "12345"),
        ("contact_email", "taro@"),
    ],
)
def test_every_kind_of_field_raises_for_a_bad_value(question_id: str, bad: Any) -> None:
    with pytest.raises(ValidationError) as info:
        draft({question_id: bad})
    assert list(info.value.messages) == [question_id]


def test_our_fields_carry_no_boolean_validators() -> None:
    schema = schema_for(TORIKUMI)()
    assert all(not field.validators for field in schema.fields.values())


def test_rule_violations_raise_from_the_schema_hook() -> None:
    schema = schema_for(TORIKUMI)(submit=True, reference_date=REFERENCE)
    with pytest.raises(ValidationError):
        schema.load({"plan_status": "formulated"})
    assert schema.validate({"plan_status": "formulated"})  # the same errors, reported


# -------------------------------------------------------------------------- properties

VALID_TYPED: dict[str, list[Any]] = {
    "plan_status": ["formulated", "①策定済み", "public_comment", "⑥", "no_plan"],
    "plan_name": ["千代田区再犯防止推進計画", "ＡＢＣ計画"],
    "plan_date": ["令和3年3月31日", "R2.3.31", "２０２１－０３－０１", "2020/4/1"],
    "plan_integrated_with": [["regional_welfare"], ["other", "crime_prevention"]],
    "plan_integrated_with_other": ["総合計画"],
    "lead_department": ["福祉部", "保健福祉部　福祉総務課"],
    "lead_department_undecided": [True, False, "はい"],
    "programs": [["shamei_campaign"], "shamei_campaign、other", []],
    "programs_other": ["街頭広報"],
    "cooperating_employers": ["１２", 3, "1,234"],
    "consultation_setup": ["none", "other", "dedicated_window"],
    "consultation_setup_other": ["電話相談"],
    "requests": [["training"], ["other"]],
    "requests_other": ["研修資料"],
    "comments": ["=SUM(A1:A9)", "特になし"],
    "contact_name": ["都庁 太郎"],
    "contact_phone": ["０３－５３２１－１１１１", "0353211111"],
    "contact_email": ["Taro@Example.JP"],
}

typed_answers = st.fixed_dictionaries(
    {}, optional={key: st.sampled_from(values) for key, values in VALID_TYPED.items()}
)


@PROPERTY
@given(typed_answers)
def test_any_partial_draft_of_valid_values_loads(answers: dict[str, Any]) -> None:
    loaded = draft(answers)
    assert set(loaded) <= set(answers)


@PROPERTY
@given(typed_answers)
def test_loading_is_idempotent(answers: dict[str, Any]) -> None:
    once = draft(answers)
    assert draft(once) == once


@PROPERTY
@given(typed_answers)
def test_submit_succeeds_exactly_when_no_completeness_errors(answers: dict[str, Any]) -> None:
    loaded = draft(answers)
    expected = completeness_errors(TORIKUMI, loaded, REFERENCE)
    if expected:
        assert set(submit_errors(answers)) == set(expected)
    else:
        result = submit(answers)
        asked = Context(TORIKUMI, result, reference_date=REFERENCE).asked()
        assert all(asked[k] for k in result)
        assert {k for k, v in result.items() if v} <= set(loaded)


@PROPERTY
@given(
    status=st.sampled_from(TORIKUMI.question("plan_status").codes),
    has_name=st.booleans(),
    has_date=st.booleans(),
    undecided=st.booleans(),
    has_department=st.booleans(),
)
def test_conditional_requirements_table(
    status: str, has_name: bool, has_date: bool, undecided: bool, has_department: bool
) -> None:
    answers = complete_answers(
        plan_status=status,
        plan_name="計画" if has_name else None,
        plan_date="2021-03-01" if has_date else None,
        lead_department_undecided=undecided or None,
        lead_department="福祉部" if has_department else None,
    )
    missing = set()
    if status in ("formulated", "public_comment") and not has_name:
        missing.add("plan_name")
    if status == "formulated" and not has_date:
        missing.add("plan_date")
    if not undecided and not has_department:
        missing.add("lead_department")
    if missing:
        assert set(submit_errors(answers)) == missing
    else:
        assert submit(answers)["plan_status"] == status
