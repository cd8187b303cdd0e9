"""A row inserted in the template (a memo) is refused by saying that rows cannot be added, not
that column A was erased (issue 14, item 20); an erased key still says so."""

from __future__ import annotations

from exports.template import ANSWER_COLUMN, KEY_COLUMN, SHEET
from tests.conftest import Api
from tests.excel.conftest import CHIYODA, download, open_xlsx, post_file, rows_by_key, save


def test_an_inserted_memo_row_says_rows_cannot_be_added(round_id, chiyoda: Api):
    workbook = open_xlsx(download(chiyoda, round_id, CHIYODA))
    sheet = workbook[SHEET]
    row = rows_by_key(workbook)["contact_name"]
    sheet.insert_rows(row)
    sheet.cell(row=row, column=ANSWER_COLUMN, value="メモ: 課長に確認中")
    got = post_file(chiyoda, round_id, CHIYODA, save(workbook))
    assert got.status_code == 422, got.get_json()
    body = got.get_json()
    assert "行を追加できません" in body["message"]
    assert "消されています" not in str(body)
    cell = f"{SHEET}!A{row}"
    assert any("追加された行" in m for m in body["errors"][cell]), body["errors"]


def test_an_erased_key_still_says_it_was_erased(round_id, chiyoda: Api):
    workbook = open_xlsx(download(chiyoda, round_id, CHIYODA))
    sheet = workbook[SHEET]
    row = rows_by_key(workbook)["contact_name"]
    sheet.cell(row=row, column=KEY_COLUMN).value = None
    sheet.cell(row=row, column=ANSWER_COLUMN, value="都庁 太郎")
    got = post_file(chiyoda, round_id, CHIYODA, save(workbook))
    assert got.status_code == 422, got.get_json()
    body = got.get_json()
    assert "項目ID（A列）が変更されています" in body["message"]
    assert "消されています" in str(body["errors"])
