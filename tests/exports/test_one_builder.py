"""One builder for every way of getting the workbook (one assembly, docs/architecture.md): ``hub workbook`` writes the same
sheets as the API and the download link, the consultation desk's and hearings' sheets included —
suppressed, and without hearing notes, in the copy made ``--without-personal``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from exports.delivery import MEDIA_TYPES
from exports.xlsx import XLSX_MIMETYPE
from hub.db import db
from hub.services import consultations, hearings
from tests.conftest import Api, HubRunner
from tests.exports.conftest import open_xlsx

NOTES = "所管部署が未定、庁内調整が進まない"


@pytest.fixture
def with_desk_and_hearings(app: Flask, seeded_round: int) -> int:
    """The seeded round (基準日 令和3年4月1日), one case in 令和2年度 and a hearing in 令和3年度."""
    with app.app_context():
        consultations.record_case(
            {
                "received_on": "令和2年5月19日",
                "channel": "電話",
                "age_group": "７０代",
                "caller": "family",
                "crime_related": "はい",
                "crime_type": "万引き",
                "referred_to": "municipal_window",
            },
            user=None,
        )
        hearings.record_hearing(
            "131016",
            {"held_on": "令和3年6月10日", "department": "福祉局 地域福祉課", "notes": NOTES},
            user=None,
        )
        db.session.commit()
    return seeded_round


def cli_workbook(runner: HubRunner, round_id: int, target: Path, *options: str) -> bytes:
    result = runner("workbook", str(round_id), "-o", str(target), *options)
    assert result.exit_code == 0, result.output
    return target.read_bytes()


def cell_texts(data: bytes, sheet: str) -> list[str]:
    return [
        str(value)
        for row in open_xlsx(data)[sheet].iter_rows(values_only=True)
        for value in row
        if value is not None
    ]


def test_the_cli_workbook_has_the_sheets_of_the_api_workbook(
    runner: HubRunner, api_as: Callable[..., Api], with_desk_and_hearings: int, tmp_path: Path
) -> None:
    from_api = api_as("staff").get(f"/rounds/{with_desk_and_hearings}/workbook")
    assert from_api.status_code == 200
    from_cli = cli_workbook(runner, with_desk_and_hearings, tmp_path / "集計.xlsx")
    api_sheets = open_xlsx(from_api.data).sheetnames
    assert open_xlsx(from_cli).sheetnames == api_sheets
    assert {"相談窓口", "聞き取り"} <= set(api_sheets)
    assert api_sheets[-1] == "定義"
    assert any(NOTES in text for text in cell_texts(from_cli, "聞き取り"))


def test_the_copy_without_personal_data_suppresses_the_desk_and_hides_hearing_notes(
    runner: HubRunner, with_desk_and_hearings: int, tmp_path: Path
) -> None:
    shared = cli_workbook(runner, with_desk_and_hearings, tmp_path / "s.xlsx", "--without-personal")
    assert {"相談窓口", "聞き取り"} <= set(open_xlsx(shared).sheetnames)
    assert "＊" in cell_texts(shared, "相談窓口")
    assert not any(NOTES in text for text in cell_texts(shared, "聞き取り"))


def test_the_xlsx_media_type_is_written_once() -> None:
    """Served workbooks, templates and delivered files all name the one constant."""
    literal = '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"'
    root = Path(__file__).parents[2]
    holders = [
        path.relative_to(root).as_posix()
        for package in ("hub", "exports", "forms")
        for path in (root / package).rglob("*.py")
        if literal in path.read_text(encoding="utf-8")
    ]
    assert holders == ["exports/xlsx.py"]
    assert MEDIA_TYPES["xlsx"] == XLSX_MIMETYPE
