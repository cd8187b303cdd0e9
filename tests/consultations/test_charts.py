"""The bar charts' label layout (hub/consult/charts.py): a label is broken into lines, never cut,
in either drawing and in either language; the English statistics page draws every label whole."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from forms.consultation import REFERRED_TO
from hub.consult import charts
from hub.consult.charts import NO_BREAK_BEFORE, Drawing, text_width, wrap

LONG_ENGLISH = "Metropolitan facilities such as Women's Plaza and the municipal women's centres"
LONG_JAPANESE = (
    "ウィメンズプラザ等の都立施設（配偶者暴力相談支援センター・女性相談支援センターを含む）"
)
SHORT = "万引き"


def _kept_whole(drawing: Drawing, label: str, *, spaced: bool) -> tuple[str, ...]:
    """The lines of ``label`` in ``drawing``, after checking each fits inside the drawing."""
    (bar,) = [b for b in drawing.bars if b.label == label]
    for line in bar.lines:
        width = text_width(line.text, drawing.font_size)
        if drawing.anchor == "end":  # right-aligned at x, left of the bars
            assert line.x - width >= 0, line
            assert line.x < bar.x
        else:
            assert line.x >= 0, line
            assert line.x + width <= drawing.width, line
    lines = tuple(line.text for line in bar.lines)
    assert (" " if spaced else "").join(lines) == label
    return lines


@pytest.mark.parametrize(("label", "spaced"), [(LONG_ENGLISH, True), (LONG_JAPANESE, False)])
def test_a_long_label_is_wrapped_whole_in_both_drawings(label: str, spaced: bool) -> None:
    chart = charts.bars([(SHORT, 98), (label, 12), ("その他", None)], title="紹介先")
    wide = _kept_whole(chart.wide, label, spaced=spaced)
    narrow = _kept_whole(chart.narrow, label, spaced=spaced)
    assert len(wide) >= 2
    assert len(narrow) >= 2
    for line in (*wide, *narrow):
        assert line[0] not in NO_BREAK_BEFORE, line
        assert not line.endswith("（"), line
    assert _kept_whole(chart.wide, SHORT, spaced=False) == (SHORT,)


def test_rows_grow_with_their_lines_and_never_overlap() -> None:
    chart = charts.bars([(LONG_JAPANESE, 3), (LONG_ENGLISH, 5), (SHORT, 1)], title="t")
    for drawing in (chart.wide, chart.narrow):
        tops = [min(line.y for line in b.lines) - drawing.font_size for b in drawing.bars]
        bottoms = [max(max(line.y for line in b.lines), b.y + b.height) for b in drawing.bars]
        for bottom, next_top in zip(bottoms, tops[1:], strict=False):
            assert bottom <= next_top + 1, drawing
        assert bottoms[-1] <= drawing.height
        for bar in drawing.bars:
            assert bar.x + bar.length <= drawing.width - charts.VALUE_ROOM + 0.1


def test_the_label_column_is_as_wide_as_the_labels_need() -> None:
    short = charts.bars([(SHORT, 1), ("薬物", 2)], title="t").wide
    assert short.bars[0].x < 80, "short labels leave the room to the bars"
    long = charts.bars([(LONG_ENGLISH, 1)], title="t").wide
    assert long.bars[0].x <= charts.WIDE_LABEL + charts.EDGE + charts.GAP + 1


def test_a_word_longer_than_a_line_is_broken_between_its_letters() -> None:
    word = "Straßenbahnhaltestellenbeleuchtungsanlagenwartungsvertrag"
    lines = wrap(word, 100, 13)
    assert "".join(lines) == word
    assert all(text_width(line, 13) <= 100 for line in lines)
    assert wrap("", 100, 13) == ("",)


def test_full_width_characters_count_double() -> None:
    assert text_width("ＡＢ", 10) == 20
    assert text_width("AB", 10) < 20


Browser = Callable[..., FlaskClient]


def test_the_english_page_draws_each_label_whole(browser: Browser) -> None:
    reader = browser("staff")
    reader.get("/language/en")
    html = reader.get("/consultations/statistics").get_data(as_text=True)
    labels = {
        " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", text))
        for text in re.findall(r"<text[^>]*>((?:<tspan[^>]*>[^<]*</tspan>)+)</text>", html)
    }
    for choice in REFERRED_TO.choices:
        assert choice.display("en").replace("'", "&#39;") in labels, choice
