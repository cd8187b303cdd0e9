"""Helpers for the Excel round trip: download a template, fill it as a person would, upload it."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl.workbook.workbook import Workbook

from exports.template import ANSWER_COLUMN, KEY_COLUMN, SHEET
from hub.db import db
from tests.conftest import Api, make_round, make_user, sign_in

CHIYODA = "131016"
CHUO = "131024"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def round_id(app: Flask) -> int:
    with app.app_context():
        return make_round().id


@pytest.fixture
def chiyoda(api_as: Callable[..., Api]) -> Api:
    """A respondent of 千代田区."""
    return api_as("respondent", municipality=CHIYODA)


@pytest.fixture
def staff(api_as: Callable[..., Api]) -> Api:
    return api_as("staff")


def template_path(round_id: int, code: str) -> str:
    return f"/rounds/{round_id}/responses/{code}/template"


def download(api: Api, round_id: int, code: str) -> bytes:
    got = api.get(template_path(round_id, code))
    assert got.status_code == 200, got.get_data(as_text=True)[:500]
    assert got.mimetype == XLSX
    return bytes(got.data)


def open_xlsx(data: bytes) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows_by_key(workbook: Workbook) -> dict[str, int]:
    """``{key: row}`` of sheet 回答: every non-empty cell of column A is a key (docs/excel-template.md)."""
    sheet = workbook[SHEET]
    found: dict[str, int] = {}
    for row in range(1, sheet.max_row + 1):
        key = sheet.cell(row=row, column=KEY_COLUMN).value
        if key is not None and str(key).strip():
            found[str(key)] = row
    return found


def fill(data: bytes, values: dict[str, Any]) -> bytes:
    """Type ``values`` into column C of the rows with those keys; ``None`` empties a cell."""
    workbook = open_xlsx(data)
    rows = rows_by_key(workbook)
    sheet = workbook[SHEET]
    for key, value in values.items():
        sheet.cell(row=rows[key], column=ANSWER_COLUMN).value = value
    return save(workbook)


def save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def answer_cell(data: bytes, key: str) -> str:
    return f"{SHEET}!C{rows_by_key(open_xlsx(data))[key]}"


def post_file(
    api: Api,
    round_id: int,
    code: str,
    data: bytes,
    filename: str = "回答.xlsx",
    **form: Any,
) -> Any:
    return api.client.post(
        f"/api/v1{template_path(round_id, code)}",
        data={"file": (io.BytesIO(data), filename), **form},
        headers=api.headers(),
        content_type="multipart/form-data",
    )


def post_bytes(api: Api, path: str, payload: bytes, filename: str = "big.xlsx") -> Any:
    """POST one file as a hand-built multipart body (the test client spools big bodies to files
    it never closes when the app refuses them unread)."""
    boundary = "hub-test-boundary-7d1f"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = head + payload + f"\r\n--{boundary}--\r\n".encode()
    return api.client.post(
        path,
        data=body,
        headers=api.headers(),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def answers_of(api: Api, round_id: int, code: str) -> dict[str, Any]:
    got = api.get(f"/rounds/{round_id}/responses/{code}")
    assert got.status_code == 200, got.get_json()
    body: dict[str, Any] = got.get_json()
    return body


@pytest.fixture
def browser_as(app: Flask) -> Callable[..., FlaskClient]:
    """``browser_as("respondent", municipality=...)``: a signed-in browser session (own cookies)."""

    def make(role: str, **kwargs: Any) -> FlaskClient:
        with app.app_context():
            email = make_user(role=role, **kwargs).email
            db.session.remove()
        browser = app.test_client()
        sign_in(browser, email)
        return browser

    return make
