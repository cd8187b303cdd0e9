"""CSV (UTF-8 with a BOM, one file per table) and JSON of the round's tables."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date

from flask import Flask

from exports.aggregate import round_counts, summary
from exports.assembly import round_tables
from exports.cells import looks_like_formula
from exports.tables import Table
from exports.text import content_fingerprint, csv_files, table_csv, tables_json
from hub.services import responses
from tests.conftest import Api
from tests.exports.seed import HOSTILE, SOURCE_COUNTS, answers_for, contact_values


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, so that Excel reads Japanese"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_one_csv_per_table_with_the_headline_numbers(app: Flask, seeded_round: int) -> None:
    with app.app_context():
        files = csv_files(round_tables(responses.get_round(seeded_round)))
    assert {"plan_status.csv", "answers.csv", "submissions.csv", "definitions.csv"} <= set(files)
    rows = read_csv(files["plan_status.csv"])
    assert rows[0] == ["区市町村の計画の策定状況", "自治体数", "備考"]
    assert [r[1] for r in rows[1:]] == [str(n) for n in SOURCE_COUNTS.values()] + ["62"]
    assert read_csv(files["formulated_municipalities.csv"])[-1] == ["9/62 区市町村"]


def test_formula_looking_answers_get_an_apostrophe_in_every_csv(
    app: Flask, seeded_round: int
) -> None:
    with app.app_context():
        files = csv_files(round_tables(responses.get_round(seeded_round)))
    for name, data in files.items():
        for row in read_csv(data):
            for cell in row:
                assert not looks_like_formula(cell), (name, cell)
    answers = read_csv(files["answers.csv"])
    cells = {c for row in answers for c in row}
    assert "-3 担当" in cells, "signed text that is no formula keeps no apostrophe"
    for text in ("'=1", "'+1+2", "'-3", "'@SUM(A1)", "'=cmd|' /C calc'!A0"):
        assert text in cells
    assert '\'=HYPERLINK("http://x","y")' in cells


def test_raw_hostile_strings_and_real_numbers() -> None:
    table = Table.of(
        "pasted", "貼り付け", ("文字列", "数値", "小数"), [(t, -3, -0.5) for t in HOSTILE]
    )
    rows = read_csv(table_csv(table))
    assert rows[1:] == [["'" + t, "-3", "-0.5"] for t in HOSTILE]


def test_json_carries_the_summary_counts_and_every_table(app: Flask, seeded_round: int) -> None:
    with app.app_context():
        round_ = responses.get_round(seeded_round)
        tables = round_tables(round_, personal=False)
        document = json.loads(tables_json(tables, summary=summary(round_counts(round_))))
    assert document["summary"]["plan_status"] == SOURCE_COUNTS
    assert document["summary"]["municipalities"] == 62
    plan = document["tables"]["plan_status"]
    assert plan["rows"][0] == ["① 策定済み", 9, None], "no 備考 written: null"
    answers = document["tables"]["answers"]
    assert answers["keys"][:2] == ["code", "name"]
    assert "contact_email" not in answers["keys"]
    assert answers["rows"][0][answers["keys"].index("plan_date")] == "2021-03-31"
    text = json.dumps(document, ensure_ascii=False)
    assert not any(v in text for v in contact_values())
    submitted = document["tables"]["submissions"]["rows"][0][4]
    assert submitted.endswith("+09:00"), "times in Asia/Tokyo, with their offset"


def test_fingerprint_changes_only_with_the_content(
    app: Flask, seeded_round: int, api_as: Callable[..., Api]
) -> None:
    def fingerprint() -> str:
        with app.app_context():
            return content_fingerprint(
                round_tables(responses.get_round(seeded_round), detail=False)
            )

    before = fingerprint()
    assert fingerprint() == before
    staff = api_as("staff")
    returned = staff.post(
        f"/rounds/{seeded_round}/responses/131016/return", {"reason": "確認のため"}
    )
    assert returned.status_code == 200, returned.get_json()
    assert fingerprint() != before
    again = answers_for(0, "formulated", plan_date=date(2021, 3, 31))
    assert staff.submit(seeded_round, "131016", again).status_code == 200
    assert fingerprint() == before
