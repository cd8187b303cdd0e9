"""``hub export``: one complete outbox folder, nothing new when unchanged, a 訂正版 after a change,
and never a respondent's name, phone number or e-mail address in any delivered byte."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from hub.db import db
from hub.models import Delivery, Recipient, User
from tests.conftest import make_round
from tests.deliveries.conftest import CHIYODA, CHUO, Seeded, submit_answers


def folders(outbox: Path, recipient: str) -> list[Path]:
    base = outbox / recipient
    return sorted(p for p in base.iterdir() if not p.name.startswith(".")) if base.exists() else []


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def json_of(folder: Path) -> dict:
    (name,) = [p for p in folder.glob("*.json") if p.name != "manifest.json"]
    return json.loads(name.read_text(encoding="utf-8"))


def test_export_writes_one_complete_folder_whose_manifest_holds(runner, seeded: Seeded, outbox):
    result = runner("export", "moj", "--round", str(seeded.round_id))
    assert result.exit_code == 0, result.output
    (folder,) = folders(outbox, "moj")
    assert result.output.strip().splitlines()[-1] == folder.name
    manifest = manifest_of(folder)
    assert set(manifest) >= {"recipient", "round", "created_at", "files"}
    assert manifest["recipient"] == "moj"
    assert manifest["round"] == seeded.round_id
    listed = {f["name"] for f in manifest["files"]}
    on_disk = {p.name for p in folder.iterdir()} - {"manifest.json"}
    assert listed == on_disk
    for entry in manifest["files"]:
        content = (folder / entry["name"]).read_bytes()
        assert set(entry) == {"name", "sha256", "bytes"}
        assert entry["bytes"] == len(content)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
    suffixes = {Path(n).suffix for n in listed}
    assert suffixes == {".xlsx", ".csv", ".json"}
    csv_file = next(folder / n for n in listed if n.endswith("_plan_status.csv"))
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(csv_file.read_bytes().decode("utf-8-sig"))))
    assert rows[0][1] == "自治体数"
    load_workbook(next(folder / n for n in listed if n.endswith(".xlsx")), read_only=True).close()


def test_json_carries_the_plan_status_counts(runner, seeded: Seeded, outbox):
    assert runner("export", "moj", "--round", str(seeded.round_id)).exit_code == 0
    document = json_of(folders(outbox, "moj")[0])
    counts = document["summary"]["plan_status"]
    assert counts["formulated"] == 1
    assert counts["council_review"] == 1
    assert counts["no_plan"] == 1
    assert sum(counts.values()) == 3
    assert document["summary"]["responded"] == 3
    assert document["correction_of"] is None
    assert "plan_status" in document["tables"]


def test_unchanged_content_is_not_sent_again_unless_forced(runner, seeded: Seeded, outbox):
    assert runner("export", "moj", "--round", str(seeded.round_id)).exit_code == 0
    again = runner("export", "moj", "--round", str(seeded.round_id))
    assert again.exit_code == 0, again.output
    assert "変更がない" in again.output
    assert len(folders(outbox, "moj")) == 1
    forced = runner("export", "moj", "--round", str(seeded.round_id), "--force")
    assert forced.exit_code == 0, forced.output
    first, second = folders(outbox, "moj")
    assert manifest_of(first)["files"] != []
    assert manifest_of(second)["files"] != []
    assert "correction_of" not in manifest_of(second)
    log = db.session.scalars(select(Delivery).order_by(Delivery.created_at)).all()
    assert [(d.status, d.forced) for d in log] == [("sent", False), ("sent", True)]


def test_a_change_after_a_delivery_goes_out_as_a_correction(runner, ctx, seeded: Seeded, outbox):
    assert runner("export", "moj", "--round", str(seeded.round_id)).exit_code == 0
    (original,) = folders(outbox, "moj")
    staff = db.session.get_one(User, seeded.staff_id)
    submit_answers(
        seeded.round_id,
        CHUO,
        staff,
        plan_status="formulated",
        plan_name="中央区計画",
        plan_date="2021-03-31",
    )
    result = runner("export", "moj")
    assert result.exit_code == 0, result.output
    assert "訂正版" in result.output
    correction = next(f for f in folders(outbox, "moj") if f != original)
    manifest = manifest_of(correction)
    assert manifest["correction_of"] == original.name
    assert "plan_status" in manifest["changes"]["tables"]
    assert all("_correction1" in f["name"] for f in manifest["files"])
    document = json_of(correction)
    assert document["correction_of"] == original.name
    assert document["summary"]["plan_status"]["formulated"] == 2
    changed = [c for c in document["changes"]["cells"] if c["table"] == "plan_status"]
    assert {"row": "① 策定済み", "column": "自治体数", "before": 1, "after": 2}.items() <= next(
        c for c in changed if c["row"] == "① 策定済み"
    ).items()


@pytest.mark.usefixtures("shared_always")
def test_the_default_round_is_the_latest(runner, ctx, seeded: Seeded, outbox):
    newer = make_round(reference_date=date(2022, 4, 1), municipalities=[CHIYODA])
    result = runner("export", "tokyo-probation")
    assert result.exit_code == 0, result.output
    (folder,) = folders(outbox, "tokyo-probation")
    assert manifest_of(folder)["round"] == newer.id


def _delivered_text(folder: Path) -> str:
    """Every byte delivered, as text: plain files, and each part of the xlsx (a zip) unpacked."""
    parts: list[str] = []
    for path in folder.iterdir():
        content = path.read_bytes()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                parts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        else:
            parts.append(content.decode("utf-8-sig"))
    return "\n".join(parts)


def test_no_delivery_carries_names_phones_or_emails_even_with_detail(
    runner, ctx, seeded: Seeded, respondents, outbox
):
    recipient = db.session.get_one(Recipient, "moj")
    recipient.include_detail = True
    db.session.commit()
    result = runner("export", "moj", "--round", str(seeded.round_id))
    assert result.exit_code == 0, result.output
    (folder,) = folders(outbox, "moj")
    text = _delivered_text(folder)
    assert "千代田区再犯防止推進計画" in text, "the detail sheet should be there"
    for value in seeded.personal:
        assert value not in text, value
    assert "0332640001" not in text
    assert "計画は令和3年3月に策定（全文は区のウェブサイト）" in text, "free text goes out as typed"
    assert "個人情報のため削除" not in text
    answers = next(folder.glob("*_answers.csv")).read_bytes().decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(answers)))
    assert "千代田区再犯防止推進計画" in answers
    assert not {"回答者氏名", "電話番号", "メールアドレス"} & set(header)


def test_formula_looking_answers_stay_text_in_the_delivered_csv(
    runner, ctx, seeded: Seeded, outbox
):
    recipient = db.session.get_one(Recipient, "moj")
    recipient.include_detail = True
    db.session.commit()
    assert runner("export", "moj", "--round", str(seeded.round_id)).exit_code == 0
    (folder,) = folders(outbox, "moj")
    answers = next(folder.glob("*_answers.csv")).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(answers)))
    chuo = next(r for r in rows if r[0] == CHUO)
    assert '\'=HYPERLINK("http://x","y")' in chuo


def test_export_mistakes_end_in_one_line(runner, seeded: Seeded, outbox):
    unknown = runner("export", "nobody")
    assert unknown.exit_code == 1
    assert "送付先 nobody はありません" in unknown.output
    assert "moj" in unknown.output
    assert "Traceback" not in unknown.output
    missing = runner("export", "moj", "--round", "９９９")
    assert missing.exit_code == 1
    assert "調査回 999 はありません" in missing.output
    letters = runner("export", "moj", "--round", "令和3年")
    assert letters.exit_code in (1, 2)
    assert "調査回の番号" in letters.output
    assert not folders(outbox, "moj")


def test_the_profile_chooses_the_tables(runner, seeded: Seeded, outbox):
    unknown = runner("recipient", "set", "moj", "--tables", "plan_status,nosuch")
    assert unknown.exit_code == 1
    assert "ない表の名前: nosuch" in unknown.output
    chosen = runner(
        "recipient", "set", "moj", "--tables", "plan_status, programs", "--formats", "csv,json"
    )
    assert chosen.exit_code == 0, chosen.output
    assert runner("export", "moj", "--round", str(seeded.round_id)).exit_code == 0
    (folder,) = folders(outbox, "moj")
    names = sorted(p.name for p in folder.iterdir())
    base = f"r{seeded.round_id}_20210401_moj"
    assert names == sorted(
        [f"{base}_plan_status.csv", f"{base}_programs.csv", f"{base}.json", "manifest.json"]
    )
    assert set(json_of(folder)["tables"]) == {"plan_status", "programs"}
    assert runner("recipient", "set", "moj", "--tables", "all").exit_code == 0
    everything = runner("export", "moj", "--round", str(seeded.round_id))
    assert everything.exit_code == 0, everything.output
    assert len(folders(outbox, "moj")) == 2


def test_a_profile_left_with_no_table_is_refused(runner, ctx, seeded: Seeded, outbox):
    recipient = db.session.get_one(Recipient, "moj")
    recipient.tables = ["answers"]
    db.session.commit()
    result = runner("export", "moj", "--round", str(seeded.round_id))
    assert result.exit_code == 1
    assert "送る表がありません" in result.output
    assert not folders(outbox, "moj")


def test_the_consultation_desk_statistics_go_out_with_small_cells_hidden(
    app, runner, seeded: Seeded, outbox
):
    from hub.services.consultations import record_case

    with app.app_context():
        for age in ("40s", "40s", "40s", "50s"):
            record_case(
                {
                    "received_on": "2020-09-01",
                    "channel": "phone",
                    "age_group": age,
                    "caller": "self",
                    "crime_related": "false",
                },
                user=None,
            )
        db.session.commit()
    result = runner("export", "moj", "--round", str(seeded.round_id))
    assert result.exit_code == 0, result.output
    (folder,) = folders(outbox, "moj")
    ages = next(p for p in folder.glob("*.csv") if p.name.endswith("consultation_age_group.csv"))
    rows = {
        r[0]: r[1]
        for r in csv.reader(io.StringIO(ages.read_bytes().decode("utf-8-sig")))
        if len(r) > 1
    }
    assert "1" not in rows.values()
    assert "2" not in rows.values()
    assert any(v in ("＊", "") for label, v in rows.items() if "50" in label)


def test_a_profile_may_choose_the_consultation_tables_before_any_case_exists(
    app, runner, seeded: Seeded, outbox
):
    chosen = runner("recipient", "set", "moj", "--tables", "plan_status,consultation_overview")
    assert chosen.exit_code == 0, chosen.output
    unknown = runner("recipient", "set", "moj", "--tables", "consultation_nosuch")
    assert unknown.exit_code == 1
    assert "consultation_overview" in unknown.output, "the message lists the desk's tables too"


def test_a_delivery_lays_its_sheets_out_in_the_staff_workbooks_order(
    app, runner, seeded: Seeded, outbox
):
    from exports.workbook import build_workbook
    from hub.services import responses
    from hub.services.consultations import record_case

    with app.app_context():
        record_case(
            {
                "received_on": "2020-09-01",
                "channel": "phone",
                "age_group": "40s",
                "caller": "self",
                "crime_related": "false",
            },
            user=None,
        )
        db.session.commit()
        staff_sheets = load_workbook(
            io.BytesIO(build_workbook(responses.get_round(seeded.round_id), for_staff=False)),
            read_only=True,
        ).sheetnames
    assert runner("export", "moj", "--round", str(seeded.round_id)).exit_code == 0
    (folder,) = folders(outbox, "moj")
    (xlsx,) = folder.glob("*.xlsx")
    delivered = load_workbook(xlsx, read_only=True).sheetnames
    assert delivered == [s for s in staff_sheets if s in delivered]
    assert delivered.index("相談窓口") < delivered.index("定義") == len(delivered) - 1


def test_a_delivery_counts_the_round_once(app, runner, seeded: Seeded, outbox, monkeypatch):
    import sys

    from exports import aggregate

    calls: list[int] = []
    counted = aggregate.round_counts

    def counting(round_):
        calls.append(round_.id)
        return counted(round_)

    for module in list(sys.modules.values()):
        if getattr(module, "round_counts", None) is counted:
            monkeypatch.setattr(module, "round_counts", counting)
    assert runner("export", "moj", "--round", str(seeded.round_id)).exit_code == 0
    assert calls == [seeded.round_id]
