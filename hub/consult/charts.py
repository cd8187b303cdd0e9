"""Chart geometry for inline SVG drawn by ``templates/consult/charts.html``: no script, nothing
fetched from elsewhere, every label escaped by Jinja.

Suppressed values (``None``) never get a slice or a bar of their own; a pie shows them together as
one ``＊`` slice, which is the published total minus the published parts, so it tells nothing the
tables do not already tell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from exports.suppression import SUPPRESSED_MARK

PALETTE = (
    "#1d4e89",
    "#d1495b",
    "#edae49",
    "#00798c",
    "#66a182",
    "#8d6a9f",
    "#e07a5f",
    "#3d405b",
    "#9a8c98",
    "#bcb8b1",
)
HIDDEN_COLOUR = "#d9d9d9"
PIE_SIZE = 220
BAR_WIDTH = 560
BAR_ROW = 26
BAR_LABEL = 230


@dataclass(frozen=True)
class Wedge:
    label: str
    value: int
    colour: str
    percent: str
    path: str
    """SVG path data; empty when the wedge is the whole circle."""


@dataclass(frozen=True)
class Pie:
    title: str
    size: int
    wedges: tuple[Wedge, ...]

    @property
    def centre(self) -> float:
        return self.size / 2

    @property
    def radius(self) -> float:
        return self.size / 2 - 4


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: float
    length: float


@dataclass(frozen=True)
class Bars:
    title: str
    width: int
    row: int
    label_width: int
    bars: tuple[Bar, ...]

    @property
    def height(self) -> int:
        return self.row * len(self.bars) + 4


def pie(
    items: Sequence[tuple[str, int | None]], total: int | None, *, title: str, hidden_label: str
) -> Pie:
    """The visible parts (zeros left out), plus one slice for the suppressed ones together."""
    parts = [(label, value) for label, value in items if value]
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(parts))]
    if total is not None and any(value is None for _, value in items):
        rest = total - sum(v for _, v in parts)
        if rest > 0:
            parts.append((hidden_label, rest))
            colours.append(HIDDEN_COLOUR)
    whole = sum(v for _, v in parts)
    wedges: list[Wedge] = []
    angle = -math.pi / 2
    for (label, value), colour in zip(parts, colours, strict=True):
        sweep = 2 * math.pi * value / whole
        path = "" if value == whole else _wedge_path(angle, sweep)
        wedges.append(Wedge(label, value, colour, f"{value * 100 / whole:.1f}%", path))
        angle += sweep
    return Pie(title=title, size=PIE_SIZE, wedges=tuple(wedges))


def _wedge_path(start: float, sweep: float) -> str:
    centre = PIE_SIZE / 2
    radius = PIE_SIZE / 2 - 4
    x1, y1 = centre + radius * math.cos(start), centre + radius * math.sin(start)
    x2, y2 = centre + radius * math.cos(start + sweep), centre + radius * math.sin(start + sweep)
    large = 1 if sweep > math.pi else 0
    return (
        f"M{centre:.1f},{centre:.1f} L{x1:.2f},{y1:.2f} "
        f"A{radius:.1f},{radius:.1f} 0 {large} 1 {x2:.2f},{y2:.2f} Z"
    )


def bars(items: Sequence[tuple[str, int | None]], *, title: str) -> Bars:
    """Horizontal bars scaled to the largest visible value; a suppressed item has ``＊``, no bar."""
    room = BAR_WIDTH - BAR_LABEL - 50
    top = max((v for _, v in items if v is not None), default=0) or 1
    return Bars(
        title=title,
        width=BAR_WIDTH,
        row=BAR_ROW,
        label_width=BAR_LABEL,
        bars=tuple(
            Bar(
                label=label,
                text=SUPPRESSED_MARK if value is None else str(value),
                y=i * BAR_ROW + 2,
                length=0.0 if value is None else room * value / top,
            )
            for i, (label, value) in enumerate(items)
        ),
    )
