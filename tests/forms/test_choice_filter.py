"""XLSForm ``choice_filter`` (cascading selects): a choice is offered when the rule holds for it,
reading its columns of the choices sheet by bare name (``name`` its code) and other answers by
``${name}``. The server refuses an answer the rule does not offer; the file is refused in its
cell when the rule names a column the list does not have."""

from __future__ import annotations

from datetime import date

import pytest
from marshmallow import ValidationError

from forms.rules import Context, cascade
from forms.schema import load_answers
from forms.xlsform import DefinitionError, read_xlsform, write_xlsform
from tests.forms.xlsform_files import form

HEADER = ("type", "name", "label", "choice_filter")
CHOICES_HEADER = ("list_name", "name", "label", "pref")
CHOICES = (
    ("pref", "13", "東京都"),
    ("pref", "27", "大阪府"),
    ("city", "131016", "千代田区", "13"),
    ("city", "132012", "八王子市", "13"),
    ("city", "271004", "大阪市", "27"),
)
CASCADE = (
    ("select_one pref", "pref", "都道府県", None),
    ("select_one city", "city", "区市町村", "pref = ${pref}"),
)


def read(*rows: tuple[object, ...], choices=CHOICES):
    data = form(rows, choices, survey_header=HEADER, choices_header=CHOICES_HEADER)
    return read_xlsform(data, "kenshu.xlsx")


def refused(*rows: tuple[object, ...]):
    with pytest.raises(DefinitionError) as caught:
        read(*rows)
    return caught.value.problems


def test_the_filtered_list_carries_its_columns_and_others_do_not() -> None:
    questionnaire = read(*CASCADE)
    city = questionnaire.question("city")
    assert city.choices[0].filter_values() == {"pref": "13", "name": "131016"}
    assert all(c.columns is None for c in questionnaire.question("pref").choices)


@pytest.mark.parametrize(
    ("pref", "offered"),
    [("13", ["131016", "132012"]), ("27", ["271004"]), (None, [])],
)
def test_the_rule_offers_the_choices_it_holds_for(pref: str | None, offered: list[str]) -> None:
    questionnaire = read(*CASCADE)
    context = Context(questionnaire, {"pref": pref} if pref else {})
    assert [c.code for c in context.offered(questionnaire.question("city"))] == offered


def test_an_answer_the_rule_does_not_offer_is_refused_with_its_label(app) -> None:
    questionnaire = read(*CASCADE)
    assert load_answers(questionnaire, {"pref": "27", "city": "271004"})["city"] == "271004"
    with app.test_request_context(), pytest.raises(ValidationError) as caught:
        load_answers(questionnaire, {"pref": "27", "city": "八王子市"})
    assert caught.value.messages == {
        "city": [
            "「八王子市」は、ほかの質問への回答からは選べません（選べる選択肢だけが表示されます）。"
        ]
    }


def test_a_many_of_is_checked_choice_by_choice(app) -> None:
    questionnaire = read(
        ("select_one pref", "pref", "都道府県", None),
        ("select_multiple city", "cities", "区市町村", "pref = ${pref} or name = '271004'"),
    )
    answers = load_answers(questionnaire, {"pref": "13", "cities": ["131016", "271004"]})
    assert answers["cities"] == ["131016", "271004"]
    with app.test_request_context(), pytest.raises(ValidationError) as caught:
        load_answers(questionnaire, {"pref": "27", "cities": ["131016", "132012", "271004"]})
    assert len(caught.value.messages["cities"]) == 2


@pytest.mark.parametrize(
    ("rows", "cause"),
    [
        ((("text", "q", "質問", "pref = '13'"),), "選択式の質問にだけ"),
        ((*CASCADE[:1], ("select_one city", "c", "市", "prefecture = ${pref}")),
         "「prefecture」は choices シートの列にありません（使える列: name, pref）"),
        ((*CASCADE[:1], ("select_one city", "c", "市", "pref = ${prefx}")), "「pref」のことですか"),
        ((*CASCADE[:1], ("select_one city", "c", "市", "pref = .")), "choice_filter では使えません"),
        ((*CASCADE[:1], ("select_one city", "c", "市", "pref = = 1")), "位置が正しくありません"),
        ((*CASCADE[:1], ("select_one city or_other", "c", "市", "pref = ${pref}")), "or_other"),
    ],
)  # fmt: skip
def test_a_rule_that_cannot_filter_is_refused_in_its_cell(
    rows: tuple[tuple[object, ...], ...], cause: str
) -> None:
    problems = refused(*rows)
    assert [p.column for p in problems] == ["choice_filter"], problems
    assert cause in problems[0].message


def test_a_choice_filter_is_written_back_and_read_the_same() -> None:
    questionnaire = read(*CASCADE, ("select_one city", "home", "居住地", "Pref = '27'"))
    again = read_xlsform(write_xlsform(questionnaire), "kenshu.xlsx")
    assert again == questionnaire
    assert again.fingerprint() == questionnaire.fingerprint()


def test_the_rule_is_said_in_words_in_both_languages() -> None:
    from forms.describe import rule_texts

    questionnaire = read(*CASCADE)
    city = questionnaire.question("city")
    # a respondent reads it beside the field: no column of the choices sheet (「prefが…」)
    assert rule_texts(city, questionnaire) == ["選べる選択肢は、「都道府県」の回答に合うもの"]
    assert rule_texts(city, questionnaire, "en") == [
        "Choices offered: those that fit the answer to “都道府県”"
    ]
    other = read(*CASCADE[:1], ("select_one city", "c", "市", "pref != ${pref} and name != 'x'"))
    assert rule_texts(other.question("c"), other) == [
        "選べる選択肢は、選択肢のpref != 「都道府県」 and 選択肢のname != 'x' を満たすもの"
    ]


def test_a_cascade_is_worked_out_for_each_choice_of_the_one_answer_it_reads() -> None:
    questionnaire = read(*CASCADE)
    found = cascade(questionnaire, questionnaire.question("city"))
    assert found is not None
    assert found.parent.id == "pref"
    assert [(p.code, [c.code for c in offered]) for p, offered in found.offered] == [
        ("13", ["131016", "132012"]),
        ("27", ["271004"]),
    ]
    assert cascade(questionnaire, questionnaire.question("pref")) is None


@pytest.mark.parametrize(
    "rule",
    [
        "pref = ${pref} or pref = ${other}",  # two answers
        "pref = ${count}",  # a number: no list of its values
        "pref = ${pref} and ${reference_date} > '2020-01-01'",  # the 基準日, not known here
    ],
)
def test_no_cascade_when_the_rule_reads_more_than_one_choice(rule: str) -> None:
    questionnaire = read(
        *CASCADE[:1],
        ("select_one pref", "other", "もう一つ", None),
        ("integer", "count", "数", None),
        ("select_one city", "city", "区市町村", rule),
    )
    assert cascade(questionnaire, questionnaire.question("city")) is None


def test_the_round_s_reference_date_may_be_read() -> None:
    questionnaire = read(
        *CASCADE[:1],
        (
            "select_one city",
            "city",
            "区市町村",
            "pref = ${pref} and ${reference_date} > '2020-01-01'",
        ),
    )
    found = cascade(questionnaire, questionnaire.question("city"), reference_date=date(2025, 4, 1))
    assert found is not None
    assert [len(offered) for _, offered in found.offered] == [2, 1]


def test_a_label_two_choices_share_is_refused_naming_their_codes(app) -> None:
    """A list of municipalities across prefectures: 府中市 twice. Its label names neither; each
    code is taken."""
    questionnaire = read(
        ("select_one city", "city", "区市町村", None),
        choices=(*CHOICES, ("city", "342076", "府中市", "34"), ("city", "132063", "府中市", "13")),
    )
    with app.test_request_context():
        with pytest.raises(ValidationError) as refused:
            load_answers(questionnaire, {"city": "府中市"})
        assert "「府中市」に当たる選択肢が複数あります（342076、132063）" in str(
            refused.value.messages
        )
        assert load_answers(questionnaire, {"city": "132063"})["city"] == "132063"
        assert load_answers(questionnaire, {"city": "八王子市"})["city"] == "132012"
