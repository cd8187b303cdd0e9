"""The two questionnaires of :mod:`tests.questionnaires.authored`, written as 都 staff write them,
walked through every projection: the staff page and the API upload, a round for some
municipalities, answers from the web form, the API and the Excel template (a file LibreOffice
saved too), a return and acceptances, then the workbook, the summary API and a delivery made by
「今すぐ送信」 and the scheduler — nothing of either questionnaire is in the code."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from tests.conftest import Api
from tests.deliveries.test_send_now_outcome import outcome_shown, run_scheduler, send_now
from tests.excel.conftest import download, fill, open_xlsx, post_file, rows_by_key, save
from tests.questionnaires.authored import (
    MADOGUCHI_ID,
    MADOGUCHI_SURVEY,
    MADOGUCHI_TITLE,
    SHURO_ID,
    SHURO_SURVEY,
    SHURO_TITLE,
    madoguchi,
    shuro_shien,
)
from tests.questionnaires.test_api import upload as api_upload
from tests.web.conftest import Web, field_values, page, text_of

CHIYODA, CHUO, MINATO, HACHIOJI = "131016", "131024", "131032", "132012"
CODES = [CHIYODA, CHUO, MINATO, HACHIOJI]


def open_round(staff: Api, form_id: str) -> int:
    got = staff.post(
        "/rounds",
        {"survey": form_id, "reference_date": "令和8年4月1日", "deadline": "2099-05-29 17:00",
         "municipalities": CODES},
    )  # fmt: skip
    assert got.status_code == 201, got.get_json()
    return int(got.get_json()["id"])


def workbook_of(staff: Api, round_id: int) -> Workbook:
    got = staff.get(f"/rounds/{round_id}/workbook")
    assert got.status_code == 200
    return load_workbook(io.BytesIO(got.data))


def sheet_rows(book: Workbook, name: str) -> list[tuple[Any, ...]]:
    return list(book[name].iter_rows(values_only=True))


def table(rows: list[tuple[Any, ...]], title: str) -> list[tuple[Any, ...]]:
    """The rows of the 集計 table titled ``title``, header first, up to the blank row."""
    start = next(i for i, row in enumerate(rows) if row[0] == title)
    found = []
    for row in rows[start + 1 :]:
        if row[0] is None:
            break
        found.append(row)
    return found


def answer_header(rows: list[tuple[Any, ...]]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """回答一覧's row of keys and the row of labels under it."""
    at = next(i for i, row in enumerate(rows) if row[0] == "code")
    return rows[at], rows[at + 1]


def labels_of(survey: tuple[tuple[Any, ...], ...]) -> dict[str, str]:
    """``{name: label::ja}`` of every question of a survey sheet (notes and groups left out)."""
    header = survey[0]
    rows = [dict(zip(header, row, strict=True)) for row in survey[1:]]
    return {
        r["name"]: r["label::ja"]
        for r in rows
        if r["name"] and not str(r["type"]).startswith(("begin_group", "end_group", "note"))
    }


# --- what the walk found, each on its own --------------------------------------------------


def test_a_groups_condition_is_said_beside_its_questions_in_the_template_and_the_workbook(
    app: Flask, api_as
) -> None:
    """The template told a municipality without a programme that 「支援を受けた人数」 was 必須, and
    the 定義 sheet left the empty cells of 回答一覧 unexplained: the group's ``relevant`` was
    applied but never said."""
    staff = api_as("staff")
    assert api_upload(staff, shuro_shien(), "就労支援.xlsx").status_code == 201
    round_id = open_round(staff, SHURO_ID)
    condition = "「就労支援の取組を実施していますか」が「はい」のときに回答"

    template = open_xlsx(download(staff, round_id, CHIYODA))
    rows = rows_by_key(template)
    how = template["回答"].cell(row=rows["participants"], column=5).value
    assert condition in how
    assert "0以上、9999以下" in how
    other = template["回答"].cell(row=rows["support_kinds_other"], column=5).value
    assert "「はい」かつ「実施している支援（複数選択可）」で「その他」を選んだとき" in other
    outside = template["回答"].cell(row=rows["remarks"], column=5).value
    assert "のときに回答" not in outside, "a question outside the group is always asked"

    definitions = {
        row[1]: row for row in sheet_rows(workbook_of(staff, round_id), "定義") if row[2]
    }
    assert condition in definitions["participants"][8]
    assert condition in definitions["started_on"][8]
    assert condition not in (definitions["has_program"][8] or "")


def test_the_definitions_sheet_gives_each_question_s_hint_and_messages(app: Flask, api_as) -> None:
    """A reviewer of 定義 read the rules but not what respondents are told: the hint (which the
    template shows) and the file's ``required_message`` and ``constraint_message`` were missing."""
    staff = api_as("staff")
    assert api_upload(staff, shuro_shien(), "就労支援.xlsx").status_code == 201
    rows = sheet_rows(workbook_of(staff, open_round(staff, SHURO_ID)), "定義")
    notes = {row[1]: row[8] or "" for row in rows if row[2]}
    assert notes["has_program"] == (
        "説明「庁内のいずれかの部署で実施していれば「はい」」。"
        "未回答のときのメッセージ「実施の有無を選んでください。」"
    )
    assert notes["participants"].startswith("説明「実人数で」。")
    assert (
        "0以上、9999以下。条件に合わないときのメッセージ「０〜９９９９人の範囲で入力して"
        in (notes["participants"])
    )
    assert notes["remarks"] == "400文字以内", "nothing said where the file gives nothing"
    assert "メッセージ" not in notes["contact_name"]


def test_the_summary_heads_the_headline_table_with_the_definitions_words(
    app: Flask, api_as
) -> None:
    """集計 headed an authored headline 「区市町村の就労支援の取組を実施していますか」: the prefix
    was written for torikumi. The heading is the question's label, or the ``headline_title`` the
    author sets in ``settings``."""
    staff = api_as("staff")
    assert api_upload(staff, shuro_shien(), "就労支援.xlsx").status_code == 201
    rows = sheet_rows(workbook_of(staff, open_round(staff, SHURO_ID)), "集計")
    heading = table(rows, "就労支援の取組を実施していますか（令和8年4月1日現在）")
    assert heading[0][:3] == ("就労支援の取組を\n実施していますか", "自治体数", "備考")
    assert not [r[0] for r in rows if str(r[0]).startswith("区市町村の")]

    titled = shuro_shien(version=2, headline_title="就労支援の取組の有無")
    assert api_upload(staff, titled, "就労支援.xlsx").status_code == 201
    rows = sheet_rows(workbook_of(staff, open_round(staff, SHURO_ID)), "集計")
    heading = table(rows, "就労支援の取組の有無（令和8年4月1日現在）")
    assert heading[0][:3] == ("就労支援の取組の有無", "自治体数", "備考")
    assert heading[1][0] == "はい"


def answers_shown(page_: Any) -> dict[str, str]:
    """The read-only answers list of a page (``_answers.html``): label to answer, as shown."""
    rows = page(page_).xpath("//dl[@class='summary-list']/div")
    return {
        " ".join(row.xpath("string(dt)").split()): " ".join(row.xpath("string(dd)").split())
        for row in rows
    }


def test_a_group_not_asked_shows_no_default_on_the_answers_pages(app: Flask, api_as, web) -> None:
    """Group B (asked when 「はい」) has defaults (0 people, 就労相談): before anything was
    answered the respondent's 回答内容 page and staff's response page listed them under 「Ｂ．取組
    の内容」 as if answered, though a submit drops them. A question not asked shows no answer."""
    staff = api_as("staff")
    assert api_upload(staff, shuro_shien(), "就労支援.xlsx").status_code == 201
    round_id = open_round(staff, SHURO_ID)
    respondent = web("respondent", municipality=HACHIOJI)
    view = f"/respond/rounds/{round_id}/{HACHIOJI}/view"
    staff_page = web("staff")
    staff_url = f"/staff/rounds/{round_id}/responses/{HACHIOJI}"
    asked_first = {"就労支援の取組を 実施していますか": "未回答", "備考 （自由記述）": "未回答"}

    for got in (respondent.get(view), staff_page.get(staff_url)):
        assert got.status_code == 200
        shown = answers_shown(got)
        assert {k: shown.get(k) for k in asked_first} == asked_first
        for hidden in ("支援を受けた人数（人）", "実施している支援（複数選択可）"):
            assert hidden not in shown, hidden
        assert "Ｂ．取組の内容" not in text_of(got), "a group with nothing asked has no heading"
        assert "まだ回答は保存されていません" not in text_of(got), "nothing asked is prefilled"

    # a draft saying 「いいえ」 keeps group B's values (the form sent them) but shows none of them
    form = f"/respond/rounds/{round_id}/{HACHIOJI}"
    draft = field_values(respondent.get(form)) | {"has_program": "no", "action": "save"}
    assert respondent.post(form, draft).status_code == 302
    stored = staff.get(f"/rounds/{round_id}/responses/{HACHIOJI}").get_json()["answers"]
    assert stored["participants"] == 0, "a draft keeps what the form sent"
    for got in (respondent.get(view), staff_page.get(staff_url)):
        shown = answers_shown(got)
        assert shown["就労支援の取組を 実施していますか"] == "いいえ"
        assert "支援を受けた人数（人）" not in shown

    # 「はい」: the group is asked, and its defaults are the answers
    draft |= {"has_program": "yes", "version": "1"}
    assert respondent.post(form, draft).status_code == 302
    shown = answers_shown(respondent.get(view))
    assert shown["支援を受けた人数（人）"] == "0"
    assert shown["実施している支援（複数選択可）"] == "就労相談"


def test_a_not_started_response_says_its_values_are_prefilled(app: Flask, api_as, web) -> None:
    """A default of a question that is asked is what a submit sends unless changed: shown, but
    said to be prefilled, not answered, while nothing has been saved."""
    staff = api_as("staff")
    data = shuro_shien(defaults={"remarks": "特になし"})
    assert api_upload(staff, data, "就労支援.xlsx").status_code == 201
    round_id = open_round(staff, SHURO_ID)
    respondent = web("respondent", municipality=HACHIOJI)
    view = f"/respond/rounds/{round_id}/{HACHIOJI}/view"
    staff_url = f"/staff/rounds/{round_id}/responses/{HACHIOJI}"
    for got in (respondent.get(view), web("staff").get(staff_url)):
        assert answers_shown(got)["備考 （自由記述）"] == "特になし"
        assert "支援を受けた人数（人）" not in answers_shown(got)
        assert "まだ回答は保存されていません。" in text_of(got)
    english = respondent.get(view + "?lang=en")
    assert "Nothing has been saved yet." in text_of(english)


def test_decimals_in_the_summary_show_every_digit_typed(app: Flask, api_as, min_responses) -> None:
    """集計's number table wrote decimals as ``#,##0.0``: a budget of 1.25 showed as 1.3, the
    median 0.675 as 0.7."""
    min_responses(1)
    staff = api_as("staff")
    assert api_upload(staff, shuro_shien(), "就労支援.xlsx").status_code == 201
    round_id = open_round(staff, SHURO_ID)
    for code, budget in ((CHIYODA, "1.25"), (CHUO, "０．１")):
        done = staff.submit(round_id, code, SHURO_YES | {"budget": budget})
        assert done.status_code == 200, done.get_json()
    book = workbook_of(staff, round_id)
    summary = book["集計"]
    row = next(r for r in summary.iter_rows() if r[0].value == "関連予算（百万円）")
    assert [c.value for c in row] == ["関連予算（百万円）", 2, 1.35, 0.1, 0.675, 1.25]
    for cell, shown in zip(row[2:], ("1.35", "0.1", "0.675", "1.25"), strict=True):
        assert shown_digits(cell.number_format) >= len(shown.split(".")[1]), cell.number_format


def shown_digits(number_format: str) -> int:
    """How many decimals a number format shows at most."""
    _, _, decimals = number_format.partition(".")
    return len(re.match(r"[0#]*", decimals).group(0))  # type: ignore[union-attr]


def test_a_by_region_table_adds_up_when_a_question_is_optional(
    app: Flask, api_as, min_responses
) -> None:
    """「関係機関との連携の充実度」 is optional: its 地域別 table said 合計 2 under rows adding up
    to 1. Those who chose nothing are now a row of their own (not drawn in the chart)."""
    min_responses(1)
    staff = api_as("staff")
    assert api_upload(staff, madoguchi(), "窓口.xlsx").status_code == 201
    round_id = open_round(staff, MADOGUCHI_ID)
    base = {"area": "ku", "city": "shinjuku", "staffing": "high", "staff_count": 3}
    for code, extra in ((CHIYODA, {"cooperation": "low"}), (CHUO, {}), (HACHIOJI, {})):
        assert staff.submit(round_id, code, base | extra).status_code == 200
    rows = sheet_rows(workbook_of(staff, round_id), "集計")
    by_region = table(rows, "関係機関との連携の充実度（地域別）")
    assert by_region[0][:4] == ("関係機関との連携の充実度", "区部", "市部", "合計")
    body = {row[0]: row[1:4] for row in by_region[1:]}
    assert body["不十分"] == (1, 0, 1)
    assert body["回答なし（対象外・未選択）"] == (1, 1, 2)
    assert body["合計"] == (2, 1, 3)
    counted = [v for k, v in body.items() if k not in ("合計", "対象自治体数")]
    assert tuple(map(sum, zip(*counted, strict=True))) == body["合計"]
    required = {row[0]: row[1:4] for row in table(rows, "人員体制の充実度（地域別）")[1:]}
    assert "回答なし（対象外・未選択）" not in required, "a required question has no such row"


# --- the whole walk ---------------------------------------------------------------------------

SHURO_YES = {"has_program": "yes", "support_kinds": ["counseling"], "participants": "3",
             "contact_name": "担当", "confirmed": True}  # fmt: skip


def upload_on_page(staff: Web, data: bytes, name: str) -> str:
    """Staff upload a definition on the 調査票 page; the URL of its preview."""
    staff.get("/staff/questionnaires/upload")
    got = staff.post(
        "/staff/questionnaires/upload",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert got.status_code == 302, text_of(got)[:2000]
    return str(got.headers["Location"])


def staff_uploads_on_the_page_and_publishes(staff: Web, data: bytes, name: str) -> None:
    preview_url = upload_on_page(staff, data, name)
    preview = staff.get(preview_url)
    assert preview.status_code == 200
    draft_id = int(preview_url.rstrip("/").split("/")[-1])
    published = staff.post(f"/staff/questionnaires/drafts/{draft_id}/publish", {})
    assert published.status_code == 302


def test_shuro_shien_from_the_staff_page_to_the_delivered_files(
    app: Flask, api_as, web, outbox: Path, min_responses
) -> None:
    min_responses(2)
    staff_page: Web = web("staff")
    staff_uploads_on_the_page_and_publishes(
        staff_page, shuro_shien(), "就労支援の取組状況調査.xlsx"
    )
    staff = api_as("staff")
    round_id = open_round(staff, SHURO_ID)

    # defaults: a new round starts every municipality with them
    fresh = staff.get(f"/rounds/{round_id}/responses/{HACHIOJI}").get_json()
    assert fresh["answers"] == {"participants": 0, "support_kinds": ["counseling"]}

    # 千代田区 on the web form: labels, hints, required messages and constraint messages shown
    chiyoda = web("respondent", municipality=CHIYODA)
    url = f"/respond/rounds/{round_id}/{CHIYODA}"
    form = chiyoda.get(url)
    text = text_of(form)
    for shown in ("Ａ．就労支援の実施状況", "Ｂ．取組の内容", "庁内のいずれかの部署で実施していれば「はい」",
                  "例：令和３年４月１日", "令和８年４月１日現在でお答えください。"):  # fmt: skip
        assert shown in text, shown
    doc = page(form)
    assert doc.xpath("//section[@data-relevant]//*[@id='field-participants']"), "group's rule"
    assert field_values(form)["participants"] == "0"
    typed = {
        "has_program": "yes", "support_kinds": ["counseling", "other"], "support_kinds_other": "",
        "participants": "１２３４５", "budget": "１２．３４５", "started_on": "令和99年1月1日",
        "remarks": "@SUM(A1)", "contact_name": "山田　花子", "action": "submit", "version": "0",
    }  # fmt: skip
    refused = chiyoda.post(url, typed)
    assert refused.status_code == 422
    errors = text_of(refused)
    for message in ("その他の内容を入力してください。", "０〜９９９９人の範囲で入力してください。",
                    "今日より後の日付は入力できません。", "確認欄にチェックしてください。"):  # fmt: skip
        assert message in errors, message
    assert field_values(refused)["remarks"] == "@SUM(A1)", "nothing typed is lost"
    typed |= {"support_kinds_other": "=1+1", "participants": "１２", "started_on": "令和3年4月1日",
              "confirmed": "y", "action": "save"}  # fmt: skip
    assert chiyoda.post(url, typed).status_code == 302
    kept = staff.get(f"/rounds/{round_id}/responses/{CHIYODA}").get_json()
    english = chiyoda.post(url + "?lang=en", typed | {"participants": "99999", "version": "1"})
    assert english.status_code == 422
    assert "Between 0 and 9999." in text_of(english), "constraint_message::en"
    for shown in ("A. Employment support", "Do you run employment support?", "Head count",
                  "People supported", "This survey asks about employment support."):  # fmt: skip
        assert shown in text_of(english), shown
    assert kept["answers"] == {
        "has_program": "yes", "support_kinds": ["counseling", "other"],
        "support_kinds_other": "=1+1", "participants": 12, "budget": 12.345,
        "started_on": "2021-04-01", "remarks": "@SUM(A1)", "contact_name": "山田　花子",
        "confirmed": True,
    }  # fmt: skip
    assert staff.submit(round_id, CHIYODA).status_code == 200

    # 中央区 through the API: no programme, so group B's answers are not kept at submit
    no_program = {"has_program": "いいえ", "participants": "５", "budget": "1",
                  "contact_name": "鈴木　一郎", "confirmed": "OK"}  # fmt: skip
    assert staff.submit(round_id, CHUO, no_program).status_code == 200
    kept = staff.get(f"/rounds/{round_id}/responses/{CHUO}").get_json()["answers"]
    assert kept == {"has_program": "no", "contact_name": "鈴木　一郎", "confirmed": True}

    # 港区 through the Excel template: labels, ○, 和暦, text that looks like a formula
    template = open_xlsx(download(staff, round_id, MINATO))
    rows = rows_by_key(template)
    sheet = template["回答"]
    for key, value in {"has_program": "はい", "support_kinds.placement": "○",
                       "participants": "７", "budget": 0.5, "started_on": "R2.1.5",
                       "contact_name": "港", "confirmed": "はい"}.items():  # fmt: skip
        sheet.cell(row=rows[key], column=3).value = value
    formula_text = sheet.cell(row=rows["remarks"], column=3)
    formula_text.value, formula_text.data_type = "=SUM(A1)", "s"
    uploaded = post_file(staff, round_id, MINATO, save(template))
    assert uploaded.status_code == 200, uploaded.get_json()
    assert staff.submit(round_id, MINATO).status_code == 200
    minato = staff.get(f"/rounds/{round_id}/responses/{MINATO}").get_json()["answers"]
    assert minato["remarks"] == "=SUM(A1)"
    assert minato["started_on"] == "2020-01-05"
    assert minato["support_kinds"] == ["counseling", "placement"], "the default kept, one added"

    # return one, accept the others
    returned = staff.post(
        f"/rounds/{round_id}/responses/{CHUO}/return", {"reason": "件数を確認してください"}
    )
    assert returned.status_code == 200
    for code in (CHIYODA, MINATO):
        assert staff.post(f"/rounds/{round_id}/responses/{code}/accept").status_code == 200

    # the workbook: every question with its label, the answers, text kept as text
    book = workbook_of(staff, round_id)
    answers = sheet_rows(book, "回答一覧")
    keys, labels = answer_header(answers)
    by_key = dict(zip(keys, labels, strict=True))
    for name, label in labels_of(SHURO_SURVEY).items():
        if name == "support_kinds":
            assert by_key["support_kinds.other"] == f"{label}：その他"
        elif name == "support_kinds_other":  # named by the question it completes
            assert by_key[name] == "実施している支援（複数選択可）：その他の内容"
        else:
            assert by_key[name] == label, name
    assert "intro" not in keys, "a note is not a question"
    row = dict(zip(keys, next(r for r in answers if r[0] == CHIYODA), strict=True))
    assert (row["state"], row["support_kinds_other"], row["remarks"]) == ("受理済み", "=1+1",
                                                                           "@SUM(A1)")  # fmt: skip
    assert (row["budget"], row["participants"]) == (12.345, 12)
    assert row["started_on"].date().isoformat() == "2021-04-01"
    chuo = dict(zip(keys, next(r for r in answers if r[0] == CHUO), strict=True))
    assert chuo["state"] == "差し戻し"
    for sheet_ in book:
        for line in sheet_.iter_rows():
            for cell in line:
                assert cell.data_type != "f", (sheet_.title, cell.coordinate, cell.value)
    charts = [c.title.tx.rich.p[0].r[0].t for c in book["集計"]._charts]
    assert charts == ["就労支援の取組を実施していますか（地域別）"], "only a one-of by region"

    # the summary API, from the definition
    summary = staff.get(f"/rounds/{round_id}/summary").get_json()
    assert summary["survey"] == SHURO_ID
    assert summary["has_program"] == {"yes": 2, "no": 0}
    assert summary["support_kinds"] == {"counseling": 2, "training": 0, "placement": 1,
                                        "other": 1}  # fmt: skip
    assert summary["participants"] == {"n": 2, "sum": 19, "min": 7, "median": 9.5, "max": 12}
    assert summary["budget"]["max"] == 12.345
    assert "contact_name" not in summary

    # 今すぐ送信 to 法務省, taken by the scheduler's job
    send_now(staff_page.client, "moj", round_id)
    run_scheduler(app)
    (folder,) = [p for p in (outbox / "moj").iterdir() if not p.name.startswith(".")]
    assert f"送信しました（配信 {folder.name}）。" in outcome_shown(staff_page.client)
    delivered = json.loads(next(folder.glob("r*.json")).read_text(encoding="utf-8"))
    assert delivered["title"].startswith(SHURO_TITLE)
    assert delivered["summary"]["support_kinds"] == summary["support_kinds"]
    everything = json.dumps(delivered, ensure_ascii=False)
    assert "山田　花子" not in everything, "no personal value"
    assert "鈴木" not in everything
    assert "contact_name" not in delivered["summary"]
    definitions = delivered["tables"]["definitions"]["rows"]
    assert {r[1] for r in definitions} >= {"has_program", "support_kinds_other", "budget"}
    files = {p.suffix for p in folder.iterdir()}
    assert {".xlsx", ".csv", ".json"} <= files


def test_madoguchi_through_the_api_and_the_excel_template(
    app: Flask, api_as, outbox: Path, min_responses, runner
) -> None:
    min_responses(2)
    staff = api_as("staff")
    created = api_upload(staff, madoguchi(), "相談窓口の体制調査.xlsx")
    assert created.status_code == 201, created.get_json()
    round_id = open_round(staff, MADOGUCHI_ID)

    # the cascade refuses a city of another area, from the API and from the template
    wrong = staff.save(round_id, CHIYODA, {"area": "shi", "city": "shinjuku"})
    assert wrong.status_code == 422
    assert "新宿区" in wrong.get_json()["errors"]["city"][0]
    too_many = staff.save(round_id, CHIYODA, {"staff_count": "２１"})
    assert too_many.get_json()["errors"] == {"staff_count": ["20以下の整数で入力してください。"]}
    both = {"area": "区部", "city": "世田谷区", "staffing": "十分", "cooperation": "ある程度",
            "staff_count": "１０", "channels": ["visit", "online"],
            "features": "=1+1\n夜間も受付"}  # fmt: skip
    assert staff.submit(round_id, CHIYODA, both).status_code == 200

    filled = fill(
        download(staff, round_id, HACHIOJI),
        {"area": "市部", "city": "新宿区", "staffing": "不十分", "staff_count": "２"},
    )
    refused = post_file(staff, round_id, HACHIOJI, filled)
    assert refused.status_code == 422
    assert "新宿区" in json.dumps(refused.get_json(), ensure_ascii=False)
    filled = fill(filled, {"city": "八王子市", "channels.phone": "○"})
    assert post_file(staff, round_id, HACHIOJI, filled).status_code == 200
    assert staff.submit(round_id, HACHIOJI).status_code == 200

    book = workbook_of(staff, round_id)
    answers = sheet_rows(book, "回答一覧")
    keys, labels = answer_header(answers)
    by_key = dict(zip(keys, labels, strict=True))
    for name, label in labels_of(MADOGUCHI_SURVEY).items():
        if name == "channels":
            assert by_key["channels.visit"] == f"{label}：来所"
        else:
            assert by_key[name] == label, name
    chiyoda = dict(zip(keys, next(r for r in answers if r[0] == CHIYODA), strict=True))
    assert (chiyoda["city"], chiyoda["cooperation"], chiyoda["features"]) == (
        "世田谷区", "ある程度", "=1+1\n夜間も受付"
    )  # fmt: skip
    summary_rows = sheet_rows(book, "集計")
    for shared in ("人員体制の充実度", "関係機関との連携の充実度"):
        assert [r[0] for r in table(summary_rows, shared)[1:4]] == ["十分", "ある程度", "不十分"]
    summary = staff.get(f"/rounds/{round_id}/summary").get_json()
    assert summary["staffing"] == {"high": 1, "mid": 0, "low": 1}
    assert summary["cooperation"] == {"high": 0, "mid": 1, "low": 0}
    assert summary["city"]["hachioji"] == 1
    assert summary["staff_count"] == {"n": 2, "sum": 12, "min": 2, "median": 6, "max": 10}

    result = runner("export", "moj", "--round", str(round_id))
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in (outbox / "moj").iterdir() if not p.name.startswith(".")]
    delivered = json.loads(next(folder.glob("r*.json")).read_text(encoding="utf-8"))
    assert delivered["title"].startswith(MADOGUCHI_TITLE)
    assert {"staffing", "cooperation_by_region", "channels", "numbers"} <= set(delivered["tables"])


@pytest.mark.libreoffice
def test_a_template_saved_by_libreoffice_uploads_as_typed(app: Flask, api_as, tmp_path) -> None:
    from tests.libreoffice import convert

    staff = api_as("staff")
    assert api_upload(staff, shuro_shien(), "就労支援.xlsx").status_code == 201
    round_id = open_round(staff, SHURO_ID)
    template = open_xlsx(download(staff, round_id, CHIYODA))
    rows = rows_by_key(template)
    sheet = template["回答"]
    for key, value in {"has_program": "はい", "participants": "１２", "budget": 3.14159265358979,
                       "started_on": "令和３年４月１日", "contact_name": "山田",
                       "confirmed": "はい"}.items():  # fmt: skip
        sheet.cell(row=rows[key], column=3).value = value
    formula_text = sheet.cell(row=rows["remarks"], column=3)
    formula_text.value, formula_text.data_type = "=1+1", "s"
    source = tmp_path / "回答.xlsx"
    source.write_bytes(save(template))
    converted = convert(source, "xlsx", tmp_path / "lo")
    assert converted.returncode == 0, converted.stderr
    uploaded = post_file(staff, round_id, CHIYODA, (tmp_path / "lo" / "回答.xlsx").read_bytes())
    assert uploaded.status_code == 200, uploaded.get_json()
    assert uploaded.get_json()["answers"] == {
        "has_program": "yes", "support_kinds": ["counseling"], "participants": 12,
        "budget": 3.14159265358979, "started_on": "2021-04-01", "remarks": "=1+1",
        "contact_name": "山田", "confirmed": True,
    }  # fmt: skip


@pytest.mark.browser
def test_a_respondent_fills_shuro_shien_on_a_phone(app: Flask, api_as, open_page) -> None:
    """At 390 px: group B appears once 「はい」 is chosen, the その他 text once その他 is ticked;
    全角 digits, a 和暦 date and formula-looking text are kept as meant."""
    from playwright.sync_api import expect

    from tests.browser.support import PHONE, no_sideways_scroll, sign_in
    from tests.conftest import make_user

    staff = api_as("staff")
    assert api_upload(staff, shuro_shien(), "就労支援.xlsx").status_code == 201
    round_id = open_round(staff, SHURO_ID)
    with app.app_context():
        email = make_user(role="respondent", municipality=CHIYODA).email
    phone = open_page(viewport=PHONE)
    sign_in(phone, email)
    phone.goto(f"/respond/rounds/{round_id}/{CHIYODA}")
    participants = phone.get_by_label("支援を受けた人数（人）")
    other = phone.get_by_label("その他の支援の内容")
    expect(participants).to_be_hidden()
    phone.locator("#field-has_program").get_by_label("はい").check()
    expect(participants).to_be_visible()
    expect(participants).to_have_value("0")
    expect(other).to_be_hidden()
    phone.locator("#field-support_kinds").get_by_label("その他").check()
    expect(other).to_be_visible()
    other.fill("=1+1")
    participants.fill("１２")
    phone.get_by_label("関連予算（百万円）").fill("０．２５")
    phone.get_by_label("取組の開始日").fill("令和3年4月1日")
    phone.get_by_label("備考\n（自由記述）").fill("@SUM(A1)")
    no_sideways_scroll(phone)
    phone.get_by_role("button", name="一時保存").click()
    expect(phone.locator(".notice, .flash, [role=status]").first).to_be_visible()
    kept = staff.get(f"/rounds/{round_id}/responses/{CHIYODA}").get_json()["answers"]
    assert kept == {
        "has_program": "yes", "support_kinds": ["counseling", "other"],
        "support_kinds_other": "=1+1", "participants": 12, "budget": 0.25,
        "started_on": "2021-04-01", "remarks": "@SUM(A1)",
    }  # fmt: skip
    no_sideways_scroll(phone)
