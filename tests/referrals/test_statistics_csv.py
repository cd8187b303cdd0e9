"""The referral statistics page's CSV download, and the year the page shows.

The CSV holds what the Excel file holds for the same reader (one function decides both): the
heading and the audience row, then every table of the page under its title after a blank row —
＊ exactly where the page and the xlsx hide a count, shares as the page writes them. The year
picker offers every year with referrals and the current fiscal year (Tokyo's 1 April); a year the
page cannot show, or one without referrals, is said in words above the tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import select, update

from forms import tokyo
from forms.consultation import current_fiscal_year, fiscal_year_label
from hub.db import db
from hub.models import AuditEvent, Municipality, Referral
from tests.referrals.conftest import CHIYODA, HACHIOJI, Cast
from tests.referrals.test_statistics_download import DOWNLOAD, PAGE, _reader, _seed
from tests.statistics_files import (
    csv_downloaded,
    csv_rows,
    csv_tables,
    csv_titles,
    downloaded,
    file_cells,
    file_tables,
    only_sheet,
    page_cells,
    page_tables,
)
from tests.web.conftest import Web, page

CSV = "/referrals/statistics.csv"


@pytest.mark.parametrize("reader", ["staff", "window", "other_window", "respondent", "moj"])
def test_the_csv_holds_what_the_xlsx_holds_for_the_same_reader(
    app: Flask, cast: Cast, refer: Callable[..., int], reader: str
) -> None:
    _seed(cast, refer)
    year = current_fiscal_year()
    web = _reader(app, cast, reader)
    shown = web.get(f"{PAGE}?fiscal_year={year}")
    tables = page_tables(shown)
    (href,) = page(shown).xpath(
        f"//main//a[starts-with(@href, '{CSV}')][not(contains(@href, 'cp932'))]/@href"
    )
    assert href == f"{CSV}?fiscal_year={year}"
    response = csv_downloaded(web.get(href))
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="referral-statistics-{year}.csv"' in response.headers["Content-Disposition"]
    rows = csv_rows(response.data)
    sheet = only_sheet(downloaded(web.get(f"{DOWNLOAD}?fiscal_year={year}")).data)
    assert rows[0] == [sheet["A1"].value], "the same heading"
    assert rows[1][0].split("　作成: ")[0] == sheet["A2"].value.split("　作成: ")[0]
    assert csv_tables(rows, tables) == tables == file_tables(sheet, tables)
    assert csv_titles(rows) == [caption for caption, _, _ in tables], "no table the page lacks"
    cells = [cell for row in rows for cell in row]
    assert cells.count("＊") == file_cells(sheet).count("＊") == page_cells(tables).count("＊")
    if reader == "staff":
        assert "＊" not in cells
    else:
        assert "＊" in cells, "the seed leaves small cells for the others to hide"
        assert not {"1", "2"} & set(cells)


def test_the_csv_in_shift_jis_and_its_refusal(
    app: Flask, cast: Cast, refer: Callable[..., int]
) -> None:
    _seed(cast, refer)
    web = _reader(app, cast, "window")
    response = csv_downloaded(web.get(f"{CSV}?encoding=cp932"))
    assert response.headers["Content-Type"] == "text/csv; charset=shift_jis"
    assert not response.data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(response.data, "cp932")
    assert csv_tables(rows, page_tables(web.get(PAGE))) == page_tables(web.get(PAGE))
    with app.app_context():
        db.session.get_one(Municipality, HACHIOJI).name = "八王子市🌸"
        db.session.commit()
    refused = web.get(f"{CSV}?encoding=cp932")
    assert refused.status_code == 302
    shown = web.get(refused.headers["Location"]).get_data(as_text=True)
    assert "「🌸」（U+1F338）は Shift_JIS で書けない" in shown
    assert "🌸" in csv_rows(csv_downloaded(web.get(CSV)).data)[1][0], "UTF-8 holds it"


@pytest.mark.parametrize("reader", ["staff", "window", "probation"])
def test_the_shift_jis_csv_is_made_on_english_pages_too(
    app: Flask, cast: Cast, refer: Callable[..., int], reader: str
) -> None:
    """The English page's 「Download as CSV (Shift_JIS)」 gives the file: the hub's own English
    words (the audience row's dash, the note under a suppressed table) are all in Shift_JIS.
    Before, the row 「For Hachioji (suppressed) — made …」 (U+2014) and the note 「1–2」
    (U+2013) sent every English reader back to the page with 「cannot be written in Shift_JIS」."""
    _seed(cast, refer)
    web = _reader(app, cast, reader)
    web.get("/language/en")
    shown = web.get(PAGE)
    (href,) = page(shown).xpath("//main//a[contains(@href, 'encoding=cp932')]/@href")
    response = csv_downloaded(web.get(href))
    assert response.headers["Content-Type"] == "text/csv; charset=shift_jis"
    rows = csv_rows(response.data, "cp932")
    assert rows[1][0].startswith("For "), rows[1]
    assert " ― made " in rows[1][0], "the em dash as Shift_JIS holds it"
    assert rows[1][0].endswith("(Tokyo time)")
    tables = page_tables(shown)
    assert csv_tables(rows, tables) == tables
    if reader != "staff":
        notes = [row[0] for row in rows if row and row[0].startswith("※ ")]
        assert any("＊ marks a category" in note for note in notes), notes


def test_the_csv_is_audited_apart_from_the_xlsx(
    app: Flask, cast: Cast, refer: Callable[..., int]
) -> None:
    _seed(cast, refer)
    year = current_fiscal_year()
    csv_downloaded(_reader(app, cast, "other_window").get(CSV))
    downloaded(_reader(app, cast, "other_window").get(DOWNLOAD))
    csv_downloaded(_reader(app, cast, "moj").get(f"{CSV}?fiscal_year=2024"))
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.like("referral.statistics_download%"))
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.action, e.target, e.municipality_code) for e in events] == [
            ("referral.statistics_download_csv", f"fiscal_year/{year}", CHIYODA),
            ("referral.statistics_download", f"fiscal_year/{year}", CHIYODA),
            ("referral.statistics_download_csv", "fiscal_year/2024", None),
        ]
    staff = _reader(app, cast, "staff")
    assert "つなぎの統計のダウンロード（CSV）" in staff.get("/audit/").get_data(as_text=True)
    admin = _reader(app, cast, "admin")
    assert admin.get(CSV).status_code == 403


def test_a_formula_in_a_name_stays_text_in_the_csv(
    app: Flask, cast: Cast, refer: Callable[..., int]
) -> None:
    _seed(cast, refer)
    with app.app_context():
        db.session.get_one(Municipality, HACHIOJI).name = "=1+2"
        db.session.commit()
    rows = csv_rows(csv_downloaded(_reader(app, cast, "staff").get(CSV)).data)
    assert ["'=1+2", "6"] in rows


CONNECTED = "支援につながった割合（終了した件数に占める割合）"


def _connected_share(web: Web) -> str:
    """The share connected as the page, the xlsx and the CSV show it (the three agree)."""
    query = f"?fiscal_year={current_fiscal_year()}"
    tables = page_tables(web.get(PAGE + query))
    sheet = only_sheet(downloaded(web.get(DOWNLOAD + query)).data)
    rows = csv_rows(csv_downloaded(web.get(CSV + query)).data)
    seen = {
        row[1]
        for found in (tables, file_tables(sheet, tables), csv_tables(rows, tables))
        for row in found[0][2]
        if row[0] == CONNECTED
    }
    assert len(seen) == 1, seen
    (cell,) = [r[1] for r in sheet.iter_rows() if r[0].value == CONNECTED]
    if "%" in (text := seen.pop()):
        assert isinstance(cell.value, float), "a number in the xlsx"
        assert cell.number_format.endswith("%")
    return text


def _reopen(app: Flask, how_many: int | None = None) -> None:
    """Closed referrals back to accepted (``None``: all of them)."""
    with app.app_context():
        closed = db.session.scalars(
            select(Referral.id).where(Referral.status == "closed").order_by(Referral.id)
        ).all()
        chosen = closed if how_many is None else closed[:how_many]
        db.session.execute(
            update(Referral).where(Referral.id.in_(chosen)).values(status="accepted")
        )
        db.session.commit()


def test_the_share_connected_agrees_in_the_page_the_xlsx_and_the_csv(
    app: Flask, cast: Cast, refer: Callable[..., int]
) -> None:
    """Shown (100.0%), hidden where its counts are (＊), and a share of nothing (-)."""
    _seed(cast, refer)
    staff, window = _reader(app, cast, "staff"), _reader(app, cast, "other_window")
    assert (_connected_share(staff), _connected_share(window)) == ("100.0%", "100.0%")
    _reopen(app, 2)  # one closed, connected: a count of 1
    assert (_connected_share(staff), _connected_share(window)) == ("100.0%", "＊")
    _reopen(app)
    assert (_connected_share(staff), _connected_share(window)) == ("-", "-"), "none closed"


def test_every_year_with_referrals_and_the_current_one_is_offered(
    app: Flask, cast: Cast, refer: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On 1 April at 0:30 in Tokyo (still 31 March in UTC) the new fiscal year is offered;
    a year before the page's first that has referrals (moved there) is offered and shown."""
    _seed(cast, refer)
    with app.app_context():
        first_two = db.session.scalars(select(Referral.id).order_by(Referral.id).limit(2)).all()
        db.session.execute(
            update(Referral).where(Referral.id.in_(first_two)).values(fiscal_year=2023)
        )
        db.session.commit()
    first_of_april = datetime(2031, 4, 1, 0, 30, tzinfo=tokyo.TOKYO)
    monkeypatch.setattr(tokyo, "now", lambda: first_of_april)
    web = _reader(app, cast, "staff")
    shown = page(web.get(PAGE))
    offered = shown.xpath("//select[@name='fiscal_year']/option/@value")
    assert offered[0] == "2031", "the fiscal year that began today in Tokyo"
    assert "2023" in offered, "a year with referrals"
    assert set(map(str, range(2024, 2032))) <= set(offered)
    chosen = page(web.get(f"{PAGE}?fiscal_year=2023"))
    assert chosen.xpath("string(//select/option[@selected]/@value)") == "2023"
    assert not chosen.xpath("//*[@data-year-notice]"), "a year with referrals needs no word"


@pytest.mark.parametrize("reader", ["staff", "window", "respondent", "moj"])
def test_a_year_without_referrals_or_one_that_cannot_be_shown_is_said(
    app: Flask, cast: Cast, refer: Callable[..., int], reader: str
) -> None:
    _seed(cast, refer)
    web = _reader(app, cast, reader)
    empty = web.get(f"{PAGE}?fiscal_year=2024")
    assert empty.status_code == 200
    notices = [
        " ".join(n.text_content().split()) for n in page(empty).xpath("//*[@data-year-notice]")
    ]
    assert notices == ["令和6年度のつなぎはありません。"]
    this_year = fiscal_year_label(current_fiscal_year(), "ja")
    for asked in ("1999", "3000", "令和6年度", "<b>x</b>"):
        shown = web.get(PAGE, query_string={"fiscal_year": asked})
        assert shown.status_code == 200
        (notice,) = page(shown).xpath("//*[@data-year-notice]")
        text = " ".join(notice.text_content().split())
        assert text == (
            f"指定された年度「{asked}」は表示できないため、{this_year}を表示しています。"
            "年度は一覧から選んでください。"
        )
        assert "<b>" not in shown.get_data(as_text=True)
    assert not page(web.get(PAGE)).xpath("//*[@data-year-notice]"), "the year with referrals"
