"""The Excel template of a questionnaire defined by a file (the example): its rules in words,
its note, and a filled file that uploads to the normalized answers — or to errors by cell."""

from __future__ import annotations

import pytest
from flask import Flask

from exports.template import HINT_COLUMN, LABEL_COLUMN, SHEET
from tests.conftest import Api
from tests.excel.conftest import (
    CHIYODA,
    answer_cell,
    answers_of,
    download,
    fill,
    open_xlsx,
    post_file,
    rows_by_key,
)
from tests.forms.example import example_round


@pytest.fixture
def round_id(app: Flask, monkeypatch: pytest.MonkeyPatch) -> int:
    return example_round(app, monkeypatch)


def test_the_template_states_the_files_rules(round_id: int, chiyoda: Api) -> None:
    workbook = open_xlsx(download(chiyoda, round_id, CHIYODA))
    sheet = workbook[SHEET]
    rows = rows_by_key(workbook)
    assert "liaison_hours" in rows
    assert "respondent_note" not in rows
    hint = sheet.cell(rows["training_date"], HINT_COLUMN).value
    assert "「今年度、都主催の再犯防止研修会に参加しましたか」が「はい」のときに回答" in hint
    assert "基準日以前の日付" in hint
    notes = [
        sheet.cell(row, LABEL_COLUMN).value
        for row in range(1, sheet.max_row + 1)
        if "集計や外部への提供には含めません" in str(sheet.cell(row, LABEL_COLUMN).value or "")
    ]
    assert len(notes) == 1


def test_a_filled_template_uploads_as_typed(round_id: int, chiyoda: Api) -> None:
    data = fill(
        download(chiyoda, round_id, CHIYODA),
        {
            "training_attended": "はい",
            "training_participants": "１２",
            "training_date": "令和7年5月20日",
            "training_topics.case_study": "○",
            "liaison_status": "不定期に開催している",
            "liaison_hours": "２．５",
            "liaison_support_wanted": "はい",
        },
    )
    uploaded = post_file(chiyoda, round_id, CHIYODA, data)
    assert uploaded.status_code == 200, uploaded.get_json()
    answers = answers_of(chiyoda, round_id, CHIYODA)["answers"]
    assert answers["training_participants"] == 12
    assert answers["training_date"] == "2025-05-20"
    assert answers["training_topics"] == ["case_study"]
    assert answers["liaison_hours"] == 2.5


def test_a_broken_rule_names_the_cell(round_id: int, chiyoda: Api) -> None:
    data = fill(
        download(chiyoda, round_id, CHIYODA),
        {"training_attended": "はい", "training_date": "2025-07-01"},
    )
    uploaded = post_file(chiyoda, round_id, CHIYODA, data)
    assert uploaded.status_code == 422
    cell = answer_cell(data, "training_date")
    errors = uploaded.get_json()["errors"]
    assert errors[cell] == [
        "参加日（複数回の場合は最初の回）: 基準日（令和7年6月1日）より後の日付は入力できません。"
    ]
