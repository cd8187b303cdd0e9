"""総務省's 全国地方公共団体コード list, uploaded as downloaded: its header (with line breaks in the
cells, perhaps under a title), prefecture rows, half-width kana and no English names or regions.
It updates nothing that it agrees with, keeps the English names, and adds, retires or refuses as
the hub's own list does."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import Workbook

from hub.db import db
from hub.errors import Invalid
from hub.models import Municipality
from hub.services import code_list
from hub.services.municipalities import plan_import, read_municipality_list
from tests.conftest import HubRunner

SHIPPED = Path(__file__).parents[1] / "hub" / "data" / "tokyo_municipalities.csv"
HEADER = (
    "団体コード",
    "都道府県名\n（漢字）",
    "市区町村名\n（漢字）",
    "都道府県名\n（カナ）",
    "市区町村名\n（カナ）",
)
KATAKANA = {code: code + 0x60 for code in range(ord("ぁ"), ord("ゖ") + 1)}


def tokyo_rows() -> list[tuple[object, ...]]:
    """Tokyo as 総務省 lists it: the prefecture's own row first, kana in katakana."""
    with SHIPPED.open(encoding="utf-8") as f:
        shipped = list(csv.DictReader(f))
    rows: list[tuple[object, ...]] = [("130001", "東京都", None, "ﾄｳｷｮｳﾄ", None)]
    for m in shipped:
        rows.append((m["code"], "東京都", m["name"], "ﾄｳｷｮｳﾄ", m["kana"].translate(KATAKANA)))
    return rows


def xlsx(rows: list[tuple[object, ...]], *, title: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "R7.1.1現在の団体"
    if title:
        sheet.append((title,))
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_half_width_kana_becomes_the_hiragana_the_hub_keeps() -> None:
    assert code_list.hiragana("ﾁﾖﾀﾞｸ") == "ちよだく"
    assert code_list.hiragana("ﾁｭｳｵｳｸ") == "ちゅうおうく"
    assert code_list.hiragana("ﾊﾁｵｳｼﾞｼ") == "はちおうじし"
    assert code_list.hiragana("ｱｵｶﾞｼﾏﾑﾗ") == "あおがしまむら"
    assert code_list.hiragana("ヴ") == "ゔ"


@pytest.mark.parametrize(
    ("code", "name", "kind", "region"),
    [
        ("131016", "千代田区", "特別区", "区部"),
        ("132012", "八王子市", "市", "市部"),
        ("133035", "瑞穂町", "町", "町村部"),
        ("134023", "青ヶ島村", "村", "町村部"),
        ("272035", "豊中市", "市", "市部"),
        ("013030", "当別町", "町", "町村部"),
    ],
)
def test_the_type_and_region_follow_the_name(code: str, name: str, kind: str, region: str) -> None:
    assert code_list.kind_of(code, name) == kind
    assert code_list.region_of(kind) == region


def test_tokyo_as_soumu_lists_it_changes_nothing_and_keeps_the_english_names(app: Flask) -> None:
    with app.app_context():
        rows = read_municipality_list(xlsx(tokyo_rows(), title="都道府県コード及び市区町村コード"))
        assert len(rows) == 62, "the prefecture's own row is no municipality"
        plan = plan_import(rows)
        assert (plan.changes, plan.unchanged) == ((), 62)


def test_a_new_municipality_is_added_with_its_type_region_and_no_english_name(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    osaka = [
        ("270008", "大阪府", None, "ｵｵｻｶﾌ", None),
        (272035, "大阪府", "豊中市", "ｵｵｻｶﾌ", "ﾄﾖﾅｶｼ"),
        ("273414", "大阪府", "豊能町", "ｵｵｻｶﾌ", "ﾄﾖﾉﾁｮｳ"),
    ]
    path = tmp_path / "000925835.xlsx"
    path.write_bytes(xlsx(osaka))
    done = runner("municipalities", "import", str(path))
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[-1] == "追加 2、更新 0、変更なし 0"
    with app.app_context():
        toyonaka = db.session.get(Municipality, "272035")
        assert toyonaka is not None
        assert (toyonaka.name, toyonaka.kana, toyonaka.name_en) == ("豊中市", "とよなかし", "")
        assert (toyonaka.region, toyonaka.type, toyonaka.prefecture_code) == ("市部", "市", "27")


def test_a_csv_saved_by_excel_in_shift_jis_reads_the_same(app: Flask) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([h.replace("\n", "") for h in HEADER])
    writer.writerows(tokyo_rows())
    with app.app_context():
        rows = read_municipality_list(out.getvalue().encode("cp932"))
    assert [r["code"] for r in rows][:2] == ["131016", "131024"]
    assert rows[0]["kana"] == "ちよだく"


def test_a_bad_line_is_named_by_the_row_the_sheet_shows(app: Flask) -> None:
    rows = [*tokyo_rows()[:3], ("131019", "東京都", "千代田区", "ﾄｳｷｮｳﾄ", "ﾁﾖﾀﾞｸ")]
    with app.app_context(), pytest.raises(Invalid) as refused:
        read_municipality_list(xlsx(rows))
    assert refused.value.errors == {
        "5行目": ["団体コード 131019 の検査数字が正しくありません（正しくは 131016）"]
    }


OSAKA_ROWS = [
    ("270008", "大阪府", None, "ｵｵｻｶﾌ", None),
    ("272035", "大阪府", "豊中市", "ｵｵｻｶﾌ", "ﾄﾖﾅｶｼ"),
    ("272036", "大阪府", "豊中市", "ｵｵｻｶﾌ", "ﾄﾖﾅｶｼ"),  # a bad code: never read for Tokyo
]


def test_one_prefecture_of_a_national_file_is_read_and_the_rest_passed_over(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    path = tmp_path / "code_all.xlsx"
    path.write_bytes(xlsx([*tokyo_rows(), *OSAKA_ROWS]))
    whole = runner("municipalities", "import", str(path), "--dry-run")
    assert whole.exit_code == 1
    assert "272036" in whole.output
    tokyo = runner("municipalities", "import", str(path), "--prefecture", "東京都")
    assert tokyo.exit_code == 0, tokyo.output
    assert tokyo.output.splitlines()[-1] == "追加 0、更新 0、変更なし 62"
    for named in ("１３", "tokyo", "東京"):
        again = runner("municipalities", "import", str(path), "--prefecture", named, "--dry-run")
        assert again.output.splitlines()[0] == "追加 0、更新 0、変更なし 62", named
    with app.app_context():
        assert db.session.get(Municipality, "272035") is None


def test_a_prefecture_that_is_none_or_not_in_the_file_is_one_line(
    runner: HubRunner, tmp_path: Path
) -> None:
    path = tmp_path / "tokyo.xlsx"
    path.write_bytes(xlsx(tokyo_rows()))
    unknown = runner("municipalities", "import", str(path), "--prefecture", "東京府")
    assert unknown.exit_code == 1
    assert "都道府県のコードか名称ではありません: 東京府" in unknown.output
    absent = runner("municipalities", "import", str(path), "--prefecture", "27")
    assert absent.exit_code == 1
    assert "大阪府の団体が1件も含まれていません" in absent.output


def test_a_code_excel_keeps_as_a_number_gets_its_zero_back_before_the_type_is_decided() -> None:
    """013030 stored as the number 13030 is a Hokkaido code, not a Tokyo one: a name ending in
    区 there is a 区, not one of Tokyo's 特別区."""
    columns = {"code": 0, "prefecture": 1, "name": 2, "kana": 4}
    row = code_list.row_of((13030, "北海道", "架空区", "ﾎｯｶｲﾄﾞｳ", "ｶｸｳｸ"), columns)
    assert row is not None
    assert (row["code"], row["type"], row["region"]) == ("013030", "区", "区部")
    tokyo = code_list.row_of((131016, "東京都", "千代田区", "ﾄｳｷｮｳﾄ", "ﾁﾖﾀﾞｸ"), columns)
    assert tokyo is not None
    assert (tokyo["code"], tokyo["type"]) == ("131016", "特別区")


def test_a_bad_value_names_its_column_as_the_header_does_on_one_line(app: Flask) -> None:
    """The sheet's headers break their lines (市区町村名 / （カナ）): the error names the column as
    written there, on one line (the command line's error is one line)."""
    rows = [*tokyo_rows()[:1], ("131024", "東京都", "中央区", "ﾄｳｷｮｳﾄ", "ﾁ" * 201)]
    with app.app_context(), pytest.raises(Invalid) as refused:
        read_municipality_list(xlsx(rows))
    assert refused.value.errors == {"3行目": ["市区町村名（カナ） は200文字以内です"]}
