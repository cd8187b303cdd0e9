"""The must-show loop for a questionnaire written by hand in Excel (built here, not shipped in
the repo): imported with the CLI, a round opened with the CLI, 62 answers typed as people type
them, its rules refused at save and at submit, answers to hidden questions not kept, the summary
counts, the Excel template round trip, the workbook, and a delivery with no ``personal`` field."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from hub.db import db
from hub.models import Municipality, Recipient
from tests.conftest import Api
from tests.deliveries.test_export import _delivered_text, folders
from tests.excel.conftest import download, fill, post_file
from tests.questionnaires.files import kenshu_v1

CHIYODA = "131016"


def test_a_hand_written_questionnaire_runs_the_whole_loop(
    app: Flask, runner, api_as, tmp_path: Path, settings
) -> None:
    path = tmp_path / "kenshu.xlsx"
    path.write_bytes(kenshu_v1())
    imported = runner("questionnaire", "import", str(path))
    assert imported.output.splitlines()[-1] == "kenshu v1"
    opened = runner(
        "round",
        "open",
        "kenshu",
        "--reference-date",
        "令和7年4月1日",
        "--deadline",
        "令和99年5月31日 17時",
    )
    assert opened.exit_code == 0, opened.output
    round_id = int(opened.output.splitlines()[-1])
    staff: Api = api_as("staff")
    url = f"/rounds/{round_id}/responses/{CHIYODA}"

    # the file's constraint and 基準日 rule at save: 422 naming the field, nothing saved
    too_many = staff.save(round_id, CHIYODA, {"attended": "はい", "people": "６００"})
    assert too_many.status_code == 422
    assert too_many.get_json()["errors"] == {"people": ["1人以上500人以下で入力してください。"]}
    late = staff.save(round_id, CHIYODA, {"attended": "yes", "held_on": "令和7年4月2日"})
    assert late.status_code == 422
    assert list(late.get_json()["errors"]) == ["held_on"]
    assert staff.get(url).get_json()["answers"] == {}

    # required-if at submit
    assert staff.save(round_id, CHIYODA, {"attended": "yes"}).status_code == 200
    missing = staff.post(url + "/submit", {})
    assert missing.status_code == 422
    assert "people" in missing.get_json()["errors"]

    # the Excel template round trip, as typed (全角, 和暦)
    filled = fill(
        download(staff, round_id, CHIYODA),
        {"people": "１２", "held_on": "令和6年11月5日", "topics.employment": "○"},
    )
    uploaded = post_file(staff, round_id, CHIYODA, filled)
    assert uploaded.status_code == 200, uploaded.get_json()
    assert uploaded.get_json()["answers"]["held_on"] == "2024-11-05"

    with app.app_context():
        codes = list(db.session.scalars(select(Municipality.code).order_by(Municipality.code)))
    assert len(codes) == 62
    for n, code in enumerate(codes):
        if code == CHIYODA:
            answers = {}
        elif n % 3 == 0:  # answers to hidden questions are typed, then dropped at submit
            answers = {"attended": "いいえ", "people": "５", "topics": ["housing"]}
        else:
            answers = {
                "attended": "はい",
                "people": str(n),
                "held_on": "R6.6.1",
                "topics": ["employment", "other"] if n % 2 else ["housing"],
                "contact_name": f"担当　{n}",
                "memo": '=HYPERLINK("http://example.com")',
            }
        got = staff.submit(round_id, code, answers or None)
        assert got.status_code == 200, (code, got.get_json())
    hidden = staff.get(f"/rounds/{round_id}/responses/{codes[3]}").get_json()["answers"]
    assert "people" not in hidden
    assert hidden["attended"] == "no"

    summary = staff.get(f"/rounds/{round_id}/summary").get_json()
    no = sum(1 for n, c in enumerate(codes) if c != CHIYODA and n % 3 == 0)
    assert summary["attended"] == {"yes": 62 - no, "no": no}
    yes_people = [n for n, c in enumerate(codes) if c != CHIYODA and n % 3 != 0]
    assert summary["people"]["n"] == len(yes_people) + 1
    assert summary["people"]["sum"] == sum(yes_people) + 12
    assert sum(summary["attended_by_region"]["区部"].values()) == 23
    assert "contact_name" not in summary

    workbook = staff.get(f"/rounds/{round_id}/workbook")
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.data))
    assert book.sheetnames

    with app.app_context():
        db.session.get_one(Recipient, "moj").include_detail = True
        db.session.commit()
    exported = runner("export", "moj", "--round", str(round_id))
    assert exported.exit_code == 0, exported.output
    (folder,) = folders(settings.outbox_dir, "moj")
    delivered = _delivered_text(folder)
    assert "担当　" not in delivered
    rows = list(
        csv.DictReader(
            io.StringIO(next(folder.glob("*_answers.csv")).read_bytes().decode("utf-8-sig"))
        )
    )
    assert len(rows) == 62
    assert not any(column.startswith("担当者名") for column in rows[0]), "a personal column"
