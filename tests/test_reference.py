"""Reference data: municipality codes, CSV import of any prefecture, and ``hub init``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from hub.db import db
from hub.models import Municipality, Recipient, Survey, check_digit, is_valid_code
from hub.services.reference import tokyo_csv
from tests.conftest import HubRunner

HEADER = "code,name,kana,name_en,region,type"
OSAKA = [
    "271004,大阪市,おおさかし,Osaka,政令市,政令指定都市",
    "271403,堺市,さかいし,Sakai,政令市,政令指定都市",
    "272035,豊中市,とよなかし,Toyonaka,市部,市",
    "272043,池田市,いけだし,Ikeda,市部,市",
    "272051,吹田市,すいたし,Suita,市部,市",
]


def tokyo_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(tokyo_csv().decode("utf-8-sig"))))


def write(tmp_path: Path, lines: list[str], encoding: str = "utf-8") -> str:
    path = tmp_path / "municipalities.csv"
    path.write_bytes("\n".join(lines).encode(encoding) + b"\n")
    return str(path)


def municipality_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Municipality)) or 0


def assert_one_line_error(result: object, *fragments: str) -> str:
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert result.exception is None or isinstance(result.exception, SystemExit)  # type: ignore[attr-defined]
    err = result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for fragment in fragments:
        assert fragment in err, err
    return err


# ----------------------------------------------------------------------------- check digit


def test_check_digit_of_all_62_tokyo_codes() -> None:
    rows = tokyo_rows()
    assert len(rows) == 62
    for row in rows:
        code = row["code"]
        assert check_digit(code[:5]) == int(code[5]), row["name"]
        assert is_valid_code(code)
        assert code.startswith("13")


def test_tokyo_regions_are_23_26_13() -> None:
    regions = [row["region"] for row in tokyo_rows()]
    assert (regions.count("区部"), regions.count("市部"), regions.count("町村部")) == (23, 26, 13)


@pytest.mark.parametrize(
    ("code", "valid"),
    [("131016", True), ("131017", False), ("271004", True), ("13101", False), ("１３１０１６", False),
     ("13101a", False), ("", False), ("1310160", False)],
)  # fmt: skip
def test_is_valid_code(code: str, valid: bool) -> None:
    assert is_valid_code(code) is valid


@given(st.text(alphabet="0123456789", min_size=5, max_size=5), st.integers(0, 9))
def test_exactly_one_last_digit_is_valid(first_five: str, last: int) -> None:
    assert is_valid_code(first_five + str(last)) == (last == check_digit(first_five))


# ----------------------------------------------------------------------------- CSV import


def test_import_another_prefecture(app: Flask, runner: HubRunner, tmp_path: Path) -> None:
    result = runner("municipalities", "import", write(tmp_path, [HEADER, *OSAKA]))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "追加 5、更新 0、変更なし 0"
    with app.app_context():
        assert municipality_count() == 67
        sakai = db.session.get(Municipality, "271403")
        assert sakai is not None
        assert (sakai.name, sakai.prefecture_code, sakai.region, sakai.name_en) == (
            "堺市",
            "27",
            "政令市",
            "Sakai",
        )


def test_reimport_is_unchanged_and_edits_update(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, [HEADER, *OSAKA])
    runner("municipalities", "import", path)
    again = runner("municipalities", "import", path)
    assert again.output.strip() == "追加 0、更新 0、変更なし 5"
    renamed = [HEADER, *OSAKA[:4], "272051,吹田市,すいたし,Suita City,市部,市"]
    edited = runner("municipalities", "import", write(tmp_path, renamed))
    assert edited.output.strip() == "追加 0、更新 1、変更なし 4"
    with app.app_context():
        suita = db.session.get(Municipality, "272051")
        assert suita is not None
        assert suita.name_en == "Suita City"


def test_import_new_prefecture_then_round_asks_them_too(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    runner("municipalities", "import", write(tmp_path, [HEADER, *OSAKA]))
    opened = runner("round", "open", "torikumi", "--reference-date", "2021-04-01",
                    "--deadline", "2099-05-31T17:00")  # fmt: skip
    assert opened.exit_code == 0, opened.output
    from sqlalchemy import select as sql_select

    from hub.models import Response

    with app.app_context():
        codes = db.session.scalars(sql_select(Response.municipality_code)).all()
    assert len(codes) == 67
    assert "271004" in codes


def test_shift_jis_and_bom_and_full_width_codes_are_read(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    sjis = runner("municipalities", "import", write(tmp_path, [HEADER, *OSAKA], "cp932"))
    assert sjis.exit_code == 0, sjis.output
    with app.app_context():
        assert db.session.get(Municipality, "272035").name == "豊中市"  # type: ignore[union-attr]
    bom = runner("municipalities", "import", write(tmp_path, [HEADER, *OSAKA], "utf-8-sig"))
    assert bom.output.strip() == "追加 0、更新 0、変更なし 5"
    wide = [HEADER, "２７１００４,大阪市,おおさかし,Osaka,政令市,政令指定都市"]
    assert runner("municipalities", "import", write(tmp_path, wide)).exit_code == 0


def test_japanese_headers_and_five_digit_codes_are_read(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    """A prefecture's own list, saved by Excel in Shift_JIS: Japanese headers and codes without
    their check digit (27100, as lists derived from 総務省's write them)."""
    japanese = ["団体コード,団体名,ふりがな,英語名,地域,種別"]
    five = [line[:5] + line[6:] for line in OSAKA]
    done = runner("municipalities", "import", write(tmp_path, japanese + five, "cp932"))
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "追加 5、更新 0、変更なし 0"
    with app.app_context():
        osaka = db.session.get(Municipality, "271004")
        assert osaka is not None
        assert (osaka.name, osaka.kana, osaka.region, osaka.type) == (
            "大阪市", "おおさかし", "政令市", "政令指定都市",
        )  # fmt: skip
    six = runner("municipalities", "import", write(tmp_path, [HEADER, *OSAKA]))
    assert six.output.strip() == "追加 0、更新 0、変更なし 5"
    short = runner("municipalities", "import", write(tmp_path, ["団体コード,団体名", five[0]]))
    assert short.exit_code != 0
    assert "列が足りません: kana, name_en, region, type" in short.output
    assert "kana（ふりがな）" in short.output


@pytest.mark.parametrize(
    ("lines", "fragments"),
    [
        ([HEADER, OSAKA[0], "271005,大阪市,,,政令市,"], ["3行目", "検査数字", "271004"]),
        ([HEADER, OSAKA[0], OSAKA[1], OSAKA[0]], ["4行目", "重複しています（2行目と同じ）"]),
        ([HEADER, "2710,大阪市,,,政令市,"], ["2行目", "6桁"]),
        ([HEADER, "271004,,,,政令市,"], ["2行目", "name"]),
        ([HEADER, "271004,大阪市,,,,"], ["2行目", "region"]),
        (["code,name,kana,name_en,type", OSAKA[0]], ["列が足りません", "region"]),
        (["コード,名前", "271004,大阪市"], ["列が足りません", "code"]),
        ([HEADER], ["1件も"]),
        ([""], ["空"]),
    ],
)
def test_bad_files_give_one_line_errors(
    app: Flask, runner: HubRunner, tmp_path: Path, lines: list[str], fragments: list[str]
) -> None:
    result = runner("municipalities", "import", write(tmp_path, lines))
    assert_one_line_error(result, *fragments)
    with app.app_context():
        assert municipality_count() == 62


def test_shift_jis_file_with_a_bad_line_names_the_line(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    lines = [HEADER, *OSAKA[:2], "272036,豊中市,とよなかし,Toyonaka,市部,市"]
    result = runner("municipalities", "import", write(tmp_path, lines, "cp932"))
    assert_one_line_error(result, "4行目", "272035")


def test_every_bad_line_is_named_at_once(app: Flask, runner: HubRunner, tmp_path: Path) -> None:
    lines = [HEADER, "271005,大阪市,,,政令市,", OSAKA[1], "272036,豊中市,,,市部,"]
    err = assert_one_line_error(runner("municipalities", "import", write(tmp_path, lines)))
    assert "2行目" in err
    assert "4行目" in err
    assert "3行目" not in err


def test_undecodable_file_is_a_one_line_error(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\x81\xff\xfe\x41" * 20)  # no NUL: a file with one is said to be no text
    assert_one_line_error(runner("municipalities", "import", str(path)), "文字コード")


def test_missing_file_is_a_usage_error(runner: HubRunner, tmp_path: Path) -> None:
    result = runner("municipalities", "import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# ------------------------------------------------------------------------------- hub init


def test_init_twice_is_safe(app: Flask, runner: HubRunner) -> None:
    from tests.conftest import make_round, make_user

    with app.app_context():
        make_user(role="staff", email="keep@example.jp")
        round_id = make_round().id
    first = runner("init")
    second = runner("init")
    for result in (first, second):
        assert result.exit_code == 0, result.output
        assert "追加 0、更新 0、変更なし 62" in result.output
    with app.app_context():
        assert municipality_count() == 62
        assert db.session.scalar(select(func.count()).select_from(Survey)) == 1
        assert set(db.session.scalars(select(Recipient.name))) == {"moj", "tokyo-probation"}
        from hub.services.responses import get_round
        from hub.services.users import find_by_email

        assert find_by_email("keep@example.jp") is not None
        assert get_round(round_id).id == round_id


def test_init_restores_a_renamed_tokyo_municipality(app: Flask, runner: HubRunner) -> None:
    with app.app_context(), db.unit_of_work():
        chiyoda = db.session.get(Municipality, "131016")
        assert chiyoda is not None
        chiyoda.name = "千代田"
    result = runner("init")
    assert "更新 1" in result.output
    with app.app_context():
        assert db.session.get(Municipality, "131016").name == "千代田区"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("lines", "fragments"),
    [
        (  # the quote never closes: the rest of the file was one value of row 2
            [HEADER, '271004,"大阪市,おおさかし,Osaka,政令市,政令指定都市', *OSAKA[1:]],
            ['2行目の「"」が閉じられていない', "ファイルの終わりまで"],
        ),
        (  # the next row's quoted name closes it
            [HEADER, '271004,"大阪市,おおさかし,Osaka,政令市,', '271403,"堺市",さかいし,,市部,市'],
            ['2行目の「"」が閉じられていない', '3行目の「"」まで'],
        ),
    ],
)
def test_a_quote_left_open_is_named_where_it_opens(
    app: Flask, runner: HubRunner, tmp_path: Path, lines: list[str], fragments: list[str]
) -> None:
    """The rows after an unclosed 「"」 were read as one value: the error was 「2行目: region が空
    です」 (or too long), about a column that was there all along."""
    err = assert_one_line_error(
        runner("municipalities", "import", write(tmp_path, lines)), *fragments
    )
    assert "region" not in err
    with app.app_context():
        assert municipality_count() == 62


def test_a_row_error_names_the_column_as_the_files_header_does(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    lines = [
        "団体コード,団体名,ふりがな,英語名,地域,種別",
        "271004,大阪市,おおさかし,Osaka,,政令指定都市",
        "271405,堺市,さかいし,Sakai,政令市,政令指定都市",
    ]
    err = assert_one_line_error(runner("municipalities", "import", write(tmp_path, lines)))
    assert "2行目: 地域 が空です" in err
    assert "3行目: 団体コード 271405 の検査数字が正しくありません" in err
    assert "region" not in err
    assert "code" not in err


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_list_separated_by_semicolons_or_tabs_is_read(
    app: Flask, runner: HubRunner, tmp_path: Path, separator: str
) -> None:
    quoted = '"' + HEADER.replace(",", '","') + '"'  # some tools quote every cell
    lines = [line.replace(",", separator) for line in [quoted, *OSAKA]]
    done = runner("municipalities", "import", write(tmp_path, lines))
    assert done.exit_code == 0, done.stderr
    assert done.output.strip() == "追加 5、更新 0、変更なし 0"
    with app.app_context():
        sakai = db.session.get(Municipality, "271403")
        assert sakai is not None
        assert (sakai.name, sakai.name_en, sakai.type) == ("堺市", "Sakai", "政令指定都市")


def test_a_list_separated_otherwise_by_unknown_columns_says_the_separator(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    lines = ["コード;名前;地域", "271004;大阪市;政令市"]
    err = assert_one_line_error(runner("municipalities", "import", write(tmp_path, lines)))
    assert "コンマ（,）でなくセミコロン（;）で区切られて" in err
    assert "必要な列: code（団体コード）" in err
