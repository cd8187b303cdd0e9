"""The recipient's CSV encoding (issue 14, item 19): UTF-8 with a BOM by default, Shift_JIS
(cp932) on request; a character cp932 cannot hold is reported before anything is sent — which
table, which row, which character — and never replaced."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from exports.tables import Table
from exports.text import table_csv, unencodable
from hub.db import db
from hub.models import Delivery, Recipient, User
from tests.deliveries.conftest import CHUO, Seeded, submit_answers
from tests.deliveries.test_export import folders


def use_cp932(runner) -> None:
    result = runner("recipient", "set", "moj", "--csv-encoding", "Shift_JIS", "--detail")
    assert result.exit_code == 0, result.output
    assert "CSV cp932" in result.output


def test_cp932_csv_files_are_shift_jis_without_a_bom(runner, ctx, seeded: Seeded, outbox):
    use_cp932(runner)
    assert db.session.get_one(Recipient, "moj").csv_encoding == "cp932"
    result = runner("export", "moj", "--round", str(seeded.round_id))
    assert result.exit_code == 0, result.output
    (folder,) = folders(outbox, "moj")
    data = next(folder.glob("*_plan_status.csv")).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("cp932"))))
    assert rows[0][1] == "自治体数"
    assert any(row[0].startswith("①") for row in rows), "cp932 holds the circled digits"
    answers = next(folder.glob("*_answers.csv")).read_bytes().decode("cp932")
    assert "千代田区再犯防止推進計画" in answers


def test_a_character_cp932_cannot_hold_stops_the_delivery_and_says_where(
    runner, ctx, seeded: Seeded, outbox
):
    use_cp932(runner)
    submit_answers(
        seeded.round_id, CHUO, db.session.get_one(User, seeded.staff_id), comments="𠮷野計画"
    )
    result = runner("export", "moj", "--round", str(seeded.round_id))
    assert result.exit_code == 1
    message = result.output
    assert "cp932 で書けません" in message
    assert "「𠮷」（U+20BB7）" in message
    assert "回答一覧" in message, "the table is named"
    assert "行目" in message, "and the row"
    assert "Traceback" not in message
    assert folders(outbox, "moj") == [], "nothing was sent"
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0


def test_back_to_utf8_the_same_round_goes_out_whole(runner, ctx, seeded: Seeded, outbox):
    submit_answers(
        seeded.round_id, CHUO, db.session.get_one(User, seeded.staff_id), comments="𠮷野計画"
    )
    assert runner("recipient", "set", "moj", "--detail").exit_code == 0
    assert runner("export", "moj", "--round", str(seeded.round_id)).exit_code == 0
    (folder,) = folders(outbox, "moj")
    answers = next(folder.glob("*_answers.csv")).read_bytes()
    assert answers.startswith(b"\xef\xbb\xbf")
    assert "𠮷野計画" in answers.decode("utf-8-sig")


def test_an_unknown_encoding_is_refused_in_one_line(runner, ctx):
    result = runner("recipient", "set", "moj", "--csv-encoding", "euc-jp")
    assert result.exit_code != 0
    assert "utf-8-sig か cp932" in result.output
    assert "Traceback" not in result.output
    db.session.expire_all()
    assert db.session.get_one(Recipient, "moj").csv_encoding == "utf-8-sig"


def test_the_check_names_table_row_column_and_character() -> None:
    table = Table.of(
        "t", "表題", ("区市町村", "備考"), [("千代田区", "〜令和3年"), ("中央区", "髙橋　😀")]
    )
    (problem,) = unencodable([table], "cp932")
    assert (problem.table, problem.row, problem.column, problem.character) == (
        "表題",
        3,
        "備考",
        "😀",
    )
    assert unencodable([table], "utf-8-sig") == []
    fine = Table.of("t", "表題", ("備考",), [("〜令和3年 − ‖ ①",)])
    text = table_csv(fine, "cp932").decode("cp932")
    assert "～令和3年 － ∥ ①" in text, "the few characters Windows maps are written its way"
