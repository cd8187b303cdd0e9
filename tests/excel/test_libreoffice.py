"""LibreOffice opens the template, keeps its drop-downs, and a file it saved uploads back."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from exports.template import SHEET
from forms import registry
from forms.schema import load_answers
from tests import libreoffice
from tests.conftest import Api
from tests.excel.conftest import CHIYODA, download, fill, open_xlsx, post_file, rows_by_key

TORIKUMI = registry.latest("torikumi")

pytestmark = pytest.mark.libreoffice

CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76"


def convert(source: Path, target: str, extension: str) -> Path:
    """Convert ``source`` with headless LibreOffice; return the new file."""
    outdir = source.parent / f"lo-{extension}"
    done = libreoffice.convert(source, target, outdir)
    produced = outdir / f"{source.stem}.{extension}"
    assert produced.exists(), f"LibreOffice produced nothing: {done.stdout} {done.stderr}"
    return produced


def test_libreoffice_opens_the_template_and_shows_the_labels(
    round_id, chiyoda: Api, tmp_path: Path
):
    source = tmp_path / "template.xlsx"
    source.write_bytes(download(chiyoda, round_id, CHIYODA))
    rows = list(csv.reader(io.StringIO(convert(source, CSV_UTF8, "csv").read_text("utf-8"))))
    cells = {cell for row in rows for cell in row}
    assert "計画の策定状況" in cells
    assert "社会を明るくする運動" in cells
    assert "千代田区" in cells
    assert "令和3年4月1日現在" in cells
    assert "plan_status" in cells


def test_file_saved_by_libreoffice_keeps_drop_downs_and_uploads(
    round_id, chiyoda: Api, tmp_path: Path
):
    filled = fill(
        download(chiyoda, round_id, CHIYODA),
        {
            "plan_status": "②パブリックコメント手続中（終了している場合を含む）",
            "plan_name": "再犯防止推進計画（案）",
            "programs.hogoshi_support": "○",
            "cooperating_employers": "３",
        },
    )
    source = tmp_path / "filled.xlsx"
    source.write_bytes(filled)
    resaved = convert(source, "xlsx", "xlsx").read_bytes()

    with zipfile.ZipFile(io.BytesIO(resaved)) as archive:
        assert "<dataValidation " in archive.read("xl/worksheets/sheet1.xml").decode()
    workbook = open_xlsx(resaved)
    rows = rows_by_key(workbook)
    plan = f"C{rows['plan_status']}"
    assert any(plan in dv.sqref for dv in workbook[SHEET].data_validations.dataValidation)

    got = post_file(chiyoda, round_id, CHIYODA, resaved)
    assert got.status_code == 200, got.get_json()
    assert got.get_json()["answers"] == load_answers(
        TORIKUMI,
        {
            "plan_status": "public_comment",
            "plan_name": "再犯防止推進計画（案）",
            "programs": ["hogoshi_support"],
            "cooperating_employers": "３",
        },
    )
    assert got.get_json()["answers"]["cooperating_employers"] == 3
