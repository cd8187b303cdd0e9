"""Issue 12's must-show: a questionnaire written by hand in Excel (built here with openpyxl, never
shipped) runs the whole loop with no code of its own — 62 answers typed as people type them, its
constraints and 基準日 rule refused at save, its required / required-if rules at submit, hidden
answers dropped, the summary, the Excel template round trip, the workbook, and a delivery that
holds no ``personal`` field.

The file is imported as staff would (``hub questionnaire import FILE``) and the round opened with
``hub round open``.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from hub.db import db
from hub.models import Recipient
from tests.conftest import Api
from tests.excel.conftest import download, fill, post_file
from tests.questionnaires.loop import (
    EMAIL_TYPED,
    FORM_ID,
    NAME_TYPED,
    PHONES_TYPED,
    REFERENCE_DATE,
    Loop,
    answers_for,
    definition_file,
    expected_answers,
    import_definition,
    municipalities,
    open_loop,
    open_round,
    stats,
)


@pytest.fixture
def loop(app: Flask, tmp_path: Path, runner, api_as) -> Loop:
    return open_loop(app, tmp_path, runner, api_as("staff"), definition_file(version=1))


def put(staff: Api, loop: Loop, code: str, answers: dict[str, Any]) -> Any:
    return staff.save(loop.round_id, code, answers)


def submit(staff: Api, loop: Loop, code: str) -> Any:
    return staff.post(f"/rounds/{loop.round_id}/responses/{code}/submit", {})


def test_the_files_constraints_and_reference_date_rule_are_refused_at_save(loop: Loop) -> None:
    staff, code = loop.staff, loop.codes[0]
    too_many = put(staff, loop, code, {"has_list": "yes", "employer_count": "９９９"})
    assert too_many.status_code == 422
    assert too_many.get_json()["errors"]["employer_count"] == ["0〜500の範囲で入力してください。"]
    after = put(staff, loop, code, {"has_list": "yes", "list_updated": "令和8年5月1日"})
    assert after.status_code == 422
    assert "基準日" in after.get_json()["errors"]["list_updated"][0]
    four = put(staff, loop, code, {"sectors": ["construction", "manufacturing", "service", "care"]})
    assert four.status_code == 422
    assert four.get_json()["errors"]["sectors"] == ["3つまで選んでください。"]
    not_a_date = put(staff, loop, code, {"has_list": "yes", "list_updated": "令和8年2月30日"})
    assert not_a_date.status_code == 422
    assert set(not_a_date.get_json()["errors"]) == {"list_updated"}
    got = staff.get(f"/rounds/{loop.round_id}/responses/{code}").get_json()
    assert (got["state"], got["version"]) == ("not_started", 0), "nothing was saved"


def test_required_and_required_if_are_checked_at_submit(loop: Loop) -> None:
    staff, code = loop.staff, loop.codes[1]
    assert put(staff, loop, code, {"has_list": "yes"}).status_code == 200, "a draft may be partial"
    refused = submit(staff, loop, code)
    assert refused.status_code == 422
    missing = set(refused.get_json()["errors"])
    assert {"employer_count", "frequency", "contact_name", "contact_phone"} <= missing
    assert "list_updated" not in missing, "asked but not required"
    assert put(staff, loop, code, {"has_list": "no", "frequency": "none"}).status_code == 200
    still = set(submit(staff, loop, code).get_json()["errors"])
    assert "employer_count" not in still, "required only when the list is kept"
    assert still == {"contact_name", "contact_phone"}


def test_a_hand_written_questionnaire_runs_the_whole_loop(
    app: Flask, loop: Loop, runner, outbox: Path
) -> None:
    staff = loop.staff
    by_code = municipalities(app)
    *typed_in_api, through_excel = loop.codes
    for index, code in enumerate(typed_in_api):
        saved = put(staff, loop, code, answers_for(index))
        assert saved.status_code == 200, (code, saved.get_json())
        done = submit(staff, loop, code)
        assert done.status_code == 200, (code, done.get_json())

    # the last municipality fills the Excel template as a person types into it
    last = len(loop.codes) - 1
    template = download(staff, loop.round_id, through_excel)
    filled = fill(template, excel_typing(last))
    uploaded = post_file(staff, loop.round_id, through_excel, filled)
    assert uploaded.status_code == 200, uploaded.get_json()
    assert submit(staff, loop, through_excel).status_code == 200

    # what was kept: normalized values, hidden answers gone, typography of free text kept
    for index, code in enumerate(loop.codes):
        answers = staff.get(f"/rounds/{loop.round_id}/responses/{code}").get_json()["answers"]
        assert answers == expected_answers(index), (index, code)
    hidden = staff.get(f"/rounds/{loop.round_id}/responses/{loop.codes[2]}").get_json()
    assert "employer_count" not in hidden["answers"], "typed while hidden, not kept"

    # the summary counts
    summary = staff.get(f"/rounds/{loop.round_id}/summary").get_json()
    kept = [expected_answers(i) for i in range(len(loop.codes))]
    assert (summary["survey"], summary["municipalities"], summary["responded"]) == (FORM_ID, 62, 62)
    lists = Counter(a["has_list"] for a in kept)
    assert summary["has_list"] == {"yes": lists["yes"], "no": lists["no"]} == {"yes": 42, "no": 20}
    by_region: dict[str, Counter[str]] = {}
    for code, answers in zip(loop.codes, kept, strict=True):
        by_region.setdefault(by_code[code], Counter())[answers["frequency"]] += 1
    assert summary["frequency_by_region"] == {
        region: {c: counts[c] for c in ("monthly", "quarterly", "yearly", "none")}
        for region, counts in by_region.items()
    }
    assert summary["employer_count"] == stats(
        [a["employer_count"] for a in kept if "employer_count" in a]
    )
    assert summary["budget"] == stats([a["budget"] for a in kept if "budget" in a])
    chosen = Counter(c for a in kept for c in a.get("sectors", []))
    assert summary["sectors"] == {c: chosen[c] for c in summary["sectors"]}
    assert summary["notes"] == {}
    assert not {"contact_name", "contact_phone", "contact_email"} & set(summary)

    # the workbook, generic from the definition
    got = staff.get(f"/rounds/{loop.round_id}/workbook")
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.data))
    assert book.sheetnames == ["集計", "提出状況", "回答一覧", "定義"]
    summary_text = {str(c) for row in book["集計"].iter_rows(values_only=True) for c in row if c}
    assert {
        "協力雇用主の名簿の有無",
        "情報交換の頻度（地域別）",
        "協力雇用主の業種",
        "数値の回答",
    } <= summary_text
    answers_sheet = list(book["回答一覧"].iter_rows(values_only=True))
    assert sum(1 for row in answers_sheet if row[3] == "提出済み") == 62
    definitions = {str(c) for row in book["定義"].iter_rows(values_only=True) for c in row if c}
    assert {"has_list", "employer_count", "list_updated", "sectors_other"} <= definitions

    # a delivery with every table and no personal field
    with app.app_context():
        db.session.get_one(Recipient, "moj").include_detail = True
        db.session.commit()
    result = runner("export", "moj", "--round", str(loop.round_id))
    assert result.exit_code == 0, result.output
    (folder,) = sorted(p for p in (outbox / "moj").iterdir() if not p.name.startswith("."))
    delivered = json.loads(next(p for p in folder.glob("r*.json")).read_text(encoding="utf-8"))
    assert {
        "response_status",
        "has_list",
        "has_list_by_region",
        "sectors",
        "frequency",
        "frequency_by_region",
        "numbers",
        "submissions",
        "answers",
        "definitions",
    } <= set(delivered["tables"]), "every table of the round"
    keys = delivered["tables"]["answers"]["keys"]
    assert {"employer_count", "list_updated", "sectors.other", "sectors_other"} <= set(keys)
    assert not {"contact_name", "contact_phone", "contact_email"} & set(keys)
    assert not {"contact_name", "contact_phone", "contact_email"} & set(delivered["summary"])
    text = delivered_text(folder)
    assert "清掃業（ビルメンテナンス）" in text, "free text goes out as typed"
    for value in (
        NAME_TYPED,
        *PHONES_TYPED,
        "03-5321-1111",
        "090-1234-5678",
        "tanto0@city.example.lg.jp",
    ):
        assert value not in text, value
    assert "@" not in text.replace("@SUM", ""), "no e-mail address in any file"


def excel_typing(index: int) -> dict[str, Any]:
    """The answers of ``index`` as a person types them into the template: labels, ○ marks."""
    typed = answers_for(index)
    labels = {"yes": "はい", "no": "いいえ", "monthly": "月1回程度", "quarterly": "四半期に1回程度",
              "yearly": "年1回程度", "none": "行っていない"}  # fmt: skip
    cells: dict[str, Any] = {}
    for key, value in typed.items():
        if key == "sectors":
            cells.update({f"sectors.{code}": "○" for code in value})
        elif key in ("has_list", "frequency"):
            cells[key] = labels[value]
        else:
            cells[key] = value
    return cells


def delivered_text(folder: Path) -> str:
    parts: list[str] = []
    for path in folder.iterdir():
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                parts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        elif path.suffix == ".csv":
            parts += [",".join(row) for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
        else:
            parts.append(data.decode("utf-8"))
    return "\n".join(parts)


def test_email_typed_with_capitals_is_kept_lower_cased_only_in_its_domain(loop: Loop) -> None:
    code = loop.codes[0]
    assert put(loop.staff, loop, code, answers_for(0)).status_code == 200
    answers = loop.staff.get(f"/rounds/{loop.round_id}/responses/{code}").get_json()["answers"]
    assert answers["contact_email"] == EMAIL_TYPED.format(i=0).split("@")[0] + "@city.example.lg.jp"


def test_the_next_years_round_on_v2_gets_a_year_over_year_table_per_select_one(
    app: Flask, loop: Loop, runner, tmp_path: Path
) -> None:
    staff = loop.staff
    for index, code in enumerate(loop.codes[:4]):
        assert (
            staff.post(
                f"/rounds/{loop.round_id}/responses/{code}/submit",
                {"answers": answers_for(index), "version": 0},
            ).status_code
            == 200
        )
    weekly = (("freq", "weekly", "週1回程度"),)
    v2 = definition_file(version=2, extra_choices=weekly)
    assert import_definition(runner, tmp_path, v2, "協力雇用主_v2.xlsx") == f"{FORM_ID} v2"
    later = open_round(runner, REFERENCE_DATE.replace(year=2027))
    for code, frequency in zip(loop.codes[:3], ("weekly", "weekly", "none"), strict=True):
        answers = {**answers_for(0), "frequency": frequency}
        got = staff.post(
            f"/rounds/{later}/responses/{code}/submit", {"answers": answers, "version": 0}
        )
        assert got.status_code == 200, got.get_json()

    book = load_workbook(io.BytesIO(staff.get(f"/rounds/{later}/workbook").data))
    assert "経年比較" in book.sheetnames
    rows = [r for r in book["経年比較"].iter_rows(values_only=True) if any(r)]
    header = next(r for r in rows if r[0] == "情報交換の頻度")
    assert header[1:4] == ("令和8年4月1日現在", "令和9年4月1日現在", "増減（前回比）")
    by_label = {r[0]: r[1:4] for r in rows}
    assert by_label["月1回程度"] == (1, 0, -1)
    assert by_label["行っていない"] == (1, 1, 0)
    assert by_label["週1回程度"] == (None, 2, 2), "a choice v1 did not have: blank, not 0"
    assert any(r[0] == "協力雇用主の名簿の有無" for r in rows), "every select_one both ask"
    first_round = load_workbook(io.BytesIO(staff.get(f"/rounds/{loop.round_id}/workbook").data))
    assert "経年比較" not in first_round.sheetnames
