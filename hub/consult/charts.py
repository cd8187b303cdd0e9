"""Chart geometry for inline SVG drawn by ``templates/consult/charts.html``: no script, nothing
fetched from elsewhere, every label escaped by Jinja.

Suppressed values (``None``) never get a slice or a bar of their own; a pie shows them together as
one ``＊`` slice, which is the published total minus the published parts, so it tells nothing the
tables do not already tell.

A bar chart is drawn twice, and the style sheet shows one: ``wide`` (labels on the left of the
bars, 560 units drawn at 560 px, and what prints) and ``narrow`` (each label above its bar, 300
units, for a screen under 40rem, where the wide drawing would be scaled down to unreadable text).
No label is ever cut: each is broken into as many lines as its column needs, measured with a
generous estimate of each character's width (a full-width character is one em, a Latin letter
about 0.6), so that it fits in whichever font the reader's system has.
"""

from __future__ import annotations

import math
import unicodedata
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


@dataclass(frozen=True)
class Line:
    """One line of a label: its text and where its baseline starts (or ends, ``anchor``)."""

    text: str
    x: float
    y: float


@dataclass(frozen=True)
class Bar:
    label: str
    """The whole label, for the bar's ``<title>``."""
    text: str
    """The value as shown: a number, or ``＊`` when suppressed."""
    lines: tuple[Line, ...]
    x: float
    y: float
    length: float
    height: float
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Drawing:
    """One layout of a bar chart, in SVG user units."""

    width: int
    height: int
    font_size: int
    anchor: str
    """``text-anchor`` of the label lines: ``end`` beside the bars, ``start`` above them."""
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Bars:
    title: str
    wide: Drawing
    narrow: Drawing


WIDE = 560
WIDE_FONT = 13
WIDE_LABEL = 230
"""The widest the wide drawing's label column gets; a longer label is broken into lines."""
NARROW = 300
NARROW_FONT = 14
GAP = 8
EDGE = 2
"""Room left of a label: a glyph such as "J" reaches a little left of where it is placed."""
VALUE_ROOM = 44
"""Room after the longest bar for its value (four digits at either font size)."""
LEADING = 1.3
"""A label line's height in ems."""

NO_BREAK_BEFORE = frozenset(
    "、。，．,.)）]］｝」』】〕〉》・：；:;！？!?ー～…‥々ゝゞァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ"
)
"""Never at the start of a line (行頭禁則)."""
NO_BREAK_AFTER = frozenset("(（[［｛「『【〔〈《")
"""Never at the end of a line (行末禁則)."""
NARROW_LATIN = frozenset("ijlI.,:;'!|`")
WIDE_LATIN = frozenset("mwMW@%")


def char_width(char: str) -> float:
    """A generous estimate of the width of ``char`` in ems, for any of the pages' fonts."""
    if unicodedata.east_asian_width(char) in ("W", "F", "A"):
        return 1.0
    if unicodedata.east_asian_width(char) == "H":
        return 0.55
    if char == " ":
        return 0.35
    if char in NARROW_LATIN:
        return 0.35
    if char in WIDE_LATIN:
        return 1.0
    if char.isupper():
        return 0.78
    return 0.64


def text_width(text: str, font_size: float) -> float:
    """The estimated width of ``text`` at ``font_size``, in the same units."""
    return sum(char_width(c) for c in text) * font_size


def _pieces(label: str) -> list[tuple[str, bool]]:
    """``label`` as the pieces a line may not be broken inside, each with whether a space came
    before it: a Latin word is one piece, a full-width character one of its own (with the
    punctuation that may not start or end a line kept beside it)."""
    pieces: list[tuple[str, bool]] = []
    space = False
    for char in label:
        if char.isspace():
            space = True
            continue
        if pieces and not space:
            previous = pieces[-1][0][-1]
            latin = not _is_wide(char) and not _is_wide(previous)
            if latin or char in NO_BREAK_BEFORE or previous in NO_BREAK_AFTER:
                pieces[-1] = (pieces[-1][0] + char, pieces[-1][1])
                continue
        pieces.append((char, space))
        space = False
    return pieces


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def wrap(label: str, width: float, font_size: float) -> tuple[str, ...]:
    """``label`` in lines no wider than ``width`` (estimated), broken between words or between
    full-width characters; a word longer than a whole line is broken between its letters."""
    lines: list[str] = []
    line = ""
    for piece, space in _pieces(label):
        parts = [piece]
        if text_width(piece, font_size) > width:
            parts = list(piece)
        for n, part in enumerate(parts):
            joined = line + (" " if space and n == 0 and line else "") + part
            if not line or text_width(joined, font_size) <= width:
                line = joined
            else:
                lines.append(line)
                line = part
    if line or not lines:
        lines.append(line)
    return tuple(lines)


def bars(items: Sequence[tuple[str, int | None]], *, title: str) -> Bars:
    """Horizontal bars scaled to the largest visible value; a suppressed item has ``＊``, no bar."""
    top = max((v for _, v in items if v is not None), default=0) or 1
    return Bars(title=title, wide=_wide(items, top), narrow=_narrow(items, top))


def _wide(items: Sequence[tuple[str, int | None]], top: int) -> Drawing:
    """Labels right-aligned in a column left of the bars, as wide as the longest label needs up
    to ``WIDE_LABEL``; a row as tall as its label's lines."""
    font, line = WIDE_FONT, WIDE_FONT * LEADING
    wrapped = [wrap(label, WIDE_LABEL, font) for label, _ in items]
    column = EDGE + math.ceil(
        max((text_width(text, font) for lines in wrapped for text in lines), default=0)
    )
    start = column + GAP
    room = WIDE - start - VALUE_ROOM
    drawn: list[Bar] = []
    y = 2.0
    for (label, value), lines in zip(items, wrapped, strict=True):
        row = max(26.0, len(lines) * line + 8)
        middle = y + row / 2
        first = middle - (len(lines) - 1) * line / 2 + font * 0.35
        length = _length(value, top, room)
        drawn.append(
            Bar(
                label=label,
                text=_shown(value),
                lines=tuple(
                    Line(text, column, round(first + n * line, 1)) for n, text in enumerate(lines)
                ),
                x=start,
                y=round(middle - 9, 1),
                length=length,
                height=18,
                text_x=round(start + length + 6, 1),
                text_y=round(middle + font * 0.35, 1),
            )
        )
        y += row
    return Drawing(WIDE, math.ceil(y + 2), font, "end", tuple(drawn))


def _narrow(items: Sequence[tuple[str, int | None]], top: int) -> Drawing:
    """Each label left-aligned over the whole width, its bar under it."""
    font, line = NARROW_FONT, NARROW_FONT * LEADING
    left = EDGE
    room = NARROW - left - VALUE_ROOM
    drawn: list[Bar] = []
    y = 2.0
    for label, value in items:
        lines = wrap(label, NARROW - 2 * left, font)
        bar_top = y + len(lines) * line + 2
        length = _length(value, top, room)
        drawn.append(
            Bar(
                label=label,
                text=_shown(value),
                lines=tuple(
                    Line(text, left, round(y + font + n * line, 1)) for n, text in enumerate(lines)
                ),
                x=left,
                y=round(bar_top, 1),
                length=length,
                height=16,
                text_x=round(left + length + 6, 1),
                text_y=round(bar_top + 8 + font * 0.35, 1),
            )
        )
        y = bar_top + 16 + 10
    return Drawing(NARROW, math.ceil(y - 6), font, "start", tuple(drawn))


def _length(value: int | None, top: int, room: float) -> float:
    return 0.0 if value is None else round(room * value / top, 1)


def _shown(value: int | None) -> str:
    return SUPPRESSED_MARK if value is None else str(value)
