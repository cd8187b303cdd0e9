"""The referral statistics page's Excel download, as each reader gets it: the same tables as the
page they read (＊ where the page hides a count — a window's own municipality too, when its page
hides it), titled with the fiscal year and whom it was made for (staff's exact counts marked as
not for sharing), audited, never kept by a cache; other roles are refused as on the page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from forms.consultation import current_fiscal_year, fiscal_year_label
from hub.db import db
from hub.models import AuditEvent, Municipality
from tests import libreoffice
from tests.referrals.conftest import CHIYODA, HACHIOJI, NAME, PHONE, Cast
from tests.statistics_files import (
    PageTable,
    csv_rows,
    downloaded,
    file_cells,
    file_tables,
    has_formula,
    hidden_cells,
    only_sheet,
    page_cells,
    page_tables,
    titles,
)
from tests.web.conftest import Web, page

CHUO = "131024"
PAGE = "/referrals/statistics"
DOWNLOAD = "/referrals/statistics.xlsx"
LINK = "この年度の統計をExcelでダウンロード"


def _seed(cast: Cast, refer: Callable[..., int]) -> None:
    """This fiscal year: 八王子市 6 (3 closed as connected), 中央区 2, 千代田区 1 — cells of one and
    two among larger ones, for everyone but staff to hide."""
    hachioji = [refer() for _ in range(6)]
    refer(municipality=CHUO, needs=["housing"])
    refer(municipality=CHUO, needs=["housing", "employment"])
    refer(municipality=CHIYODA, needs=["employment"])
    for referral_id in hachioji[:3]:
        assert cast.window.post(f"/referrals/{referral_id}/accept").status_code == 200
        closed = cast.window.post(f"/referrals/{referral_id}/close", {"outcome": "connected"})
        assert closed.status_code == 200, closed.get_json()


def _reader(app: Flask, cast: Cast, name: str) -> Web:
    web = Web(app)
    assert web.login(cast.emails[name]).status_code == 302
    return web


def _rows_of(page_: list[PageTable], caption_part: str) -> dict[str, str]:
    """A two-column table of the page (or file) as ``{label: count}``."""
    (rows,) = [rows for caption, _, rows in page_ if caption_part in caption]
    assert all(len(row) == 2 for row in rows)
    return {row[0]: row[1] for row in rows}


READERS = [
    ("staff", "都職員用（秘匿処理なし・外部に共有しないでください）"),
    ("window", "八王子市向け（秘匿処理済み）"),
    ("other_window", "千代田区向け（秘匿処理済み）"),
    ("respondent", "八王子市向け（秘匿処理済み）"),
    ("probation", "国の関係機関向け（秘匿処理済み）"),
    ("moj", "国の関係機関向け（秘匿処理済み）"),
]


@pytest.mark.parametrize(("reader", "audience"), READERS)
def test_the_file_holds_the_pages_tables_for_the_same_reader(
    app: Flask, cast: Cast, refer: Callable[..., int], reader: str, audience: str
) -> None:
    _seed(cast, refer)
    year = current_fiscal_year()
    web = _reader(app, cast, reader)
    shown = web.get(f"{PAGE}?fiscal_year={year}")
    assert shown.status_code == 200
    tables = page_tables(shown)
    assert len(tables) == 4
    link = page(shown).xpath(f"//main//a[starts-with(@href, '{DOWNLOAD}')]")
    assert [a.text_content() for a in link] == [LINK]
    assert link[0].get("href") == f"{DOWNLOAD}?fiscal_year={year}"

    response = downloaded(web.get(link[0].get("href")))
    sheet = only_sheet(response.data)
    assert sheet["A1"].value == f"{fiscal_year_label(year, 'ja')} つなぎの実績　つなぎの統計"
    assert sheet["A2"].value.startswith(audience + "　作成: ")
    assert sheet["A2"].value.endswith("（日本時間）")
    assert file_tables(sheet, tables) == tables
    assert titles(sheet) == [caption for caption, _, _ in tables], "no table the page lacks"
    cells, shown_cells = file_cells(sheet), page_cells(tables)
    by_municipality = _rows_of(file_tables(sheet, tables), "つなぎ先の区市町村")
    if reader == "staff":
        assert "＊" not in cells
        assert "＊" not in shown_cells
        assert by_municipality == {"八王子市": "6", "中央区": "2", "千代田区": "1"}
    else:
        assert "＊" in shown_cells, "the seed leaves small cells for the others to hide"
        assert cells.count("＊") == shown_cells.count("＊")
        assert not {1, 2} & {v for v in cells if isinstance(v, int)}
        # 千代田区's window knows its one referral; its file still shows it as its page does
        assert by_municipality["千代田区"] == "＊"
        assert by_municipality["中央区"] == "＊"
    assert not any(NAME in str(c) or PHONE in str(c) for c in cells), "counts only"


def test_a_year_without_referrals_and_an_unreadable_year_as_the_page_reads_them(
    app: Flask, cast: Cast, refer: Callable[..., int]
) -> None:
    _seed(cast, refer)
    window = _reader(app, cast, "other_window")
    empty = page_tables(window.get(f"{PAGE}?fiscal_year=2024"))
    sheet = only_sheet(downloaded(window.get(f"{DOWNLOAD}?fiscal_year=2024")).data)
    assert sheet["A1"].value == "令和6年度 つなぎの実績　つなぎの統計"
    assert file_tables(sheet, empty) == empty
    assert _rows_of(empty, "つなぎ先の区市町村") == {"（つなぎはありません）": "0"}
    this_year = fiscal_year_label(current_fiscal_year(), "ja")
    for unreadable in ("２０２４", "令和6年度", "=1+2", "9" * 40):
        query = f"?fiscal_year={unreadable}"
        chosen = page(window.get(PAGE + query)).xpath("string(//select/option[@selected])")
        assert chosen == this_year, "the page shows the latest year with referrals"
        file = only_sheet(downloaded(window.get(DOWNLOAD + query)).data)
        assert file["A1"].value == f"{chosen} つなぎの実績　つなぎの統計", unreadable
    disposition = _reader(app, cast, "staff").get(f"{DOWNLOAD}?fiscal_year=2024").headers
    assert "_%E4%BB%A4%E5%92%8C6%E5%B9%B4%E5%BA%A6.xlsx" in disposition["Content-Disposition"], (
        "令和6年度 in the file's name"
    )
    assert 'filename="referral-statistics-2024.xlsx"' in disposition["Content-Disposition"]


def test_roles_without_the_page_get_no_file(app: Flask, cast: Cast) -> None:
    admin = _reader(app, cast, "admin")
    assert admin.get(PAGE).status_code == 403
    assert admin.get(DOWNLOAD).status_code == 403
    anonymous = app.test_client().get(DOWNLOAD)
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]


def test_the_download_is_audited_without_a_count(
    app: Flask, cast: Cast, refer: Callable[..., int]
) -> None:
    _seed(cast, refer)
    year = current_fiscal_year()
    downloaded(_reader(app, cast, "other_window").get(DOWNLOAD))
    downloaded(_reader(app, cast, "moj").get(f"{DOWNLOAD}?fiscal_year=2024"))
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "referral.statistics_download")
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.target, e.municipality_code, e.details) for e in events] == [
            (f"fiscal_year/{year}", CHIYODA, {"fiscal_year": year}),
            ("fiscal_year/2024", None, {"fiscal_year": 2024}),
        ]
    staff = _reader(app, cast, "staff")
    log = page(staff.get("/audit/?action=referral.statistics_download"))
    assert "つなぎの統計のダウンロード" in log.text_content()
    staff.get("/language/en")
    assert "Referral statistics downloaded" in staff.get("/audit/").get_data(as_text=True)


def test_a_municipality_name_that_looks_like_a_formula_stays_text(
    app: Flask, cast: Cast, refer: Callable[..., int]
) -> None:
    _seed(cast, refer)
    typed = '=HYPERLINK("http://x","1")+1'
    with app.app_context():
        db.session.get_one(Municipality, HACHIOJI).name = typed
        db.session.commit()
    for reader in ("staff", "other_window"):
        web = _reader(app, cast, reader)
        tables = page_tables(web.get(PAGE))
        data = downloaded(web.get(DOWNLOAD)).data
        assert not has_formula(data), "no formula in the file"
        sheet = only_sheet(data)
        assert typed in file_cells(sheet)
        assert file_tables(sheet, tables) == tables


def test_the_file_in_english(app: Flask, cast: Cast, refer: Callable[..., int]) -> None:
    _seed(cast, refer)
    year = current_fiscal_year()
    web = _reader(app, cast, "window")
    web.get("/language/en")
    shown = web.get(PAGE)
    assert "Download this year's statistics (Excel)" in shown.get_data(as_text=True)
    response = downloaded(web.get(DOWNLOAD))
    sheet = only_sheet(response.data)
    assert sheet["A1"].value == f"FY{year}: referral figures　Referral statistics"
    assert sheet["A2"].value.startswith("For Hachioji (suppressed) — made ")
    tables = page_tables(shown)
    assert file_tables(sheet, tables) == tables
    assert any("municipalities referred to" in t for t in titles(sheet))
    assert f"referral-figures_FY{year}.xlsx" in response.headers["Content-Disposition"]


def test_the_page_and_its_link_read_the_year_shown(
    app: Flask, cast: Cast, refer: Callable[..., int]
) -> None:
    """The link carries the year the page shows, also when the page chose it itself."""
    _seed(cast, refer)
    web = _reader(app, cast, "staff")
    (href,) = page(web.get(PAGE)).xpath(f"//main//a[starts-with(@href, '{DOWNLOAD}')]/@href")
    assert href == f"{DOWNLOAD}?fiscal_year={current_fiscal_year()}"


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.SOFFICE is None, reason=libreoffice.MISSING)
def test_libreoffice_opens_the_file(
    app: Flask, cast: Cast, refer: Callable[..., int], tmp_path: Path
) -> None:
    _seed(cast, refer)
    with app.app_context():
        db.session.get_one(Municipality, HACHIOJI).name = "+1+2"
        db.session.commit()
    readers = ("other_window", "staff")
    for reader in readers:
        source = tmp_path / f"{reader}.xlsx"
        source.write_bytes(downloaded(_reader(app, cast, reader).get(DOWNLOAD)).data)
    sources = [tmp_path / f"{reader}.xlsx" for reader in readers]
    done = libreoffice.convert(sources, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path)
    assert done.returncode == 0, done.stderr
    for reader in readers:
        text = (tmp_path / f"{reader}.csv").read_text(encoding="utf-8")
        assert "つなぎの実績" in text
        assert "+1+2" in text, "the name as typed, not its sum"
        assert ",3," not in text.split("+1+2", 1)[1].split("\n", 1)[0]
        hidden = hidden_cells(csv_rows(text.encode(), encoding="utf-8"))
        assert (hidden > 0) == (reader != "staff"), hidden
