"""What one recipient receives for one round: the tables its profile names, rendered as files.

The content is decided by the tables, never by the bytes of the files: ``Composition.content_hash``
is the SHA-256 of the tables' canonical JSON (plus the formats asked for), so a workbook whose
timestamps differ from run to run is still "the same content". Personal data never gets in:
tables are always built with ``personal=False``, which leaves out the questionnaire's ``personal``
fields as whole fields (and the editors' names). Every other cell goes out exactly as typed: no
cell is ever edited by looking for personal values inside it (issue 14, item 2).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from exports.aggregate import round_counts, summary
from exports.assembly import round_sheets
from exports.channels.base import DeliveryFile
from exports.tables import Table
from exports.text import (
    UTF8,
    content_fingerprint,
    place_text,
    table_csv,
    table_json,
    tables_document,
    unencodable,
)
from exports.workbook import workbook_document
from exports.xlsx import XLSX_MIMETYPE, render_xlsx
from hub.errors import Conflict
from hub.models import Recipient, Round

MEDIA_TYPES = {
    "xlsx": XLSX_MIMETYPE,
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
CSV_MEDIA_TYPES = {UTF8: MEDIA_TYPES["csv"], "cp932": "text/csv; charset=Shift_JIS"}
UTF8_BOM = b"\xef\xbb\xbf"


def media_type_of(name: str, content: bytes) -> str:
    """The type a delivered file was sent with, told again from its name and bytes (the files
    handed out later, when the recipient's CSV encoding may have changed since): a CSV with the
    BOM ``utf-8-sig`` writes is UTF-8, one without it cp932; anything else by its extension."""
    extension = name.rpartition(".")[2].lower()
    if extension == "csv":
        return CSV_MEDIA_TYPES[UTF8 if content.startswith(UTF8_BOM) else "cp932"]
    return MEDIA_TYPES.get(extension, "application/octet-stream")


@dataclass(frozen=True)
class Composition:
    """The tables a recipient gets for a round (grouped as workbook sheets) and their fingerprint."""

    round: Round
    sheets: tuple[tuple[str, tuple[Table, ...]], ...]
    formats: tuple[str, ...]
    snapshot: dict[str, Any]
    content_hash: str
    summary: dict[str, Any]
    """The round's summary counts (the JSON file's ``summary``), from the same counts as the
    tables."""
    csv_encoding: str = UTF8
    """``utf-8-sig`` or ``cp932`` (the recipient's profile), checked to hold every character."""

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(t for _, tables in self.sheets for t in tables)


@dataclass(frozen=True)
class Marking:
    """How a rendered delivery names itself: its id and, for a 訂正版, what it corrects."""

    delivery_id: str
    created_at: datetime
    correction_of: str | None = None
    correction_number: int = 0
    changes: dict[str, Any] | None = None


def compose(recipient: Recipient, round_: Round) -> Composition:
    """The recipient's tables for the round (its profile's selection, never personal fields),
    with the consultation desk's statistics and hearing progress, small cells suppressed; the
    sheets in the staff workbook's order."""
    wanted = set(recipient.tables or ())
    counts = round_counts(round_)
    sheets = []
    for name, tables in round_sheets(
        round_, detail=recipient.include_detail, personal=False, desk=True, counts=counts
    ):
        chosen = [t for t in tables if not wanted or t.name in wanted]
        if chosen:
            sheets.append((name, tuple(chosen)))
    formats = tuple(recipient.formats)
    chosen_tables = [t for _, tables in sheets for t in tables]
    if not chosen_tables:
        refusal = {"code": "no_tables", "recipient": recipient.title, "tables": sorted(wanted)}
        raise Conflict(no_tables_text(refusal), refusal=refusal)
    encoding = recipient.csv_encoding if "csv" in formats else UTF8
    check_encodable(recipient, chosen_tables, encoding)
    return Composition(
        round_,
        tuple(sheets),
        formats,
        snapshot_of(chosen_tables),
        content_hash(chosen_tables, formats, encoding),
        summary(counts),
        encoding,
    )


MAX_REPORTED = 5


def check_encodable(recipient: Recipient, tables: Sequence[Table], encoding: str) -> None:
    """Refuse, before anything is sent, tables whose text the recipient's CSV encoding cannot
    hold, naming each place (never replace a character silently)."""
    problems = unencodable(tables, encoding)
    if not problems:
        return
    refusal = {
        "code": "unencodable",
        "recipient": recipient.title,
        "encoding": encoding,
        "places": [p.place() for p in problems[:MAX_REPORTED]],
        "more": max(len(problems) - MAX_REPORTED, 0),
    }
    raise Conflict(
        unencodable_text(refusal),
        problems=[p.describe(encoding) for p in problems],
        refusal=refusal,
    )


def no_tables_text(refusal: Mapping[str, Any]) -> str:
    """Why nothing was made: the recipient's profile names no table this round has."""
    return _(
        "%(title)s の設定では送る表がありません（tables: %(tables)s）。",
        title=refusal["recipient"],
        tables=", ".join(refusal["tables"]),
    )


def unencodable_text(refusal: Mapping[str, Any]) -> str:
    """Why nothing was made: characters the recipient's CSV encoding cannot hold, and where
    (the first :data:`MAX_REPORTED`, and how many more)."""
    encoding = refusal["encoding"]
    shown = _("；").join(place_text(p, encoding) for p in refusal["places"])
    more = _("（ほか %(count)s 件）", count=refusal["more"]) if refusal["more"] else ""
    return _(
        "%(title)s へのCSVを %(encoding)s で作れません: %(places)s%(more)s。"
        "その文字を直すか、送付先のCSVの文字コードを utf-8-sig にしてください。",
        title=refusal["recipient"],
        encoding=encoding,
        places=shown,
        more=more,
    )


def snapshot_of(tables: Iterable[Table]) -> dict[str, Any]:
    """The tables as plain JSON data (as the JSON export writes them): kept in the delivery log
    so that the next delivery can say what changed."""
    return {t.name: table_json(t) for t in tables}


def content_hash(tables: Sequence[Table], formats: Sequence[str], encoding: str = UTF8) -> str:
    """Equal exactly when every title, header and cell is, and the same formats (and CSV
    encoding) are asked for."""
    canonical = f"{content_fingerprint(tables)}|{','.join(sorted(formats))}"
    if encoding != UTF8:
        canonical += f"|csv:{encoding}"
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- what changed -----------------------------------------------------------------------------


MAX_LISTED_CELLS = 50


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Tables and cells that differ between two snapshots, for a 訂正版's "what changed".

    ``{"tables": [names], "titles": [titles], "cells": [{"table", "row", "column", "before",
    "after"}]}``; rows are named by their first cell, cells listed up to ``MAX_LISTED_CELLS``.
    """
    names = [n for n in after if before.get(n) != after[n]]
    names += [n for n in before if n not in after]
    cells: list[dict[str, Any]] = []
    for name in names:
        cells.extend(_changed_cells(name, before.get(name), after.get(name)))
    titles = [(after.get(n) or before.get(n) or {}).get("title", n) for n in names]
    return {
        "tables": names,
        "titles": titles,
        "cells": cells[:MAX_LISTED_CELLS],
        "cells_total": len(cells),
    }


def _changed_cells(
    name: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[dict[str, Any]]:
    if before is None or after is None or before["headers"] != after["headers"]:
        return []
    headers = after["headers"]
    old_rows = _rows_by_label(before["rows"])
    changed = []
    for label, row in _rows_by_label(after["rows"]).items():
        old = old_rows.get(label)
        for index, value in enumerate(row):
            previous = old[index] if old is not None else None
            if previous != value:
                changed.append(
                    {
                        "table": name,
                        "row": label,
                        "column": headers[index],
                        "before": previous,
                        "after": value,
                    }
                )
    return changed


def _rows_by_label(rows: list[list[Any]]) -> dict[str, list[Any]]:
    labelled: dict[str, list[Any]] = {}
    for number, row in enumerate(rows, start=1):
        label = str(row[0]) if row and row[0] is not None else f"{number}行目"
        labelled[label if label not in labelled else f"{label} ({number}行目)"] = row
    return labelled


# --- files ------------------------------------------------------------------------------------


def base_name(recipient: Recipient, round_: Round, marking: Marking) -> str:
    """``r12_20210401_moj`` and, for a 訂正版, ``r12_20210401_moj_correction2``."""
    name = f"r{round_.id}_{round_.reference_date:%Y%m%d}_{recipient.name}"
    if marking.correction_of:
        name += f"_correction{marking.correction_number}"
    return name


def render(
    recipient: Recipient, composition: Composition, marking: Marking
) -> tuple[DeliveryFile, ...]:
    """The delivery's files in the formats of the profile, named after the round and recipient."""
    base = base_name(recipient, composition.round, marking)
    files: list[DeliveryFile] = []
    if "xlsx" in composition.formats:
        files.append(DeliveryFile(f"{base}.xlsx", _xlsx(composition, marking), MEDIA_TYPES["xlsx"]))
    if "csv" in composition.formats:
        files.extend(
            DeliveryFile(
                f"{base}_{t.name}.csv",
                table_csv(t, composition.csv_encoding),
                CSV_MEDIA_TYPES[composition.csv_encoding],
            )
            for t in composition.tables
        )
    if "json" in composition.formats:
        files.append(
            DeliveryFile(
                f"{base}.json", _json(recipient, composition, marking), MEDIA_TYPES["json"]
            )
        )
    return tuple(files)


def _xlsx(composition: Composition, marking: Marking) -> bytes:
    round_ = composition.round
    document = workbook_document(round_, generated_at=marking.created_at)
    if marking.correction_of:
        document = replace(
            document,
            title=f"【訂正版】{document.title}",
            subtitle=f"{document.subtitle}　配信 {marking.correction_of} の訂正版",
        )
    return render_xlsx(composition.sheets, document=document)


def _json(recipient: Recipient, composition: Composition, marking: Marking) -> bytes:
    """The tables and the summary counts (plan status and every choice), with who, what round,
    and for a 訂正版 which delivery it corrects and what changed."""
    round_ = composition.round
    head: dict[str, Any] = {
        "recipient": recipient.name,
        "round": round_.id,
        "survey": round_.questionnaire.id,
        "reference_date": round_.reference_date.isoformat(),
        "title": round_.title,
        "delivery_id": marking.delivery_id,
        "created_at": marking.created_at.isoformat(),
        "correction_of": marking.correction_of,
    }
    if marking.correction_of:
        head["changes"] = marking.changes or {}
    body = tables_document(composition.tables, summary=composition.summary)
    return json.dumps({**head, **body}, ensure_ascii=False, indent=1, default=str).encode("utf-8")
