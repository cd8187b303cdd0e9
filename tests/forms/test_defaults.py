"""XLSForm ``default``: the answer a new response starts with, read as a respondent's typing is
read, refused in its cell when it cannot be an answer or is an expression (ODK's dynamic
default), and written back so that the file reads back the same."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from forms import registry
from forms.xlsform import DefinitionError, read_xlsform, write_xlsform
from tests.forms.xlsform_files import YES_NO, form

HEADER = ("type", "name", "label", "default")
CHOICES = (*YES_NO, ("area", "kita", "北部"), ("area", "minami", "南部"), ("area", "naka", "中部"))


def read(*rows: tuple[object, ...]):
    return read_xlsform(form(rows, CHOICES, survey_header=HEADER), "kenshu.xlsx")


def refused(*rows: tuple[object, ...]):
    with pytest.raises(DefinitionError) as caught:
        read(*rows)
    return caught.value.problems


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        ("text", "担当課で確認", "担当課で確認"),
        ("integer", "１２", 12),
        ("integer", 0, 0),
        ("decimal", "2.5", 2.5),
        ("date", "令和3年4月1日", "2021-04-01"),
        ("select_one yes_no", "no", "no"),
        ("select_one yes_no", "いいえ", "no"),
        ("select_multiple area", "naka kita", ("kita", "naka")),
        ("acknowledge", "OK", True),
    ],
)  # fmt: skip
def test_a_default_is_read_as_an_answer_is_stored(kind: str, typed: object, stored: object) -> None:
    questionnaire = read((kind, "q", "質問", typed))
    assert questionnaire.question("q").default == stored
    expected = list(stored) if isinstance(stored, tuple) else stored
    assert questionnaire.defaults() == {"q": expected}


def test_no_default_means_none_and_no_defaults() -> None:
    questionnaire = read(("integer", "q", "質問", None))
    assert questionnaire.question("q").default is None
    assert questionnaire.defaults() == {}


@pytest.mark.parametrize(
    ("row", "cause"),
    [
        (("integer", "q", "質問", "十二"), "default の値を読めません"),
        (("select_one yes_no", "q", "質問", "maybe"), "選択肢にない値です: maybe"),
        (("select_multiple area", "q", "質問", "kita nishi"), "nishi"),
        (("date", "q", "質問", "today()"), "default に式は使えません"),
        (("text", "q", "質問", "${other}"), "default に式は使えません"),
        (("integer", "q", "質問", "once(1)"), "default に式は使えません"),
        (("note", "q", "説明", "x"), "note（説明文）には default を付けられません"),
    ],
)
def test_a_default_that_cannot_be_an_answer_is_refused_in_its_cell(
    row: tuple[object, ...], cause: str
) -> None:
    problems = refused(row)
    assert [(p.row, p.column) for p in problems] == [(2, "default")]
    assert cause in problems[0].message


def test_a_group_takes_no_default() -> None:
    problems = refused(
        ("begin_group", "g", "グループ", "x"), ("text", "q", "質問", None), ("end_group",)
    )
    assert [(p.row, p.column) for p in problems] == [(2, "default")]


def test_text_that_only_looks_like_a_call_is_a_text_default() -> None:
    assert read(("text", "q", "質問", "NPO法人（予定）")).question("q").default == "NPO法人（予定）"


def test_defaults_are_written_back_and_read_the_same() -> None:
    questionnaire = read(
        ("integer", "count", "件数", "０"),
        ("date", "since", "開始日", "2021-04-01"),
        ("select_multiple area", "areas", "地域", "minami kita"),
        ("select_one yes_no", "plan", "計画", "yes"),
        ("text", "memo", "備考", None),
    )
    again = read_xlsform(write_xlsform(questionnaire), "kenshu.xlsx")
    assert again == questionnaire
    assert again.fingerprint() == questionnaire.fingerprint()
    assert again.defaults() == {"count": 0, "since": "2021-04-01", "areas": ["kita", "minami"],
                                "plan": "yes"}  # fmt: skip


def test_a_definition_without_defaults_keeps_the_fingerprint_it_was_stored_with() -> None:
    """Stored rows carry the fingerprint computed before ``default`` existed; the cache of parsed
    definitions is keyed by it. (torikumi as databases stored it before its ``headline_title``.)"""
    torikumi = replace(registry.get("torikumi", 1), headline_title=None)
    assert torikumi.fingerprint() == (
        "bef2d6c13bdd5610ee95294c63fc3c9bd6bf6b5a8797c2b304a4af37a6b96a34"
    )
    survey = load_workbook(io.BytesIO(write_xlsform(torikumi)))["survey"]
    assert "default" not in [cell.value for cell in survey[1]], "files written as before"


def test_the_definition_sheet_says_each_default_as_people_read_it() -> None:
    from exports.sheets.definitions import question_definition_table

    questionnaire = read(
        ("integer", "count", "件数", "０"),
        ("select_multiple area", "areas", "地域", "minami kita"),
        ("select_one yes_no", "plan", "計画", "no"),
        ("text", "memo", "備考", None),
    )
    table = question_definition_table(questionnaire)
    notes = {row[1]: row[-1] for row in table.rows if row[2] is not None}
    assert "新しい調査回の初期値「0」" in notes["count"]
    assert "新しい調査回の初期値「北部、南部」" in notes["areas"]
    assert "新しい調査回の初期値「いいえ」" in notes["plan"]
    assert "初期値" not in (notes["memo"] or "")


def test_a_default_its_own_rules_refuse_is_refused_in_its_cell() -> None:
    header = ("type", "name", "label", "default", "constraint")
    data = form(
        [
            ("integer", "count", "件数", "０", ". > 0"),
            ("integer", "staff", "職員数", "3", ". <= ${count} or ${count} = ''"),
            ("integer", "fine", "問題なし", "5", ". >= 1"),
        ],
        survey_header=header,
    )
    with pytest.raises(DefinitionError) as caught:
        read_xlsform(data, "kenshu.xlsx")
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [(2, "default"), (3, "default")]
    assert "default がこの質問の規則を満たしません: " in problems[0].message
