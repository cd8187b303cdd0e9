"""The print plan on its own: where pages break, which paper and scale a sheet needs, how a
wide list is cut into pages of column groups."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from exports.print_plan import (
    A3,
    A4,
    LEGIBLE_SCALE,
    MAX_SCALE,
    Block,
    Layout,
    column_breaks,
    page_breaks,
    plan,
)

ROW = 20.0


def layout(blocks: list[tuple[int, int]], rows: int, *, widths: int = 5) -> Layout:
    return Layout(
        widths=[20.0] * widths,
        heights=[ROW] * rows,
        blocks=[Block(a, b) for a, b in blocks],
        is_list=False,
        repeat_rows=2,
    )


def test_a_block_that_does_not_fit_moves_to_the_next_page() -> None:
    # A4 landscape at 100 %: about 21 rows of 20 pt below the two repeated heading rows.
    sheet = layout([(3, 12), (14, 23), (25, 30)], 31)
    breaks = page_breaks(sheet, 100)
    assert breaks == (14,)
    pages = [0, *breaks, 31]
    for block in sheet.blocks:
        assert any(start <= block.first and block.last < end for start, end in pairwise(pages))


def test_a_block_taller_than_a_page_starts_a_page_and_runs_on() -> None:
    sheet = layout([(3, 5), (7, 60), (62, 64)], 65)
    breaks = page_breaks(sheet, 100)
    assert breaks[0] == 7
    assert all(b > 7 for b in breaks[1:])
    # where the run ends depends on the program's page height: the next table starts a page
    assert breaks[-1] == 62


def test_small_sheets_need_no_break() -> None:
    assert plan(layout([(3, 6), (8, 10)], 11)).breaks == ()


def test_a_wide_list_goes_on_a3_and_a_narrow_one_on_a4() -> None:
    narrow = Layout([12.0] * 8, [ROW] * 80, [Block(3, 79)], is_list=True, repeat_rows=6)
    wide = Layout([15.0] * 54, [ROW] * 80, [Block(3, 79)], is_list=True, repeat_rows=6)
    assert (plan(narrow).paper, plan(narrow).breaks) == (A4, ())
    assert (plan(narrow).repeat_columns, plan(narrow).column_breaks) == (0, ())
    assert plan(wide).paper == A3
    assert plan(wide).repeat_rows == 6
    assert (plan(narrow).first_row, plan(narrow).page_heading) == (0, False)


def test_a_list_in_column_groups_repeats_its_keys_and_header_and_heads_its_pages() -> None:
    # heading rows 0-1, a blank, the title (3), keys (4), header (5), 62 rows of data
    wide = Layout(
        [12.0, 10.0] + [15.0] * 52,
        [ROW] * 69,
        [Block(3, 68, header=5)],
        is_list=True,
        repeat_rows=6,
        repeat_columns=2,
    )
    planned = plan(wide)
    assert planned.column_breaks
    assert (planned.repeat_first, planned.repeat_rows) == (4, 2)
    assert planned.first_row == 4, "the heading and title, cut at 区市町村 on later pages, left out"
    assert planned.page_heading, "the heading prints in the page header instead"
    ungrouped = plan(replace(wide, widths=[12.0] * 8))
    assert (ungrouped.repeat_first, ungrouped.repeat_rows, ungrouped.first_row) == (0, 6, 0)
    assert not ungrouped.page_heading


def test_every_sheet_prints_at_a_fixed_legible_scale() -> None:
    narrow = plan(layout([(3, 6)], 7, widths=2))
    assert narrow.scale == MAX_SCALE, "a narrow sheet is not blown up"
    fitting = plan(layout([(3, 6)], 7, widths=20))  # 400 units: A3 at about 36 %
    assert (fitting.paper, fitting.scale) == (A3, LEGIBLE_SCALE)
    assert fitting.column_breaks, "what does not fit legibly prints in column groups"
    middle = plan(layout([(3, 6)], 7, widths=6))  # 120 units: A4 at about 80 %
    assert middle.paper == A4
    assert LEGIBLE_SCALE <= middle.scale <= MAX_SCALE


def test_a_wide_list_prints_in_column_groups_that_follow_its_sections() -> None:
    # 団体コード, 区市町村, then six sections of 10 columns of 15 units: one a page on A3
    sections = (2, 12, 22, 32, 42, 52)
    wide = Layout(
        [12.0, 10.0] + [15.0] * 60,
        [ROW] * 80,
        [Block(3, 79)],
        is_list=True,
        repeat_rows=6,
        repeat_columns=2,
        fields=tuple(range(2, 62, 2)),  # two columns a field
        sections=sections,
    )
    planned = plan(wide)
    assert (planned.paper, planned.scale, planned.repeat_columns) == (A3, LEGIBLE_SCALE, 2)
    assert planned.column_breaks == sections[1:], "each section on a page of its own"
    # sections of 20 columns, wider than a page, fill the pages they come to, split by field
    wider = plan(replace(wide, sections=(2, 22, 42)))
    assert wider.column_breaks
    assert all(b % 2 == 0 for b in wider.column_breaks), "never inside a field"
    assert planned.breaks == (), "rows break wherever they fill a page"


def test_whole_sections_share_a_page_and_move_on_when_they_do_not_fit() -> None:
    # 100 points of repeated columns leave 200 a page: [2, 3] and [4, 5, 6] do not fit together
    widths = [50.0] * 10
    assert column_breaks(widths, 300, repeat_columns=2, sections=(2, 4, 7)) == (4, 7)
    assert column_breaks(widths, 300, repeat_columns=2, sections=(2, 4, 6, 8)) == (6,)


def test_a_section_wider_than_a_page_is_split_between_its_fields() -> None:
    widths = [50.0] * 12
    fields = (2, 3, 6, 8, 11)
    assert column_breaks(widths, 300, repeat_columns=2, fields=fields, sections=(2,)) == (6, 8)


def test_a_field_wider_than_a_page_is_split_between_columns() -> None:
    widths = [50.0] * 8
    assert column_breaks(widths, 200, repeat_columns=1, fields=(1, 2)) == (4, 7)


def test_a_list_that_fits_needs_no_column_break() -> None:
    assert column_breaks([50.0] * 4, 300, repeat_columns=1, fields=(1, 2)) == ()
    assert column_breaks([], 300) == ()


@st.composite
def _lists(draw: st.DrawFn) -> tuple[list[float], int, list[int], list[int]]:
    count = draw(st.integers(2, 40))
    widths = draw(st.lists(st.floats(10, 150), min_size=count, max_size=count))
    repeat = draw(st.integers(0, 2))
    if count <= repeat + 1:
        return widths, repeat, [], []
    inner = st.lists(st.integers(repeat + 1, count - 1), max_size=count)
    return widths, repeat, sorted(set(draw(inner))), sorted(set(draw(inner)))


@given(_lists(), st.floats(200, 1500))
def test_column_groups_fit_their_page_and_break_only_where_allowed(
    drawn: tuple[list[float], int, list[int], list[int]], page: float
) -> None:
    widths, repeat, fields, sections = drawn
    breaks = column_breaks(widths, page, repeat_columns=repeat, fields=fields, sections=sections)
    assert list(breaks) == sorted(set(breaks))
    assert all(repeat < b < len(widths) for b in breaks)
    starts = {*(fields or range(len(widths))), *sections}
    room = page - sum(widths[:repeat])
    bounds = [repeat, *breaks, len(widths)]
    for b in breaks:
        if b not in starts:  # only inside a field that is wider than a page on its own
            field_first = max((s for s in starts if s < b), default=repeat)
            field_end = min((s for s in starts if s > b), default=len(widths))
            assert sum(widths[field_first:field_end]) > room
    for first, end in pairwise(bounds):  # a page holds what fits, or a single wider column
        assert end - first <= 1 or sum(widths[first:end]) <= room + 1e-6, (first, end)


def test_a_last_table_taller_than_a_page_repeats_its_header_instead_of_the_heading() -> None:
    # about 21 rows a page: a short table, then one of 60 rows whose header is row 9
    sheet = replace(
        layout([(3, 6), (8, 68)], 69),
        blocks=[Block(3, 6, header=4), Block(8, 68, header=9)],
    )
    planned = plan(sheet)
    assert (planned.repeat_first, planned.repeat_rows) == (9, 1)
    assert planned.page_heading, "pages after the first say what they are from in the header"
    assert planned.first_row == 0
    short = replace(sheet, blocks=[Block(3, 6, header=4), Block(8, 12, header=9)])
    assert (plan(short).repeat_first, plan(short).repeat_rows) == (0, 2)
    middle = replace(sheet, blocks=[Block(3, 63, header=4), Block(65, 68, header=66)])
    assert plan(middle).repeat_first == 0, "only the last table's header can run on"
    listed = replace(sheet, is_list=True, repeat_rows=10)
    assert (plan(listed).repeat_first, plan(listed).repeat_rows) == (0, 10)
