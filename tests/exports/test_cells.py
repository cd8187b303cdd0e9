"""The one decision about what a cell may become, for every renderer."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from exports.cells import CellKind, safe_cell
from tests.exports.seed import HOSTILE


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_looking_text_is_kept_as_text_everywhere(text: str) -> None:
    cell = safe_cell(text)
    assert cell.kind is CellKind.TEXT
    assert cell.formula_like
    assert cell.keep_text
    assert cell.value == text
    assert cell.csv() == "'" + text


NOT_FORMULAS = ("-1 件(前年比)", "- 箇条書き", "-2019年度比", "-（注）", "+α", "-", "+")
"""Text that starts with a sign but that no spreadsheet runs: Excel and LibreOffice keep it."""
FORMULAS = ("+81 3-1234-5678", "+81-3-1234", "-A1", "-SUM(A1)", "-(1)", "-10:00", "+1.5%")
"""Signed text a spreadsheet would run or turn into a number: an expression, a reference, a
function call, a time, a number."""


@pytest.mark.parametrize(
    "text", ["千代田区", "福祉部 地域福祉課", "3", "a=b", "", " =1", *NOT_FORMULAS]
)
def test_ordinary_text_is_left_alone_in_csv(text: str) -> None:
    cell = safe_cell(text)
    assert not cell.formula_like
    assert cell.csv() == text


@pytest.mark.parametrize("text", FORMULAS)
def test_signed_text_that_a_spreadsheet_would_run_is_guarded(text: str) -> None:
    cell = safe_cell(text)
    assert cell.formula_like
    assert cell.csv() == "'" + text


def test_user_text_keeps_its_quote_prefix_even_when_harmless() -> None:
    assert safe_cell("福祉部", user_text=True).keep_text
    assert not safe_cell("福祉部").keep_text


@pytest.mark.parametrize(
    ("value", "kind", "csv"),
    [
        (-3, CellKind.INTEGER, "-3"),
        (0, CellKind.INTEGER, "0"),
        (1.5, CellKind.DECIMAL, "1.5"),
        (-0.25, CellKind.DECIMAL, "-0.25"),
        (True, CellKind.INTEGER, "1"),
        (None, CellKind.EMPTY, ""),
        (date(2021, 4, 1), CellKind.DATE, "2021-04-01"),
    ],
)
def test_numbers_stay_numbers(value: object, kind: CellKind, csv: str) -> None:
    cell = safe_cell(value, user_text=True)
    assert cell.kind is kind
    assert not cell.formula_like
    assert not cell.keep_text
    assert cell.csv() == csv


def test_times_are_shown_in_tokyo() -> None:
    cell = safe_cell(datetime(2021, 3, 31, 15, 30, tzinfo=UTC))
    assert cell.kind is CellKind.DATETIME
    assert cell.csv() == "2021-04-01 00:30:00"


def test_characters_that_xml_cannot_hold_are_dropped() -> None:
    cell = safe_cell("a\x01b\x0bc\x1fd")
    assert cell.value == "abcd"


def test_a_formula_hidden_behind_control_characters_is_still_caught() -> None:
    cell = safe_cell("\x01=1+1")
    assert cell.value == "=1+1"
    assert cell.formula_like
