"""The template as docs/excel-template.md fixes it: sheet 回答, column A nothing but keys, B the label, C the
answer. A workbook another program builds from that description alone uploads; a file without the
hidden ``_meta`` sheet is read for the URL's round and municipality and says so; a ``_meta`` naming
another municipality still refuses the file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openpyxl
from flask.testing import FlaskClient

from exports.template import items
from forms import registry
from tests.conftest import Api
from tests.excel.conftest import (
    CHIYODA,
    CHUO,
    answers_of,
    download,
    fill,
    open_xlsx,
    post_file,
    rows_by_key,
    save,
)
from tests.excel.test_pages import send

TORIKUMI = registry.latest("torikumi")

INJECTION = '=HYPERLINK("http://evil.example/","ここをクリック")'

FROM_SCRATCH: list[tuple[str, str, Any]] = [
    ("plan_status", "計画の策定状況", "①策定済み"),
    ("plan_name", "計画の名称", "第１次　千代田区再犯防止推進計画"),
    ("plan_date", "策定日", "令和元年５月１日"),
    ("plan_integrated_with.regional_welfare", "地域福祉計画", "○"),
    ("plan_integrated_with.crime_prevention", "防犯に関する計画", None),
    ("lead_department", "所管部署", "保健福祉部　福祉政策課"),
    ("programs.shamei_campaign", "社会を明るくする運動", "○"),
    ("cooperating_employers", "協力雇用主数", "２３９"),
    ("consultation_setup", "相談支援体制", "dedicated_window"),
    ("comments", "自由記述", INJECTION),
    ("contact_name", "回答者氏名", "都庁　太郎"),
    ("contact_phone", "電話番号", "０３（５３２１）１１１１"),
    ("contact_email", "メールアドレス", "Taro@Example.LG.JP"),
]
"""Rows a program writes knowing only docs/excel-template.md: key, label, answer (全角, 和暦, ○, "=…")."""


def workbook_from_scratch(rows: list[tuple[str, str, Any]] = FROM_SCRATCH) -> bytes:
    """A plain openpyxl workbook: sheet 回答, a heading in B1:C1, then key / label / answer."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "回答"
    sheet["B1"], sheet["C1"] = "項目", "回答"
    for number, (key, label, answer) in enumerate(rows, start=2):
        sheet.cell(row=number, column=1, value=key)
        sheet.cell(row=number, column=2, value=label)
        cell = sheet.cell(row=number, column=3, value=answer)
        if isinstance(answer, str):
            cell.data_type = "s"
    workbook.create_sheet("メモ")["A1"] = "自由に使えるシート"
    return save(workbook)


def test_a_workbook_built_from_the_interface_alone_uploads(round_id, chiyoda: Api):
    got = post_file(chiyoda, round_id, CHIYODA, workbook_from_scratch())
    assert got.status_code == 200, got.get_json()
    body = got.get_json()
    assert body["identified"] is False
    (notice,) = body["notices"]
    assert "識別情報" in notice
    assert "千代田区（131016）" in notice
    assert body["state"] == "draft"
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"] == {
        "plan_status": "formulated",
        "plan_name": "第１次　千代田区再犯防止推進計画",
        "plan_date": "2019-05-01",
        "plan_integrated_with": ["regional_welfare"],
        "lead_department": "保健福祉部　福祉政策課",
        "programs": ["shamei_campaign"],
        "cooperating_employers": 239,
        "consultation_setup": "dedicated_window",
        "comments": INJECTION,
        "contact_name": "都庁　太郎",
        "contact_phone": "03-5321-1111",
        "contact_email": "Taro@example.lg.jp",
    }


def test_the_downloaded_template_says_it_was_identified(round_id, chiyoda: Api):
    filled = fill(download(chiyoda, round_id, CHIYODA), {"plan_status": "⑥現時点で策定予定なし"})
    got = post_file(chiyoda, round_id, CHIYODA, filled)
    assert got.status_code == 200, got.get_json()
    assert got.get_json()["identified"] is True
    assert got.get_json()["notices"] == []


def test_a_file_without_meta_belongs_to_the_url_it_is_sent_to(round_id, chiyoda: Api, staff: Api):
    data = workbook_from_scratch(
        [("plan_status", "計画の策定状況", "③関係機関等との協議会等で検討中")]
    )
    assert post_file(chiyoda, round_id, CHUO, data).status_code == 403
    got = post_file(staff, round_id, CHUO, data)
    assert got.status_code == 200, got.get_json()
    assert "中央区（131024）" in got.get_json()["notices"][0]
    assert answers_of(staff, round_id, CHUO)["answers"] == {"plan_status": "council_review"}
    assert answers_of(staff, round_id, CHIYODA)["answers"] == {}


def test_a_template_with_its_meta_removed_uploads_but_one_naming_another_town_does_not(
    round_id, chiyoda: Api, staff: Api
):
    chuo = fill(download(staff, round_id, CHUO), {"plan_status": "①策定済み"})
    refused = post_file(chiyoda, round_id, CHIYODA, chuo)
    assert refused.status_code == 422
    assert "別の自治体" in refused.get_json()["message"]

    workbook = open_xlsx(chuo)
    del workbook["_meta"]
    stripped = save(workbook)
    workbook = open_xlsx(stripped)
    workbook["回答"].cell(row=rows_by_key(workbook)["plan_name"], column=3).value = "中央区計画"
    got = post_file(chiyoda, round_id, CHIYODA, save(workbook))
    assert got.status_code == 200, got.get_json()
    assert got.get_json()["identified"] is False
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"]["plan_name"] == "中央区計画"


def test_column_a_of_a_downloaded_template_holds_only_keys(round_id, chiyoda: Api):
    workbook = open_xlsx(download(chiyoda, round_id, CHIYODA))
    sheet = workbook["回答"]
    found = [
        str(value).strip()
        for (value,) in sheet.iter_rows(min_col=1, max_col=1, values_only=True)
        if value is not None and str(value).strip()
    ]
    keys = [item.key for item in items(TORIKUMI)]
    assert found == keys
    assert len(set(found)) == len(found)


def test_a_template_made_with_the_old_header_in_column_a_still_uploads(round_id, chiyoda: Api):
    workbook = open_xlsx(download(chiyoda, round_id, CHIYODA))
    sheet = workbook["回答"]
    header = next(r for r in range(1, 20) if sheet.cell(row=r, column=2).value == "項目")
    sheet.cell(row=header, column=1).value = "項目ID"
    sheet.cell(row=rows_by_key(workbook)["comments"], column=3).value = "旧様式から"
    got = post_file(chiyoda, round_id, CHIYODA, save(workbook))
    assert got.status_code == 200, got.get_json()
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"]["comments"] == "旧様式から"


def test_an_unknown_word_in_column_a_is_named_by_its_cell(round_id, chiyoda: Api):
    rows = [("項目キー", "見出し", "回答"), *FROM_SCRATCH]
    got = post_file(chiyoda, round_id, CHIYODA, workbook_from_scratch(rows))
    assert got.status_code == 422
    errors = got.get_json()["errors"]
    assert list(errors) == ["回答!A2"]
    assert "項目キー" in errors["回答!A2"][0]
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"] == {}


def test_the_preview_page_says_the_file_carried_no_identification(
    round_id, chiyoda: Api, browser_as: Callable[..., FlaskClient]
):
    browser = browser_as("respondent", municipality=CHIYODA)
    status, preview = send(browser, round_id, CHIYODA, workbook_from_scratch())
    assert status == 200, preview[:2000]
    assert "識別情報（_meta シート）がありません" in preview
    assert "千代田区（131016）" in preview
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"] == {}
