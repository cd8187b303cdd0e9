"""The hub's XLSForm against pyxform, the reference implementation (a development dependency).

pyxform is not used at run time (docs/questionnaires.md says why); these tests keep the two
honest: every type pyxform knows is read or refused by name, every spelling read means what it
means in pyxform, and the files the hub writes convert to an XForm once the hub's extensions are
mapped to plain XLSForm.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform import aliases, constants, xls2xform
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

from forms import registry
from forms.model import Kind, Questionnaire
from forms.xlsform import read_xlsform, write_xlsform
from forms.xlsform.vocabulary import (
    CALCULATE_TYPES,
    SELECT_TYPES,
    SIMPLE_TYPES,
    select_type,
    unsupported_type,
)

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "kenshu_sanka.xlsx"
EXTENSIONS = {"phone", "email"}
"""The hub's own types (``email`` is device metadata in ODK; here the respondent types it)."""


def _read_or_refused(type_text: str) -> bool:
    lowered = type_text.lower()
    return (
        lowered in SIMPLE_TYPES
        or lowered in CALCULATE_TYPES
        or select_type(f"{type_text} some_list") is not None
        or unsupported_type(type_text) is not None
        or unsupported_type(lowered) is not None
    )


@pytest.mark.parametrize("type_text", sorted(QUESTION_TYPE_DICT))
def test_every_type_pyxform_knows_is_read_or_refused_by_name(type_text: str) -> None:
    assert _read_or_refused(type_text), type_text


@pytest.mark.parametrize("command", sorted(aliases.select))
def test_every_select_spelling_is_read_or_refused_by_name(command: str) -> None:
    assert select_type(f"{command} some_list") is not None or unsupported_type(
        f"{command} some_list"
    ), command


_BIND_KINDS = {"string": Kind.TEXT, "int": Kind.INTEGER, "decimal": Kind.DECIMAL, "date": Kind.DATE}


@pytest.mark.parametrize("type_text", sorted(set(SIMPLE_TYPES) - EXTENSIONS))
def test_each_simple_spelling_means_what_it_means_in_pyxform(type_text: str) -> None:
    entry = QUESTION_TYPE_DICT[type_text]
    kind = SIMPLE_TYPES[type_text]
    if kind == Kind.NOTE:
        assert entry["bind"]["readonly"] == "true()"
    elif kind == Kind.BOOL:
        assert entry["control"]["tag"] == "trigger"
    else:
        assert _BIND_KINDS[entry["bind"]["type"]] == kind
        # ODK shows a range as a slider; the hub as a number field with its limits
        assert entry["control"]["tag"] == ("range" if type_text == "range" else "input")


@pytest.mark.parametrize("command", sorted(SELECT_TYPES))
def test_each_select_spelling_means_what_it_means_in_pyxform(command: str) -> None:
    expected = {Kind.ONE_OF: constants.SELECT_ONE, Kind.MANY_OF: constants.SELECT_ALL_THAT_APPLY}
    if command in aliases.select:
        assert aliases.select[command] == expected[SELECT_TYPES[command]]
    else:
        tag = QUESTION_TYPE_DICT[command]["control"]["tag"]
        assert tag == ("select1" if SELECT_TYPES[command] == Kind.ONE_OF else "select")


def as_plain_xlsform(data: bytes) -> bytes:
    """The hub's file as plain XLSForm: ``phone``/``email`` become ``text`` and
    ``${reference_date}`` a ``calculate`` holding a date (what a round supplies)."""
    workbook = load_workbook(io.BytesIO(data))
    survey = workbook["survey"]
    for row in survey.iter_rows(min_row=2):
        if row[0].value in EXTENSIONS:
            row[0].value = "text"
    calculation = survey.max_column + 1
    survey.cell(row=1, column=calculation, value="calculation")
    survey.append(["calculate", "reference_date"])
    survey.cell(row=survey.max_row, column=calculation, value="'2021-04-01'")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "definition",
    [registry.latest("torikumi"), read_xlsform(EXAMPLE.read_bytes(), EXAMPLE.name)],
    ids=["torikumi", "example"],
)
def test_files_the_hub_writes_convert_to_an_xform(
    definition: Questionnaire, tmp_path: Path
) -> None:
    path = tmp_path / f"{definition.id}.xlsx"
    path.write_bytes(as_plain_xlsform(write_xlsform(definition)))
    result = xls2xform.convert(xlsform=str(path), validate=False)
    assert result.warnings == []
    assert f"<h:title>{definition.title.ja}</h:title>" in result.xform
    for question in definition.questions:
        assert f"/{question.id}" in result.xform, question.id
    assert 'lang="en"' in result.xform


@pytest.mark.parametrize(
    "parameters",
    [
        "",
        "start=1 end=5",
        "start=0 end=100 step=10",
        "start = 0; end = 1; step = 0.1",
        "start=10,end=1",
        "START=-5 end=5 step=2.5",
    ],
)
def test_a_range_reads_as_pyxform_reads_it(parameters: str, tmp_path: Path) -> None:
    """The limits and the number type the hub takes from ``parameters`` are those pyxform puts
    in the XForm (``start``/``end``/``step`` on the range control, ``int`` or ``decimal``)."""
    import re

    from forms.xlsform.ranges import range_question
    from tests.forms.xlsform_files import form

    path = tmp_path / "kenshu.xlsx"
    path.write_bytes(
        form(
            [("range", "score", "満足度", parameters)],
            survey_header=("type", "name", "label", "parameters"),
        )
    )
    xform = xls2xform.convert(xlsform=str(path), validate=False).xform
    control = re.search(r"<range ([^>]*)>", xform)
    assert control is not None
    attributes = dict(re.findall(r'(\w+)="([^"]*)"', control[1]))
    bind = re.search(r'<bind nodeset="/data/score" type="(\w+)"', xform)
    assert bind is not None
    kind, _rule = range_question(parameters)
    question = read_xlsform(path.read_bytes(), "kenshu.xlsx").question("score")
    assert question.kind == kind == _BIND_KINDS[bind[1]]
    start, end = float(attributes["start"]), float(attributes["end"])
    assert (question.bounds.min_value, question.bounds.max_value) == (
        min(start, end),
        max(start, end),
    )


def test_the_defaults_the_hub_writes_are_pyxforms_instance_values(tmp_path: Path) -> None:
    """A default as the hub stores and writes it is the value pyxform puts in the form's
    instance (a new blank form), codes of a many-of space-separated."""
    import re

    from tests.forms.xlsform_files import form

    source = form(
        [
            ("integer", "count", "件数", "０"),
            ("date", "since", "開始日", "令和3年4月1日"),
            ("select_multiple area", "areas", "地域", "minami kita"),
            ("text", "memo", "備考", "担当課で確認"),
        ],
        [("area", "kita", "北部"), ("area", "minami", "南部")],
        survey_header=("type", "name", "label", "default"),
    )
    path = tmp_path / "kenshu.xlsx"
    path.write_bytes(as_plain_xlsform(write_xlsform(read_xlsform(source, "kenshu.xlsx"))))
    xform = xls2xform.convert(xlsform=str(path), validate=False).xform
    instance = dict(re.findall(r"<(count|since|areas|memo)>([^<]*)</", xform))
    assert instance == {"count": "0", "since": "2021-04-01", "areas": "kita minami",
                        "memo": "担当課で確認"}  # fmt: skip


def test_a_choice_filter_the_hub_writes_is_pyxforms_itemset_filter(tmp_path: Path) -> None:
    """pyxform reads the hub's file as a cascading select: the list's columns in its instance,
    the rule as the itemset's predicate over them."""
    from tests.forms.test_choice_filter import CASCADE, CHOICES, CHOICES_HEADER, HEADER
    from tests.forms.xlsform_files import form

    source = form(CASCADE, CHOICES, survey_header=HEADER, choices_header=CHOICES_HEADER)
    path = tmp_path / "kenshu.xlsx"
    path.write_bytes(as_plain_xlsform(write_xlsform(read_xlsform(source, "kenshu.xlsx"))))
    xform = xls2xform.convert(xlsform=str(path), validate=False).xform
    assert "<itemset nodeset=\"instance('city')/root/item[pref =  /data/pref ]\">" in xform
    assert "<name>131016</name><pref>13</pref>" in xform.replace("\n", "").replace(" ", "")
