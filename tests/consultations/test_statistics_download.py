"""The statistics page's Excel download, as each reader gets it: the same tables as the page they
read (＊ where the page hides a count, shares as the page shows them), titled with the fiscal
year in 和暦 and whom it was made for, audited, never kept by a cache; a respondent's file holds
their own residents' block only."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from werkzeug.test import TestResponse

from hub.db import db
from hub.models import AuditEvent, Municipality
from hub.services.consultations import record_case
from tests import libreoffice

Browser = Callable[..., FlaskClient]
CHIYODA = "131016"
CHUO = "131024"
HACHIOJI = "132012"
DOWNLOAD = "/consultations/statistics.xlsx"

PageTable = tuple[str, list[str], list[list[str]]]


def _case(day: str, age: str, home: str | None, *, crime: str = "", to: tuple = ()) -> dict:
    answers: dict[str, Any] = {
        "received_on": day,
        "channel": "phone",
        "age_group": age,
        "caller": "self",
        "municipality": home,
        "referred_to": list(to),
    }
    if crime:
        answers.update(crime_related="yes", crime_type=crime)
    return answers


def _seed(app: Flask) -> None:
    """令和2年度 with cells of one and two among larger ones (regional and for 千代田区's and 中央区's
    residents), and a few cases in 令和元年度 for the three-year rows."""
    cases = [
        *[_case("2020-06-01", "40s", HACHIOJI, crime="shoplifting", to=("municipal_window",))] * 7,
        *[_case("2020-06-02", "50s", None, crime="theft", to=("community_support_center",))] * 6,
        *[_case("2020-06-03", "60s", "131130")] * 5,
        _case("2020-07-01", "20s", CHIYODA, crime="drugs", to=("municipal_window",)),
        _case("2020-07-02", "30s", CHIYODA),
        _case("2020-07-02", "30s", CHIYODA, to=("other",)),
        *[_case("2020-07-03", "70s", CHIYODA, crime="fraud")] * 3,
        *[_case("2020-07-04", "80_plus", CHUO, to=("community_support_center",))] * 4,
        _case("2020-07-05", "under_20", CHUO),
        *[_case("2019-05-01", "40s", HACHIOJI, crime="shoplifting")] * 4,
    ]
    with app.app_context():
        for answers in cases:
            record_case(answers, user=None)
        db.session.commit()


def _cell_text(cell: Any) -> str:
    """A cell as the page shows it; its dash for a share of nothing as empty: the file leaves
    such a share's cell empty, as the workbook's 相談窓口 sheet does."""
    if "suppressed" in (cell.get("class") or ""):
        return "＊"
    text = " ".join(cell.text_content().split())
    return "" if text == "-" else text


def _page_tables(response: TestResponse) -> list[PageTable]:
    """``(caption, headers, rows)`` of every table of the page, in order, as a person reads them."""
    doc = lxml.html.fromstring(response.get_data(as_text=True))
    found = []
    for table in doc.xpath("//main//table[@data-table]"):
        caption = " ".join(table.xpath("string(caption)").split())
        headers = [_cell_text(th) for th in table.xpath("thead/tr/th")]
        rows = [[_cell_text(c) for c in tr.xpath("th|td")] for tr in table.xpath("tbody/tr")]
        found.append((caption, headers, rows))
    return found


def _shown(cell: Any) -> str:
    """A cell as Excel shows it: a share formatted ``0.0%`` as 39.7%; a dash (the three years'
    share of nothing) as empty, like the page's (:func:`_cell_text`)."""
    value = cell.value
    if value is None or value == "-":
        return ""
    if isinstance(value, float) and cell.number_format.endswith("%"):
        return f"{value * 100:.1f}%"
    return str(value)


def _sheet(data: bytes) -> Any:
    book = load_workbook(io.BytesIO(data))
    assert len(book.worksheets) == 1
    return book.worksheets[0]


def _file_tables(sheet: Any, page: list[PageTable]) -> list[PageTable]:
    """The file's tables at the page's captions, read as wide as the page's headers."""
    rows = list(sheet.iter_rows())
    firsts = [row[0].value for row in rows]
    found = []
    start = 0
    for caption, headers, body in page:
        at = firsts.index(caption, start)
        width = len(headers)
        file_headers = [_shown(c) for c in rows[at + 1][:width]]
        file_rows = [[_shown(c) for c in r[:width]] for r in rows[at + 2 : at + 2 + len(body)]]
        after = rows[at + 2 + len(body)][0].value if at + 2 + len(body) < len(rows) else None
        assert after is None or str(after).startswith("※"), (caption, after)
        assert all(c.value is None for c in rows[at + 1][width:]), caption
        found.append((caption, file_headers, file_rows))
        start = at + 1
    return found


def _titles(sheet: Any) -> list[str]:
    """Every table title of the file: below the two heading rows, a row with text in its first
    cell alone that is not a note (※) and has a header row (two cells or more) under it."""
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    return [
        row[0]
        for i, row in enumerate(rows[2:-1], start=2)
        if isinstance(row[0], str)
        and not row[0].startswith("※")
        and all(v is None for v in row[1:])
        and sum(v is not None for v in rows[i + 1]) >= 2
    ]


def _download(client: FlaskClient, query: str = "?fiscal_year=2020") -> TestResponse:
    response = client.get(DOWNLOAD + query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return response


@pytest.mark.parametrize(
    ("role", "extra", "audience"),
    [
        ("respondent", {"municipality": CHIYODA}, "千代田区向け（秘匿処理済み）"),
        ("counterpart", {"recipient": "moj"}, "国の関係機関向け（秘匿処理済み）"),
        ("staff", {}, "都職員用（秘匿処理なし"),
    ],
)
def test_the_file_holds_the_pages_tables_for_the_same_reader(
    app: Flask, browser: Browser, role: str, extra: dict[str, str], audience: str
) -> None:
    _seed(app)
    reader = browser(role, **extra)
    shown = reader.get("/consultations/statistics?fiscal_year=2020")
    page = _page_tables(shown)
    link = lxml.html.fromstring(shown.get_data(as_text=True)).xpath(
        f"//main//a[starts-with(@href, '{DOWNLOAD}')]"
    )
    assert [a.text_content() for a in link] == ["この年度の統計をExcelでダウンロード"]
    assert link[0].get("href") == f"{DOWNLOAD}?fiscal_year=2020"

    sheet = _sheet(_download(reader, "?fiscal_year=2020").data)
    assert sheet["A1"].value.startswith("令和2年度 犯罪お悩みなんでも相談の実績")
    assert sheet["A2"].value.startswith(audience)
    assert _file_tables(sheet, page) == page
    assert _titles(sheet) == [caption for caption, _, _ in page], "no table the page lacks"
    cells = [c.value for row in sheet.iter_rows() for c in row]
    page_cells = [cell for _, _, rows in page for row in rows for cell in row]
    if role == "staff":
        assert "＊" not in cells
        assert "＊" not in page_cells
        assert any("居住区市町村別" in t for t in _titles(sheet))
    else:
        assert "＊" in page_cells, "the seed leaves small cells for the others to hide"
        assert cells.count("＊") == page_cells.count("＊")
        assert not {1, 2} & {v for v in cells if isinstance(v, int)}
        assert not any("居住区市町村別" in t for t in _titles(sheet))
    own = [t for t in _titles(sheet) if "に住む方からの相談" in t]
    assert own == (["令和2年度 千代田区に住む方からの相談"] if role == "respondent" else [])


def test_another_municipalitys_respondent_gets_their_own_file(app: Flask, browser: Browser) -> None:
    _seed(app)
    chiyoda = _sheet(_download(browser("respondent", municipality=CHIYODA)).data)
    chuo_reader = browser("respondent", municipality=CHUO)
    asked_for_chiyoda = f"?fiscal_year=2020&municipality={CHIYODA}&municipality_code={CHIYODA}"
    chuo = _sheet(_download(chuo_reader, asked_for_chiyoda).data)
    assert [t for t in _titles(chuo) if "に住む方" in t] == ["令和2年度 中央区に住む方からの相談"]
    assert "中央区向け" in chuo["A2"].value
    assert not any("千代田区" in str(c.value) for row in chuo.iter_rows() for c in row)
    page = _page_tables(chuo_reader.get("/consultations/statistics?fiscal_year=2020"))
    assert _file_tables(chuo, page) == page
    regional = page[: next(i for i, t in enumerate(page) if "に住む方" in t[0])]
    assert len(regional) == 6, "five tables of the year and the three years"
    assert _file_tables(chiyoda, regional) == regional, "the regional tables are everyone's"


def test_roles_without_the_page_get_no_file(app: Flask, browser: Browser) -> None:
    _seed(app)
    for role, extra in (("window", {"municipality": CHIYODA}), ("admin", {})):
        client = browser(role, **extra)
        assert client.get("/consultations/statistics").status_code == 403
        assert client.get(DOWNLOAD + "?fiscal_year=2020").status_code == 403, role
    anonymous = app.test_client().get(DOWNLOAD)
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]


def test_the_download_is_audited_without_a_count(app: Flask, browser: Browser) -> None:
    _seed(app)
    _download(browser("respondent", municipality=CHIYODA))
    _download(browser("counterpart", recipient="moj"), "?fiscal_year=2019")
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "consultation.statistics_download")
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.target, e.municipality_code) for e in events] == [
            ("fiscal_year/2020", CHIYODA),
            ("fiscal_year/2019", None),
        ]
        assert [e.details for e in events] == [{"fiscal_year": 2020}, {"fiscal_year": 2019}]
    log = browser("staff").get("/audit/").get_data(as_text=True)
    assert "相談窓口の統計のダウンロード" in log


def test_reiwa_gannen_in_the_title_and_an_unreadable_year_as_the_page_reads_it(
    app: Flask, browser: Browser
) -> None:
    _seed(app)
    moj = browser("counterpart", recipient="moj")
    sheet = _sheet(_download(moj, "?fiscal_year=2019").data)
    assert sheet["A1"].value.startswith("令和元年度 犯罪お悩みなんでも相談の実績")
    for unreadable in ("２０１９", "令和元年度", "=1+2", "9" * 40):
        query = f"?fiscal_year={unreadable}"
        heading = lxml.html.fromstring(
            moj.get(f"/consultations/statistics{query}").get_data(as_text=True)
        ).xpath("string(//h1)")
        assert heading.startswith("令和2年度"), "the page shows the latest year with cases"
        assert _sheet(_download(moj, query).data)["A1"].value.startswith(heading), unreadable
    response = _download(browser("staff"), "?fiscal_year=2019")
    assert (
        "%E4%BB%A4%E5%92%8C%E5%85%83%E5%B9%B4%E5%BA%A6.xlsx"
        in (response.headers["Content-Disposition"])
    ), "令和元年度 in the file's name"


def test_a_municipality_name_that_looks_like_a_formula_stays_text(
    app: Flask, browser: Browser
) -> None:
    _seed(app)
    with app.app_context():
        db.session.get(Municipality, HACHIOJI).name = '=HYPERLINK("http://x","1")+1'
        db.session.commit()
    data = _download(browser("staff")).data
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        assert not any(b"<f>" in package.read(n) for n in sheets), "no formula in the file"
    values = [c.value for row in _sheet(data).iter_rows() for c in row]
    assert '=HYPERLINK("http://x","1")+1' in values


def test_the_file_in_english(app: Flask, browser: Browser) -> None:
    _seed(app)
    reader = browser("respondent", municipality=CHIYODA)
    reader.get("/language/en")
    shown = reader.get("/consultations/statistics?fiscal_year=2020")
    assert "Download this year's statistics (Excel)" in shown.get_data(as_text=True)
    response = _download(reader)
    sheet = _sheet(response.data)
    assert sheet["A1"].value.startswith("FY2020: consultation desk figures")
    assert sheet["A2"].value.startswith("For Chiyoda")
    page = _page_tables(shown)
    assert _file_tables(sheet, page) == page
    assert "consultation-desk-figures_FY2020.xlsx" in response.headers["Content-Disposition"]


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.SOFFICE is None, reason=libreoffice.MISSING)
def test_libreoffice_opens_the_file(app: Flask, browser: Browser, tmp_path: Path) -> None:
    _seed(app)
    with app.app_context():
        db.session.get(Municipality, HACHIOJI).name = "+1+2"
        db.session.commit()
    for role, extra in (("respondent", {"municipality": CHIYODA}), ("staff", {})):
        source = tmp_path / f"{role}.xlsx"
        source.write_bytes(_download(browser(role, **extra)).data)
        done = libreoffice.convert(source, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path)
        assert done.returncode == 0, done.stderr
        text = (tmp_path / f"{role}.csv").read_text(encoding="utf-8")
        assert "令和2年度 犯罪お悩みなんでも相談の実績" in text
        if role == "respondent":
            assert "＊" in text
            assert "令和2年度 千代田区に住む方からの相談" in text
        else:
            assert "+1+2" in text, "the name as typed, not its sum"
            assert ",3," not in text.split("+1+2", 1)[1].split("\n", 1)[0]
