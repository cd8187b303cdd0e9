"""A desk's list as desk workers write it in Excel: a 受付日 saved as its date serial (43952), age
groups as 80歳以上 or 20歳代, 「なし」 or 「-」 for no agency, agencies joined with ・ or ／, the
residence after its prefecture (東京都千代田区) — each read where it has one meaning, and refused
with what to write instead where it has more (70歳以上, a serial outside the desk's years)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forms import tokyo
from forms.model import Choice, Kind, Label, Question
from hub.db import db
from hub.errors import Invalid
from hub.models import Consultation
from hub.services.consultations import import_cases
from tests.conftest import Api, HubRunner, add_hiroshima_fuchu, csrf_of

Browser = Callable[..., FlaskClient]
HEADER = (
    "受付日",
    "相談方法",
    "相談対象者の年代",
    "相談者",
    "犯罪に関する相談か",
    "紹介した支援機関",
    "居住区市町村",
)
DESK_ROWS = (
    ("43952", "電話", "80歳以上", "本人", "いいえ", "なし", "東京都千代田区"),
    ("2020-05-02", "来所", "20歳代", "家族", "いいえ", "-", "東京都 八王子市"),
    ("2020-05-03", "電話", "２０代", "本人", "いいえ", "無し", ""),
    ("2020-05-04", "電話", "19歳以下", "本人", "いいえ", "地域包括支援センター・区市町村窓口", ""),
    (
        "2020-05-05",
        "電話",
        "90代",
        "関係機関",
        "いいえ",
        "自助グループ／その他;精神保健福祉センター",
        "",
    ),
)
STORED = [
    ("2020-05-01", "80_plus", [], "131016"),
    ("2020-05-02", "20s", [], "132012"),
    ("2020-05-03", "20s", [], None),
    ("2020-05-04", "under_20", ["community_support_center", "municipal_window"], None),
    ("2020-05-05", "80_plus", ["mental_health_center", "self_help_group", "other"], None),
]


def _csv(*rows: tuple[str, ...], header: tuple[str, ...] = HEADER, separator: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8-sig")


def _separated(separator: str) -> bytes:
    """:data:`DESK_ROWS` separated by ``separator``, row 5's agencies written on two lines of
    their cell (Alt+Enter in Excel), as a spreadsheet saves such a list."""
    rows = list(DESK_ROWS)
    rows[3] = (*rows[3][:5], "地域包括支援センター\n区市町村窓口", "")
    return _csv(*rows, separator=separator)


def _stored(app: Flask) -> list[tuple[str, str, list[str], str | None]]:
    with app.app_context():
        cases = db.session.scalars(select(Consultation).order_by(Consultation.received_on))
        return [
            (c.received_on.isoformat(), c.age_group, sorted(c.referred_to), c.municipality_code)
            for c in cases
        ]


def _sorted(rows: list[tuple[str, str, list[str], str | None]]) -> list[object]:
    return [(day, age, sorted(codes), place) for day, age, codes, place in rows]


def _import_page(client: FlaskClient, data: bytes) -> tuple[int, str]:
    token = csrf_of(client.get("/consultations/import").get_data(as_text=True))
    response = client.post(
        "/consultations/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), "相談.csv")},
        content_type="multipart/form-data",
    )
    if response.status_code == 302:
        return 302, client.get(response.headers["Location"]).get_data(as_text=True)
    return response.status_code, response.get_data(as_text=True)


def test_the_service_reads_a_list_as_the_desk_writes_it(app: Flask) -> None:
    with app.app_context():
        result = import_cases(_csv(*DESK_ROWS), user=None, filename="desk.csv")
        db.session.commit()
    assert result.added == len(DESK_ROWS)
    assert [(s.line, s.serial, s.day.isoformat()) for s in result.serial_days] == [
        (2, 43952, "2020-05-01")
    ]
    assert _stored(app) == _sorted(STORED)


def test_the_page_reads_the_list_and_says_how_it_read_the_serial(
    app: Flask, browser: Browser
) -> None:
    status, page = _import_page(browser("staff"), _csv(*DESK_ROWS))
    assert status == 302
    assert "5件の相談記録を追加しました。" in page
    assert (
        "受付日が数で書かれた1行（2行目）は、Excel の日付のシリアル値として読みました"
        "（例: 2行目の 43952 は 令和2年5月1日）。" in page
    )
    assert _stored(app) == _sorted(STORED)


@pytest.mark.parametrize("separator", [";", "\t"], ids=["semicolons", "tabs"])
def test_a_list_separated_by_semicolons_or_tabs_is_read(app: Flask, separator: str) -> None:
    """A list Excel saved separated by semicolons or tabs was refused as having no column of a
    case: it is read by its separator, a cell on several lines (or holding a ;) still one value."""
    data = _separated(separator)
    assert "\n区市町村窓口".encode() in data, "a cell on two lines"
    assert b"," not in data.splitlines()[0], "a first line with no comma"
    with app.app_context():
        result = import_cases(data, user=None, filename="desk.csv")
        db.session.commit()
    assert result.added == len(DESK_ROWS)
    assert _stored(app) == _sorted(STORED)


@pytest.mark.parametrize("separator", [";", "\t"], ids=["semicolons", "tabs"])
def test_the_page_reads_a_list_separated_by_semicolons_or_tabs(
    app: Flask, browser: Browser, separator: str
) -> None:
    status, page = _import_page(browser("staff"), _separated(separator))
    assert status == 302, page
    assert "5件の相談記録を追加しました。" in page
    assert _stored(app) == _sorted(STORED)


def test_the_command_reads_the_list_and_says_how_it_read_the_serial(
    app: Flask, runner: HubRunner, tmp_path: Path
) -> None:
    path = tmp_path / "desk.csv"
    path.write_bytes(_csv(*DESK_ROWS))
    result = runner("consultations", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "5件の相談記録を追加しました。" in result.output
    assert "（例: 2行目の 43952 は 令和2年5月1日）" in result.output
    assert _stored(app) == _sorted(STORED)


def test_an_xlsx_number_cell_is_read_as_its_serial_too(app: Flask) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(HEADER))
    sheet.append([43952, "電話", "30代", "本人", "いいえ", "", ""])
    out = io.BytesIO()
    book.save(out)
    with app.app_context():
        result = import_cases(out.getvalue(), user=None, filename="desk.xlsx")
        db.session.commit()
    assert [s.day.isoformat() for s in result.serial_days] == ["2020-05-01"]
    assert _stored(app) == [("2020-05-01", "30s", [], None)]


def test_an_xlsx_of_the_1904_date_system_gives_its_serials_and_dates_their_own_days(
    app: Flask,
) -> None:
    """A workbook made by old Excel for Mac counts its days from 1904-01-01: its 43951 is
    2024-05-01, not the 1900 system's 2020-04-30; a date cell comes out right too."""
    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = Workbook()
    book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    assert sheet is not None
    sheet.append(list(HEADER))
    sheet.append([43951, "電話", "30代", "本人", "いいえ", "", ""])
    sheet.append([date(2024, 5, 2), "電話", "40代", "本人", "いいえ", "", ""])
    out = io.BytesIO()
    book.save(out)
    with app.app_context():
        result = import_cases(out.getvalue(), user=None, filename="mac.xlsx")
        db.session.commit()
    assert [(s.serial, s.day.isoformat()) for s in result.serial_days] == [(43951, "2024-05-01")]
    assert _stored(app) == [("2024-05-01", "30s", [], None), ("2024-05-02", "40s", [], None)]


def test_what_has_more_than_one_meaning_is_refused_saying_what_to_write(
    app: Flask, browser: Browser
) -> None:
    from forms.normalize import excel_serial

    first = excel_serial(tokyo.today() + timedelta(days=1))
    rows = (
        ("2020-05-01", "電話", "70歳以上", "本人", "いいえ", "", ""),
        ("2020-05-01", "電話", "20歳以下", "本人", "いいえ", "", ""),
        ("12345", "電話", "30代", "本人", "いいえ", "", ""),
        (str(first), "電話", "30代", "本人", "いいえ", "", ""),
        ("2020-05-01", "電話", "30代", "本人", "いいえ", "なし;自助グループ", ""),
        ("2020-05-01", "電話", "30代", "本人", "いいえ", "地域包括支援センター・区役所", ""),
        ("2020-05-01", "電話", "30代", "本人", "いいえ", "", "神奈川県千代田区"),
    )
    status, page = _import_page(browser("staff"), _csv(*rows))
    assert status == 422
    assert (
        "<li>2行目 相談対象者の年代: 「70歳以上」は70代、80代以上にまたがるため、"
        "年代を1つに決められません。どれか1つの年代（分からなければ「不明」）を書いてください。</li>"
        in page
    )
    assert "<li>3行目 相談対象者の年代: 「20歳以下」は20歳未満、20代にまたがるため" in page
    for line, serial in ((4, "12345"), (5, str(first))):
        assert (
            f"<li>{line}行目 受付日: 「{serial}」は日付として読めません。2020-05-01 や "
            "令和2年5月1日 のように書いてください（Excel で日付の列の表示形式が「数値」に"
            "なっていると、日付は 43952 のような数で保存されます。平成30年4月1日から今日までの"
            "日付を表す数は、その日付として読みます）。</li>" in page
        )
    assert (
        "<li>6行目 紹介した支援機関: 「なし」と支援機関が両方書かれています。"
        "紹介しなかったときは「なし」だけ、紹介したときは支援機関だけを書いてください。</li>"
        in page
    )
    assert (
        "<li>7行目 紹介した支援機関: 選択肢にない値です: 地域包括支援センター・区役所</li>" in page
    )
    assert "<li>8行目 居住区市町村: 選択肢にない値です: 神奈川県千代田区</li>" in page
    assert _stored(app) == []


def test_the_command_names_a_missing_column_as_the_page_does(
    app: Flask, runner: HubRunner, browser: Browser, tmp_path: Path
) -> None:
    data = _csv(("2020-05-01", "電話", "30代", "本人"), header=HEADER[:4])
    path = tmp_path / "short.csv"
    path.write_bytes(data)
    result = runner("consultations", "import", str(path))
    assert result.exit_code == 1
    assert "入力内容に誤りがあります。 列が足りません: crime_related（犯罪に関する相談か）" in (
        result.output
    )
    assert "file:" not in result.output
    status, page = _import_page(browser("staff"), data)
    assert status == 422
    assert "<li>列が足りません: crime_related（犯罪に関する相談か）</li>" in page


def test_the_prefecture_tells_apart_two_municipalities_of_one_name(app: Flask) -> None:
    add_hiroshima_fuchu(app)
    rows = (
        ("2020-05-01", "電話", "30代", "本人", "いいえ", "", "東京都府中市"),
        ("2020-05-02", "電話", "30代", "本人", "いいえ", "", "広島県府中市"),
    )
    with app.app_context():
        import_cases(_csv(*rows), user=None, filename="desk.csv")
        db.session.commit()
    assert [place for *_rest, place in _stored(app)] == ["132063", "342076"]
    with app.app_context(), pytest.raises(Invalid) as refused:
        import_cases(_csv((*rows[0][:6], "府中市")), user=None, filename="desk.csv")
    assert "2行目 居住区市町村" in refused.value.errors


def test_the_api_reads_the_desks_writing_as_the_import_does(
    app: Flask, api_as: Callable[..., Api]
) -> None:
    response = api_as("staff").post(
        "/consultations",
        {
            "received_on": "2020-05-01",
            "channel": "電話",
            "age_group": "80歳以上",
            "caller": "本人",
            "crime_related": "いいえ",
            "referred_to": "地域包括支援センター・区市町村窓口",
            "municipality": "東京都千代田区",
        },
    )
    assert response.status_code == 201, response.get_json()
    assert _stored(app) == [
        ("2020-05-01", "80_plus", ["community_support_center", "municipal_window"], "131016")
    ]
    refused = api_as("staff").post(
        "/consultations",
        {
            "received_on": "2020-05-01",
            "channel": "電話",
            "age_group": "60代以上",
            "caller": "本人",
            "referred_to": "なし",
        },
    )
    assert refused.status_code == 422
    assert "「60代以上」は60代、70代、80代以上にまたがるため" in str(refused.get_json())


def test_a_label_holding_a_middle_dot_is_never_split() -> None:
    from forms.consultation import referral_codes

    question = Question(
        id="agencies",
        kind=Kind.MANY_OF,
        label=Label("機関", "Agencies"),
        choices=(
            Choice("a", Label("保健所", "A")),
            Choice("b", Label("福祉事務所", "B")),
            Choice("ab", Label("保健所・福祉事務所", "AB")),
            Choice("c", Label("児童相談所", "C")),
        ),
    )
    assert referral_codes("保健所・福祉事務所", question) == ["保健所・福祉事務所"]
    assert referral_codes("保健所／児童相談所", question) == ["保健所", "児童相談所"]
    assert referral_codes("保健所・警察", question) == ["保健所・警察"]
    assert referral_codes(["なし"], question) == []


def test_every_age_group_but_unknown_has_its_ages_and_they_follow_one_another() -> None:
    """AGE_SPANS names the ages of the age group choices: a choice added or renamed without its
    ages would leave a desk's 「…歳代」 unread or read as the wrong group."""
    from forms.consultation import AGE_GROUP, AGE_SPANS

    assert list(AGE_SPANS) == [c for c in AGE_GROUP.codes if c != "unknown"]
    ends = list(AGE_SPANS.values())
    assert ends[0][0] == 0
    assert ends[-1][1] is None
    assert all(a[1] == b[0] for a, b in pairwise(ends)), "no gap, no overlap"
