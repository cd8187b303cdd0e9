"""A desk's own list, walked as the clerk exports it from Excel (CSV in Shift_JIS): its own
headers (年代, 犯罪の種類, 紹介先), an age written as one age (45歳), and what a refusal says when a
column is named otherwise still (罪種別 read as nothing) or a value is none of an item's choices
(メール, 警察): the columns read as nothing and the choices there are, so the clerk knows what
to write."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from lxml import html
from sqlalchemy import select

from hub.db import db
from hub.models import Consultation
from tests.conftest import HubRunner, csrf_of

Browser = Callable[..., FlaskClient]
DESK_HEADER = (
    "受付日",
    "相談方法",
    "年代",
    "相談者",
    "犯罪に関する相談か",
    "犯罪の種類",
    "紹介先",
    "居住地",
)


def _cp932(header: tuple[str, ...], *rows: tuple[str, ...]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("cp932")


def _import(client: FlaskClient, data: bytes) -> tuple[int, str]:
    token = csrf_of(client.get("/consultations/import").get_data(as_text=True))
    response = client.post(
        "/consultations/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), "相談一覧.csv")},
        content_type="multipart/form-data",
    )
    if response.status_code == 302:
        return 302, client.get(response.headers["Location"]).get_data(as_text=True)
    return response.status_code, response.get_data(as_text=True)


def _errors(page: str) -> list[str]:
    return [li.text_content() for li in html.fromstring(page).xpath("//ul[@data-import-errors]/li")]


def _stored(app: Flask) -> list[tuple[str, str, str | None, list[str], str | None]]:
    with app.app_context():
        cases = db.session.scalars(select(Consultation).order_by(Consultation.received_on))
        return [
            (
                c.received_on.isoformat(),
                c.age_group,
                c.crime_type,
                sorted(c.referred_to),
                c.municipality_code,
            )
            for c in cases
        ]


def test_the_desks_own_headers_and_an_age_are_read(app: Flask, browser: Browser) -> None:
    data = _cp932(
        DESK_HEADER,
        (
            "令和２年６月１日",
            "電話",
            "45歳",
            "本人",
            "はい",
            "万引き",
            "地域包括支援センター",
            "千代田区",
        ),
        (
            "R2.6.2",
            "来所",
            "１９才",
            "家族",
            "○",
            "詐欺",
            "区市町村窓口、精神保健福祉センター",
            "八王子市",
        ),
        ("2020/6/3", "電話", "８０歳", "関係機関", "いいえ", "", "なし", ""),
    )
    status, page = _import(browser("staff"), data)
    assert status == 302, _errors(page)
    assert "3件の相談記録を追加しました。" in page
    assert "取り込んでいません" not in page, "every column was read"
    assert _stored(app) == [
        ("2020-06-01", "40s", "shoplifting", ["community_support_center"], "131016"),
        ("2020-06-02", "under_20", "fraud", ["mental_health_center", "municipal_window"], "132012"),
        ("2020-06-03", "80_plus", None, [], None),
    ]


def test_a_bare_number_is_no_age_since_lists_number_their_groups(
    app: Flask, browser: Browser
) -> None:
    data = _cp932(DESK_HEADER, ("2020-06-01", "電話", "2", "本人", "いいえ", "", "", ""))
    status, page = _import(browser("staff"), data)
    assert status == 422
    assert "2行目 年代（相談対象者の年代）: 選択肢にない値です: 2" in _errors(page)
    assert _stored(app) == []


def test_columns_read_as_nothing_are_named_beside_the_items_with_no_column(
    app: Flask, browser: Browser, runner: HubRunner, tmp_path: Path
) -> None:
    header = ("受付日", "相談方法", "年代", "相談者", "犯罪に関する相談か", "罪種別", "紹介機関名")
    data = _cp932(header, ("2020-06-01", "電話", "40代", "本人", "はい", "万引き", "自助グループ"))
    status, page = _import(browser("staff"), data)
    assert status == 422
    errors = _errors(page)
    assert "2行目 相談にかかる犯罪の種類: 選択してください（必須）。" in errors
    assert (
        "読まなかった列: 「罪種別」、「紹介機関名」。このファイルには次の項目の列がありません: "
        "crime_type（相談にかかる犯罪の種類）、referred_to（紹介した支援機関）、"
        "municipality（居住区市町村）。読まなかった列がその項目のものであれば、"
        "列名をその項目名かコードに直してください。"
    ) in errors
    path = tmp_path / "list.csv"
    path.write_bytes(data)
    result = runner("consultations", "import", str(path))
    assert result.exit_code == 1
    assert "読まなかった列: 「罪種別」、「紹介機関名」。" in result.output
    assert _stored(app) == []

    short = ("受付日", "相談方法", "年齢（歳）", "相談者", "犯罪に関する相談か", "居住区市町村")
    status, page = _import(
        browser("staff"), _cp932(short, ("2020-06-01", "電話", "45", "本人", "", ""))
    )
    assert status == 422
    errors = _errors(page)
    assert "列が足りません: age_group（相談対象者の年代）" in errors
    assert any(e.startswith("読まなかった列: 「年齢（歳）」。") for e in errors)


def test_a_column_read_as_nothing_is_named_after_an_import_too(
    app: Flask, browser: Browser
) -> None:
    header = ("受付日", "相談方法", "年代", "相談者", "犯罪に関する相談か", "紹介機関名", "居住地")
    data = _cp932(header, ("2020-06-01", "電話", "40代", "本人", "いいえ", "自助グループ", ""))
    status, page = _import(browser("staff"), data)
    assert status == 302
    text = html.fromstring(page).text_content()
    assert "読まなかった列: 「紹介機関名」。" in text
    assert "referred_to（紹介した支援機関）" in text
    assert "今回の取り込みでは、列がない項目を空欄として登録しました。" in text


def test_a_value_none_of_the_choices_is_given_the_choices(app: Flask, browser: Browser) -> None:
    data = _cp932(
        DESK_HEADER,
        ("2020-06-01", "メール", "40代", "本人", "いいえ", "", "", ""),
        ("2020-06-02", "電話", "40代", "本人", "はい", "詐欺", "警察", ""),
    )
    status, page = _import(browser("staff"), data)
    assert status == 422
    errors = _errors(page)
    assert "2行目 相談方法: 選択肢にない値です: メール" in errors
    assert "2行目 相談方法: 書けるのは次のどれかです: 電話、来所" in errors
    assert "3行目 紹介先（紹介した支援機関）: 選択肢にない値です: 警察" in errors
    assert (
        "3行目 紹介先（紹介した支援機関）: 書けるのは次のどれかです: 地域包括支援センター、"
        "区市町村窓口、精神保健福祉センター、ウィメンズプラザ等の都立施設、自助グループ、"
        "社会福祉士会の相談窓口、法務少年支援センター、その他"
    ) in errors
    english = browser("staff")
    english.get("/language/en")
    status, page = _import(english, data)
    assert "row 2 相談方法 (Channel): You can write one of: Phone, Visit" in _errors(page)
    assert _stored(app) == []


def test_the_import_page_names_the_headings_it_also_reads(browser: Browser) -> None:
    """Beside each item, the desk's own headings the import reads too: quoted in the page's
    language, and on an English page each marked Japanese (WCAG 3.1.2)."""
    staff = browser("staff")
    japanese = html.fromstring(staff.get("/consultations/import").get_data(as_text=True))
    said = " ".join(japanese.text_content().split())
    assert (
        "列名は「年代」、「年齢」、「年齢層」、「年齢区分」、「対象者の年代」でも読みます。" in said
    )
    english = html.fromstring(staff.get("/consultations/import?lang=en").get_data(as_text=True))
    said = " ".join(english.text_content().split())
    assert 'The column may also be headed "年代", "年齢", "年齢層"' in said
    marked = english.xpath("//td[contains(., 'may also be headed')]//span[@lang='ja']/text()")
    assert "年代" in marked
    assert "紹介先" in marked
