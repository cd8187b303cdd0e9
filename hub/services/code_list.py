"""総務省's 全国地方公共団体コード list, read as the hub's municipality list.

総務省 publishes the codes of every prefecture and municipality as an Excel file (columns 団体コード,
都道府県名（漢字）, 市区町村名（漢字）, 都道府県名（カナ）, 市区町村名（カナ）; kana in half-width katakana;
a prefecture's own row has no municipality name). The administrator uploads it as downloaded, each
April after the mergers, instead of converting it to the hub's columns by hand:

- a prefecture's own row is skipped (it is no municipality);
- the kana becomes hiragana, as the hub keeps it (ﾁﾖﾀﾞｸ → ちよだく);
- the type follows the name (…区 → 特別区 in Tokyo, 区 elsewhere; …市, …町, …村) and the region
  the type, as the hub groups them (区部, 市部, 町村部);
- the file has no English names: a municipality keeps the one stored, a new one has none (pages
  show the Japanese name).

A file of this shape is recognised by its header; :func:`read_municipality_list` reads both shapes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from forms.normalize import fold_text

HEADER_ROWS_SEARCHED = 10
"""The header is looked for in the first rows (a title above it is allowed)."""

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}

TOKYO = "13"


def _key(cell: Any) -> str:
    """A header cell compared without spaces, line breaks or the width of its brackets."""
    text = fold_text("" if cell is None else str(cell))
    return "".join(text.split()).replace("(", "（").replace(")", "）")


COLUMNS = {
    "code": "団体コード",
    "prefecture": "都道府県名（漢字）",
    "name": "市区町村名（漢字）",
    "kana": "市区町村名（カナ）",
}


def header_columns(cells: Sequence[Any]) -> dict[str, int] | None:
    """Where each of :data:`COLUMNS` is in ``cells``, or ``None`` when this is not that header."""
    keys = [_key(c) for c in cells]
    found = {field: keys.index(title) for field, title in COLUMNS.items() if title in keys}
    return found if len(found) == len(COLUMNS) else None


def find_header(
    header: Sequence[Any], rows: Sequence[tuple[int, Sequence[Any]]]
) -> tuple[dict[str, int], int] | None:
    """The columns and the line of 総務省's header: the table's header, or one of the first rows
    below it; ``None`` for a file of another shape."""
    columns = header_columns(header)
    if columns is not None:
        return columns, 1
    for line, cells in rows[:HEADER_ROWS_SEARCHED]:
        columns = header_columns(cells)
        if columns is not None:
            return columns, line
    return None


def code_text(value: Any) -> str:
    """A 団体コード cell as text: folded (１３１０１６ → 131016); one Excel keeps as a number gets
    back the leading zero it dropped (11002 → 011002, 北海道)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:06d}" if 0 <= value < 1_000_000 else str(value)
    return fold_text("" if value is None else str(value))


def hiragana(kana: str) -> str:
    """Half- or full-width katakana as hiragana (ﾁﾖﾀﾞｸ → ちよだく); anything else unchanged."""
    return unicodedata.normalize("NFKC", kana).translate(_KATAKANA_TO_HIRAGANA)


def kind_of(code: str, name: str) -> str:
    """The type the hub keeps: 特別区 (Tokyo's wards), 区, 市, 町 or 村; empty when the name ends
    otherwise."""
    last = name[-1:] if name else ""
    if last == "区":
        return "特別区" if code.startswith(TOKYO) else "区"
    return last if last in ("市", "町", "村") else ""


def region_of(kind: str) -> str:
    """The group the hub shows the type in (区部, 市部, 町村部)."""
    return {"特別区": "区部", "区": "区部", "市": "市部", "町": "町村部", "村": "町村部"}.get(
        kind, ""
    )


def row_of(cells: Sequence[Any], columns: dict[str, int]) -> dict[str, Any] | None:
    """One line of the file as the hub's columns (without ``name_en``: the file has none), or
    ``None`` for a prefecture's own row (or a blank one)."""

    def cell(field: str) -> Any:
        index = columns[field]
        return cells[index] if index < len(cells) else None

    name = "" if cell("name") is None else str(cell("name")).strip()
    if not name:
        return None
    code = code_text(cell("code"))
    kind = kind_of(code, name)
    return {
        "code": code,
        "name": name,
        "kana": hiragana("" if cell("kana") is None else str(cell("kana")).strip()),
        "region": region_of(kind),
        "type": kind,
    }
