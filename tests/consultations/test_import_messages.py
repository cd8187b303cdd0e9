"""What the import page says about a file it refuses: each bad row by its number and each column
by the name the file's header gives it, the municipalities an unknown name may mean, and a file
that is no CSV at all said to be one."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func, select

from hub.db import db
from hub.models import Consultation
from tests.conftest import csrf_of

Browser = Callable[..., FlaskClient]
JAPANESE = (
    "受付日",
    "相談方法",
    "相談対象者の年代",
    "相談者",
    "犯罪に関する相談か",
    "居住区市町村",
)
CODES = ("received_on", "channel", "age_group", "caller", "crime_related", "municipality")


def _stored(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Consultation)) or 0)


def _csv(header: tuple[str, ...], *rows: tuple[str, ...]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([header, *rows])
    return out.getvalue().encode("utf-8-sig")


def _import(client: FlaskClient, data: bytes, name: str = "相談.csv") -> tuple[int, str]:
    token = csrf_of(client.get("/consultations/import").get_data(as_text=True))
    response = client.post(
        "/consultations/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_data(as_text=True)


def test_a_bad_row_names_the_column_as_the_files_header_does(app: Flask, browser: Browser) -> None:
    staff = browser("staff")
    status, page = _import(
        staff,
        _csv(
            JAPANESE,
            ("2020-06-01", "電話", "30代", "本人", "いいえ", "千代田区"),
            ("2099-06-01", "電話", "30代", "本人", "いいえ", "八王子"),
        ),
    )
    assert status == 422
    assert "<li>3行目 受付日: 未来の日付は入力できません。</li>" in page
    assert (
        "<li>3行目 居住区市町村: 選択肢にない値です: 八王子（「八王子市」のことですか？）</li>"
        in page
    )
    for key in ("received_on", "municipality:"):
        assert f"行目 {key}" not in page
    assert _stored(app) == 0


def test_a_header_written_as_a_code_is_named_with_the_items_name(
    app: Flask, browser: Browser
) -> None:
    staff = browser("staff")
    status, page = _import(
        staff,
        _csv(
            CODES,
            ("2020-06-01", "phone", "30s", "self", "1", "府中"),
            ("2020-06-02", "phone", "30s", "self", "0", "131016"),
        ),
    )
    assert status == 422
    assert "2行目 相談にかかる犯罪の種類: " in page, "a field without a column: its name"
    assert (
        "2行目 municipality（居住区市町村）: 選択肢にない値です: 府中"
        "（「府中市」のことですか？）" in page
    )
    assert "3行目" not in page
    assert _stored(app) == 0


def test_a_name_no_municipality_begins_or_ends_with_gets_no_suggestion(browser: Browser) -> None:
    status, page = _import(
        browser("staff"),
        _csv(JAPANESE, ("2020-06-01", "電話", "30代", "本人", "いいえ", "横浜市")),
    )
    assert status == 422
    assert "<li>2行目 居住区市町村: 選択肢にない値です: 横浜市</li>" in page


def test_a_column_given_twice_names_both_headers(browser: Browser) -> None:
    status, page = _import(
        browser("staff"),
        _csv((*JAPANESE, "received_on"), ("2020-06-01", "電話", "30代", "本人", "いいえ", "", "")),
    )
    assert status == 422
    assert "「受付日」と「received_on」は同じ項目（受付日）の列です。" in page


def test_a_file_that_is_no_csv_is_said_to_be_one_not_a_list_short_of_columns(
    app: Flask, browser: Browser
) -> None:
    staff = browser("staff")
    utf16 = ",".join(CODES).encode("utf-16-le")  # UTF-16 without a BOM reads as UTF-8 with NULs
    status, page = _import(staff, utf16)
    assert status == 422
    assert (
        "CSV やテキストのファイルとして読めません（Excel などのファイルの名前だけを .csv や .txt に"
        in page
    )
    assert "Excel ブック（.xlsx）のまま選んでください" in page

    row = ("2020-06-01", "電話", "30代", "本人", "いいえ", "")
    titled = _csv(("令和2年度 相談記録一覧",), JAPANESE, row)
    tabs = "\r\n".join(["\t".join(("日付", "方法", "備考")), "\t".join(row[:3])])
    for refused in (titled, tabs.encode("utf-8")):  # a tab-separated line naming no column
        status, page = _import(staff, refused)
        assert status == 422
        assert "1行目に相談記録の列名が1つもありません。" in page
        assert "列が足りません" not in page
        assert "received_on" not in page.split('<h2 class="heading-m">')[0]
    assert _stored(app) == 0


def test_a_workbook_saved_under_a_csv_name_is_read_as_the_workbook(
    app: Flask, browser: Browser
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(JAPANESE))
    sheet.append(["2020-06-01", "電話", "30代", "本人", "いいえ", "八王子市"])
    out = io.BytesIO()
    book.save(out)
    status, _page = _import(browser("staff"), out.getvalue(), "相談.csv")
    assert status == 302
    assert _stored(app) == 1


def test_an_english_page_names_the_bad_rows_in_english_and_counts_them(
    app: Flask, browser: Browser
) -> None:
    """Two bad rows of three: "row 3", "row 4" on an English page, and the count says 2 (the rows
    were counted by the word before the first space, "row", which made every English import 1)."""
    from hub.errors import Invalid
    from hub.services.consultations import import_cases

    data = _csv(
        JAPANESE,
        ("2020-06-01", "電話", "30代", "本人", "いいえ", "千代田区"),
        ("2099-06-01", "電話", "30代", "本人", "いいえ", "千代田区"),
        ("2099-06-02", "電話", "30代", "本人", "いいえ", "八王子"),
    )
    for lang, rows, summary in (
        ("en", ("row 3 ", "row 4 "), "2 rows"),
        ("ja", ("3行目 ", "4行目 "), "2行に誤り"),
    ):
        with app.test_request_context(f"/?lang={lang}"):
            try:
                import_cases(data, user=None)
            except Invalid as exc:
                caught = exc
            else:
                raise AssertionError("the file has bad rows")
            db.session.rollback()
        keys = list(caught.errors)
        assert {key[: len(rows[0])] for key in keys} == set(rows), keys
        assert summary in str(caught.message), caught.message
