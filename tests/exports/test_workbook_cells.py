"""Every cell of the 62-municipality workbook, read back with openpyxl, is what a straightforward
path gives: 回答一覧 built cell by cell from the stored responses (the reference below), and every
table of every sheet written as :func:`exports.cells.safe_cell` decides for each of its cells —
value, type and the quote prefix. The fast paths of the table builders and the renderer (values
converted per column, the XML of repeated values reused) must not change a single cell."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from openpyxl.cell.cell import Cell as SheetCell
from sqlalchemy import select

from exports.cells import CellKind, safe_cell
from exports.sheets.answers import answers_table
from exports.tables import Cell, Sheet, Table
from exports.workbook import workbook_document, workbook_sheets
from exports.xlsx import render_xlsx, sheet_title
from forms.model import Kind
from hub.db import db, utcnow
from hub.models import COUNTED, Response, Round
from hub.models.survey import RESPONSE_STATE_LABELS, RETURNED_LABEL
from hub.services import responses
from tests.exports.conftest import open_xlsx

GENERATED = datetime(2021, 8, 2, 1, 30, tzinfo=UTC)


def reference_answers(round_: Round, *, personal: bool = True) -> list[tuple[Cell, ...]]:
    """回答一覧 the slow, obvious way: every response as an ORM object, every cell on its own."""
    questionnaire = round_.questionnaire
    counted = {str(s) for s in COUNTED}
    rows = []
    found = db.session.scalars(select(Response).filter_by(round_id=round_.id))
    for response in sorted(found, key=lambda r: r.municipality_code):
        answers = response.answers if response.state in counted else None
        municipality = response.municipality
        row: list[Cell] = [
            municipality.code,
            municipality.name,
            municipality.region,
            (
                RETURNED_LABEL if response.return_reason else RESPONSE_STATE_LABELS[response.state]
            ).ja,
        ]
        for question in questionnaire.questions:
            if not personal and question.id in questionnaire.personal_fields:
                continue
            value = None if answers is None else answers.get(question.id)
            if question.kind == Kind.MANY_OF:
                for choice in question.choices:
                    chosen = isinstance(value, list) and choice.code in value
                    row.append(None if answers is None else int(chosen))
            elif answers is None:
                row.append(None)
            elif question.kind == Kind.BOOL:
                row.append(1 if value else 0)
            elif value is None or value == "":
                row.append(None)
            elif question.kind == Kind.ONE_OF:
                choice = question.choice(str(value))
                row.append(choice.display() if choice else str(value))
            elif question.kind == Kind.DATE and isinstance(value, str):
                try:
                    row.append(date.fromisoformat(value))
                except ValueError:
                    row.append(value)
            elif question.kind in (Kind.INTEGER, Kind.DECIMAL) and isinstance(value, int | float):
                row.append(value)
            else:
                row.append(str(value))
        rows.append(tuple(row))
    return rows


def shown(value: object, *, user_text: bool) -> tuple[object, bool]:
    """What a spreadsheet program reads back for ``value`` in a table: the value (dates as
    naive date-times) and whether it carries the quote prefix."""
    safe = safe_cell(value, user_text=user_text)
    found = safe.value
    if safe.kind is CellKind.EMPTY or found == "":
        return None, False
    if safe.kind is CellKind.TEXT:
        return found, safe.keep_text
    if isinstance(found, datetime):
        return found.replace(tzinfo=None), False
    if isinstance(found, date):
        return datetime(found.year, found.month, found.day), False
    if isinstance(found, float) and not math.isfinite(found):
        return shown(str(found), user_text=user_text)
    return found, False


def same(read: object, expected: object) -> bool:
    if isinstance(read, datetime) and isinstance(expected, datetime):
        return abs(read - expected) < timedelta(milliseconds=1)  # a serial day number's precision
    return type(read) is type(expected) and read == expected


def check_sheet(cells: list[tuple[SheetCell, ...]], sheet: Sheet) -> int:
    """Find each table of ``sheet`` (title, keys, headers) and compare every cell of its rows;
    return how many cells were compared."""
    compared = 0
    cursor = 2
    for table in sheet.tables:
        titles = [i for i in range(cursor, len(cells)) if cells[i][0].value == table.title]
        assert titles, f"{sheet.name}: table {table.name} not found"
        header = titles[0] + (2 if table.keys else 1)
        width = len(table.headers)
        assert tuple(c.value for c in cells[header][:width]) == table.headers, table.name
        for number, row in enumerate(table.rows):
            read = cells[header + 1 + number]
            for i, value in enumerate(row):
                expected, quoted = shown(value, user_text=i in table.user_text)
                cell = read[i] if i < len(read) else None
                where = f"{sheet.name}!{table.name} row {number + 1} column {i + 1}"
                found = None if cell is None else cell.value
                assert same(found, expected), f"{where}: {found!r} != {expected!r}"
                if isinstance(expected, str):
                    assert cell is not None
                    assert bool(cell.quotePrefix) == quoted, f"{where}: quote prefix"
                compared += 1
            assert all(c.value is None for c in read[width:]), f"{sheet.name}!{table.name}"
        cursor = header + 1 + len(table.rows)
    return compared


def vary_the_round(round_id: int, *, odd_numbers: bool = False) -> None:
    """States beyond 提出済み (returned: not counted; accepted; an extension) and answers a form
    would refuse but an old definition or an import may have left: an unknown choice code, a
    date that is not ISO, a number stored as text, a many-of stored as one code, empty text, a
    check box that is ticked; with ``odd_numbers``, numbers stored as text or as a decimal in an
    integer question (left out of the number statistics)."""
    found = list(
        db.session.scalars(
            select(Response).filter_by(round_id=round_id).order_by(Response.municipality_code)
        )
    )
    responses.return_response(found[0], "記入漏れ =SUM(A1)", user=None)
    responses.accept(found[1], user=None)
    responses.grant_extension(found[2], utcnow() + timedelta(days=40), user=None)
    odd = found[3]
    odd.answers = {
        **odd.answers,
        "plan_status": "retired_code",
        "plan_date": "令和3年3月31日",
        "programs": "shamei_campaign",
        "comments": "",
        "lead_department_undecided": True,
        "contact_name": "@担当",
    }
    if odd_numbers:
        odd.answers = {
            **odd.answers,
            "cooperating_employers": "１２",
            "consultations_received": 2.5,
        }
    db.session.commit()


@pytest.mark.parametrize("personal", [True, False], ids=["staff", "outside"])
def test_answers_table_is_the_straightforward_one(
    app: Flask, seeded_round: int, personal: bool
) -> None:
    with app.app_context():
        vary_the_round(seeded_round, odd_numbers=True)
        round_ = responses.get_round(seeded_round)
        table = answers_table(round_, personal=personal)
        expected = reference_answers(round_, personal=personal)
    assert len(table.rows) == 62
    for number, (row, wanted) in enumerate(zip(table.rows, expected, strict=True)):
        assert [(type(v), v) for v in row] == [(type(v), v) for v in wanted], number
    assert table.rows[0][3] == RETURNED_LABEL.ja  # returned by vary_the_round
    assert set(table.rows[0][4:]) == {None}
    odd = dict(zip(table.keys, table.rows[3], strict=True))
    assert odd["plan_status"] == "retired_code"
    assert odd["plan_date"] == "令和3年3月31日"
    assert odd["cooperating_employers"] == "１２"
    assert odd["consultations_received"] == 2.5
    assert odd["programs.shamei_campaign"] == 0


@pytest.mark.parametrize("for_staff", [True, False], ids=["staff", "outside"])
def test_every_cell_of_every_sheet_reads_back_as_the_guard_decided(
    app: Flask, seeded_round: int, for_staff: bool
) -> None:
    with app.app_context():
        vary_the_round(seeded_round, odd_numbers=True)
        round_ = responses.get_round(seeded_round)
        sheets = workbook_sheets(round_, for_staff=for_staff)
        data = render_xlsx(sheets, document=workbook_document(round_, generated_at=GENERATED))
        expected_answers = reference_answers(round_, personal=for_staff)
    answers = next(t for s in sheets for t in s.tables if t.name == "answers")
    assert list(answers.rows) == expected_answers
    book = open_xlsx(data)
    assert book.sheetnames == [sheet_title(s.name) for s in sheets]
    compared = 0
    for sheet in sheets:
        cells = [tuple(r) for r in book[sheet_title(sheet.name)].iter_rows()]
        compared += check_sheet(cells, sheet)
    assert compared >= 62 * len(answers.headers)


def test_the_check_fails_on_a_changed_cell(app: Flask, seeded_round: int) -> None:
    """The comparison above can fail: one cell of 回答一覧 changed after writing is caught."""
    with app.app_context():
        round_ = responses.get_round(seeded_round)
        sheets = workbook_sheets(round_)
        data = render_xlsx(sheets, document=workbook_document(round_, generated_at=GENERATED))
    book = open_xlsx(data)
    sheet = next(s for s in sheets if any(t.name == "answers" for t in s.tables))
    ws = book[sheet_title(sheet.name)]
    table: Table = sheet.tables[0]
    header = next(r for r in ws.iter_rows() if r[0].value == table.headers[0])
    ws.cell(row=header[0].row + 5, column=5).value = "変更"
    with pytest.raises(AssertionError, match="row 5 column 5"):
        check_sheet([tuple(r) for r in ws.iter_rows()], sheet)
    ws.cell(row=header[0].row + 5, column=5).value = table.rows[4][4]
    check_sheet([tuple(r) for r in ws.iter_rows()], sheet)


def test_reference_reads_the_stored_answers(app: Flask, seeded_round: int) -> None:
    """The reference is not the code under test: it reads ORM objects, and sees a change."""
    with app.app_context():
        round_ = responses.get_round(seeded_round)
        before = reference_answers(round_)
        first = db.session.scalars(
            select(Response).filter_by(round_id=seeded_round).order_by(Response.municipality_code)
        ).first()
        assert first is not None
        first.answers = {**first.answers, "comments": "変わった"}
        db.session.commit()
        after = reference_answers(round_)
    assert before != after
    assert "変わった" in after[0]
