"""The print plan on its own: where pages break, which paper a list needs."""

from __future__ import annotations

from itertools import pairwise

from exports.print_plan import A3, A4, Block, Layout, page_breaks, plan

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


def test_small_sheets_need_no_break() -> None:
    assert plan(layout([(3, 6), (8, 10)], 11)).breaks == ()


def test_a_wide_list_goes_on_a3_and_a_narrow_one_on_a4() -> None:
    narrow = Layout([12.0] * 8, [ROW] * 80, [Block(3, 79)], is_list=True, repeat_rows=6)
    wide = Layout([15.0] * 54, [ROW] * 80, [Block(3, 79)], is_list=True, repeat_rows=6)
    assert (plan(narrow).paper, plan(narrow).breaks) == (A4, ())
    assert plan(wide).paper == A3
    assert plan(wide).repeat_rows == 6
