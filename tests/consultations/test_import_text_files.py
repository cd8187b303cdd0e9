"""A case list saved by Excel as 「テキスト（タブ区切り）」 (a .txt in Shift_JIS) or 「Unicode
テキスト」 (a .txt in UTF-16 LE with its BOM) is taken by the page and the command as a CSV is; the
page's file picker offers .txt. The content decides, never the name: a PDF or a workbook renamed
.txt is refused saying how to save the list."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import html

from tests.conftest import HubRunner, csrf_of
from tests.consultations.test_import_desk_writing import DESK_ROWS, HEADER, STORED

Browser = Callable[..., FlaskClient]

PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 256 >>\nstream\n"
    + bytes(range(256))
    + b"\nendstream\nendobj\n%%EOF\n"
)
"""A PDF renamed .txt: binary, as its streams are."""

OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000
"""An .xls (Excel 97-2003) renamed .txt."""


def tab_text(encoding: str) -> bytes:
    """:data:`DESK_ROWS` as Excel saves them as text: tab-separated, CRLF, a cell on two lines
    quoted; 「テキスト（タブ区切り）」 in Shift_JIS, 「Unicode テキスト」 in UTF-16 LE with its BOM."""
    rows = list(DESK_ROWS)
    rows[3] = (*rows[3][:5], "地域包括支援センター\n区市町村窓口", "")
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows([HEADER, *rows])
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + out.getvalue().encode("utf-16-le")
    return out.getvalue().encode(encoding)


def _stored(app: Flask) -> list[tuple[str, str, list[str], str | None]]:
    from sqlalchemy import select

    from hub.db import db
    from hub.models import Consultation

    with app.app_context():
        cases = db.session.scalars(select(Consultation).order_by(Consultation.received_on))
        return [
            (c.received_on.isoformat(), c.age_group, sorted(c.referred_to), c.municipality_code)
            for c in cases
        ]


def _expected() -> list[tuple[str, str, list[str], str | None]]:
    return [(day, age, sorted(codes), place) for day, age, codes, place in STORED]


def _post(client: FlaskClient, data: bytes, name: str) -> tuple[int, str]:
    token = csrf_of(client.get("/consultations/import").get_data(as_text=True))
    response = client.post(
        "/consultations/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name, "text/plain")},
        content_type="multipart/form-data",
    )
    if response.status_code == 302:
        return 302, client.get(response.headers["Location"]).get_data(as_text=True)
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("encoding", ["cp932", "utf-16"], ids=["shift_jis", "unicode"])
def test_the_page_offers_and_reads_a_tab_separated_text_file(
    app: Flask, browser: Browser, encoding: str
) -> None:
    staff = browser("staff")
    form = html.fromstring(staff.get("/consultations/import").get_data(as_text=True))
    assert ".txt" in form.xpath("//input[@type='file']/@accept")[0].split(",")
    assert "タブ区切りのテキスト" in form.text_content()
    status, page = _post(staff, tab_text(encoding), "相談.txt")
    assert status == 302, page
    assert "5件の相談記録を追加しました。" in page
    assert _stored(app) == _expected()


@pytest.mark.parametrize("encoding", ["cp932", "utf-16"], ids=["shift_jis", "unicode"])
def test_the_command_reads_a_tab_separated_text_file(
    app: Flask, runner: HubRunner, tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "相談.txt"
    path.write_bytes(tab_text(encoding))
    result = runner("consultations", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "5件の相談記録を追加しました。" in result.output
    assert _stored(app) == _expected()


def test_a_binary_file_named_txt_is_refused_saying_how_to_save_the_list(
    app: Flask, browser: Browser, runner: HubRunner, tmp_path: Path
) -> None:
    staff = browser("staff")
    status, page = _post(staff, PDF, "相談.txt")
    assert status == 422
    assert "CSV やテキストのファイルとして読めません" in page
    assert "「テキスト（タブ区切り）」" in page
    status, page = _post(staff, OLD_EXCEL, "相談.txt")
    assert status == 415
    assert "Excel 97-2003 形式（.xls）" in page

    path = tmp_path / "相談.txt"
    path.write_bytes(PDF)
    refused = runner("consultations", "import", str(path))
    assert refused.exit_code == 1
    assert "CSV やテキストのファイルとして読めません" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _stored(app) == []


def test_the_english_page_says_a_text_file_works_and_why_one_is_refused(
    app: Flask, browser: Browser
) -> None:
    staff = browser("staff")
    staff.get("/language/en")
    page = staff.get("/consultations/import").get_data(as_text=True)
    assert "tab-separated text" in page
    status, refused = _post(staff, PDF, "cases.txt")
    assert status == 422
    assert "cannot be read as CSV or text" in refused
