"""A template whose column A still holds a question's old name — v1's template given the v2
round's identity by hand, or a v2 template whose key someone typed back to last year's name —:
the round's version renamed the question (settings ``renamed``), and the answer is read as the
renamed question's, said on the preview and in the API's notices, as 経年比較 and the previous
round's answers follow ``renamed``. Nothing typed is dropped without a word; a file holding both
names is refused naming the renamed column."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from exports.template_layout import KEY_COLUMN, SHEET
from tests.conftest import Api, HubRunner
from tests.excel.conftest import answers_of, download, fill, open_xlsx, post_file, rows_by_key, save
from tests.excel.test_pages import send
from tests.questionnaires.test_authored import staff_uploads_on_the_page_and_publishes
from tests.questionnaires.test_rename_chain import CHIYODA, imported, renkei
from tests.questionnaires.test_rename_chain import open_round as renkei_round
from tests.questionnaires.test_second_version import HACHIOJI, koyo, open_round
from tests.web.conftest import Web, web

__all__ = ["web"]  # the staff's pages, to publish both versions


def _retyped(data: bytes, keys: dict[str, str]) -> bytes:
    """Column A's keys rewritten (``{"cooperation": "level"}``), as someone would by hand."""
    workbook = open_xlsx(data)
    rows = rows_by_key(workbook)
    for key, typed in keys.items():
        workbook[SHEET].cell(row=rows[key], column=KEY_COLUMN).value = typed
    return save(workbook)


def _meta(data: bytes, **facts: str) -> bytes:
    workbook = open_xlsx(data)
    sheet = workbook["_meta"]
    for row in sheet.iter_rows():
        if row[0].value in facts:
            row[1].value = facts[row[0].value]
    return save(workbook)


def _two_rounds(web, api_as) -> tuple[int, int, bytes]:  # type: ignore[no-untyped-def]
    """A round on v1 with Hachiōji's template downloaded, then v2 (``cooperation=level``)
    published and a round opened on it."""
    staff_page: Web = web("staff")
    staff: Api = api_as("staff")
    staff_uploads_on_the_page_and_publishes(staff_page, koyo(1), "協力雇用主.xlsx")
    first = open_round(staff, "令和7年4月1日")
    v1_template = download(api_as("respondent", municipality=HACHIOJI), first, HACHIOJI)
    staff_uploads_on_the_page_and_publishes(staff_page, koyo(2), "協力雇用主_v2.xlsx")
    second = open_round(staff, "令和8年4月1日")
    return first, second, v1_template


def test_v1_s_template_given_the_v2_round_s_identity_keeps_the_renamed_answer(
    app: Flask, api_as, web
) -> None:
    _first, second, v1_template = _two_rounds(web, api_as)
    hachioji = api_as("respondent", municipality=HACHIOJI)
    handmade = _meta(
        fill(
            v1_template,
            {"plan": "あり", "level": "十分", "staff_count": "３", "memo": "-1+1と書いた"},
        ),
        round_id=str(second),
    )
    got = post_file(hachioji, second, HACHIOJI, handmade)
    assert got.status_code == 200, got.get_json()
    body = got.get_json()
    assert body["answers"] == {"plan": "yes", "cooperation": "high", "memo": "-1+1と書いた"}
    assert body["ignored_keys"] == ["staff_count"], "v2 removed it: listed, not silent"
    assert any("「level」→「cooperation」" in n and "renamed" in n for n in body["notices"])
    assert answers_of(hachioji, second, HACHIOJI)["answers"]["cooperation"] == "high"


def test_a_v2_template_with_last_year_s_name_typed_back_is_read_and_said_on_the_preview(
    app: Flask, api_as, web, browser_as: Callable[..., FlaskClient]
) -> None:
    _first, second, _v1 = _two_rounds(web, api_as)
    hachioji = api_as("respondent", municipality=HACHIOJI)
    template = download(hachioji, second, HACHIOJI)
    typed = _retyped(
        fill(template, {"cooperation": "不十分", "budget": "１，２００"}), {"cooperation": "level"}
    )

    status, html = send(browser_as("respondent", municipality=HACHIOJI), second, HACHIOJI, typed)
    assert status == 200, html[:3000]
    assert (
        "A列の項目ID 「level」→「cooperation」 は、この調査票の版で名前が変わった質問です" in html
    )
    assert "settings シートの renamed 列" in html
    assert "不十分" in html, "the preview shows the answer read under the new name"

    got = post_file(hachioji, second, HACHIOJI, typed)
    assert got.status_code == 200, got.get_json()
    assert got.get_json()["answers"] == {"cooperation": "low", "budget": 1200}

    english = hachioji.client.post(
        f"/api/v1/rounds/{second}/responses/{HACHIOJI}/template?lang=en",
        data={"file": (io.BytesIO(typed), "回答.xlsx")},
        headers=hachioji.headers(),
        content_type="multipart/form-data",
    )
    assert english.status_code == 200, english.get_json()
    notices = english.get_json()["notices"]
    assert any("“level” → “cooperation”" in n and "renamed" in n for n in notices), notices


def test_a_file_with_both_the_old_and_the_new_name_is_refused_naming_the_renamed_column(
    app: Flask, api_as, web
) -> None:
    _first, second, _v1 = _two_rounds(web, api_as)
    hachioji = api_as("respondent", municipality=HACHIOJI)
    template = fill(download(hachioji, second, HACHIOJI), {"cooperation": "十分", "plan": "あり"})
    workbook = open_xlsx(template)
    sheet = workbook[SHEET]
    last = max(rows_by_key(workbook).values())
    sheet.cell(row=last + 1, column=KEY_COLUMN).value = "level"
    sheet.cell(row=last + 1, column=3).value = "不十分"
    got = post_file(hachioji, second, HACHIOJI, save(workbook))
    assert got.status_code == 422, got.get_json()
    said = str(got.get_json())
    assert "項目ID「level」は、この調査票の版では「cooperation」です" in said
    assert "renamed 列" in said
    assert answers_of(hachioji, second, HACHIOJI)["answers"] == {}, "nothing saved"


def _renamed_twice(
    api_as: Callable[..., Api], runner: HubRunner, tmp_path: Path
) -> tuple[int, bytes]:
    """「保護観察所との連携状況調査」 v1 (``a``) with a round and Chiyoda's template downloaded,
    then v2 (``b=a``, no round used it) and v3 (``c=b``, and a new question under the free name
    ``b``) stored and a round opened on v3."""
    imported(runner, tmp_path, renkei(1), "renkei_v1.xlsx")
    staff: Api = api_as("staff")
    first = renkei_round(staff, "令和6年4月1日")
    v1_template = download(api_as("respondent", municipality=CHIYODA), first, CHIYODA)
    imported(runner, tmp_path, renkei(2), "renkei_v2.xlsx")
    imported(runner, tmp_path, renkei(3, reuse=True), "renkei_v3.xlsx")
    return renkei_round(staff, "令和7年4月1日"), v1_template


def test_a_v1_template_in_a_round_of_v3_reads_a_as_c_across_the_renames(
    app: Flask, api_as, runner: HubRunner, tmp_path: Path
) -> None:
    third, v1_template = _renamed_twice(api_as, runner, tmp_path)
    chiyoda = api_as("respondent", municipality=CHIYODA)
    handmade = _meta(fill(v1_template, {"a": "不十分", "memo": "月1回"}), round_id=str(third))
    got = post_file(chiyoda, third, CHIYODA, handmade)
    assert got.status_code == 200, got.get_json()
    body = got.get_json()
    assert body["answers"] == {"c": "low", "memo": "月1回"}, "v1's a is v3's c, not the new b"
    assert body["ignored_keys"] == []
    assert any("「a」→「c」" in n and "renamed" in n for n in body["notices"]), body["notices"]
    assert answers_of(chiyoda, third, CHIYODA)["answers"] == {"c": "low", "memo": "月1回"}


def test_a_v3_key_typed_back_to_the_name_of_two_versions_ago_is_read_and_said(
    app: Flask, api_as, runner: HubRunner, tmp_path: Path
) -> None:
    third, _v1 = _renamed_twice(api_as, runner, tmp_path)
    chiyoda = api_as("respondent", municipality=CHIYODA)
    template = fill(download(chiyoda, third, CHIYODA), {"c": "十分", "b": "不十分"})
    got = post_file(chiyoda, third, CHIYODA, _retyped(template, {"c": "a"}))
    assert got.status_code == 200, got.get_json()
    body = got.get_json()
    assert body["answers"] == {"c": "high", "b": "low"}
    assert any("「a」→「c」" in n for n in body["notices"]), body["notices"]
