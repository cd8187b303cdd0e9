"""The 備考 staff write for summary rows go out with a delivery: in the table's 備考 column (CSV,
xlsx) and in the JSON summary's ``notes``, as typed (issue 14, item 4)."""

from __future__ import annotations

import csv
import io

from flask import Flask

from hub.db import db
from hub.models import User
from hub.services import notes, responses
from tests.deliveries.conftest import Seeded
from tests.deliveries.test_export import folders, json_of
from tests.forms.example import example_round

NOTE = "瑞穂町は「令和3年8月時点策定済」"


def test_a_note_goes_out_in_the_table_and_the_summary(
    app: Flask, runner, seeded: Seeded, outbox
) -> None:
    with app.app_context():
        staff = db.session.get_one(User, seeded.staff_id)
        round_ = responses.get_round(seeded.round_id)
        notes.set_note(round_, "plan_status", "public_comment", NOTE, user=staff)
        db.session.commit()

    result = runner("export", "moj", "--round", str(seeded.round_id))

    assert result.exit_code == 0, result.output
    (folder,) = folders(outbox, "moj")
    assert json_of(folder)["summary"]["notes"] == {"plan_status": {"public_comment": NOTE}}
    text = next(folder.glob("*_plan_status.csv")).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    row = next(r for r in rows if r and r[0].startswith("②"))
    assert row[-1] == NOTE


def test_a_profile_may_name_the_tables_of_any_questionnaire(app: Flask, runner, seeded: Seeded):
    kenshu = example_round(app)
    chosen = runner("recipient", "set", "moj", "--tables", "plan_status,training_attended")
    assert chosen.exit_code == 0, chosen.output
    unknown = runner("recipient", "set", "moj", "--tables", "training_attended,nosuch")
    assert unknown.exit_code == 1
    assert "ない表の名前: nosuch" in unknown.output
    assert kenshu != seeded.round_id
