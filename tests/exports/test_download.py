"""Getting the workbook: the API, the staff board's download link and ``hub workbook``."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from exports.workbook import workbook_filename
from hub.files import XLSX_MIMETYPE
from hub.services import responses
from tests.conftest import Api, HubRunner, make_user, sign_in
from tests.exports.conftest import open_xlsx

FILENAME = "区市町村における再犯防止等の推進に向けた取組状況調査_令和3年4月1日現在.xlsx"


def test_staff_get_the_workbook_over_the_api(
    app: Flask, seeded_round: int, api_as: Callable[..., Api]
) -> None:
    r = api_as("staff").get(f"/rounds/{seeded_round}/workbook")
    assert r.status_code == 200
    assert r.mimetype == XLSX_MIMETYPE
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(FILENAME)}" in disposition
    assert f'filename="round-{seeded_round}-workbook.xlsx"' in disposition
    assert r.headers["Cache-Control"] == "no-store"
    assert open_xlsx(r.data).sheetnames[0] == "集計"
    with app.app_context():
        assert workbook_filename(responses.get_round(seeded_round)) == FILENAME


def test_only_staff_may_have_the_workbook(
    client: FlaskClient, seeded_round: int, api_as: Callable[..., Api]
) -> None:
    path = f"/rounds/{seeded_round}/workbook"
    assert api_as("respondent", municipality="131016").get(path).status_code == 403
    assert api_as("counterpart", recipient="moj").get(path).status_code == 403
    assert api_as("admin").get(path).status_code == 403
    anonymous = client.get(f"/api/v1{path}")
    assert anonymous.status_code == 401
    assert "message" in anonymous.get_json()


def test_an_unknown_round_is_a_clear_404(api_as: Callable[..., Api]) -> None:
    r = api_as("staff").get("/rounds/9999/workbook")
    assert r.status_code == 404
    assert r.get_json()["message"] == "調査回 9999 はありません。"


def test_the_openapi_document_describes_the_download(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/rounds/{round_id}/workbook"]["get"]
    assert XLSX_MIMETYPE in operation["responses"]["200"]["content"]


def test_the_download_link_works_for_signed_in_staff(
    app: Flask, client: FlaskClient, seeded_round: int
) -> None:
    path = f"/rounds/{seeded_round}/workbook.xlsx"
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
    with app.app_context():
        email = make_user(role="staff").email
    signed_in = sign_in(client, email, next_url=path)
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"].endswith(path)
    r = client.get(path)
    assert r.status_code == 200
    assert r.mimetype == XLSX_MIMETYPE
    assert quote(FILENAME) in r.headers["Content-Disposition"]
    assert "提出状況" in open_xlsx(r.data).sheetnames


def test_respondents_cannot_use_the_download_link(
    app: Flask, client: FlaskClient, seeded_round: int
) -> None:
    path = f"/rounds/{seeded_round}/workbook.xlsx"
    with app.app_context():
        email = make_user(role="respondent", municipality="131016").email
    sign_in(client, email, next_url=path)
    assert client.get(path).status_code == 403


def test_hub_workbook_writes_the_file(runner: HubRunner, seeded_round: int, tmp_path: Path) -> None:
    target = tmp_path / "集計.xlsx"
    result = runner("workbook", str(seeded_round), "-o", str(target))
    assert result.exit_code == 0, result.output
    book = open_xlsx(target.read_bytes())
    assert book.sheetnames == ["集計", "提出状況", "回答一覧", "定義"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_hub_workbook_respects_the_umask(
    runner: HubRunner, seeded_round: int, tmp_path: Path, umask: int, mode: int
) -> None:
    """``-o`` writes the file as any other program would: 0666 less the umask, not a forced 0600
    (the temporary file it writes first is private until renamed)."""
    target = tmp_path / "集計.xlsx"
    before = os.umask(umask)
    try:
        result = runner("workbook", str(seeded_round), "-o", str(target))
    finally:
        os.umask(before)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_hub_workbook_without_personal_data(
    runner: HubRunner, seeded_round: int, tmp_path: Path
) -> None:
    target = tmp_path / "shared.xlsx"
    result = runner("workbook", str(seeded_round), "-o", str(target), "--without-personal")
    assert result.exit_code == 0, result.output
    answers = open_xlsx(target.read_bytes())["回答一覧"]
    keys = [c.value for c in answers[5]]
    assert "contact_email" not in keys


def one_line_error(result: object) -> str:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    return stderr


def test_hub_workbook_errors_are_one_line(
    runner: HubRunner, seeded_round: int, tmp_path: Path
) -> None:
    unknown = runner("workbook", "9999", "-o", str(tmp_path / "x.xlsx"))
    assert unknown.exit_code == 1
    assert "調査回 9999 はありません" in one_line_error(unknown)

    not_a_number = runner("workbook", "第1回", "-o", str(tmp_path / "x.xlsx"))
    assert not_a_number.exit_code == 2
    assert "番号で指定" in one_line_error(not_a_number)

    missing_folder = runner("workbook", str(seeded_round), "-o", str(tmp_path / "no" / "x.xlsx"))
    assert missing_folder.exit_code == 1
    assert "出力先のフォルダがありません" in one_line_error(missing_folder)

    folder = runner("workbook", str(seeded_round), "-o", str(tmp_path))
    assert folder.exit_code == 2
    assert "フォルダです" in one_line_error(folder)
    assert not list(tmp_path.iterdir())


def test_hub_workbook_names_the_file_after_the_survey_by_default(
    runner: HubRunner, seeded_round: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner("workbook", str(seeded_round))
    assert result.exit_code == 0, result.output
    assert (tmp_path / FILENAME).is_file()
