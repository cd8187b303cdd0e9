"""Rounds with the source document's 62 answers, for the export tests."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from flask import Flask
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from tests.conftest import make_round
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
