"""The statistics page's Excel download, as each reader gets it: the same tables as the page they
read (＊ where the page hides a count, shares as the page shows them), titled with the fiscal
year in 和暦 and whom it was made for, audited, never kept by a cache; a respondent's file holds
their own residents' block only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from hub.db import db
from hub.models import AuditEvent, Municipality
from hub.services.consultations import record_case
from tests import libreoffice
from tests.statistics_files import (
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

Browser = Callable[..., FlaskClient]
CHIYODA = "131016"
CHUO = "131024"
HACHIOJI = "132012"
DOWNLOAD = "/consultations/statistics.xlsx"


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


def _download(client: FlaskClient, query: str = "?fiscal_year=2020") -> TestResponse:
    return downloaded(client.get(DOWNLOAD + query))


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
    page = page_tables(shown)
    link = lxml.html.fromstring(shown.get_data(as_text=True)).xpath(
        f"//main//a[starts-with(@href, '{DOWNLOAD}')]"
    )
    assert [a.text_content() for a in link] == ["この年度の統計をExcelでダウンロード"]
    assert link[0].get("href") == f"{DOWNLOAD}?fiscal_year=2020"

    sheet = only_sheet(_download(reader, "?fiscal_year=2020").data)
    assert sheet["A1"].value.startswith("令和2年度 犯罪お悩みなんでも相談の実績")
    assert sheet["A2"].value.startswith(audience)
    assert file_tables(sheet, page) == page
    assert titles(sheet) == [caption for caption, _, _ in page], "no table the page lacks"
    cells = file_cells(sheet)
    shown_cells = page_cells(page)
    if role == "staff":
        assert "＊" not in cells
        assert "＊" not in shown_cells
        assert any("居住区市町村別" in t for t in titles(sheet))
    else:
        assert "＊" in shown_cells, "the seed leaves small cells for the others to hide"
        assert cells.count("＊") == shown_cells.count("＊")
        assert not {1, 2} & {v for v in cells if isinstance(v, int)}
        assert not any("居住区市町村別" in t for t in titles(sheet))
    own = [t for t in titles(sheet) if "に住む方からの相談" in t]
    assert own == (["令和2年度 千代田区に住む方からの相談"] if role == "respondent" else [])


def test_another_municipalitys_respondent_gets_their_own_file(app: Flask, browser: Browser) -> None:
    _seed(app)
    chiyoda = only_sheet(_download(browser("respondent", municipality=CHIYODA)).data)
    chuo_reader = browser("respondent", municipality=CHUO)
    asked_for_chiyoda = f"?fiscal_year=2020&municipality={CHIYODA}&municipality_code={CHIYODA}"
    chuo = only_sheet(_download(chuo_reader, asked_for_chiyoda).data)
    assert [t for t in titles(chuo) if "に住む方" in t] == ["令和2年度 中央区に住む方からの相談"]
    assert "中央区向け" in chuo["A2"].value
    assert not any("千代田区" in str(c.value) for row in chuo.iter_rows() for c in row)
    page = page_tables(chuo_reader.get("/consultations/statistics?fiscal_year=2020"))
    assert file_tables(chuo, page) == page
    regional = page[: next(i for i, t in enumerate(page) if "に住む方" in t[0])]
    assert len(regional) == 6, "five tables of the year and the three years"
    assert file_tables(chiyoda, regional) == regional, "the regional tables are everyone's"


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
    sheet = only_sheet(_download(moj, "?fiscal_year=2019").data)
    assert sheet["A1"].value.startswith("令和元年度 犯罪お悩みなんでも相談の実績")
    for unreadable in ("２０１９", "令和元年度", "=1+2", "9" * 40):
        query = f"?fiscal_year={unreadable}"
        heading = lxml.html.fromstring(
            moj.get(f"/consultations/statistics{query}").get_data(as_text=True)
        ).xpath("string(//h1)")
        assert heading.startswith("令和2年度"), "the page shows the latest year with cases"
        assert only_sheet(_download(moj, query).data)["A1"].value.startswith(heading), unreadable
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
    assert not has_formula(data), "no formula in the file"
    assert '=HYPERLINK("http://x","1")+1' in file_cells(only_sheet(data))


def test_the_file_in_english(app: Flask, browser: Browser) -> None:
    _seed(app)
    reader = browser("respondent", municipality=CHIYODA)
    reader.get("/language/en")
    shown = reader.get("/consultations/statistics?fiscal_year=2020")
    assert "Download this year's statistics (Excel)" in shown.get_data(as_text=True)
    response = _download(reader)
    sheet = only_sheet(response.data)
    assert sheet["A1"].value.startswith("FY2020: consultation desk figures")
    assert sheet["A2"].value.startswith("For Chiyoda")
    page = page_tables(shown)
    assert file_tables(sheet, page) == page
    assert "consultation-desk-figures_FY2020.xlsx" in response.headers["Content-Disposition"]


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.SOFFICE is None, reason=libreoffice.MISSING)
def test_libreoffice_opens_the_file(app: Flask, browser: Browser, tmp_path: Path) -> None:
    _seed(app)
    with app.app_context():
        db.session.get(Municipality, HACHIOJI).name = "+1+2"
        db.session.commit()
    roles = {"respondent": {"municipality": CHIYODA}, "staff": {}}
    for role, extra in roles.items():
        source = tmp_path / f"{role}.xlsx"
        source.write_bytes(_download(browser(role, **extra)).data)
    sources = [tmp_path / f"{role}.xlsx" for role in roles]
    done = libreoffice.convert(sources, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path)
    assert done.returncode == 0, done.stderr
    for role in roles:
        text = (tmp_path / f"{role}.csv").read_text(encoding="utf-8")
        assert "令和2年度 犯罪お悩みなんでも相談の実績" in text
        if role == "respondent":
            assert hidden_cells(csv_rows(text.encode(), encoding="utf-8")) > 0
            assert "令和2年度 千代田区に住む方からの相談" in text
        else:
            assert "+1+2" in text, "the name as typed, not its sum"
            assert ",3," not in text.split("+1+2", 1)[1].split("\n", 1)[0]
