"""How each sheet of a workbook prints: paper, repeated rows and the manual page breaks.

Decided here, once, from the sheet's layout (column widths, row heights, the blocks of rows that
each table and its chart occupy) and nothing else, so that the renderer (:mod:`exports.xlsx`)
only carries the decisions out. Every sheet prints landscape, one page wide (fit to width, any
number of pages tall: Excel and LibreOffice keep manual breaks in that mode), its heading rows on
every page;

- a list (回答一覧, 提出状況) also repeats its header row; it goes on A3 when A4 would shrink it
  below :data:`LEGIBLE_SCALE`, and breaks wherever its rows fill a page;
- any other sheet (集計, 相談窓口, 定義 …) is A4 with a manual page break before every block (a
  table with its notes and its chart) that would not fit on the rest of the page, so that no
  table or chart is cut in two. A block taller than a page starts a page of its own and runs on.

The breaks are planned at the scale the sheet's estimated width needs. Spreadsheet programs
measure columns in the digit width of the font they have, which is wider than the estimate's
(Excel's 7 px for an 11 pt font): the real scale is then smaller, a page holds more than planned,
and the breaks still fall between blocks. Sizes are in points (1/72 inch); column widths in
Excel's character units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

A4 = 9
A3 = 8
"""Excel's paper size codes."""
PAPER_POINTS = {A4: (841.9, 595.3), A3: (1190.6, 841.9)}
"""Landscape (width, height) of each paper."""
MARGIN_SIDE = 0.7 * 72
MARGIN_TOP_BOTTOM = 0.75 * 72
"""The margins every sheet prints with (Excel's "normal" margins, the writer's defaults)."""
SAFETY = 0.94
"""Share of the printable area planned for: fonts differ between Excel and LibreOffice."""
LEGIBLE_SCALE = 55
"""Below this scale a list on A4 is hard to read: it goes on A3."""
POINTS_PER_CHARACTER = 7.0 * 0.75
"""One unit of column width (a digit of the body font) in points, and the cell's padding."""
COLUMN_PADDING = 5 * 0.75


@dataclass(frozen=True)
class Block:
    """Rows (0-based, inclusive) that must print on one page: a table's title to its last note or
    the bottom of its chart."""

    first: int
    last: int


@dataclass(frozen=True)
class Layout:
    """What the renderer knows about a sheet once its rows are laid out."""

    widths: Sequence[float]
    """Column widths in character units."""
    heights: Sequence[float]
    """The height of every row in points, from row 0 to the sheet's last row."""
    blocks: Sequence[Block]
    is_list: bool
    """A single long list (filterable): printed one page wide, its header rows repeated."""
    repeat_rows: int
    """Rows at the top that print on every page (heading, and a list's header)."""
    extra_width: float = 0.0
    """Points beside the columns taken by charts."""


@dataclass(frozen=True)
class PrintPlan:
    paper: int
    scale: int
    """The estimated zoom in percent that fits the sheet's width (the breaks are planned at it)."""
    repeat_rows: int
    breaks: tuple[int, ...]
    """0-based rows that start a new page."""


def sheet_width(layout: Layout) -> float:
    columns = sum(w * POINTS_PER_CHARACTER + COLUMN_PADDING for w in layout.widths)
    return columns + layout.extra_width


def printable(paper: int) -> tuple[float, float]:
    width, height = PAPER_POINTS[paper]
    return (width - 2 * MARGIN_SIDE) * SAFETY, (height - 2 * MARGIN_TOP_BOTTOM) * SAFETY


def fitting_scale(layout: Layout, paper: int) -> int:
    """The largest whole percentage at which the sheet's width fits the paper (at most 100)."""
    usable, _ = printable(paper)
    width = sheet_width(layout)
    return 100 if width <= usable else max(1, int(usable / width * 100))


def plan(layout: Layout) -> PrintPlan:
    paper = A4
    if layout.is_list and fitting_scale(layout, A4) < LEGIBLE_SCALE:
        paper = A3
    scale = fitting_scale(layout, paper)
    breaks = () if layout.is_list else page_breaks(layout, scale, paper)
    return PrintPlan(paper, scale, layout.repeat_rows, breaks)


def page_breaks(layout: Layout, scale: int, paper: int = A4) -> tuple[int, ...]:
    """Rows before which a page must break so that no block straddles two pages.

    Rows between blocks (blank spacers) may fall anywhere; a block that does not fit on the rest
    of the page moves to the next one.
    """
    _, usable = printable(paper)
    repeated = sum(layout.heights[: layout.repeat_rows])
    page = usable * 100 / scale - repeated
    heights = layout.heights
    breaks: list[int] = []
    used = sum(heights[layout.repeat_rows : layout.blocks[0].first]) if layout.blocks else 0.0
    for block in layout.blocks:
        tall = sum(heights[block.first : block.last + 1])
        if used > 0 and used + tall > page:
            breaks.append(block.first)
            used = 0.0
        used += tall
        while used > page:  # a block taller than a page runs on; count what spills over
            used -= page
        gap_end = next((b.first for b in layout.blocks if b.first > block.last), block.last + 1)
        used += sum(heights[block.last + 1 : gap_end])
    return tuple(breaks)
