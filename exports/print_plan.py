"""How each sheet of a workbook prints: paper, scale, repeated rows and columns, page breaks.

Decided here, once, from the sheet's layout (column widths, row heights, the blocks of rows that
each table and its chart occupy, a list's fields and sections) and nothing else, so that the
renderer (:mod:`exports.xlsx`) only carries the decisions out.

**Legible first.** Every sheet prints landscape at a fixed scale (never "fit to page": Excel
ignores manual page breaks under fit-to-page, and a wide sheet fitted to one page comes out at
20 %). The scale is the one that fits the sheet's width on the paper, capped at
:data:`MAX_SCALE` (so that narrow sheets do not spread over many pages) and never below
:data:`LEGIBLE_SCALE`: the 11 pt body text prints at 6.6 pt or more, the smallest size the
printed workbook promises (`tests/exports/test_print.py` measures it in LibreOffice's PDF).
The floor is 6.5 pt: small print, about that of a dense statistical table, where kanji of many
strokes still stay apart on a laser print; it is the lowest this project accepts, not a
comfortable size. 65 % (7.2 pt) would read more easily, but then the 62 rows of 回答一覧 no
longer fit one A3 page tall, each column group takes two pages and the workbook needs more than
its budget of 25 pages; 60 % keeps both. A sheet goes on A4 when its width fits there at
:data:`LEGIBLE_SCALE`, else on A3.

**Wide lists in column groups.** A list (回答一覧) too wide for A3 at :data:`LEGIBLE_SCALE`
prints in pages of column groups, as wide exports are printed by hand: its identifying columns
(団体コード, 区市町村) repeat on the left of every page and its header rows on top, and manual
vertical page breaks (:func:`column_breaks`) fall between the questionnaire's sections (a
section that fits on a page but not on the rest of one starts the next page); a section too
wide for any page fills the rest of the page it comes to and runs on, split between fields,
never inside a field's columns (a many-of question's choice columns, a question and its その他). Pages print "down, then over" (the
spreadsheet's default order): all the rows of a column group, then the next group. With 62
municipalities a group is one page tall either way; with 1,741 the pages of one group (one
section of the questionnaire for every municipality) follow each other instead of alternating
with the other groups, so a reader finds a section's answers together. Rows break wherever
they fill a page (the spreadsheet's automatic breaks).

**Every page says what it is.** The sheet's heading (the survey's title, the sheet's name,
基準日) is its first rows, repeated on every page; where other rows repeat instead (a last
table's header, a list's header in column groups) the heading prints in the page header, and a
list in column groups leaves its heading and title rows out of the print area (their text,
wider than the identifying columns, would be cut on every page but the first). The footer
holds the page number, of how many, and the sheet's name.

**Tables whole.** Any other sheet (集計, 相談窓口, 定義 …) breaks its pages before every block
(a table with its notes and its chart) that would not fit on the rest of the page, so that no
table or chart is cut in two. A block taller than a page starts a page of its own and runs on,
and the block after it starts the next page (where the run ends depends on the program).

Widths are planned with LibreOffice's column unit, 7 pt (the digit of the 11 pt font it
substitutes for 游ゴシック where that is missing, measured from its own conversion of the
workbook), the widest of the spreadsheet programs seen: where a program's unit is narrower (Excel
with 游ゴシック), a page holds a little more than planned and every break still falls where it
was planned. Sizes are in points (1/72 inch); column widths in character units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

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
LEGIBLE_SCALE = 60
"""The smallest print scale of any sheet: 11 pt body text prints at 6.6 pt."""
MAX_SCALE = 70
"""The largest: a narrow sheet is not blown up over more pages than it needs."""
POINTS_PER_CHARACTER = 7.0
"""One unit of column width in points, as LibreOffice lays it out (the widest of the programs)."""
COLUMN_PADDING = 5.0
"""The writer stores a width of ``w`` units as ``w + 5/7`` (Excel's cell padding)."""
DEFAULT_COLUMN_POINTS = 60.0
"""LibreOffice's width of a column the sheet leaves at its default (charts stand on them)."""


@dataclass(frozen=True)
class Block:
    """Rows (0-based, inclusive) that must print on one page: a table's title to its last note or
    the bottom of its chart."""

    first: int
    last: int
    header: int | None = None
    """The row of the table's column headers: repeated on the pages it runs on to when it is the
    sheet's last table and taller than a page."""


@dataclass(frozen=True)
class Layout:
    """What the renderer knows about a sheet once its rows are laid out."""

    widths: Sequence[float]
    """Column widths in character units."""
    heights: Sequence[float]
    """The height of every row in points, from row 0 to the sheet's last row."""
    blocks: Sequence[Block]
    is_list: bool
    """A single long list (filterable): its header rows and identifying columns repeated."""
    repeat_rows: int
    """Rows that print on every page (heading, and a list's header), from :attr:`repeat_first`."""
    extra_width: float = 0.0
    """Points beside the columns taken by charts."""
    repeat_columns: int = 0
    """Leading columns that identify a row (a list's 団体コード, 区市町村): printed on the left
    of every page when the sheet prints in column groups."""
    fields: Sequence[int] = ()
    """The first column of every field (a question's columns, which print together); empty:
    every column stands alone."""
    sections: Sequence[int] = ()
    """The first column of every section of the questionnaire: column groups break here first."""
    repeat_first: int = 0
    """The first row that prints on every page: 0, the sheet's heading, unless the plan repeats
    a last table's header instead (:func:`running_header`)."""


@dataclass(frozen=True)
class PrintPlan:
    paper: int
    scale: int
    """The print scale in percent (fixed: the breaks are planned at it)."""
    repeat_rows: int
    """How many rows print on every page, from :attr:`repeat_first`."""
    breaks: tuple[int, ...]
    """0-based rows that start a new page."""
    repeat_columns: int = 0
    """Leading columns printed on every page (0: none)."""
    column_breaks: tuple[int, ...] = ()
    """0-based columns that start a new page (column groups)."""
    repeat_first: int = 0
    """The first repeated row: the sheet's heading (0), or the header row of a last table that
    runs over pages (a spreadsheet repeats one range of rows, from the page after it appears),
    or a list's column keys when it prints in column groups."""
    first_row: int = 0
    """The first row printed: a list in column groups leaves out its heading and title rows,
    whose text would be cut at its identifying columns on every page but the first."""
    page_heading: bool = False
    """The sheet's heading (document title, sheet, 基準日) prints in the page header: on the
    sheets whose repeated rows are not the heading, so that every page says what it is from."""


def column_points(width: float) -> float:
    return width * POINTS_PER_CHARACTER + COLUMN_PADDING


def sheet_width(layout: Layout) -> float:
    columns = sum(column_points(w) for w in layout.widths)
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
    """Paper, scale and breaks: A4 when the sheet's width fits there legibly, else A3; on A3 a
    sheet still too wide prints at :data:`LEGIBLE_SCALE` in column groups."""
    paper = A4 if fitting_scale(layout, A4) >= LEGIBLE_SCALE else A3
    scale = max(LEGIBLE_SCALE, min(fitting_scale(layout, paper), MAX_SCALE))
    grouped = fitting_scale(layout, paper) < LEGIBLE_SCALE
    repeat_columns = layout.repeat_columns if grouped else 0
    columns: tuple[int, ...] = ()
    if grouped:
        usable, _ = printable(paper)
        columns = column_breaks(
            [column_points(w) for w in layout.widths],
            usable * 100 / scale,
            repeat_columns=repeat_columns,
            fields=layout.fields,
            sections=layout.sections,
        )
    first_row = 0
    if not layout.is_list:
        running = running_header(layout, scale, paper)
        if running is not None:
            layout = replace(layout, repeat_first=running, repeat_rows=1)
    elif grouped and layout.blocks and layout.blocks[0].header is not None:
        # the list's column keys and header rows: the heading and title go to the page header
        first_row = layout.blocks[0].first + 1
        layout = replace(
            layout, repeat_first=first_row, repeat_rows=layout.blocks[0].header - first_row + 1
        )
    breaks = () if layout.is_list else page_breaks(layout, scale, paper)
    return PrintPlan(
        paper,
        scale,
        layout.repeat_rows,
        breaks,
        repeat_columns,
        columns,
        repeat_first=layout.repeat_first,
        first_row=first_row,
        page_heading=layout.repeat_first != 0,
    )


def running_header(layout: Layout, scale: int, paper: int) -> int | None:
    """The header row of the sheet's last table when that table is taller than a page (聞き取りの
    記録, 定義's questions): repeated instead of the sheet's heading, so that every page it runs
    on to says what its columns are. ``None``: the heading repeats, as on every other sheet."""
    if not layout.blocks or layout.blocks[-1].header is None:
        return None
    last = layout.blocks[-1]
    _, usable = printable(paper)
    page = usable * 100 / scale - sum(layout.heights[: layout.repeat_rows])
    tall = sum(layout.heights[last.first : last.last + 1])
    return last.header if tall > page else None


def column_breaks(
    widths: Sequence[float],
    page: float,
    *,
    repeat_columns: int = 0,
    fields: Sequence[int] = (),
    sections: Sequence[int] = (),
) -> tuple[int, ...]:
    """Columns (0-based) before which a page must break so that each page is at most ``page``
    wide, its ``repeat_columns`` leading columns included.

    Sections (given by their first column) are kept whole on a page where they fit: a section
    that does not fit on the rest of a page starts the next one. A section wider than a page
    fills the rest of the page it comes to and runs on, split between fields (given by their
    first column); a field wider than a page is split between columns. The first page holds the
    repeated columns too, like every other.
    """
    count = len(widths)
    if count == 0:
        return ()
    starts = set(fields) if fields else set(range(count))
    starts |= set(sections)
    starts = {c for c in starts if repeat_columns < c < count}
    fields_at = sorted({repeat_columns, *starts})
    units = [(first, end) for first, end in zip(fields_at, [*fields_at[1:], count], strict=True)]
    section_starts = {c for c in sections if repeat_columns < c < count}
    room = page - sum(widths[:repeat_columns])

    def width(first: int, end: int) -> float:
        return sum(widths[first:end])

    # Gather the fields into sections: a run of fields up to the next section's start.
    groups: list[list[tuple[int, int]]] = []
    for unit in units:
        if not groups or unit[0] in section_starts:
            groups.append([])
        groups[-1].append(unit)

    breaks: list[int] = []
    used = 0.0
    for group in groups:
        first, end = group[0][0], group[-1][1]
        whole = width(first, end)
        if used > 0 and used + whole > room and whole <= room:
            breaks.append(first)
            used = 0.0
        for unit_first, unit_end in group:
            for column in _split_wide(unit_first, unit_end, widths, room):
                wide = width(column[0], column[1])
                if used > 0 and used + wide > room:
                    breaks.append(column[0])
                    used = 0.0
                used += wide
    return tuple(breaks)


def _split_wide(
    first: int, end: int, widths: Sequence[float], room: float
) -> list[tuple[int, int]]:
    """A field as one piece, or, when it is wider than a page, as its single columns."""
    if sum(widths[first:end]) <= room:
        return [(first, end)]
    return [(c, c + 1) for c in range(first, end)]


def page_breaks(layout: Layout, scale: int, paper: int = A4) -> tuple[int, ...]:
    """Rows before which a page must break so that no block straddles two pages.

    Rows between blocks (blank spacers) may fall anywhere; a block that does not fit on the rest
    of the page moves to the next one.
    """
    _, usable = printable(paper)
    repeated = sum(layout.heights[layout.repeat_first : layout.repeat_first + layout.repeat_rows])
    page = usable * 100 / scale - repeated
    heights = layout.heights
    breaks: list[int] = []
    top = layout.repeat_rows if layout.repeat_first == 0 else 0  # the first page's own rows
    used = sum(heights[top : layout.blocks[0].first]) if layout.blocks else 0.0
    for block in layout.blocks:
        tall = sum(heights[block.first : block.last + 1])
        if used > 0 and used + tall > page:
            breaks.append(block.first)
            used = 0.0
        used += tall
        if used > page:
            # A block taller than a page runs on over pages that break where its rows fill
            # them, and where that is depends on the program's page height: the next block
            # starts a page of its own rather than being cut where the run ends.
            used = page
        gap_end = next((b.first for b in layout.blocks if b.first > block.last), block.last + 1)
        used += sum(heights[block.last + 1 : gap_end])
    return tuple(breaks)
