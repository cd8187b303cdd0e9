"""What a ``calculate`` stores when its calculation cannot give a number — ``0 div 0``,
``number()`` of an unanswered question, ``1 div 0``: nothing, in a text kind as in a number kind
(``forms.rules.stored_value``), never the text ``NaN`` or ``Infinity`` that ODK would show."""

from __future__ import annotations

import pytest

from forms.rules import calculated
from forms.schema import load_answers
from forms.xlsform import read_xlsform
from tests.forms.xlsform_files import form

HEADER = ("type", "name", "label", "relevant", "calculation")
ROWS = [
    ("decimal", "a", "数A"),
    ("decimal", "b", "数B"),
    ("text", "note", "メモ"),
    # text kind (for their 'なし'); a number kind beside each for the same value
    ("calculate", "ratio_text", "比（文字）", "", "if(${a} >= 0, ${a} div ${b}, 'なし')"),
    ("calculate", "ratio", "比", "", "${a} div ${b}"),
    ("calculate", "read_text", "メモの数（文字）", "", "if(${a} >= 0, number(${note}), 'なし')"),
    ("calculate", "read", "メモの数", "", "number(${note})"),
    ("calculate", "said", "文字にした比", "", "string(${a} div ${b})"),
]


def questionnaire():
    return read_xlsform(form(ROWS, survey_header=HEADER), "kenshu.xlsx")


def test_the_kinds_are_text_and_number_as_read() -> None:
    q = questionnaire()
    kinds = {x.id: x.kind.value for x in q.calculated}
    assert kinds == {
        "ratio_text": "text",
        "ratio": "decimal",
        "read_text": "text",
        "read": "decimal",
        "said": "text",
    }


@pytest.mark.parametrize(
    ("answers", "left_out"),
    [
        ({"a": 0, "b": 0}, {"ratio_text", "ratio", "read_text", "read"}),  # 0 div 0: NaN
        ({"a": 1, "b": 0}, {"ratio_text", "ratio", "read_text", "read"}),  # 1 div 0: infinity
        ({"a": 0}, {"ratio_text", "ratio", "read_text", "read"}),  # b unanswered: NaN
    ],
)
def test_a_text_calculate_that_gives_no_number_stores_nothing_as_a_number_one(
    answers, left_out
) -> None:
    worked = calculated(questionnaire(), answers)
    assert not left_out & worked.keys(), worked
    assert load_answers(questionnaire(), {k: str(v) for k, v in answers.items()}).keys() == (
        answers.keys() | {"said"}
    )


def test_a_number_in_a_text_calculate_is_still_stored_and_its_text_branch_too() -> None:
    q = questionnaire()
    worked = calculated(q, {"a": 1, "b": 4, "note": "12"})
    assert (worked["ratio_text"], worked["ratio"]) == ("0.25", 0.25)
    assert (worked["read_text"], worked["read"]) == ("12", 12)
    negative = calculated(q, {"a": -1, "b": 4})
    assert (negative["ratio_text"], negative["read_text"]) == ("なし", "なし")
    assert negative["ratio"] == -0.25
    assert "read" not in negative


def test_a_text_the_calculation_writes_itself_is_kept_as_written() -> None:
    """``string()`` of NaN is the text ``NaN`` in XPath, as ODK writes it: the calculation asked
    for that text, so it is kept (only a value that is not a number becomes nothing)."""
    assert calculated(questionnaire(), {"a": 0, "b": 0})["said"] == "NaN"
