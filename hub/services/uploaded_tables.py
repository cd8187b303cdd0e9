"""An uploaded table — a CSV or tab-separated text as Japanese offices save them, or the first
sheet of an xlsx — as a header and numbered rows of plain values, read defensively (the xlsx
container checks first, a size and a row limit). The desk's case import and the municipality
list read through it; what a file is, its content decides, never its name."""

from __future__ import annotations

import codecs
import csv
import io
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from forms.normalize import EXCEL_EPOCH
from forms.wording import one_line
from hub.errors import Invalid

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000


UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
"""What Excel's 「Unicode テキスト」 (UTF-16 LE, tab-separated) starts with: UTF-16 is read only
after its BOM (without one, text and a binary file cannot be told apart)."""


def decode_csv(data: bytes) -> str:
    """UTF-16 when it starts with its BOM (Excel's 「Unicode テキスト」), else UTF-8 (with or
    without BOM) first, then Shift_JIS as Japanese Excel saves it (cp932, also its 「テキスト
    （タブ区切り）」); ``Invalid`` (key ``file``) when it is none of them, or holds NUL characters
    (no text does: a workbook or another binary file under a .csv or .txt name)."""
    if data.startswith(UTF16_BOMS):
        text = _decoded(data, ("utf-16",))
    elif b"\x00" in data:
        raise Invalid({"file": [_not_text()]})
    else:
        text = _decoded(data, ("utf-8-sig", "cp932"))
    if "\x00" in text:
        raise Invalid({"file": [_not_text()]})
    return text


def _decoded(data: bytes, encodings: Sequence[str]) -> str:
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid(
        {
            "file": [
                _(
                    "文字コードを判別できません（UTF-8 か Shift_JIS で保存するか、"
                    "Excel の「Unicode テキスト」で保存してください）。"
                )
            ]
        }
    )


@dataclass(frozen=True)
class RawTable:
    header: list[Any]
    rows: list[tuple[int, list[Any]]]
    """``(row number as the spreadsheet shows it, cells)``, blank rows left out."""
    epoch: date = EXCEL_EPOCH
    """Day 0 of the date serials a number cell may hold: an xlsx's own date system (1900, or 1904
    as old Excel for Mac made it: ``forms.normalize.EXCEL_1904_EPOCH``); Excel's 1900 system for
    a CSV, which does not say."""


OTHER_SEPARATORS = (";", "\t")
"""What a list saved by Excel in some locales (「CSV（区切り文字: ;）」) or as 「テキスト（タブ区切り）」
separates its columns with instead of a comma."""


def read_table(
    data: bytes,
    *,
    max_bytes: int = MAX_IMPORT_BYTES,
    header_fits: Callable[[list[str]], bool] | None = None,
    one_line_cells: bool = False,
) -> RawTable:
    """The first sheet of an xlsx, or a CSV or tab-separated text (:func:`decode_csv`), as a
    header and numbered rows of plain values.

    ``header_fits``: whether a first line's cells are the caller's header; a CSV whose first line
    has no comma is read separated by semicolons or tabs when that line, so split, fits.
    ``one_line_cells``: a CSV cell spanning lines can only be a 「"」 left open (the caller's
    values are never written on several lines), refused saying where it opens instead of read
    as one value that swallowed the lines after it."""
    if len(data) > max_bytes:
        raise Invalid({"file": [_("ファイルが大きすぎます（%(mb)sMBまで）。", mb=max_bytes >> 20)]})
    if not data.strip():
        raise Invalid({"file": [_("ファイルが空です。")]})
    is_excel = data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))
    if not is_excel:
        return _numbered(_csv_lines(data, header_fits=header_fits, one_line_cells=one_line_cells))
    book = _xlsx_book(data, max_bytes)
    try:
        return _numbered(_xlsx_lines(book), epoch=book.epoch.date())
    finally:
        book.close()


def header_titles(header: Sequence[Any], columns: Mapping[str, int]) -> dict[str, str]:
    """Each of ``columns`` (a field and its place) as the file's header names it (``団体コード``
    for ``code``): what a row's error names, so that the user finds the column in the file."""
    titles = {}
    for field, index in columns.items():
        cell = header[index] if index < len(header) else None
        title = one_line("" if cell is None else str(cell))
        if title:
            titles[field] = title
    return titles


def other_separator(header: Sequence[Any]) -> str | None:
    """How a first line read as one cell is separated instead (「セミコロン（;）」, 「タブ」), for a
    refusal that says so; ``None`` when it is not."""
    if len(header) != 1 or not isinstance(header[0], str):
        return None
    names = {";": _("セミコロン（;）"), "\t": _("タブ")}
    return next((names[s] for s in OTHER_SEPARATORS if s in header[0]), None)


def _numbered(lines: Iterator[list[Any]], epoch: date = EXCEL_EPOCH) -> RawTable:
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
    return RawTable(header=header, rows=rows, epoch=epoch)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _csv_lines(
    data: bytes,
    *,
    header_fits: Callable[[list[str]], bool] | None = None,
    one_line_cells: bool = False,
) -> Iterator[list[Any]]:
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text, header_fits))
    try:
        for number, cells in enumerate(reader, start=1):
            if one_line_cells and any("\n" in c or "\r" in c for c in cells):
                raise Invalid({"file": [_quote_left_open(text, number, reader.line_num)]})
            yield cells
    except csv.Error as exc:
        raise Invalid({"file": [_("CSV の形式が正しくありません: %(error)s", error=exc)]}) from None


def _separator(text: str, header_fits: Callable[[list[str]], bool] | None) -> str:
    """A comma, or the other separator the first line is split by when it has no comma and,
    so split, is the caller's header (as mature import tools sniff it, but only among the
    separators spreadsheets save and only when the header says so)."""
    first = io.StringIO(text, newline="").readline().rstrip("\r\n")
    if header_fits is None or "," in first:
        return ","
    for separator in OTHER_SEPARATORS:
        if separator in first and header_fits(next(csv.reader([first], delimiter=separator))):
            return separator
    return ","


def _quote_left_open(text: str, number: int, last_line: int) -> str:
    """The refusal of a cell that spans lines: the row where its 「"」 opens, and where reading
    it stopped — at the next 「"」 (necessarily on a later line: the cell spans lines), or at the
    end of the file when none follows (the rows before are one line each, so a row's number is
    its line's)."""
    lines = io.StringIO(text, newline="").readlines()[number - 1 : last_line]
    closing = next((n for n, line in enumerate(lines[1:], start=number + 1) if '"' in line), None)
    where = (
        _("ファイルの終わりまで") if closing is None else _('%(line)s行目の「"」まで', line=closing)
    )
    return _(
        '%(line)s行目の「"」が閉じられていないため、そこから%(where)sを1つの値として読みました。'
        '「"」で囲んだ値はその行のうちに「"」で閉じ、値の中の「"」は「""」と2つ重ねてください。',
        line=number,
        where=where,
    )


def _not_text() -> str:
    """A file with NUL bytes is no CSV or text: most often a workbook, or a PDF or another
    binary file, saved under a .csv or .txt name (or UTF-16 without its BOM); say how to save it
    so that it can be read."""
    return _(
        "CSV やテキストのファイルとして読めません（Excel などのファイルの名前だけを .csv や .txt に"
        "変えたもののようです）。Excel で「CSV UTF-8（コンマ区切り）」か「テキスト（タブ区切り）」"
        "として保存し直すか、Excel ブック（.xlsx）のまま選んでください。"
    )


def _xlsx_book(data: bytes, max_bytes: int) -> Workbook:
    from openpyxl import load_workbook

    from exports.safe_xlsx import Limits, inspect_container

    inspect_container(data, Limits(max_bytes=max_bytes))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise Invalid({"file": [_("xlsx ファイルとして読めません。")]}) from None


def _xlsx_lines(book: Workbook) -> Iterator[list[Any]]:
    if not book.worksheets:
        raise Invalid({"file": [_("シートがありません。")]})
    for row in book.worksheets[0].iter_rows(values_only=True):
        yield [_plain(v) for v in row]


def _plain(value: Any) -> Any:
    """Excel's values as a person typed them: dates without a time, 131016.0 as 131016."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
