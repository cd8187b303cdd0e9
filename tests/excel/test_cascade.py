"""A cascading select (``choice_filter`` reading one other ``select_one``) in the Excel template:
the drop-down offers the choices that fit the answer already chosen, as the web form does, and
every choice while that answer is empty; a rule that reads anything else keeps every choice (the
upload still refuses a choice the rule does not offer)."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from exports.template import SHEET, TemplateInfo, build_template
from exports.template_layout import LISTS_SHEET
from forms.model import Questionnaire
from tests import libreoffice
from tests.forms.test_choice_filter import CASCADE, read
from tests.servers import free_port


def template_of(questionnaire: Questionnaire, answers: dict[str, str] | None = None) -> bytes:
    return build_template(
        TemplateInfo(
            questionnaire=questionnaire,
            municipality_code="131016",
            municipality_name="千代田区",
            round_id=1,
            round_title="研修会の参加状況",
            reference_date=date(2025, 4, 1),
            answers=answers or {},
        )
    )


def row_of(sheet: Worksheet, key: str) -> int:
    return next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 1).value == key)


def rule_of(sheet: Worksheet, coordinate: str) -> str:
    found = [v.formula1 for v in sheet.data_validations.dataValidation if coordinate in v.sqref]
    assert len(found) == 1, found
    return str(found[0])


def test_the_city_list_follows_the_prefecture_cell() -> None:
    workbook = load_workbook(io.BytesIO(template_of(read(*CASCADE))))
    sheet = workbook[SHEET]
    pref, city = f"C{row_of(sheet, 'pref')}", f"C{row_of(sheet, 'city')}"
    assert rule_of(sheet, pref) == "list_pref"
    rule = rule_of(sheet, city)
    assert f"MATCH(${pref[0]}${pref[1:]}," in rule
    assert rule.startswith("IF(ISNA(")
    assert ",list_city,OFFSET(" in rule
    lists = workbook[LISTS_SHEET]
    pairs = [
        (lists.cell(row, 3).value, lists.cell(row, 4).value) for row in range(1, lists.max_row + 1)
    ]
    assert [p for p in pairs if p != (None, None)] == [
        ("東京都", "千代田区"),
        ("東京都", "八王子市"),
        ("大阪府", "大阪市"),
    ]
    hint = sheet.cell(row_of(sheet, "city"), 5).value
    assert "先に「都道府県」を選ぶと、一覧にはそれに合う選択肢だけが出ます" in hint


def test_a_rule_reading_more_than_one_answer_keeps_every_choice() -> None:
    questionnaire = read(
        *CASCADE[:1],
        ("select_one pref", "other", "もう一つ", None),
        ("select_one city", "city", "区市町村", "pref = ${pref} or pref = ${other}"),
    )
    sheet = load_workbook(io.BytesIO(template_of(questionnaire)))[SHEET]
    assert rule_of(sheet, f"C{row_of(sheet, 'city')}") == "list_city"
    assert "先に" not in sheet.cell(row_of(sheet, "city"), 5).value


OFFERED = {
    "大阪府": ["大阪市"],
    "東京都": ["千代田区", "八王子市"],
    None: ["千代田区", "八王子市", "大阪市"],
}
"""What the city's drop-down offers with each answer to the prefecture (none: every city)."""


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> dict[str | None, tuple[Path, Path]]:
    """For each answer of :data:`OFFERED`: the template with the drop-down's rule copied into
    cells of a scratch sheet (how many choices, and each of them; the answer cell it reads named
    with its sheet), and that file as LibreOffice recalculated and saved it — the three files by
    one start of LibreOffice."""
    folder = tmp_path_factory.mktemp("cascade")
    questionnaire = read(*CASCADE)
    sources = {}
    for number, pref in enumerate(OFFERED):
        answers = {"pref": {"大阪府": "27", "東京都": "13"}[pref]} if pref else {}
        workbook = load_workbook(io.BytesIO(template_of(questionnaire, answers)))
        sheet = workbook[SHEET]
        parent = f"$C${row_of(sheet, 'pref')}"
        rule = rule_of(sheet, f"C{row_of(sheet, 'city')}").replace(parent, f"'{SHEET}'!{parent}")
        scratch = workbook.create_sheet("scratch")
        scratch["A1"] = f"=ROWS({rule})"
        for index in range(1, 4):
            scratch.cell(index + 1, 1).value = f"=INDEX({rule},{index})"
        sources[pref] = folder / f"cascade-{number}.xlsx"
        workbook.save(sources[pref])
    libreoffice.convert(list(sources.values()), "xlsx", folder / "out")
    return {pref: (source, folder / "out" / source.name) for pref, source in sources.items()}


@pytest.mark.libreoffice
@pytest.mark.parametrize("pref", list(OFFERED))
def test_libreoffice_works_out_the_list_from_the_cell(
    recalculated: dict[str | None, tuple[Path, Path]], pref: str | None
) -> None:
    """LibreOffice computes the drop-down's rule as the list it shows (:func:`recalculated`)."""
    source, saved = recalculated[pref]
    sheet = load_workbook(source)[SHEET]
    assert sheet[f"C{row_of(sheet, 'pref')}"].value == pref
    computed = load_workbook(saved, data_only=True)["scratch"]
    count = computed["A1"].value
    offered = OFFERED[pref]
    assert count == len(offered)
    assert [computed.cell(index + 1, 1).value for index in range(1, count + 1)] == offered


SYSTEM_PYTHON = "/usr/bin/python3"


def uno_bridge() -> bool:
    found = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, check=False, timeout=60
    )
    return found.returncode == 0


def marked_invalid(
    tmp_path: Path, files: list[tuple[bytes, list[tuple[str, str]]]]
) -> list[dict[tuple[str, str], bool]]:
    """LibreOffice's own check of what is typed (Mark Invalid Data), through its Python bridge:
    for each file, and the ``(cell, value)`` pairs typed into it one at a time, ``{(cell, value):
    marked invalid}`` — every file in one start of LibreOffice."""
    if libreoffice.SOFFICE is None or not Path(SYSTEM_PYTHON).exists() or not uno_bridge():
        pytest.skip("LibreOffice's Python bridge is not installed: apt-get install python3-uno")
    sources = [tmp_path / f"typed-{number}.xlsx" for number in range(len(files))]
    arguments = []
    for source, (data, typed) in zip(sources, files, strict=True):
        source.write_bytes(data)
        arguments += [str(source), *(f"{cell}={value}" for cell, value in typed)]
    script = Path(__file__).parent.parent / "libreoffice_validity.py"
    done = subprocess.run(
        [SYSTEM_PYTHON, str(script), SHEET, str(free_port()), str(tmp_path / "profile"),
         *arguments],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        {(item.split("=", 1)[0], item.split("=", 1)[1]): invalid
         for item, invalid in found[str(source)].items()}
        for source in sources
    ]  # fmt: skip


@pytest.mark.libreoffice
def test_libreoffice_refuses_a_city_of_another_prefecture_in_the_cell(tmp_path: Path) -> None:
    """With 大阪府 chosen, 大阪市 is accepted and 千代田区 is not; with the prefecture empty, both
    are."""
    questionnaire = read(*CASCADE)
    osaka_chosen, none_chosen = (template_of(questionnaire, a) for a in ({"pref": "27"}, {}))
    city = f"C{row_of(load_workbook(io.BytesIO(osaka_chosen))[SHEET], 'city')}"
    typed = [(city, "千代田区"), (city, "大阪市")]
    found = marked_invalid(tmp_path, [(osaka_chosen, typed), (none_chosen, typed)])
    assert found == [
        {(city, "千代田区"): True, (city, "大阪市"): False},
        {(city, "千代田区"): False, (city, "大阪市"): False},
    ]


MANY = (
    CASCADE[0],
    ("select_multiple city", "cities", "研修を開いた区市町村", "pref = ${pref}"),
)


def test_a_many_of_greys_the_rows_that_do_not_fit() -> None:
    workbook = load_workbook(io.BytesIO(template_of(read(*MANY), {"pref": "27"})))
    sheet = workbook[SHEET]
    rows = [row_of(sheet, f"cities.{code}") for code in ("131016", "132012", "271004")]
    pref = f"$C${row_of(sheet, 'pref')}"
    checks = [v for v in sheet.data_validations.dataValidation if f"C{rows[0]}" in v.sqref]
    assert len(checks) == 1
    assert checks[0].type == "custom"
    assert str(checks[0].sqref) == f"C{rows[0]}:C{rows[-1]}"
    assert "COUNTIFS(" in checks[0].formula1
    assert pref in checks[0].formula1
    assert "「都道府県」の回答では選べません" in checks[0].error
    (greyed,) = [
        r for r in sheet.conditional_formatting if str(r.sqref) == f"B{rows[0]}:C{rows[-1]}"
    ]
    assert greyed.rules[0].dxf.font.strike
    hint = sheet.cell(rows[0] - 1, 5).value  # the question's heading row, above its choices
    assert "選べない選択肢は灰色の取り消し線になります" in hint


@pytest.mark.libreoffice
def test_libreoffice_refuses_a_mark_on_a_row_that_does_not_fit(tmp_path: Path) -> None:
    data = template_of(read(*MANY), {"pref": "27"})
    sheet = load_workbook(io.BytesIO(data))[SHEET]
    chiyoda, osaka = (f"C{row_of(sheet, f'cities.{code}')}" for code in ("131016", "271004"))
    found, free = marked_invalid(
        tmp_path,
        [(data, [(chiyoda, "○"), (osaka, "○")]), (template_of(read(*MANY)), [(chiyoda, "○")])],
    )
    assert found == {(chiyoda, "○"): True, (osaka, "○"): False}
    assert free == {(chiyoda, "○"): False}


def test_a_long_label_is_shortened_where_excel_keeps_messages_short() -> None:
    """Excel repairs a file whose validation message is longer than 225 characters."""
    long_label = "研修を開いた都道府県" * 20
    questionnaire = read(("select_one pref", "pref", long_label, None), MANY[1])
    sheet = load_workbook(io.BytesIO(template_of(questionnaire)))[SHEET]
    messages = [v.error for v in sheet.data_validations.dataValidation if v.type == "custom"]
    assert len(messages) == 1
    assert len(messages[0]) <= 225
    assert "…" in messages[0]
