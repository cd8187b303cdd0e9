"""A cascading select (``choice_filter`` reading one other ``select_one``) in the Excel template:
the drop-down offers the choices that fit the answer already chosen, as the web form does, and
every choice while that answer is empty; a rule that reads anything else keeps every choice (the
upload still refuses a choice the rule does not offer)."""

from __future__ import annotations

import io
import json
import socket
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from exports.template import LISTS_SHEET, SHEET, TemplateInfo, build_template
from forms.model import Questionnaire
from tests import libreoffice
from tests.forms.test_choice_filter import CASCADE, read


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


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    ("pref", "offered"),
    [
        ("大阪府", ["大阪市"]),
        ("東京都", ["千代田区", "八王子市"]),
        (None, ["千代田区", "八王子市", "大阪市"]),
    ],
)
def test_libreoffice_works_out_the_list_from_the_cell(
    tmp_path: Path, pref: str | None, offered: list[str]
) -> None:
    """LibreOffice computes the drop-down's rule as the list it shows: the rule is copied into
    cells of a scratch sheet (how many choices, and each of them; the answer cell it reads named
    with its sheet) and the file recalculated."""
    questionnaire = read(*CASCADE)
    answers = {"pref": {"大阪府": "27", "東京都": "13"}[pref]} if pref else {}
    workbook = load_workbook(io.BytesIO(template_of(questionnaire, answers)))
    sheet = workbook[SHEET]
    assert sheet[f"C{row_of(sheet, 'pref')}"].value == pref
    parent = f"$C${row_of(sheet, 'pref')}"
    rule = rule_of(sheet, f"C{row_of(sheet, 'city')}").replace(parent, f"'{SHEET}'!{parent}")
    scratch = workbook.create_sheet("scratch")
    scratch["A1"] = f"=ROWS({rule})"
    for index in range(1, 4):
        scratch.cell(index + 1, 1).value = f"=INDEX({rule},{index})"
    source = tmp_path / "cascade.xlsx"
    workbook.save(source)
    libreoffice.convert(source, "xlsx", tmp_path / "out")
    computed = load_workbook(tmp_path / "out" / "cascade.xlsx", data_only=True)["scratch"]
    count = computed["A1"].value
    assert count == len(offered)
    assert [computed.cell(index + 1, 1).value for index in range(1, count + 1)] == offered


SYSTEM_PYTHON = "/usr/bin/python3"


def uno_bridge() -> bool:
    found = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, check=False, timeout=60
    )
    return found.returncode == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.libreoffice
def test_libreoffice_refuses_a_city_of_another_prefecture_in_the_cell(tmp_path: Path) -> None:
    """LibreOffice's own check of the drop-down (Mark Invalid Data): with 大阪府 chosen, 大阪市 is
    accepted and 千代田区 is not; with the prefecture cleared, both are."""
    if libreoffice.SOFFICE is None or not Path(SYSTEM_PYTHON).exists() or not uno_bridge():
        pytest.skip("LibreOffice's Python bridge is not installed: apt-get install python3-uno")
    questionnaire = read(*CASCADE)

    def marked(answers: dict[str, str]) -> dict[str, bool]:
        workbook = load_workbook(io.BytesIO(template_of(questionnaire, answers)))
        city = f"C{row_of(workbook[SHEET], 'city')}"
        source = tmp_path / f"cascade-{len(answers)}.xlsx"
        workbook.save(source)
        script = Path(__file__).parent.parent / "libreoffice_validity.py"
        done = subprocess.run(
            [SYSTEM_PYTHON, str(script), str(source), SHEET, city, str(free_port()),
             str(tmp_path / f"profile-{len(answers)}"), "千代田区", "大阪市"],
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    assert marked({"pref": "27"}) == {"千代田区": True, "大阪市": False}
    assert marked({}) == {"千代田区": False, "大阪市": False}
