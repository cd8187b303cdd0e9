"""Personal values typed into free text are scrubbed from deliveries: every answer to the
questionnaire's ``personal_fields`` (its one list of what is personal), however short — down to two
characters; a one-character value is left alone, since it would also blank ordinary words."""

from __future__ import annotations

import csv
import io

from flask import Flask

from exports.delivery import REDACTED, personal_values
from hub.db import db
from hub.models import Recipient, User
from hub.services.responses import get_round
from tests.deliveries.conftest import MINATO, SHINJUKU, Seeded, submit_answers
from tests.deliveries.test_export import _delivered_text, folders


def with_detail(name: str) -> None:
    db.session.get_one(Recipient, name).include_detail = True
    db.session.commit()


def answers_row(folder, code: str) -> list[str]:
    text = next(folder.glob("*_answers.csv")).read_bytes().decode("utf-8-sig")
    return next(row for row in csv.reader(io.StringIO(text)) if row[0] == code)


def test_a_two_character_name_typed_into_comments_never_leaves(
    app: Flask, runner, seeded: Seeded, outbox
):
    with app.app_context():
        staff = db.session.get_one(User, seeded.staff_id)
        submit_answers(
            seeded.round_id,
            MINATO,
            staff,
            plan_status="council_review",
            contact_name="森蘭",
            contact_department="ＤＸ推進",
            comments="担当は森蘭（ＤＸ推進）。＝HYPERLINK は使いません",
        )
        with_detail("moj")

    result = runner("export", "moj", "--round", str(seeded.round_id))

    assert result.exit_code == 0, result.output
    (folder,) = folders(outbox, "moj")
    text = _delivered_text(folder)
    assert "森蘭" not in text
    assert "DX推進" not in text
    assert "ＤＸ推進" not in text
    row = answers_row(folder, MINATO)
    assert f"担当は{REDACTED}（{REDACTED}）。＝HYPERLINK は使いません" in row


def test_a_one_character_name_is_not_scrubbed_from_every_word(
    app: Flask, runner, seeded: Seeded, outbox
):
    with app.app_context():
        staff = db.session.get_one(User, seeded.staff_id)
        submit_answers(seeded.round_id, SHINJUKU, staff, contact_name="港", comments="港区と連携")
        with_detail("moj")
        assert "港" not in personal_values(get_round(seeded.round_id))

    assert runner("export", "moj", "--round", str(seeded.round_id)).exit_code == 0
    (folder,) = folders(outbox, "moj")
    assert answers_row(folder, MINATO)[1] == "港区"
    assert "港区と連携" in answers_row(folder, SHINJUKU)


def test_names_are_found_without_their_space_and_emails_in_any_case(
    app: Flask, runner, seeded: Seeded, outbox
):
    with app.app_context():
        staff = db.session.get_one(User, seeded.staff_id)
        submit_answers(
            seeded.round_id,
            SHINJUKU,
            staff,
            contact_name="新宿 次郎",
            contact_email="jiro@shinjuku.example.lg.jp",
            comments="新宿次郎 (JIRO@SHINJUKU.EXAMPLE.LG.JP) まで",
        )
        with_detail("moj")

    assert runner("export", "moj", "--round", str(seeded.round_id)).exit_code == 0
    (folder,) = folders(outbox, "moj")
    text = _delivered_text(folder).lower()
    assert "新宿次郎" not in text
    assert "jiro@shinjuku" not in text
    assert f"{REDACTED} ({REDACTED}) まで" in answers_row(folder, SHINJUKU)
