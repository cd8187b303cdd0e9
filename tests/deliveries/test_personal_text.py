"""Personal fields are left out of deliveries as whole fields; every other cell goes out exactly as
typed — never edited because a personal value happens to appear inside it (issue 14, item 2:
「千代田区 ［個人情報のため削除］」 when 回答部署 was also the 所管部署)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from flask import Flask

from hub.db import db
from hub.models import Recipient, User
from tests.deliveries.conftest import MINATO, SHINJUKU, Seeded, submit_answers
from tests.deliveries.test_export import _delivered_text, folders, json_of

PERSONAL = ("contact_department", "contact_name", "contact_phone", "contact_email")


def with_detail(name: str) -> None:
    db.session.get_one(Recipient, name).include_detail = True
    db.session.commit()


def answers_csv(folder: Path) -> list[dict[str, str]]:
    text = next(folder.glob("*_answers.csv")).read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def row_of(folder: Path, code: str) -> dict[str, str]:
    return next(row for row in answers_csv(folder) if row["団体コード"] == code)


def test_the_department_that_answered_stays_in_other_cells_as_typed(
    app: Flask, runner, seeded: Seeded, outbox
):
    with app.app_context():
        staff = db.session.get_one(User, seeded.staff_id)
        submit_answers(
            seeded.round_id,
            MINATO,
            staff,
            plan_status="council_review",
            contact_department="福祉部　地域福祉課",
            contact_name="森蘭",
            lead_department="福祉部　地域福祉課",
            comments="担当は福祉部　地域福祉課（ＤＸ推進と連携）。",
        )
        with_detail("moj")

    result = runner("export", "moj", "--round", str(seeded.round_id))

    assert result.exit_code == 0, result.output
    (folder,) = folders(outbox, "moj")
    row = row_of(folder, MINATO)
    assert row["区市町村"] == "港区"
    lead = next(v for k, v in row.items() if k.startswith("所管部署"))
    assert lead == "福祉部　地域福祉課", "the 所管部署 goes out whole, 全角スペース and all"
    assert "担当は福祉部　地域福祉課（ＤＸ推進と連携）。" in row.values()
    text = _delivered_text(folder)
    assert "個人情報のため削除" not in text
    assert "森蘭" not in text, "the personal field itself is left out"


def test_personal_fields_are_left_out_as_whole_fields_everywhere(
    app: Flask, runner, seeded: Seeded, outbox
):
    with app.app_context():
        staff = db.session.get_one(User, seeded.staff_id)
        submit_answers(seeded.round_id, SHINJUKU, staff, contact_name="港", comments="港区と連携")
        with_detail("moj")

    assert runner("export", "moj", "--round", str(seeded.round_id)).exit_code == 0
    (folder,) = folders(outbox, "moj")
    assert row_of(folder, MINATO)["区市町村"] == "港区"
    assert "港区と連携" in row_of(folder, SHINJUKU).values()
    delivered = json_of(folder)
    answers = delivered["tables"]["answers"]
    assert not set(answers["keys"]) & set(PERSONAL)
    definitions = delivered["tables"]["definitions"]
    column = definitions["headers"].index("回答一覧の列")
    assert not {row[column] for row in definitions["rows"]} & set(PERSONAL)
    assert not set(delivered["summary"]) & set(PERSONAL)
    text = _delivered_text(folder)
    for value in seeded.personal:
        assert value not in text
