"""``hub consultations import FILE``: the 令和2年度 list in every form people save it, and files
with mistakes, which add nothing and name every bad row and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from exports.consultation_counts import all_regions, case_counts
from hub.db import db
from hub.models import Consultation
from tests.conftest import HubRunner
from tests.consultations.cases import (
    COLUMNS,
    R2_CRIME_RELATED,
    R2_REFERRED,
    R2_TOTAL,
    Case,
    csv_bytes,
    expected_counts,
    xlsx_bytes,
)

Write = Callable[[str, bytes], Path]


def _stored(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Consultation)) or 0)


def _check_r2(app: Flask, r2: list[Case], municipalities: dict[str, tuple[str, str]]) -> None:
    regions = {code: region for code, (_, region) in municipalities.items()}
    with app.app_context():
        counted = case_counts([2020])[2020]
        expected = expected_counts(r2, regions, list(all_regions()))
    assert counted == expected
    assert (counted.total, counted.crime_related, counted.referred) == (
        R2_TOTAL,
        R2_CRIME_RELATED,
        R2_REFERRED,
    )


def test_utf8_csv_with_bom_imports_every_case_whatever_the_notation(
    app: Flask,
    runner: HubRunner,
    write: Write,
    r2: list[Case],
    names: dict[str, str],
    municipalities: dict[str, tuple[str, str]],
) -> None:
    result = runner("consultations", "import", str(write("r2.csv", csv_bytes(r2, names))))
    assert result.exit_code == 0, result.output
    assert "239件" in result.output
    _check_r2(app, r2, municipalities)


def test_shift_jis_csv_as_japanese_excel_saves_it_imports(
    app: Flask,
    runner: HubRunner,
    write: Write,
    r2: list[Case],
    names: dict[str, str],
    municipalities: dict[str, tuple[str, str]],
) -> None:
    data = csv_bytes(r2, names, encoding="cp932")
    assert not data.startswith(b"\xef\xbb\xbf")
    result = runner("consultations", "import", str(write("r2_sjis.csv", data)))
    assert result.exit_code == 0, result.output
    _check_r2(app, r2, municipalities)


def test_utf8_csv_without_bom_imports(
    app: Flask, runner: HubRunner, write: Write, r2: list[Case], names: dict[str, str]
) -> None:
    result = runner(
        "consultations", "import", str(write("r2.csv", csv_bytes(r2, names, encoding="utf-8")))
    )
    assert result.exit_code == 0, result.output
    assert _stored(app) == R2_TOTAL


def test_xlsx_with_japanese_headers_real_dates_and_an_extra_column_imports(
    app: Flask,
    runner: HubRunner,
    write: Write,
    r2: list[Case],
    names: dict[str, str],
    municipalities: dict[str, tuple[str, str]],
) -> None:
    result = runner("consultations", "import", str(write("r2.xlsx", xlsx_bytes(r2, names))))
    assert result.exit_code == 0, result.output
    assert "備考" in result.output, "the ignored column is named"
    _check_r2(app, r2, municipalities)


def test_one_bad_row_imports_nothing_and_names_the_row_and_field(
    app: Flask, runner: HubRunner, write: Write, r2: list[Case], names: dict[str, str]
) -> None:
    bad = ["2020-06-01", "phone", '=HYPERLINK("http://x")', "self", "0", "", "", ""]
    data = csv_bytes(r2, names, extra={3: bad})
    result = runner("consultations", "import", str(write("bad.csv", data)))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    message = result.output.strip()
    assert len(message.splitlines()) == 1, "one line on stderr"
    assert "5行目 age_group" in message, "the 4th case is on the 5th row (row 1 is the header)"
    assert "1件も取り込んでいません" in message
    assert _stored(app) == 0


def test_every_bad_row_and_field_is_listed(
    app: Flask, runner: HubRunner, write: Write, r2: list[Case], names: dict[str, str]
) -> None:
    extra = {
        0: ["令和1年4月30日", "phone", "20s", "self", "0", "", "", ""],
        9: ["2020-07-01", "fax", "30s", "me", "はい", "", "", ""],
        20: ["2020-07-01", "phone", "40s", "self", "いいえ", "shoplifting", "police", "999999"],
        30: [
            "2099-04-01",
            "visit",
            "50s",
            "family",
            "×",
            "",
            "地域包括支援センター；区市町村窓口",
            "千代田区",
        ],
    }
    result = runner(
        "consultations", "import", str(write("bad.csv", csv_bytes(r2, names, extra=extra)))
    )
    assert result.exit_code == 1
    message = result.output
    for where in (
        "2行目 received_on",
        "11行目 channel",
        "11行目 caller",
        "11行目 crime_type",
        "22行目 crime_type",
        "22行目 referred_to",
        "22行目 municipality",
        "32行目 received_on",
        "32行目 crime_related",
    ):
        assert where in message, where
    assert "4行に誤り" in message
    assert "令和元年は5月1日から" in message
    assert _stored(app) == 0


def test_missing_columns_an_unreadable_file_and_an_old_xls_are_one_line_errors(
    app: Flask, runner: HubRunner, write: Write, r2: list[Case], names: dict[str, str]
) -> None:
    no_age = csv_bytes(r2[:3], names, header=tuple(c for c in COLUMNS if c != "age_group"))
    no_crime = csv_bytes(r2[:3], names, header=tuple(c for c in COLUMNS if c != "crime_related"))
    cases = [
        (write("no_age.csv", no_age), "age_group（相談対象者の年代）"),
        (write("no_crime.csv", no_crime), "crime_related（犯罪に関する相談か）"),
        (
            write("latin.csv", b"received_on,channel\n" + bytes([0x81, 0xFF, 0xFE])),
            "文字コード",
        ),
        (write("old.xls", bytes.fromhex("d0cf11e0a1b11ae1") + bytes(512)), ".xls"),
        (write("empty.csv", b""), "空"),
        (write("header_only.csv", ",".join(COLUMNS).encode()), "1件もありません"),
    ]
    for path, expected in cases:
        result = runner("consultations", "import", str(path))
        assert result.exit_code == 1, (path, result.output)
        assert expected in result.output, (path, result.output)
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert _stored(app) == 0


def test_a_file_that_does_not_exist_is_a_usage_error(runner: HubRunner, tmp_path: Path) -> None:
    result = runner("consultations", "import", str(tmp_path / "none.csv"))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_importing_twice_leaves_the_repeats_out_unless_asked(
    app: Flask, runner: HubRunner, write: Write, r2: list[Case], names: dict[str, str]
) -> None:
    path = write("part.csv", csv_bytes(r2[:10], names))
    assert runner("consultations", "import", str(path)).exit_code == 0
    again = runner("consultations", "import", str(path))
    assert again.exit_code == 0
    assert "0件の相談記録を追加しました。" in again.output
    assert "登録済みの記録と同じ内容の10件は追加していません（2,3,4,5,6,7,8,9,10,11行目）" in (
        again.output
    )
    assert f"hub consultations import {path} --add-repeats --rows 2,3,4,5,6,7,8,9,10,11" in (
        again.output
    )
    assert _stored(app) == 10
    some = runner("consultations", "import", str(path), "--add-repeats", "--rows", "3,5")
    assert some.exit_code == 0, some.output
    assert "2件の相談記録を追加しました。" in some.output
    assert _stored(app) == 12
    every = runner("consultations", "import", str(path), "--add-repeats")
    assert every.exit_code == 0
    assert _stored(app) == 22
    wrong = runner("consultations", "import", str(path), "--rows", "3-5")
    assert wrong.exit_code == 1
    assert "--rows" in wrong.output


def test_a_desks_own_headers_for_the_day_and_the_municipality_are_read(
    app: Flask, runner: HubRunner, write: Write
) -> None:
    data = (
        "相談日,相談方法,相談対象者の年代,相談者,犯罪に関する相談か,区市町村\n"
        "令和2年５月１日,電話,70代,本人,,八王子市\n"
    ).encode("utf-8-sig")
    result = runner("consultations", "import", str(write("own.csv", data)))
    assert result.exit_code == 0, result.output
    with app.app_context():
        case = db.session.scalars(select(Consultation)).one()
    assert str(case.received_on) == "2020-05-01"
    assert case.municipality_code == "132012"


def test_a_list_as_a_desk_keeps_it_in_excel_imports_as_written(
    app: Flask, runner: HubRunner, write: Write
) -> None:
    """A date cell saved as CSV with its midnight, several agencies on lines of one cell
    (Alt+Enter), a residence nobody knows written 不明 and a 団体コード without its check digit."""
    data = (
        "受付日,相談方法,相談対象者の年代,相談者,犯罪に関する相談か,相談にかかる犯罪の種類,"
        "紹介した支援機関,区市町村\r\n"
        '2020/5/1 0:00,電話,80代以上,家族,はい,万引き,"地域包括支援センター\n区市町村窓口",13101\r\n'
        "2020/05/02 00:00:00,来所,70代,本人,いいえ,,,不明\r\n"
        "令和2年5月3日,電話,70代,本人,いいえ,,,１３２０１\r\n"
    ).encode("cp932")
    result = runner("consultations", "import", str(write("desk.csv", data)))
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = sorted(
            (str(c.received_on), c.municipality_code, sorted(c.referred_to))
            for c in db.session.scalars(select(Consultation))
        )
    assert stored == [
        ("2020-05-01", "131016", ["community_support_center", "municipal_window"]),
        ("2020-05-02", None, []),
        ("2020-05-03", "132012", []),
    ]


def test_a_time_of_day_or_a_code_of_no_municipality_is_still_refused(
    runner: HubRunner, write: Write
) -> None:
    data = (
        "受付日,相談方法,相談対象者の年代,相談者,犯罪に関する相談か,区市町村\r\n"
        "2020/5/1 14:30,電話,70代,本人,いいえ,\r\n"
        "2020/5/2,電話,70代,本人,いいえ,99999\r\n"
        "H2.5.3,電話,70代,本人,いいえ,\r\n"
    ).encode()
    result = runner("consultations", "import", str(write("bad.csv", data)))
    assert result.exit_code != 0
    assert "2行目 受付日" in result.output
    assert "3行目 区市町村" in result.output
    assert "99999" in result.output
    assert "4行目 受付日" in result.output, "1990, before the desk's first year"


def test_what_the_import_says_follows_hub_lang(
    app: Flask, runner: HubRunner, write: Write, r2: list[Case], names: dict[str, str]
) -> None:
    """``hub --lang en consultations import``: the count, the repeats left out (one: singular)
    and a bad ``--rows`` in English; Japanese by default, as before."""
    path = write("one.csv", csv_bytes(r2[:1], names))
    english = runner("--lang", "en", "consultations", "import", str(path))
    assert english.exit_code == 0, english.stderr
    assert english.stdout == "1 consultation record added.\n"
    again = runner("--lang", "en", "consultations", "import", str(path))
    assert again.stdout == "0 consultation records added.\n"
    assert again.stderr == (
        "Not added: 1 row identical to a registered record (row 2). If it is a separate "
        f"consultation: hub consultations import {path} --add-repeats --rows 2\n"
    )
    japanese = runner("consultations", "import", str(path))
    assert japanese.stdout == "0件の相談記録を追加しました。\n"
    assert japanese.stderr == (
        "登録済みの記録と同じ内容の1件は追加していません（2行目）。別々の相談であれば: "
        f"hub consultations import {path} --add-repeats --rows 2\n"
    )
    refused = runner("--lang", "en", "consultations", "import", str(path), "--rows", "3-5")
    assert refused.stderr == (
        "hub: --rows takes row numbers separated by commas (for example 5,9,12): 3-5\n"
    )
    assert runner("consultations", "import", str(path), "--rows", "3-5").stderr == (
        "hub: --rows は行番号をコンマで区切って書きます（例: 5,9,12）: 3-5\n"
    )
    assert _stored(app) == 1
