"""Download, fill as a person would, upload: the draft equals what the API would have stored."""

from __future__ import annotations

from typing import Any

import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from exports.template import SHEET
from tests.conftest import Api
from tests.excel.conftest import (
    CHIYODA,
    CHUO,
    answer_cell,
    answers_of,
    download,
    fill,
    open_xlsx,
    post_file,
    rows_by_key,
    save,
)

INJECTION = '=HYPERLINK("http://evil.example/","ここをクリック")'

TYPED: dict[str, Any] = {
    "plan_status": "①策定済み",
    "plan_name": "第１次　千代田区再犯防止推進計画",
    "plan_date": "令和３年３月３１日",
    "plan_integrated_with.regional_welfare": "○",
    "plan_integrated_with.other": "〇",
    "plan_integrated_with_other": "子ども・若者計画",
    "lead_department": "保健福祉部　福祉政策課",
    "lead_department_undecided": "いいえ",
    "plan_challenges.lack_of_staff": "✓",
    "programs.shamei_campaign": "○",
    "programs.awareness_events": "x",
    "programs.hogoshi_support": 1,
    "cooperating_employers": "１２",
    "consultation_setup": "福祉の総合相談窓口等で受け付け、関係部署につなぐ",
    "consultations_received": 7,
    "requests.training": "○",
    "contact_name": "都庁　太郎",
    "contact_phone": "０３（５３２１）１１１１",
    "contact_email": "Taro@Example.LG.JP",
}
"""What a person types in the template: drop-down labels, 全角 digits, 和暦, ○ marks."""

SAME_THROUGH_API: dict[str, Any] = {
    "plan_status": "①策定済み",
    "plan_name": "第１次　千代田区再犯防止推進計画",
    "plan_date": "令和３年３月３１日",
    "plan_integrated_with": ["regional_welfare", "other"],
    "plan_integrated_with_other": "子ども・若者計画",
    "lead_department": "保健福祉部　福祉政策課",
    "lead_department_undecided": "いいえ",
    "plan_challenges": ["lack_of_staff"],
    "programs": ["shamei_campaign", "awareness_events", "hogoshi_support"],
    "cooperating_employers": "１２",
    "consultation_setup": "福祉の総合相談窓口等で受け付け、関係部署につなぐ",
    "consultations_received": 7,
    "requests": ["training"],
    "comments": INJECTION,
    "contact_name": "都庁　太郎",
    "contact_phone": "０３（５３２１）１１１１",
    "contact_email": "Taro@Example.LG.JP",
}
"""The same input as a client of ``PUT`` would send it."""


def typed_as_text(data: bytes, key: str, text: str) -> bytes:
    """Type ``text`` the way Excel keeps text starting with "=" (a quote prefix), not a formula."""
    workbook = open_xlsx(data)
    cell = workbook[SHEET].cell(row=rows_by_key(workbook)[key], column=3)
    cell.value = text
    cell.data_type = "s"
    cell.quotePrefix = True
    return save(workbook)


def test_filled_template_stores_what_the_api_stores(app, round_id, chiyoda: Api, staff: Api):
    blank = download(chiyoda, round_id, CHIYODA)
    filled = typed_as_text(fill(blank, TYPED), "comments", INJECTION)

    uploaded = post_file(chiyoda, round_id, CHIYODA, filled)
    assert uploaded.status_code == 200, uploaded.get_json()
    body = uploaded.get_json()
    assert body["state"] == "draft"
    assert body["ignored_keys"] == []

    through_api = staff.save(round_id, CHUO, SAME_THROUGH_API)
    assert through_api.status_code == 200, through_api.get_json()

    from_excel = answers_of(chiyoda, round_id, CHIYODA)["answers"]
    assert from_excel == answers_of(staff, round_id, CHUO)["answers"]
    assert from_excel["plan_status"] == "formulated"
    assert from_excel["plan_date"] == "2021-03-31"
    assert from_excel["cooperating_employers"] == 12
    assert from_excel["programs"] == ["shamei_campaign", "awareness_events", "hogoshi_support"]
    assert from_excel["contact_phone"] == "03-5321-1111"
    assert from_excel["comments"] == INJECTION


def test_upload_is_a_revision_from_excel_and_staff_upload_is_on_behalf(
    round_id, chiyoda: Api, staff: Api
):
    filled = fill(download(staff, round_id, CHIYODA), {"plan_status": "⑥現時点で策定予定なし"})
    assert post_file(staff, round_id, CHIYODA, filled).status_code == 200
    revisions = chiyoda.get(f"/rounds/{round_id}/responses/{CHIYODA}/revisions").get_json()
    assert revisions[-1]["source"] == "excel"
    assert revisions[-1]["on_behalf"] is True
    assert revisions[-1]["changes"] == {"plan_status": [None, "no_plan"]}

    filled = fill(download(chiyoda, round_id, CHIYODA), {"consultation_setup": "none"})
    assert post_file(chiyoda, round_id, CHIYODA, filled).status_code == 200
    revisions = chiyoda.get(f"/rounds/{round_id}/responses/{CHIYODA}/revisions").get_json()
    assert revisions[-1]["on_behalf"] is False
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"] == {
        "plan_status": "no_plan",
        "consultation_setup": "none",
    }


def test_template_is_prefilled_and_reuploads_unchanged(round_id, chiyoda: Api):
    filled = typed_as_text(fill(download(chiyoda, round_id, CHIYODA), TYPED), "comments", INJECTION)
    assert post_file(chiyoda, round_id, CHIYODA, filled).status_code == 200
    before = answers_of(chiyoda, round_id, CHIYODA)

    again = download(chiyoda, round_id, CHIYODA)
    sheet = open_xlsx(again)[SHEET]
    rows = rows_by_key(open_xlsx(again))
    assert sheet.cell(rows["plan_status"], 3).value == "①策定済み"
    assert sheet.cell(rows["plan_date"], 3).value == "令和3年3月31日"
    assert sheet.cell(rows["programs.shamei_campaign"], 3).value == "○"
    assert sheet.cell(rows["programs.youth_employment"], 3).value is None
    assert sheet.cell(rows["lead_department_undecided"], 3).value is None
    comment = sheet.cell(rows["comments"], 3)
    assert comment.value == INJECTION
    assert comment.data_type == "s"

    unchanged = post_file(chiyoda, round_id, CHIYODA, again)
    assert unchanged.status_code == 200, unchanged.get_json()
    assert unchanged.get_json()["changed"] == []
    assert unchanged.get_json()["answers"] == before["answers"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("①策定済み", "formulated"),
        ("策定済み", "formulated"),
        ("formulated", "formulated"),
        ("　③関係機関等との協議会等で検討中 ", "council_review"),
    ],
)
def test_one_of_accepts_label_with_or_without_mark_or_code(round_id, chiyoda: Api, typed, stored):
    filled = fill(download(chiyoda, round_id, CHIYODA), {"plan_status": typed})
    got = post_file(chiyoda, round_id, CHIYODA, filled)
    assert got.status_code == 200, got.get_json()
    assert got.get_json()["answers"]["plan_status"] == stored


def test_bad_values_name_their_cells_and_keep_the_draft(round_id, chiyoda: Api):
    saved = chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan", "comments": "前の下書き"})
    assert saved.status_code == 200
    before = answers_of(chiyoda, round_id, CHIYODA)

    blank = download(chiyoda, round_id, CHIYODA)
    bad = fill(
        blank,
        {
            "plan_date": "令和1年4月30日",
            "cooperating_employers": "12件",
            "plan_status": "たぶん策定済み",
            "contact_email": "taro@",
            "comments": "新しい内容",
        },
    )
    got = post_file(chiyoda, round_id, CHIYODA, bad)
    assert got.status_code == 422
    errors = got.get_json()["errors"]
    assert set(errors) == {
        answer_cell(blank, "plan_date"),
        answer_cell(blank, "cooperating_employers"),
        answer_cell(blank, "plan_status"),
        answer_cell(blank, "contact_email"),
    }
    assert answer_cell(blank, "plan_status") == f"{SHEET}!C11"
    assert "令和" in " ".join(errors[answer_cell(blank, "plan_date")])
    assert errors[answer_cell(blank, "plan_status")][0].startswith("計画の策定状況:")
    assert answers_of(chiyoda, round_id, CHIYODA) == before


def test_date_after_the_reference_date_names_the_cell(round_id, chiyoda: Api):
    blank = download(chiyoda, round_id, CHIYODA)
    bad = fill(blank, {"plan_status": "①策定済み", "plan_date": "R3.4.2"})
    got = post_file(chiyoda, round_id, CHIYODA, bad)
    assert got.status_code == 422
    assert "基準日" in got.get_json()["errors"][answer_cell(blank, "plan_date")][0]


def test_formula_typed_in_a_cell_is_refused_with_its_cell(round_id, chiyoda: Api):
    blank = download(chiyoda, round_id, CHIYODA)
    bad = fill(blank, {"comments": "=1+1", "programs.other": "=TRUE()"})
    got = post_file(chiyoda, round_id, CHIYODA, bad)
    assert got.status_code == 422
    errors = got.get_json()["errors"]
    assert "数式" in errors[answer_cell(blank, "comments")][0]
    assert "数式" in errors[answer_cell(blank, "programs.other")][0]


@pytest.mark.parametrize("mark", ["×", "✕"])
def test_ambiguous_cross_in_a_many_of_row_is_refused(round_id, chiyoda: Api, mark):
    blank = download(chiyoda, round_id, CHIYODA)
    got = post_file(chiyoda, round_id, CHIYODA, fill(blank, {"requests.training": mark}))
    assert got.status_code == 422
    assert mark in got.get_json()["errors"][answer_cell(blank, "requests.training")][0]


def test_clear_no_in_a_many_of_row_leaves_it_unchosen(round_id, chiyoda: Api):
    blank = download(chiyoda, round_id, CHIYODA)
    filled = fill(blank, {"requests.training": 0, "requests.information": "いいえ"})
    got = post_file(chiyoda, round_id, CHIYODA, filled)
    assert got.status_code == 200, got.get_json()
    assert "requests" not in got.get_json()["answers"]


def test_emptied_cells_clear_answers_like_the_form(round_id, chiyoda: Api):
    chiyoda.save(round_id, CHIYODA, {"comments": "消す予定", "programs": ["shamei_campaign"]})
    filled = fill(
        download(chiyoda, round_id, CHIYODA),
        {"comments": None, "programs.shamei_campaign": None},
    )
    got = post_file(chiyoda, round_id, CHIYODA, filled)
    assert got.status_code == 200, got.get_json()
    assert got.get_json()["answers"] == {}


def test_submitted_response_cannot_be_overwritten_by_upload(round_id, chiyoda: Api):
    from tests.conftest import complete_answers

    assert chiyoda.submit(round_id, CHIYODA, complete_answers()).status_code == 200
    filled = fill(download(chiyoda, round_id, CHIYODA), {"comments": "後から"})
    got = post_file(chiyoda, round_id, CHIYODA, filled)
    assert got.status_code == 409
    assert answers_of(chiyoda, round_id, CHIYODA)["state"] == "submitted"


def test_stale_version_is_a_conflict(round_id, chiyoda: Api):
    filled = fill(download(chiyoda, round_id, CHIYODA), {"comments": "Excelから"})
    chiyoda.save(round_id, CHIYODA, {"comments": "先に保存"})
    got = post_file(chiyoda, round_id, CHIYODA, filled, version="0")
    assert got.status_code == 409
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"] == {"comments": "先に保存"}


def test_respondent_cannot_download_or_upload_another_municipality(round_id, chiyoda: Api, staff):
    assert chiyoda.get(f"/rounds/{round_id}/responses/{CHUO}/template").status_code == 403
    chuo_file = download(staff, round_id, CHUO)
    assert post_file(chiyoda, round_id, CHUO, chuo_file).status_code == 403


def test_counterparts_and_anonymous_get_no_template(round_id, api_as, client):
    counterpart = api_as("counterpart", recipient="moj")
    assert counterpart.get(f"/rounds/{round_id}/responses/{CHIYODA}/template").status_code == 403
    anonymous = client.get(f"/api/v1/rounds/{round_id}/responses/{CHIYODA}/template")
    assert anonymous.status_code == 401


def test_missing_file_field_is_a_clear_422(round_id, chiyoda: Api):
    got = chiyoda.client.post(
        f"/api/v1/rounds/{round_id}/responses/{CHIYODA}/template",
        data={},
        headers=chiyoda.headers(),
        content_type="multipart/form-data",
    )
    assert got.status_code == 422
    assert "ファイル" in got.get_json()["errors"]["file"][0]


def test_a_date_pasted_as_its_serial_number_is_refused_naming_the_day_it_stands_for(
    round_id, chiyoda: Api
):
    """A date pasted with 「値の貼り付け」 into the date cell (text format) shows as 44286: the
    refusal says which day that number is and how to write it, in the workbook's own date
    system (Excel for Mac's 1904 counts the same day as 42824); 8 digits are a date as typed."""
    blank = download(chiyoda, round_id, CHIYODA)
    cell = answer_cell(blank, "plan_date")
    pasted = fill(blank, {"plan_status": "①策定済み", "plan_date": 44286})
    got = post_file(chiyoda, round_id, CHIYODA, pasted)
    assert got.status_code == 422
    assert got.get_json()["errors"][cell] == [
        "策定日: 「44286」は日付ではなく数として入力されています（Excel は日付を 44286 のような数で"
        "保存していて、日付を「値の貼り付け」で貼り付けるとその数が入ります。44286 は "
        "令和3年3月31日 を表す数です）。日付は 令和3年3月31日 のように文字で入力してください。"
    ]
    mac = open_xlsx(fill(blank, {"plan_status": "①策定済み", "plan_date": 42824}))
    mac.epoch = CALENDAR_MAC_1904
    got = post_file(chiyoda, round_id, CHIYODA, save(mac))
    assert got.status_code == 422
    assert "42824 は 令和3年3月31日 を表す数です" in got.get_json()["errors"][cell][0]
    typed = fill(blank, {"plan_status": "①策定済み", "plan_date": 20210331})
    assert post_file(chiyoda, round_id, CHIYODA, typed).status_code == 200
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"]["plan_date"] == "2021-03-31"


@pytest.mark.parametrize(
    ("number", "phone"), [(353211111, "03-5321-1111"), (9012345678, "090-1234-5678")]
)
def test_a_phone_number_whose_zero_excel_dropped_is_refused_saying_so(
    round_id, chiyoda: Api, number, phone
):
    """0353211111 typed in a cell that reads numbers (its text format lost) is kept by Excel as
    353211111: the refusal says Excel dropped the 0 and how to write the number."""
    blank = download(chiyoda, round_id, CHIYODA)
    got = post_file(chiyoda, round_id, CHIYODA, fill(blank, {"contact_phone": number}))
    assert got.status_code == 422
    assert got.get_json()["errors"][answer_cell(blank, "contact_phone")] == [
        f"電話番号: 「{number}」は数として入力されているため、Excel が先頭の「0」を消しています。"
        f"{phone} のようにハイフンを入れて入力してください。"
    ]
