"""Hostile and wrong files: each gets a clear 4xx, nothing is saved, and the hub keeps serving."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Mapping

import openpyxl
import pytest
from defusedxml import DefusedXmlException

from exports import safe_xlsx
from tests.conftest import Api
from tests.excel.conftest import (
    CHIYODA,
    CHUO,
    answers_of,
    download,
    fill,
    open_xlsx,
    post_bytes,
    post_file,
    rows_by_key,
    save,
)

SHEET_XML = "xl/worksheets/sheet1.xml"
BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>
</sheetData></worksheet>"""
MACRO_WORKBOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def rezip(
    data: bytes,
    *,
    replace: Mapping[str, bytes] | None = None,
    add: Mapping[str, bytes] | None = None,
) -> bytes:
    """The same xlsx with some parts replaced or added, as a hand-made hostile file would be."""
    replace = replace or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            target.writestr(entry.filename, replace.get(entry.filename, source.read(entry)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def as_macro_workbook(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml").decode()
    return types.replace(safe_xlsx.XLSX_MAIN, MACRO_WORKBOOK).encode()


@pytest.fixture
def saved_draft(round_id: int, chiyoda: Api) -> dict:
    assert (
        chiyoda.save(round_id, CHIYODA, {"comments": "消えてはいけない下書き"}).status_code == 200
    )
    return answers_of(chiyoda, round_id, CHIYODA)


@pytest.fixture
def template(round_id: int, chiyoda: Api, saved_draft: dict) -> bytes:
    """The template as downloaded after the draft was saved."""
    return download(chiyoda, round_id, CHIYODA)


def refused(chiyoda: Api, round_id: int, data: bytes, status: int, words: str) -> dict:
    """Upload ``data``; it must be refused with ``status`` and a message containing ``words``."""
    got = post_file(chiyoda, round_id, CHIYODA, data)
    assert got.status_code == status, got.get_data(as_text=True)[:500]
    body = got.get_json()
    assert words in body["message"], body
    return body


def still_serving(chiyoda: Api, round_id: int, draft: dict, template: bytes) -> None:
    """The draft is intact and a good upload right after succeeds."""
    assert answers_of(chiyoda, round_id, CHIYODA) == draft
    good = post_file(
        chiyoda, round_id, CHIYODA, fill(template, {"plan_status": "⑥現時点で策定予定なし"})
    )
    assert good.status_code == 200, good.get_json()


def test_not_a_zip(round_id, chiyoda, template, saved_draft):
    refused(chiyoda, round_id, b"name,value\nplan_status,formulated\n", 415, ".xlsx")
    still_serving(chiyoda, round_id, saved_draft, template)


def test_empty_file(round_id, chiyoda, template, saved_draft):
    refused(chiyoda, round_id, b"", 415, "空")
    still_serving(chiyoda, round_id, saved_draft, template)


def test_xls_bytes(round_id, chiyoda, template, saved_draft):
    xls = safe_xlsx.OLE_MAGIC + os.urandom(4096)
    refused(chiyoda, round_id, xls, 415, ".xls")
    still_serving(chiyoda, round_id, saved_draft, template)


def test_truncated_xlsx(round_id, chiyoda, template, saved_draft):
    refused(chiyoda, round_id, template[: len(template) // 2], 415, "壊れ")
    still_serving(chiyoda, round_id, saved_draft, template)


def test_zip_bomb_is_refused_from_the_directory_before_openpyxl(
    round_id, chiyoda, template, saved_draft, monkeypatch
):
    out = io.BytesIO(template)
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/bomb.xml", "w") as part,
    ):
        for _ in range(64):
            part.write(b"\0" * (1024 * 1024))
    bomb = out.getvalue()
    assert len(bomb) < 1024 * 1024

    def openpyxl_must_not_run(*args, **kwargs):
        raise AssertionError("openpyxl was reached")

    monkeypatch.setattr(safe_xlsx, "load_workbook", openpyxl_must_not_run)
    refused(chiyoda, round_id, bomb, 413, "大き")
    monkeypatch.undo()
    still_serving(chiyoda, round_id, saved_draft, template)


def test_many_small_parts_over_the_decompressed_total(round_id, chiyoda, template, saved_draft):
    parts = {f"xl/media/part{i}.bin": b"\0" * (500 * 1024) for i in range(50)}
    refused(chiyoda, round_id, rezip(template, add=parts), 413, "展開後")
    still_serving(chiyoda, round_id, saved_draft, template)


def test_25_megabyte_file_gets_413(round_id, chiyoda, template, saved_draft):
    path = f"/api/v1/rounds/{round_id}/responses/{CHIYODA}/template"
    got = post_bytes(chiyoda, path, os.urandom(25 * 1024 * 1024))
    assert got.status_code == 413
    assert "大きすぎ" in got.get_json()["message"]
    still_serving(chiyoda, round_id, saved_draft, template)


def test_parser_checks_the_size_itself():
    with pytest.raises(safe_xlsx.UploadTooLarge):
        safe_xlsx.inspect_container(b"PK\x03\x04" + b"\0" * 2048, safe_xlsx.Limits(max_bytes=1024))


def test_billion_laughs_inside_an_xlsx(round_id, chiyoda, template, saved_draft):
    bomb = rezip(template, replace={SHEET_XML: BILLION_LAUGHS})
    refused(chiyoda, round_id, bomb, 400, "XML")
    still_serving(chiyoda, round_id, saved_draft, template)


def test_billion_laughs_in_utf16_is_refused_too(round_id, chiyoda, template, saved_draft):
    utf16 = BILLION_LAUGHS.decode().replace("UTF-8", "UTF-16").encode("utf-16")
    refused(chiyoda, round_id, rezip(template, replace={SHEET_XML: utf16}), 400, "XML")
    still_serving(chiyoda, round_id, saved_draft, template)


def test_openpyxl_itself_parses_with_defusedxml(template):
    """The second line of defence: openpyxl reads worksheets with defusedxml's parser."""
    assert openpyxl.DEFUSEDXML is True
    from openpyxl.worksheet import _reader

    assert _reader.iterparse.__module__.startswith("defusedxml")
    bomb = rezip(template, replace={SHEET_XML: BILLION_LAUGHS})
    with pytest.raises(ValueError, match="invalid XML") as raised:
        openpyxl.load_workbook(io.BytesIO(bomb), read_only=True)
    assert isinstance(raised.value.__cause__, DefusedXmlException)


def test_xlsm_with_a_macro(round_id, chiyoda, template, saved_draft):
    xlsm = rezip(
        template,
        replace={"[Content_Types].xml": as_macro_workbook(template)},
        add={"xl/vbaProject.bin": safe_xlsx.OLE_MAGIC + os.urandom(2048)},
    )
    refused(chiyoda, round_id, xlsm, 415, "マクロ")
    still_serving(chiyoda, round_id, saved_draft, template)


def test_macro_workbook_type_without_vba_part(round_id, chiyoda, template, saved_draft):
    xlsm = rezip(template, replace={"[Content_Types].xml": as_macro_workbook(template)})
    refused(chiyoda, round_id, xlsm, 415, "マクロ")
    still_serving(chiyoda, round_id, saved_draft, template)


def test_zip_without_content_types(round_id, chiyoda, template, saved_draft):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("回答.csv", "plan_status,formulated\n")
    refused(chiyoda, round_id, out.getvalue(), 415, "Excel ブック（.xlsx）ではありません")
    still_serving(chiyoda, round_id, saved_draft, template)


def test_a_template_whose_answer_sheet_was_renamed_names_the_sheet_it_has(
    round_id, chiyoda, template, saved_draft
):
    """A clerk renamed 回答 (or Excel made a copy, 「回答 (2)」, and the original was deleted):
    the refusal says which sheet the file has now, so it can be renamed back."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    workbook["回答"].title = "回答 (2)"
    body = refused(chiyoda, round_id, save(workbook), 422, "「回答」シートがありません")
    assert "このファイルのシート: 「回答 (2)」" in body["message"], body
    assert "_meta" not in body["message"]
    still_serving(chiyoda, round_id, saved_draft, template)


def test_workbook_without_an_answer_sheet(round_id, chiyoda, template, saved_draft):
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "plan_status"
    body = refused(chiyoda, round_id, save(workbook), 422, "「回答」シートがありません")
    assert "file" in body["errors"]
    still_serving(chiyoda, round_id, saved_draft, template)


def test_answer_sheet_without_any_key(round_id, chiyoda, template, saved_draft):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "回答"
    sheet["B1"], sheet["C1"] = "計画の策定状況", "①策定済み"
    body = refused(chiyoda, round_id, save(workbook), 422, "A列に項目ID")
    assert "file" in body["errors"]
    still_serving(chiyoda, round_id, saved_draft, template)


def test_a_meta_sheet_that_is_not_ours_is_refused(round_id, chiyoda, template, saved_draft):
    workbook = open_xlsx(template)
    meta = workbook["_meta"]
    meta["B1"] = "someone-elses-format"
    body = refused(chiyoda, round_id, save(workbook), 422, "ダウンロード")
    assert "file" in body["errors"]
    still_serving(chiyoda, round_id, saved_draft, template)


def test_another_municipalitys_template(round_id, chiyoda, staff, template, saved_draft):
    chuo = fill(download(staff, round_id, CHUO), {"plan_status": "①策定済み"})
    body = refused(chiyoda, round_id, chuo, 422, "別の自治体")
    assert "中央区" in body["message"]
    assert "千代田区" in body["message"]
    still_serving(chiyoda, round_id, saved_draft, template)


def test_another_rounds_template(app, round_id, chiyoda, template, saved_draft):
    from datetime import date

    from tests.conftest import make_round

    with app.app_context():
        other_round = make_round(reference_date=date(2022, 4, 1)).id
    other = download(chiyoda, other_round, CHIYODA)
    body = refused(chiyoda, round_id, other, 422, "別の調査回")
    assert str(other_round) in body["message"]
    still_serving(chiyoda, round_id, saved_draft, template)


def test_edited_keys_are_refused_with_their_rows_named(round_id, chiyoda, template, saved_draft):
    workbook = open_xlsx(template)
    rows = rows_by_key(workbook)
    sheet = workbook["回答"]
    sheet.cell(rows["plan_status"], 1).value = "plan_state"
    sheet.cell(rows["programs.other"], 1).value = "programs.shamei_campaign"
    sheet.cell(rows["comments"], 1).value = None
    sheet.cell(rows["comments"], 3).value = "キーの消えた行の回答"
    body = refused(chiyoda, round_id, save(workbook), 422, "項目ID")
    errors = body["errors"]
    assert set(errors) == {
        f"回答!A{rows['plan_status']}",
        f"回答!A{rows['programs.other']}",
        f"回答!A{rows['comments']}",
    }
    assert "plan_state" in errors[f"回答!A{rows['plan_status']}"][0]
    assert "重複" in errors[f"回答!A{rows['programs.other']}"][0]
    still_serving(chiyoda, round_id, saved_draft, template)


def test_renamed_answer_sheet(round_id, chiyoda, template, saved_draft):
    workbook = open_xlsx(template)
    workbook["回答"].title = "Sheet1"
    refused(chiyoda, round_id, save(workbook), 422, "シート")
    still_serving(chiyoda, round_id, saved_draft, template)


def test_billion_laughs_past_the_scan_is_still_refused_cleanly(
    round_id, chiyoda, template, saved_draft, monkeypatch
):
    monkeypatch.setattr(safe_xlsx, "_check_no_dtd", lambda archive, entries: None)
    bomb = rezip(template, replace={SHEET_XML: BILLION_LAUGHS})
    refused(chiyoda, round_id, bomb, 400, "XML")
    monkeypatch.undo()
    still_serving(chiyoda, round_id, saved_draft, template)


def test_damaged_workbook_part(round_id, chiyoda, template, saved_draft):
    broken = rezip(template, replace={"xl/workbook.xml": b"<workbook><sheets><sheet"})
    refused(chiyoda, round_id, broken, 400, "壊れている")
    still_serving(chiyoda, round_id, saved_draft, template)


@pytest.mark.parametrize("version", ["最新", "9" * 5000])
def test_version_field_must_be_a_number(round_id, chiyoda, template, saved_draft, version):
    got = post_file(chiyoda, round_id, CHIYODA, template, version=version)
    assert got.status_code == 422
    assert "version" in got.get_json()["errors"]
    still_serving(chiyoda, round_id, saved_draft, template)


def test_too_many_parts(round_id, chiyoda, template, saved_draft):
    parts = {f"xl/media/tiny{i}.bin": b"x" for i in range(safe_xlsx.Limits().max_entries)}
    refused(chiyoda, round_id, rezip(template, add=parts), 400, "構成要素が多すぎます")
    still_serving(chiyoda, round_id, saved_draft, template)


def _ods() -> bytes:
    """What LibreOffice Calc writes in its own format: a zip led by an uncompressed mimetype."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest/>')
    return buffer.getvalue()


def test_an_ods_file_is_refused_with_what_to_do(round_id, chiyoda, template, saved_draft):
    """Issue 14, item 17: not "[Content_Types].xml がありません" but how to save as .xlsx."""
    body = refused(chiyoda, round_id, _ods(), 415, "名前を付けて保存")
    assert "Excel 2007-365 (.xlsx)" in body["message"]
    assert "Content_Types" not in body["message"]
    still_serving(chiyoda, round_id, saved_draft, template)


def test_a_zip_that_is_no_workbook_says_what_to_do(round_id, chiyoda, template, saved_draft):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    body = refused(chiyoda, round_id, buffer.getvalue(), 415, "Excel ブック（.xlsx）")
    assert "Content_Types" not in body["message"]
