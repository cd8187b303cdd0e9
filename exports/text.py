"""Tables as CSV (UTF-8 with a BOM, one file per table) and as one JSON document.

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
from datetime import date, datetime
from typing import Any

from exports.cells import CellKind, safe_cell
from exports.tables import Table

BOM = "\ufeff"


def table_csv(table: Table) -> bytes:
    """One table as CSV: a header row, then the rows; UTF-8 with a BOM so Excel reads Japanese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h).csv() for h in table.headers])
    for row in table.rows:
        writer.writerow(
            [safe_cell(v, user_text=i in table.user_text).csv() for i, v in enumerate(row)]
        )
    return (BOM + out.getvalue()).encode("utf-8")


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
