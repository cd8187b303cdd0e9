"""The Excel template of a questionnaire with national-scale choice lists (bench.big_form: every
municipality of Japan in a list filtered by prefecture, 1,200 organisations for a select_one and
a select_multiple): each drop-down is a range on the hidden sheet holding every choice — Excel
keeps no inline list past 255 characters —, LibreOffice keeps them so, and the template, a row
per choice of the select_multiple, uploads back."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from bench.big_form import FORM_ID, big_form
from exports.template import SHEET, last_row
from exports.template_layout import LISTS_SHEET
from forms.model import Kind, Questionnaire
from forms.xlsform import read_xlsform
from hub.db import db, utcnow
from hub.services.questionnaires import import_definition
from hub.services.rounds import open_round
from tests import libreoffice
from tests.conftest import Api
from tests.excel.conftest import CHIYODA, answers_of, download, fill, post_file
from tests.excel.test_cascade import marked_invalid, row_of, rule_of, template_of
from tests.forms.example import example


@cache
def national() -> Questionnaire:
    return read_xlsform(big_form(), f"{FORM_ID}.xlsx")


RANGE = re.compile(
    r"^'?(?P<sheet>[^'!]+)'?!\$(?P<col>[A-Z]+)\$(?P<top>\d+):\$[A-Z]+\$(?P<end>\d+)$"
)


def range_values(workbook: Workbook, reference: str) -> list[object]:
    """The cells of ``'_lists'!$B$1:$B$1741`` (or of a defined name for such a range)."""
    if reference in workbook.defined_names:
        reference = workbook.defined_names[reference].attr_text
    found = RANGE.match(reference)
    assert found, reference
    sheet = workbook[found["sheet"]]
    column = found["col"]
    return [
        sheet[f"{column}{row}"].value for row in range(int(found["top"]), int(found["end"]) + 1)
    ]


def assert_every_choice_offered(workbook: Workbook, questionnaire: Questionnaire) -> None:
    """Each select_one's drop-down names a range holding its every choice, in order; a cascading
    one falls back to that range while the other answer is empty, and its table pairs every
    prefecture with each of its municipalities."""
    sheet = workbook[SHEET]
    assert workbook[LISTS_SHEET].sheet_state == "hidden"
    for question in questionnaire:
        if question.kind != Kind.ONE_OF:
            continue
        rule = rule_of(sheet, f"C{row_of(sheet, question.id)}")
        name = f"list_{question.id}"
        assert rule == name or f",{name},OFFSET(" in rule, rule
        labels = [c.display("ja") for c in question.choices]
        assert range_values(workbook, name) == labels
    municipality = national().question("municipality")
    rule = rule_of(sheet, f"C{row_of(sheet, 'municipality')}")
    keys, first = re.findall(r"MATCH\(\$C\$\d+,([^,]+),0\)", rule)[0], rule.split("OFFSET(")[1]
    offered = range_values(workbook, keys.replace("$C$", "$D$"))
    assert first.startswith(keys.split(":")[0].replace("$C$", "$D$"))
    prefectures = {c.code: c.label.ja for c in national().question("prefecture").choices}
    expected = sorted(
        (prefectures[dict(c.columns or ())["pref"]], c.label.ja) for c in municipality.choices
    )
    assert sorted(zip(range_values(workbook, keys), offered, strict=True)) == expected
    assert len(offered) == len(municipality.choices) == 1741


def test_every_choice_of_a_long_list_is_in_its_drop_down() -> None:
    workbook = load_workbook(io.BytesIO(template_of(national())))
    assert_every_choice_offered(workbook, national())
    partners = [v for v in workbook[SHEET].data_validations.dataValidation if v.type == "list"]
    assert all(len(v.formula1) <= 255 for v in partners)


@pytest.mark.libreoffice
def test_libreoffice_keeps_every_choice_of_a_long_list(tmp_path: Path) -> None:
    """Saved again by LibreOffice, the drop-downs still name the ranges holding every choice,
    and its own check accepts the last choice of each long list and refuses a made-up one."""
    source = tmp_path / "national.xlsx"
    data = template_of(national())
    source.write_bytes(data)
    done = libreoffice.convert(source, "xlsx", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    saved = load_workbook(tmp_path / "out" / "national.xlsx")
    assert_every_choice_offered(saved, national())
    sheet = load_workbook(io.BytesIO(data))[SHEET]
    city, partner = (f"C{row_of(sheet, key)}" for key in ("municipality", "partner"))
    typed = [(city, "沖縄県架空町36"), (partner, "連携先機関1200"), (city, "どこにもない市")]
    (found,) = marked_invalid(tmp_path, [(data, typed)])
    assert found == {typed[0]: False, typed[1]: False, typed[2]: True}


def test_last_row_is_the_templates_last_row() -> None:
    for questionnaire in (example(), national()):
        sheet = load_workbook(io.BytesIO(template_of(questionnaire)))[SHEET]
        assert last_row(questionnaire) == sheet.max_row


def test_a_template_with_a_row_per_choice_of_a_long_list_uploads_back(
    app: Flask, chiyoda: Api
) -> None:
    """1,200 rows for the select_multiple alone: more than the 1,000 rows an upload was held
    to, which refused the hub's own template (「行を追加しないでください」)."""
    with app.app_context():
        import_definition(big_form(), f"{FORM_ID}.xlsx")
        round_id = open_round(
            FORM_ID,
            reference_date=date(2026, 4, 1),
            deadline=utcnow() + timedelta(days=14),
            opens_at=utcnow() - timedelta(days=1),
        ).id
        db.session.commit()
    typed = {
        "prefecture": "東京都",
        "municipality": "千代田区",
        "has_partner": "はい",
        "partners.p1200": "○",
    }
    data = fill(download(chiyoda, round_id, CHIYODA), typed)
    assert load_workbook(io.BytesIO(data))[SHEET].max_row > 1200
    uploaded = post_file(chiyoda, round_id, CHIYODA, data)
    assert uploaded.status_code == 200, uploaded.get_json()
    answers = answers_of(chiyoda, round_id, CHIYODA)["answers"]
    assert answers["municipality"] == CHIYODA
    assert answers["partners"] == ["p1200"]


def test_a_rules_cells_are_written_as_runs() -> None:
    from exports.template_lists import covering

    assert covering(["C12", "C13", "C14", "C16", "D16", "D17", "C13"]) == "C12:C14 C16 D16:D17"
    assert covering([]) == ""


def test_every_mark_cell_of_a_long_many_of_has_the_mark_rule() -> None:
    """The 1,200 organisations' mark cells, each one row under the other, under one rule."""
    sheet = load_workbook(io.BytesIO(template_of(national())))[SHEET]
    top = row_of(sheet, "partners.p0001")
    marks = [v for v in sheet.data_validations.dataValidation if v.promptTitle == "複数選択"]
    covered = {cell for v in marks for r in v.sqref.ranges for cell in r.cells}
    assert {(row, 3) for row in range(top, top + 1200)} <= covered


def test_a_cascade_evaluates_its_rule_once_per_kind_of_choice(monkeypatch) -> None:
    """Municipalities filtered by prefecture: the rule reads only the ``pref`` column, so it is
    worked out once for each prefecture's answer and each ``pref`` value (47 × 47), not for each
    of the 1,741 municipalities under each prefecture — with the same choices offered."""
    from forms import rules

    questionnaire = national()
    municipality = questionnaire.question("municipality")
    calls = []
    counted = rules.truthy

    def counting(*args, **kwargs):
        calls.append(1)
        return counted(*args, **kwargs)

    monkeypatch.setattr(rules, "truthy", counting)
    found = rules.cascade(questionnaire, municipality)
    assert found is not None
    assert len(calls) == 47 * 47
    for prefecture, offered in found.offered:
        assert [c.code for c in offered] == [
            c.code for c in municipality.choices if dict(c.columns or ())["pref"] == prefecture.code
        ]
