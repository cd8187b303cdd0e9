"""Aggregated tables as plain data: what every renderer (xlsx, CSV, JSON) and every page reads.

A ``Table`` knows nothing about Excel or HTTP. Cells are ``str``, ``int``, ``float``, ``None`` or
``date``; ``user_text`` names the columns whose text came from users (they are rendered so that
they can never become formulas).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

Cell = str | int | float | date | None


@dataclass(frozen=True)
class Table:
    name: str
    """Stable machine name (``plan_status``, ``answers`` ...): file names and JSON keys."""
    title: str
    """Japanese title shown above the table."""
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()
    user_text: frozenset[int] = field(default_factory=frozenset)
    """Indexes of columns holding text typed by users."""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        width = len(self.headers)
        for number, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(
                    f"{self.name}: row {number} has {len(row)} cells, expected {width}"
                )

    @classmethod
    def of(
        cls,
        name: str,
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        **kwargs: Any,
    ) -> Table:
        return cls(name, title, tuple(headers), tuple(tuple(r) for r in rows), **kwargs)
