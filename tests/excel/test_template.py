"""The downloaded template: layout of sheet 回答, drop-downs, protection, prefill, no formulas."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta
from urllib.parse import unquote

from openpyxl.workbook.workbook import Workbook

from exports.template import META_SHEET, SHEET
from forms import registry
from forms.model import Kind
from hub.db import db, utcnow
from hub.services import responses
from tests.conftest import Api, complete_answers, make_round
from tests.excel.conftest import CHIYODA, download, open_xlsx, rows_by_key

TORIKUMI = registry.latest("torikumi")

INJECTION = "=cmd|' /C calc'!A0"


def expected_keys() -> list[str]:
    keys: list[str] = []
    for question in TORIKUMI:
        if question.kind == Kind.MANY_OF:
            keys.extend(f"{question.id}.{code}" for code in question.codes)
        else:
            keys.append(question.id)
    return keys


def list_values(workbook: Workbook, formula: str) -> list[str]:
    """The values a list validation offers, following its defined name to the hidden sheet."""
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    reference = workbook.defined_names[formula].attr_text
    sheet_name, cells = reference.split("!")
    start, end = cells.replace("$", "").split(":")
    sheet = workbook[sheet_name.strip("'")]
    return [c.value for row in sheet[start:end] for c in row]


def validation_of(workbook: Workbook, coordinate: str):
    sheet = workbook[SHEET]
    found = [dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref]
    assert len(found) == 1, f"{coordinate} has {len(found)} validations"
    return found[0]


def test_answer_sheet_lists_every_key_with_its_label(round_id, chiyoda: Api):
    workbook = open_xlsx(download(chiyoda, round_id, CHIYODA))
    assert workbook.sheetnames[0] == SHEET
    assert workbook.active.title == SHEET
    rows = rows_by_key(workbook)
    assert list(rows) == expected_keys()
    sheet = workbook[SHEET]
    assert sheet.cell(rows["plan_status"], 2).value == "計画の策定状況"
    assert sheet.cell(rows["programs.shamei_campaign"], 2).value == "社会を明るくする運動"
    assert sheet.cell(rows["contact_email"], 2).value == "メールアドレス"
    assert sheet.cell(rows["plan_status"], 4).value == "必須"
    assert sheet.cell(rows["contact_phone"], 4).value == "必須"
    assert sheet.cell(rows["plan_name"], 4).value == "条件付き必須"
    assert sheet.cell(rows["comments"], 4).value is None
    assert sheet.column_dimensions["A"].hidden


def test_header_block_names_municipality_round_and_reference_date(round_id, chiyoda: Api):
    sheet = open_xlsx(download(chiyoda, round_id, CHIYODA))[SHEET]
    header = {sheet.cell(row, 2).value: sheet.cell(row, 3).value for row in range(1, 9)}
    assert header["自治体コード"] == CHIYODA
    assert header["自治体名"] == "千代田区"
    assert header["基準日"] == "令和3年4月1日現在"
    assert f"調査回番号 {round_id}" in header["調査回"]
    assert header["調査票"] == "torikumi（第1版）"


def test_drop_downs_offer_the_japanese_labels(round_id, chiyoda: Api):
    workbook = open_xlsx(download(chiyoda, round_id, CHIYODA))
    rows = rows_by_key(workbook)
    plan = validation_of(workbook, f"C{rows['plan_status']}")
    assert plan.type == "list"
    assert list_values(workbook, plan.formula1) == [
        c.display("ja") for c in TORIKUMI.question("plan_status").choices
    ]
    assert list_values(workbook, plan.formula1)[0] == "①策定済み"
    setup = validation_of(workbook, f"C{rows['consultation_setup']}")
    assert "特に体制はない" in list_values(workbook, setup.formula1)
    undecided = validation_of(workbook, f"C{rows['lead_department_undecided']}")
    assert list_values(workbook, undecided.formula1) == ["はい", "いいえ"]
    mark = validation_of(workbook, f"C{rows['requests.training']}")
    assert list_values(workbook, mark.formula1) == ["○"]
    assert workbook["_lists"].sheet_state == "hidden"


def test_drop_downs_are_in_the_file_itself(round_id, chiyoda: Api):
    with zipfile.ZipFile(io.BytesIO(download(chiyoda, round_id, CHIYODA))) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
        workbook_xml = archive.read("xl/workbook.xml").decode()
    assert sheet_xml.count("<dataValidation ") >= 4
    assert 'type="list"' in sheet_xml
    assert "list_plan_status" in sheet_xml
    assert 'name="list_plan_status"' in workbook_xml


def test_only_answer_cells_are_unlocked_and_no_password_is_set(round_id, chiyoda: Api):
    workbook = open_xlsx(download(chiyoda, round_id, CHIYODA))
    sheet = workbook[SHEET]
    assert sheet.protection.sheet
    assert not sheet.protection.password
    assert workbook.security.lockStructure
    assert not workbook.security.workbookPassword
    for key, row in rows_by_key(workbook).items():
        assert sheet.cell(row, 3).protection.locked is False, key
        assert sheet.cell(row, 1).protection.locked is True, key
        assert sheet.cell(row, 2).protection.locked is True, key
    assert sheet.cell(1, 2).protection.locked is True


def test_instructions_and_meta_sheets(round_id, chiyoda: Api):
    workbook = open_xlsx(download(chiyoda, round_id, CHIYODA))
    instructions = "\n".join(
        str(c.value) for row in workbook["記入方法"].iter_rows() for c in row if c.value
    )
    assert "千代田区" in instructions
    assert "○" in instructions
    assert "令和" in instructions
    sheet = workbook["記入方法"]
    written = [c for row in sheet.iter_rows() for c in row if c.value]
    assert all(c.alignment.wrap_text for c in written), "long lines wrap on screen and paper"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    meta = workbook[META_SHEET]
    assert meta.sheet_state == "veryHidden"
    facts = {row[0].value: row[1].value for row in meta.iter_rows()}
    assert facts["municipality_code"] == CHIYODA
    assert facts["round_id"] == str(round_id)


def test_user_text_never_becomes_a_formula(round_id, chiyoda: Api):
    saved = chiyoda.save(
        round_id,
        CHIYODA,
        {"comments": INJECTION, "contact_name": "@SUM(1+1)", "plan_status": "no_plan"},
    )
    assert saved.status_code == 200
    data = download(chiyoda, round_id, CHIYODA)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode(), name
    workbook = open_xlsx(data)
    rows = rows_by_key(workbook)
    cell = workbook[SHEET].cell(rows["comments"], 3)
    assert cell.value == INJECTION
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_download_name_and_headers(round_id, chiyoda: Api):
    got = chiyoda.get(f"/rounds/{round_id}/responses/{CHIYODA}/template")
    disposition = got.headers["Content-Disposition"]
    assert "attachment" in disposition
    assert "千代田区" in unquote(disposition)
    assert re.search(r"filename\*=UTF-8''", disposition)
    assert f'filename="torikumi_{round_id}_{CHIYODA}.xlsx"' in disposition, "no trailing _"
    assert got.headers["Cache-Control"] == "no-store"


def test_prefilled_from_last_rounds_accepted_answers(app, api_as, staff: Api):
    chiyoda = api_as("respondent", municipality=CHIYODA)
    with app.app_context():
        earlier = make_round(reference_date=date(2020, 4, 1)).id
    answers = complete_answers(plan_status="council_review", requests=["training", "other"])
    answers["requests_other"] = "研修の動画配信"
    assert chiyoda.submit(earlier, CHIYODA, answers).status_code == 200
    assert staff.post(f"/rounds/{earlier}/responses/{CHIYODA}/accept").status_code == 200
    with app.app_context():
        later = make_round(
            reference_date=date(2021, 4, 1), deadline=utcnow() + timedelta(days=30)
        ).id
        assert responses.get_response(later, CHIYODA).prefilled_from_id is not None
        db.session.remove()

    workbook = open_xlsx(download(chiyoda, later, CHIYODA))
    sheet = workbook[SHEET]
    rows = rows_by_key(workbook)
    assert sheet.cell(rows["plan_status"], 3).value == "③関係機関等との協議会等で検討中"
    assert sheet.cell(rows["requests.training"], 3).value == "○"
    assert sheet.cell(rows["requests.other"], 3).value == "○"
    assert sheet.cell(rows["requests.information"], 3).value is None
    assert sheet.cell(rows["requests_other"], 3).value == "研修の動画配信"
    assert sheet.cell(rows["contact_phone"], 3).value == "03-5321-1111"
