"""Municipalities over the years (合併・廃止): a prefecture's list imported with
``--retire-missing``, retiring and bringing back by code, the list; and what a retired
municipality is left out of (new rounds, new referrals and hearings) and kept in (the year's
counts it already has)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from forms import tokyo
from hub.db import db, utcnow
from hub.errors import Invalid
from hub.models import AuditEvent, Municipality, Response
from hub.services.rounds import open_round
from tests.conftest import HubRunner
from tests.test_reference import HEADER, OSAKA, assert_one_line_error, write

TOYONAKA, IKEDA = "272035", "272043"
CHIYODA = "131016"


def active(code: str) -> bool:
    municipality = db.session.get(Municipality, code)
    assert municipality is not None
    return municipality.active


def audit_actions() -> list[tuple[str, str, dict[str, object]]]:
    return [
        (e.action, e.target, e.details)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


def test_retire_missing_retires_only_the_files_prefectures(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    runner("municipalities", "import", write(tmp_path, [HEADER, *OSAKA]))
    merged = [HEADER, *[line for line in OSAKA if not line.startswith(IKEDA)]]
    result = runner("municipalities", "import", "--retire-missing", write(tmp_path, merged))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"廃止\t{IKEDA}\t池田市",
        "追加 0、更新 0、変更なし 4、廃止 1",
    ]
    with app.app_context():
        assert not active(IKEDA)
        assert active(TOYONAKA)
        assert active(CHIYODA), "a Tokyo municipality is not in Osaka's file and stays"
        action, target, details = audit_actions()[-1]
        assert (action, target, details["retired_codes"], details["unchanged"]) == (
            "municipality.import",
            "27",
            [IKEDA],
            4,
        )


def test_without_the_option_nothing_is_retired(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    runner("municipalities", "import", write(tmp_path, [HEADER, *OSAKA]))
    result = runner("municipalities", "import", write(tmp_path, [HEADER, OSAKA[0]]))
    assert result.output.strip() == "追加 0、更新 0、変更なし 1"
    with app.app_context():
        assert active(IKEDA)


def test_dry_run_says_what_would_change_and_changes_nothing(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    runner("municipalities", "import", write(tmp_path, [HEADER, *OSAKA]))
    renamed = [HEADER, *OSAKA[:2], "272035,豊中市,とよなかし,Toyonaka City,市部,市"]
    result = runner(
        "municipalities", "import", "--retire-missing", "--dry-run", write(tmp_path, renamed)
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "更新\t272035\t豊中市\tname_en: Toyonaka → Toyonaka City",
        f"廃止\t{IKEDA}\t池田市",
        "廃止\t272051\t吹田市",
        "追加 0、更新 1、変更なし 2、廃止 2",
        "確認のみ: 何も変更していません。",
    ]
    with app.app_context():
        assert active(IKEDA)
        toyonaka = db.session.get(Municipality, TOYONAKA)
        assert toyonaka is not None
        assert toyonaka.name_en == "Toyonaka"
        assert not [a for a in audit_actions() if a[0] == "municipality.import" and a[1] == "27"][
            1:
        ]


def test_a_listed_retired_municipality_comes_back_but_not_by_init(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    runner("municipalities", "import", write(tmp_path, [HEADER, *OSAKA]))
    assert runner("municipalities", "retire", IKEDA, CHIYODA).exit_code == 0
    init = runner("init")
    assert "追加 0、更新 0、変更なし 62" in init.output
    with app.app_context():
        assert not active(CHIYODA), "hub init loads the shipped Tokyo list, retiring nothing back"
    again = runner("municipalities", "import", write(tmp_path, [HEADER, *OSAKA]))
    assert again.output.splitlines() == [
        f"再開\t{IKEDA}\t池田市",
        "追加 0、更新 0、変更なし 4、再開 1",
    ]
    with app.app_context():
        assert active(IKEDA)
        assert not active(CHIYODA)


def test_a_list_that_still_holds_one_retired_on_a_day_to_come_keeps_its_day(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    """This year's list names a municipality whose merger is decided for next April: importing
    it changes nothing (it exists until then), and its day stays."""
    runner("municipalities", "import", write(tmp_path, [HEADER, *OSAKA]))
    ahead = tokyo.today() + timedelta(days=120)
    assert runner("municipalities", "retire", IKEDA, "--on", ahead.isoformat()).exit_code == 0
    again = runner(
        "municipalities", "import", "--retire-missing", write(tmp_path, [HEADER, *OSAKA])
    )
    assert again.output.splitlines() == ["追加 0、更新 0、変更なし 5"]
    with app.app_context():
        ikeda = db.session.get(Municipality, IKEDA)
        assert ikeda is not None
        assert (ikeda.active, ikeda.retired_on) == (False, ahead)


def test_retire_and_reactivate_by_name_or_soumus_five_digits(app: Flask, runner: HubRunner) -> None:
    """A merger as the notice writes it: the municipalities by name, or by 総務省's code
    without its check digit; brought back by name too, though retired."""
    retired = runner("municipalities", "retire", "千代田区", "13102", "--on", "2027-04-01")
    assert retired.exit_code == 0, retired.output
    assert retired.output.splitlines() == [
        f"廃止\t{CHIYODA}\t千代田区",
        "廃止\t131024\t中央区",
        "廃止 2、変更不要 0",
    ]
    back = runner("municipalities", "reactivate", "千代田区", "１３１０２")
    assert back.exit_code == 0, back.output
    assert back.output.splitlines()[-1] == "再開 2、変更不要 0"
    assert_one_line_error(runner("municipalities", "retire", "千代田"), "千代田")
    with app.app_context():
        assert active(CHIYODA)
        assert active("131024")


def test_retire_and_reactivate_by_code(app: Flask, runner: HubRunner) -> None:
    retired = runner("municipalities", "retire", "１３１０１６", CHIYODA)
    assert retired.exit_code == 0, retired.output
    assert retired.output.splitlines() == [
        f"廃止\t{CHIYODA}\t千代田区",
        "廃止 1、変更不要 0",
    ]
    again = runner("municipalities", "retire", CHIYODA)
    assert again.output.splitlines() == ["廃止 0、変更不要 1"]
    listed = runner("municipalities", "list", "--status", "retired")
    today = tokyo.today().isoformat()
    assert listed.output.splitlines() == [f"{CHIYODA}\t千代田区\t区部\t特別区\t廃止\t{today}"]
    back = runner("municipalities", "reactivate", CHIYODA)
    assert back.output.splitlines() == [
        f"再開\t{CHIYODA}\t千代田区",
        "再開 1、変更不要 0",
    ]
    with app.app_context():
        assert active(CHIYODA)
        assert [(a, t) for a, t, _ in audit_actions()] == [
            ("municipality.retire", CHIYODA),
            ("municipality.reactivate", CHIYODA),
        ]


def test_retire_on_a_day_typed_as_people_type_it(app: Flask, runner: HubRunner) -> None:
    from datetime import date

    done = runner("municipalities", "retire", CHIYODA, "--on", "令和9年4月1日")
    assert done.exit_code == 0, done.output
    with app.app_context():
        chiyoda = db.session.get(Municipality, CHIYODA)
        assert chiyoda is not None
        assert chiyoda.retired_on == date(2027, 4, 1)
        assert audit_actions()[-1][2] == {"retired_on": "2027-04-01"}
    bad = runner("municipalities", "retire", "131024", "--on", "4月31日")
    assert_one_line_error(bad, "on")
    with app.app_context():
        assert active("131024")


def test_the_day_of_one_already_retired_is_changed_with_on(app: Flask, runner: HubRunner) -> None:
    from datetime import date

    runner("municipalities", "retire", CHIYODA)
    moved = runner("municipalities", "retire", CHIYODA, "131024", "--on", "R7.4.1")
    assert moved.exit_code == 0, moved.output
    assert moved.output.splitlines() == [
        "廃止\t131024\t中央区",
        f"廃止日を変更\t{CHIYODA}\t千代田区\t2025-04-01",
        "廃止 1、廃止日を変更 1、変更不要 0",
    ]
    same = runner("municipalities", "retire", CHIYODA, "--on", "2025-04-01")
    assert same.output.splitlines() == ["廃止 0、変更不要 1"]
    with app.app_context():
        chiyoda = db.session.get(Municipality, CHIYODA)
        assert chiyoda is not None
        assert chiyoda.retired_on == date(2025, 4, 1)
        assert audit_actions()[-2:] == [
            ("municipality.retire", "131024", {"retired_on": "2025-04-01"}),
            (
                "municipality.redate",
                CHIYODA,
                {"retired_on": "2025-04-01", "was": tokyo.today().isoformat()},
            ),
        ]


def test_unknown_codes_are_named_and_nothing_is_retired(app: Flask, runner: HubRunner) -> None:
    result = runner("municipalities", "retire", CHIYODA, "999999", "131017")
    assert_one_line_error(result, "999999", "131017")
    with app.app_context():
        assert active(CHIYODA)


def test_list_searches_names_kana_and_code_starts(runner: HubRunner) -> None:
    assert runner("municipalities", "list", "--search", "千代田").output.startswith(CHIYODA)
    assert runner("municipalities", "list", "--search", "ちよだ").output.startswith(CHIYODA)
    assert runner("municipalities", "list", "--search", "ﾁﾖﾀﾞ").output.startswith(CHIYODA)
    assert runner("municipalities", "list", "--search", "チヨダ").output.startswith(CHIYODA)
    assert runner("municipalities", "list", "--search", "青ケ島").output.startswith("134023")
    assert runner("municipalities", "list", "--search", "青ヶ島").output.startswith("134023")
    by_code = runner("municipalities", "list", "--search", "１３１０").output.splitlines()
    assert [line[:6] for line in by_code] == ["131016", "131024", "131032", "131041", "131059",
                                               "131067", "131075", "131083", "131091"]  # fmt: skip
    assert len(runner("municipalities", "list").output.splitlines()) == 62


def test_a_new_round_leaves_a_retired_municipality_out_and_an_open_one_keeps_it(
    app: Flask, runner: HubRunner
) -> None:
    first = runner("round", "open", "torikumi", "--reference-date", "2021-04-01",
                   "--deadline", "2099-05-31T17:00")  # fmt: skip
    runner("municipalities", "retire", CHIYODA)
    second = runner("round", "open", "torikumi", "--reference-date", "2022-04-01",
                    "--deadline", "2099-05-31T17:00")  # fmt: skip
    first_id, second_id = (int(r.output.strip().splitlines()[-1]) for r in (first, second))
    with app.app_context():

        def asked(round_id: int) -> set[str]:
            return set(
                db.session.scalars(
                    select(Response.municipality_code).where(Response.round_id == round_id)
                )
            )

        assert CHIYODA in asked(first_id)
        assert CHIYODA not in asked(second_id)
        assert len(asked(second_id)) == 61


def test_a_new_round_asks_a_municipality_retired_on_a_day_still_to_come(
    app: Flask, runner: HubRunner
) -> None:
    """A merger decided for next April: this winter's round still asks the municipality (it
    exists until its day); named by code, one already gone is refused as retired, not unknown."""
    ahead = tokyo.today() + timedelta(days=120)
    assert runner("municipalities", "retire", CHIYODA, "--on", ahead.isoformat()).exit_code == 0
    assert (
        runner("municipalities", "retire", "131024", "--on", tokyo.today().isoformat()).exit_code
        == 0
    )
    opened = runner("round", "open", "torikumi", "--reference-date", "2022-04-01",
                    "--deadline", "2099-05-31T17:00")  # fmt: skip
    assert opened.exit_code == 0, opened.output
    round_id = int(opened.output.strip().splitlines()[-1])
    listed = runner("municipalities", "list", "--search", "13101").output.splitlines()
    assert listed == [f"{CHIYODA}\t千代田区\t区部\t特別区\t廃止予定\t{ahead.isoformat()}"]
    with app.app_context():
        asked = set(
            db.session.scalars(
                select(Response.municipality_code).where(Response.round_id == round_id)
            )
        )
        assert CHIYODA in asked
        assert "131024" not in asked
        assert len(asked) == 61
        with pytest.raises(Invalid) as refused:
            open_round(
                "torikumi",
                reference_date=date(2023, 4, 1),
                deadline=utcnow() + timedelta(days=14),
                municipality_codes=[CHIYODA, "131024", "999999"],
            )
        assert refused.value.errors == {
            "municipalities": [
                "登録されていない自治体コード: 999999",
                "廃止された自治体コード: 131024",
            ]
        }


def test_a_year_counts_the_municipalities_that_existed_in_it(app: Flask) -> None:
    """Retired on a day: the fiscal years before still count it (heard or not, with cases or
    not); the years after do not, unless that year has its hearing or cases."""
    from datetime import date

    from exports import hearings as hearing_reads
    from exports.consultation_tables import residence_table
    from hub.services import hearings, municipalities
    from hub.services.consultations import record_case

    okutama = "133086"
    with app.app_context():
        hearings.record_hearing(
            CHIYODA, {"held_on": "2021-06-10", "department": "福祉課"}, user=None
        )
        record_case(
            {"received_on": "2021-06-11", "channel": "phone", "age_group": "30s", "caller": "self",
             "crime_related": False, "municipality": CHIYODA},
            user=None,
        )  # fmt: skip
        municipalities.set_active([CHIYODA], active=False, user=None, on=date(2021, 10, 1))
        municipalities.set_active([okutama], active=False, user=None, on=date(2022, 4, 1))
        db.session.commit()
        assert db.session.get(Municipality, okutama).retired_on == date(2022, 4, 1)  # type: ignore[union-attr]
        in_2021 = hearing_reads.progress(2021)
        assert [m.code for m in in_2021.heard] == [CHIYODA]
        assert in_2021.label() == "1/62 区市町村", "both existed in 令和3年度"
        in_2022 = hearing_reads.progress(2022)
        assert in_2022.label() == "0/60 区市町村", "retired on 4月1日: not in the new year"
        rows = {row[0]: row for row in residence_table(2021).rows}
        assert rows[CHIYODA][1:] == ("千代田区", "区部", 1)
        assert rows[okutama][-1] == 0
        assert rows[""][-1] == 1, "the rows add up to the total"
        later = {row[0] for row in residence_table(2022).rows}
        assert CHIYODA not in later
        assert okutama not in later
        with pytest.raises(Invalid) as refused:
            hearings.record_hearing(
                CHIYODA, {"held_on": "2022-06-10", "department": "福祉課"}, user=None
            )
        assert "municipality" in refused.value.errors
        municipalities.set_active([okutama], active=True, user=None)
        assert db.session.get(Municipality, okutama).retired_on is None  # type: ignore[union-attr]


def xlsx_of(rows: list[list[object]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_list_is_read_with_codes_excel_kept_as_numbers(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    """Admins keep lists in Excel: columns in any order and case, a code typed as a number
    (Hokkaido's lose their leading zero), blank rows."""
    rows = [
        ["Name", "Code", "Region", "kana", "name_en", "type"],
        ["札幌市", 11002, "政令市", "さっぽろし", "Sapporo", "政令指定都市"],
        [None, None, None, None, None, None],
        ["大阪市", "271004", "政令市", "", "Osaka", ""],
    ]
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_of(rows))
    result = runner("municipalities", "import", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "追加 2、更新 0、変更なし 0"
    with app.app_context():
        sapporo = db.session.get(Municipality, "011002")
        assert sapporo is not None
        assert (sapporo.name, sapporo.prefecture_code) == ("札幌市", "01")


def test_a_bad_row_of_an_xlsx_is_named_by_its_row_in_the_sheet(
    runner: HubRunner, tmp_path: Path
) -> None:
    rows = [["code", "name", "kana", "name_en", "region", "type"],
            [271004, "大阪市", "", "", "政令市", ""], [None] * 6, [271005, "大阪市", "", "", "", ""]]  # fmt: skip
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_of(rows))
    assert_one_line_error(runner("municipalities", "import", str(path)), "4行目", "271004")


def test_codes_a_spreadsheet_took_the_leading_zero_from_keep_their_prefecture(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    """A national list opened in Excel and saved again loses the zero of the prefectures 01–09
    (北海道's 011002 becomes 11002): read as codes without their check digit, 北海道's towns had
    become 埼玉県's codes (110027 …) without a word. The file's 6-digit codes say how to read it."""
    from bench.national import made_up_rows

    rows = [r for r in made_up_rows() if r["code"][:2] in ("01", "02", "27")]
    resaved = [HEADER] + [",".join(r.values()).removeprefix("0") for r in rows]
    result = runner("municipalities", "import", "--dry-run", write(tmp_path, resaved))
    assert result.exit_code == 0, result.output
    added = {
        line.split("\t")[1] for line in result.output.splitlines() if line.startswith("追加\t")
    }
    assert added == {r["code"] for r in rows}

    typo = [HEADER, OSAKA[0], "11003,札幌市,,,政令市,"]
    assert_one_line_error(runner("municipalities", "import", write(tmp_path, typo)), "3行目")
    with app.app_context():
        assert db.session.get(Municipality, "110035") is None


def test_five_digit_codes_typed_as_numbers_get_their_check_digit(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    """A prefecture's list without check digits kept in Excel as numbers (13101, and 北海道's
    01100 as 1100): each code is completed, not given a zero that makes it another prefecture's
    (013101) and refused by a check digit it was never meant to have."""
    rows: list[list[object]] = [
        ["団体コード", "団体名", "ふりがな", "英語名", "地域", "種別"],
        [27100, "大阪市", "おおさかし", "Osaka", "政令市", "政令指定都市"],
        [27203, "豊中市", "とよなかし", "Toyonaka", "市部", "市"],
        [1100, "札幌市", "さっぽろし", "Sapporo", "政令市", "政令指定都市"],
    ]
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_of(rows))
    result = runner("municipalities", "import", str(path))
    assert result.exit_code == 0, result.output
    with app.app_context():
        for code, name in (("271004", "大阪市"), (TOYONAKA, "豊中市"), ("011002", "札幌市")):
            municipality = db.session.get(Municipality, code)
            assert municipality is not None
            assert municipality.name == name


def test_tokyo_codes_kept_as_numbers_without_check_digits_are_imported_as_tokyo(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    """千代田区 and 中央区 typed as numbers without their check digits: both are Tokyo's, never
    a Hokkaido code nobody has (013102 would pass its check digit)."""
    rows = [
        ["code", "name", "kana", "name_en", "region", "type"],
        [13101, "千代田区", "ちよだく", "Chiyoda", "区部", "特別区"],
        [13102, "中央区", "ちゅうおうく", "Chuo", "区部", "特別区"],
    ]
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_of(rows))
    result = runner("municipalities", "import", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "013102" not in result.output
    assert "追加 0、更新 0、変更なし 2" in result.output
