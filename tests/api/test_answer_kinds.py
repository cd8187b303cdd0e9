"""An answer of the wrong sort (an object, a list, ``true``, ``null`` in a list) is refused saying
what the question wants and what sort of value came — never in Python's words (``None``,
``{'x': 1}``, ``True``)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from marshmallow import ValidationError

from exports.upload import cell_input
from forms import registry
from forms.schema import load_answers
from tests.conftest import Api
from tests.questionnaires.loop import FORM_ID, definition_file

PYTHON_WORDS = re.compile(r"None|True|False|\{'|\['|'\}|'\]")

# question (of kyoryoku_koyonushi), value sent: the message in Japanese, then in English
CASES = [
    ("employer_count", {"x": 1},
     "整数で入力してください（オブジェクトが送られました）。",
     "Enter a whole number (an object was sent)."),
    ("employer_count", [1, 2],
     "整数で入力してください（リストが送られました）。",
     "Enter a whole number (a list was sent)."),
    ("budget", {"x": 1},
     "数値で入力してください（オブジェクトが送られました）。",
     "Enter a number (an object was sent)."),
    ("budget", [1, 2],
     "数値で入力してください（リストが送られました）。",
     "Enter a number (a list was sent)."),
    ("contact_name", {"x": 1},
     "文字で入力してください（オブジェクトが送られました）。",
     "Enter text (an object was sent)."),
    ("contact_name", True,
     "文字で入力してください（true/falseが送られました）。",
     "Enter text (true/false was sent)."),
    ("list_updated", [1, 2],
     "日付を 2021-04-01 のような文字で入力してください（リストが送られました）。",
     "Enter the date as text such as 2021-04-01 (a list was sent)."),
    ("list_updated", True,
     "日付を 2021-04-01 のような文字で入力してください（true/falseが送られました）。",
     "Enter the date as text such as 2021-04-01 (true/false was sent)."),
    ("frequency", {"x": 1},
     "選択肢のコードか名前を文字で入力してください（オブジェクトが送られました）。",
     "Enter a choice's code or label as text (an object was sent)."),
    ("frequency", True,
     "選択肢のコードか名前を文字で入力してください（true/falseが送られました）。",
     "Enter a choice's code or label as text (true/false was sent)."),
    ("sectors", {"x": 1},
     "選択肢のコードのリストで指定してください（オブジェクトが送られました）。",
     "Give a list of choice codes (an object was sent)."),
    ("sectors", True,
     "選択肢のコードのリストで指定してください（true/falseが送られました）。",
     "Give a list of choice codes (true/false was sent)."),
    ("sectors", [None],
     "選択肢はコードか名前を文字で並べてください（リストにnullがあります）。",
     "List the choices by code or label, as text (the list holds null)."),
    ("sectors", ["construction", {"x": 1}, True, {"y": 2}],
     "選択肢はコードか名前を文字で並べてください（リストにオブジェクト、true/falseがあります）。",
     "List the choices by code or label, as text (the list holds an object, true/false)."),
]  # fmt: skip


@pytest.fixture
def round_id(staff: Api) -> int:
    """A round of a questionnaire with every kind of question (integer, decimal, text, date,
    select_one, select_multiple), imported as 都 staff do."""
    stored = staff.post(
        "/questionnaires",
        data={"file": (io.BytesIO(definition_file(version=1)), "kyoryoku.xlsx")},
        content_type="multipart/form-data",
    )
    assert stored.status_code == 201, stored.get_json()
    opened = staff.post(
        "/rounds",
        {"survey": FORM_ID, "reference_date": "2026-04-01", "deadline": "2099-05-31T17:00+09:00"},
    )
    assert opened.status_code == 201, opened.get_json()
    return int(opened.get_json()["id"])


@pytest.mark.parametrize(("question", "value", "japanese", "english"), CASES)
def test_a_value_of_the_wrong_sort_is_named_as_people_read_it(
    staff: Api, round_id: int, question: str, value: Any, japanese: str, english: str
) -> None:
    path = f"/rounds/{round_id}/responses/131016"
    body = {"answers": {question: value}, "version": 0}
    answer = staff.put(path, body)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["errors"] == {question: [japanese]}
    in_english = staff.put(f"{path}?lang=en", body)
    assert in_english.get_json()["errors"] == {question: [english]}


@pytest.mark.parametrize(
    "value", [None, True, False, {"x": 1}, [1, 2], [None], [True], [{"a": 1}], [[1]], 1.5]
)
def test_no_message_quotes_python(staff: Api, round_id: int, value: Any) -> None:
    """Whatever sort of value reaches whichever question, the message has no Python in it."""
    questions = ("employer_count", "budget", "contact_name", "list_updated", "frequency", "sectors")
    for lang in ("ja", "en"):
        answers = dict.fromkeys(questions, value)
        answer = staff.put(
            f"/rounds/{round_id}/responses/131016?lang={lang}", {"answers": answers, "version": 0}
        )
        for question, messages in answer.get_json().get("errors", {}).items():
            for message in messages:
                assert not PYTHON_WORDS.search(message), (question, value, message)


def test_an_excel_cell_of_true_in_a_text_question_says_so(app: Flask) -> None:
    """The Excel upload reads cells through the same schema: a TRUE cell typed where a text is
    asked is named as true/false, in the page's language."""
    torikumi = registry.latest("torikumi")
    value = cell_input(torikumi.question("plan_name"), True)
    for lang, message in (
        ("ja", "文字で入力してください（true/falseが送られました）。"),
        ("en", "Enter text (true/false was sent)."),
    ):
        with app.test_request_context(f"/?lang={lang}"):
            with pytest.raises(ValidationError) as caught:
                load_answers(torikumi, {"plan_name": value})
            assert caught.value.messages == {"plan_name": [message]}
