"""An uploaded table — a CSV as Japanese offices save them, or the first sheet of an xlsx — as
a header and numbered rows of plain values, read defensively (the xlsx container checks first,
a size and a row limit). The desk's case import and the municipality list read through it."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from hub.errors import Invalid

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then Shift_JIS as Japanese Excel saves it (cp932);
    ``Invalid`` (key ``file``) when it is neither."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid(
        {"file": [_("文字コードを判別できません（UTF-8 か Shift_JIS で保存してください）。")]}
    )


@dataclass(frozen=True)
class RawTable:
    header: list[Any]
    rows: list[tuple[int, list[Any]]]
    """``(row number as the spreadsheet shows it, cells)``, blank rows left out."""


def read_table(data: bytes, *, max_bytes: int = MAX_IMPORT_BYTES) -> RawTable:
    """The first sheet of an xlsx, or a CSV, as a header and numbered rows of plain values."""
    if len(data) > max_bytes:
        raise Invalid({"file": [_("ファイルが大きすぎます（%(mb)sMBまで）。", mb=max_bytes >> 20)]})
    if not data.strip():
        raise Invalid({"file": [_("ファイルが空です。")]})
    is_excel = data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))
    lines = _xlsx_lines(data, max_bytes) if is_excel else _csv_lines(data)
    return _numbered(lines)


def _numbered(lines: Iterator[list[Any]]) -> RawTable:
    header: list[Any] | None = None
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in enumerate(lines, start=1):
        if header is None:
            header = cells
            continue
        if all(_is_blank(c) for c in cells):
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            raise Invalid({"file": [_("行が多すぎます（%(max)s行まで）。", max=MAX_IMPORT_ROWS)]})
        rows.append((number, cells))
    if header is None:
        raise Invalid({"file": [_("ファイルが空です。")]})
    return RawTable(header=header, rows=rows)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _csv_lines(data: bytes) -> Iterator[list[Any]]:
    text = decode_csv(data)
    if "\x00" in text:
        raise Invalid({"file": [_not_text()]})
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise Invalid({"file": [_("CSV の形式が正しくありません: %(error)s", error=exc)]}) from None


def _not_text() -> str:
    """A file with NUL bytes is no CSV: most often a workbook or Unicode text (UTF-16) saved
    under a .csv name; say how to save it so that it can be read."""
    return _(
        "CSV ファイルとして読めません（Excel などのファイルの名前だけを .csv に変えたもののようです）。"
        "Excel で「CSV UTF-8（コンマ区切り）」として保存し直すか、Excel ブック（.xlsx）のまま選んでください。"
    )


def _xlsx_lines(data: bytes, max_bytes: int) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    from exports.safe_xlsx import Limits, inspect_container

    inspect_container(data, Limits(max_bytes=max_bytes))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise Invalid({"file": [_("xlsx ファイルとして読めません。")]}) from None
    try:
        if not book.worksheets:
            raise Invalid({"file": [_("シートがありません。")]})
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_plain(v) for v in row]
    finally:
        book.close()


def _plain(value: Any) -> Any:
    """Excel's values as a person typed them: dates without a time, 131016.0 as 131016."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
