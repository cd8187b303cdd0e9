"""The starter file (ひな形（記入例つき）) of the guide 「調査票の書き方」: a small but complete
questionnaire that staff download, copy and change.

It is defined here once, as a :class:`~forms.model.Questionnaire`, and written as a file by
:func:`~forms.xlsform.writer.write_xlsform` (every text cell as text, never a formula), so the
example is in exactly the layout the reader reads back: ``tests/questionnaires/test_guide.py``
uploads it through the upload page unchanged and expects a preview with no problem.

It shows, each once: a group, a note, a ``select_one`` with a follow-up asked by ``relevant``, an
``integer`` with a range and its ``constraint_message``, a ``date`` checked against the 基準日, a
``select_multiple`` with その他 and its ``_other`` text, a ``text`` with a length limit, and the
settings ``form_id``, ``version``, the titles, ``headline`` and ``listed_choice``.
"""

from __future__ import annotations

from functools import cache

from forms.expression import parse
from forms.model import OTHER, OTHER_SUFFIX, Choice, Kind, Label, Question, Questionnaire, Section
from forms.xlsform.writer import write_xlsform

FORM_ID = "kinyurei"
FILENAME = "kinyurei_hinagata.xlsx"


def _yes_no() -> tuple[Choice, ...]:
    return (Choice("yes", Label("はい", "Yes")), Choice("no", Label("いいえ", "No")))


def starter() -> Questionnaire:
    """The example questionnaire (version 1)."""
    asked = parse("${has_program} = 'yes'")
    partners = Question(
        id="partners",
        kind=Kind.MANY_OF,
        label=Label(
            "連携している機関（当てはまるものすべて）", "Partner organisations (all that apply)"
        ),
        list_name="partners",
        relevant=asked,
        choices=(
            Choice("hellowork", Label("ハローワーク", "Public employment office")),
            Choice("probation", Label("保護観察所", "Probation office")),
            Choice("npo", Label("NPO・民間団体", "NPOs and private organisations")),
            Choice(OTHER, Label("その他", "Other")),
        ),
    )
    program = Section(
        id="program",
        title=Label("就労支援の事業", "Employment support"),
        relevant=asked,
        items=(
            Question(
                id="participants",
                kind=Kind.INTEGER,
                label=Label("昨年度の参加者数（人）", "Participants last year (people)"),
                hint=Label("いない場合は 0 と入力してください。", "Enter 0 if there were none."),
                required=True,
                constraint=parse(". >= 0 and . <= 1000"),
                constraint_message=Label(
                    "0人以上1000人以下で入力してください。",
                    "Enter a number from 0 to 1000.",
                ),
            ),
            Question(
                id="started_on",
                kind=Kind.DATE,
                label=Label("事業を始めた日", "Date the programme started"),
                hint=Label("例: 令和5年4月1日", "For example 2023-04-01"),
                constraint=parse(". <= ${reference_date}"),
                constraint_message=Label(
                    "基準日より後の日付は入力できません。",
                    "The date cannot be after the reference date.",
                ),
            ),
            partners,
            Question(
                id=partners.id + OTHER_SUFFIX,
                kind=Kind.TEXT,
                label=Label("その他の機関の名前", "Name of the other organisation"),
                required=True,
                relevant=parse(f"selected(${{partners}}, '{OTHER}')"),
                other_of=partners.id,
            ),
        ),
    )
    basics = Section(
        id="",
        title=Label("", ""),
        items=(
            Question(
                id="intro",
                kind=Kind.NOTE,
                label=Label(
                    "これは記入例です。回答者には、この文のような説明文（note）も表示されます。",
                    "This is an example. Respondents also see explanations (notes) such as this.",
                ),
            ),
            Question(
                id="has_program",
                kind=Kind.ONE_OF,
                label=Label(
                    "就労支援の事業を実施していますか",
                    "Do you run an employment support programme?",
                ),
                list_name="yes_no",
                choices=_yes_no(),
                required=True,
            ),
        ),
    )
    closing = Section(
        id="",
        title=Label("", ""),
        items=(
            Question(
                id="remarks",
                kind=Kind.TEXT,
                label=Label("備考", "Remarks"),
                constraint=parse("string-length(.) <= 200"),
                constraint_message=Label(
                    "200文字以内で入力してください。", "Enter at most 200 characters."
                ),
            ),
        ),
    )
    return Questionnaire(
        id=FORM_ID,
        version=1,
        title=Label("（記入例）就労支援の取組状況調査", "(Example) Employment support survey"),
        sections=(basics, program, closing),
        headline="has_program",
        listed_choice="yes",
    )


def left_as_starter(questionnaire: Questionnaire) -> tuple[str, ...]:
    """The settings of ``questionnaire`` still as the starter file has them (``form_id``,
    ``form_title``): a file uploaded without changing them would be published as the example
    questionnaire ``kinyurei``, which nobody meant to make."""
    example = starter()
    left = []
    if questionnaire.id == example.id:
        left.append("form_id")
    if example.title.ja in (questionnaire.title.ja, questionnaire.title.en) or (
        example.title.en == questionnaire.title.en
    ):
        left.append("form_title")
    return tuple(left)


@cache
def starter_file() -> bytes:
    """The example as an XLSForm ``.xlsx`` file."""
    return write_xlsform(starter())
