"""Tables as CSV (one file per table: UTF-8 with a BOM, or Shift_JIS as Windows writes it, cp932)
and as one JSON document.

A character that cp932 cannot hold (𠮷, 髙 in some forms, emoji, Hangul …) is never replaced: the
tables are checked first (:func:`unencodable`) and the caller refuses to send, naming the table,
the row, the column and the character. The only characters written differently are the few
that Unicode has twice and cp932 once, which Windows itself maps on conversion: 〜 (U+301C) as
～, − (U+2212) as －, ‖ (U+2016) as ∥, — (U+2014, the em dash) as ― (U+2015), ¢ £ ¬ as their
full-width forms.

CSV cells go through :func:`exports.cells.safe_cell` like every other renderer: text that a
spreadsheet would run as a formula gets a leading ``'``; numbers stay plain numbers. JSON carries
values as they are (JSON is not run by anything), with the summary counts beside the tables.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from exports.cells import CellKind, safe_cell
from exports.suppression import share_text
from exports.tables import Table

BOM = "\ufeff"
UTF8 = "utf-8-sig"
CP932 = "cp932"
CSV_ENCODINGS = (UTF8, CP932)
CP932_SAME = str.maketrans(
    {
        "\u301c": "\uff5e",
        "\u2212": "\uff0d",
        "\u2016": "\u2225",
        "\u2014": "\u2015",
        "\xa2": "\uffe0",
        "\xa3": "\uffe1",
        "\xac": "\uffe2",
    }
)
"""Characters Unicode has twice and cp932 once, written as the form cp932 holds (as Windows does)."""


@dataclass(frozen=True)
class Unencodable:
    """A character of a table that an encoding cannot hold, and where it is."""

    table: str
    row: int
    """1-based row of the CSV file (1 is the header row)."""
    column: str
    character: str

    def describe(self, encoding: str) -> str:
        return place_text(self.place(), encoding)

    def place(self) -> dict[str, Any]:
        """The place as data (kept with a refused 「今すぐ送信」, worded when a page shows it)."""
        return {
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "character": self.character,
        }


def place_text(place: dict[str, Any], encoding: str) -> str:
    """One character an encoding cannot hold, and where, in the reader's language."""
    return _(
        "表「%(table)s」の %(row)s 行目「%(column)s」の文字「%(character)s」（U+%(code)s）は"
        " %(encoding)s で書けません",
        table=place["table"],
        row=place["row"],
        column=place["column"],
        character=place["character"],
        code=f"{ord(place['character']):04X}",
        encoding=encoding,
    )


def _csv_lines(table: Table) -> list[list[str]]:
    lines = [[safe_cell(h).csv() for h in table.headers]]
    lines.extend(
        [safe_cell(v, user_text=i in table.user_text).csv() for i, v in enumerate(row)]
        for row in table.rows
    )
    return lines


def table_csv(table: Table, encoding: str = UTF8) -> bytes:
    """One table as CSV: a header row, then the rows; UTF-8 with a BOM so that Excel reads
    Japanese, or cp932. Raises ``UnicodeEncodeError`` for a character cp932 cannot hold: call
    :func:`unencodable` first to say where it is."""
    if encoding not in CSV_ENCODINGS:
        raise ValueError(f"unknown CSV encoding {encoding!r}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_csv_lines(table))
    if encoding == CP932:
        return out.getvalue().translate(CP932_SAME).encode(CP932)
    return (BOM + out.getvalue()).encode("utf-8")


class UnwritableCharacter(ValueError):
    """A character of a CSV document that its encoding cannot hold, and the line it is on."""

    def __init__(self, line: int, character: str, encoding: str) -> None:
        super().__init__(f"line {line}: U+{ord(character):04X} not in {encoding}")
        self.line = line
        self.character = character
        self.encoding = encoding


def _shown_cell(value: object, table: Table, column: int) -> str:
    """A cell of a document as its page shows it: a share as ``39.7%`` (a spreadsheet reads it
    back as the same number), everything else as :func:`exports.cells.safe_cell` writes it."""
    if column in table.shares and isinstance(value, float):
        return share_text(value)
    return safe_cell(value, user_text=column in table.user_text).csv()


def document_csv(heading: Sequence[str], tables: Sequence[Table], encoding: str = UTF8) -> bytes:
    """Several tables as one CSV file, as a page shows them one below the other: the
    ``heading`` lines first (one cell each), then for each table after a blank row its title,
    its header row, its rows and its notes (``※ …``). Every cell goes through
    :func:`exports.cells.safe_cell`; a share is written as the page writes it (``39.7%``).
    Raises :class:`UnwritableCharacter` for the first character ``encoding`` cannot hold."""
    if encoding not in CSV_ENCODINGS:
        raise ValueError(f"unknown CSV encoding {encoding!r}")
    lines: list[list[str]] = [[safe_cell(text).csv()] for text in heading]
    for table in tables:
        lines.append([])
        lines.append([safe_cell(table.title).csv()])
        lines.append([safe_cell(h).csv() for h in table.headers])
        lines.extend([_shown_cell(v, table, i) for i, v in enumerate(row)] for row in table.rows)
        lines.extend([safe_cell(f"※ {note}").csv()] for note in table.notes)
    if encoding == CP932:
        for number, line in enumerate(lines, start=1):
            for text in line:
                character = _first_unencodable(text)
                if character is not None:
                    raise UnwritableCharacter(number, character, encoding)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(lines)
    if encoding == CP932:
        return out.getvalue().translate(CP932_SAME).encode(CP932)
    return (BOM + out.getvalue()).encode("utf-8")


def unencodable(tables: Sequence[Table], encoding: str) -> list[Unencodable]:
    """Every cell (header included) of ``tables`` holding a character ``encoding`` cannot hold,
    with the first such character; empty for UTF-8."""
    if encoding != CP932:
        return []
    found = []
    for table in tables:
        for number, line in enumerate(_csv_lines(table), start=1):
            for column, text in enumerate(line):
                character = _first_unencodable(text)
                if character is not None:
                    found.append(Unencodable(table.title, number, table.headers[column], character))
    return found


def _first_unencodable(text: str) -> str | None:
    if text.isascii():
        return None
    try:
        text.translate(CP932_SAME).encode(CP932)
    except UnicodeEncodeError as exc:
        return exc.object[exc.start]
    return None


def csv_files(tables: Sequence[Table]) -> dict[str, bytes]:
    """``{"<table name>.csv": bytes}`` for every table, in order."""
    return {f"{t.name}.csv": table_csv(t) for t in tables}


def _json_value(value: object) -> Any:
    safe = safe_cell(value)
    if safe.kind in (CellKind.DATE, CellKind.DATETIME):
        assert isinstance(safe.value, date | datetime)
        return safe.value.isoformat()
    return safe.value


def table_json(table: Table) -> dict[str, Any]:
    body: dict[str, Any] = {"title": table.title, "headers": list(table.headers)}
    if table.keys:
        body["keys"] = list(table.keys)
    body["rows"] = [[_json_value(v) for v in row] for row in table.rows]
    if table.notes:
        body["notes"] = list(table.notes)
    return body


def tables_json(tables: Sequence[Table], *, summary: Mapping[str, Any]) -> bytes:
    """``{"summary": {...}, "tables": {name: {"title", "headers", ["keys"], "rows", ["notes"]}}}``."""
    document = tables_document(tables, summary=summary)
    return json.dumps(document, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def tables_document(tables: Sequence[Table], *, summary: Mapping[str, Any]) -> dict[str, Any]:
    """What :func:`tables_json` writes, as data: ``{"summary": …, "tables": {name: table}}``."""
    return {"summary": dict(summary), "tables": {t.name: table_json(t) for t in tables}}


def content_fingerprint(tables: Sequence[Table]) -> str:
    """A SHA-256 of the tables' content: equal exactly when every title, header and cell is.

    The xlsx bytes change with every build (generation time, zip timestamps); compare this to
    decide whether the content changed.
    """
    payload = json.dumps(
        [[t.name, table_json(t)] for t in tables], ensure_ascii=False, sort_keys=True, default=str
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
