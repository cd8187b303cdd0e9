"""Rounds with the source document's 62 answers, for the export tests."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from tests.conftest import PASSWORD, make_round
from tests.exports.seed import seed_source_document


@pytest.fixture
def seeded_round(app: Flask) -> int:
    """A round (基準日 令和3年4月1日) holding the source document's 62 submitted answers."""
    with app.test_request_context():
        round_id = make_round().id
        seed_source_document(round_id)
    return round_id


@pytest.fixture
def open_round_at(app: Flask) -> Callable[[date], int]:
    def make(reference_date: date) -> int:
        with app.test_request_context():
            return make_round(reference_date=reference_date).id

    return make


def open_xlsx(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def sheet_xml(data: bytes) -> Iterator[tuple[str, str]]:
    """``(part name, xml)`` of every worksheet in an xlsx file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                yield name, archive.read(name).decode("utf-8")


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def log_in(client: FlaskClient, email: str, next_url: str) -> object:
    """Sign in through the login form, as a person does, and follow to ``next_url``."""
    page = client.get(f"/login?next={next_url}").get_data(as_text=True)
    token = _CSRF.search(page)
    assert token, "the login page has no csrf_token"
    return client.post(
        f"/login?next={next_url}",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
    )
