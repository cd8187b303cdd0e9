"""Two versions of a small survey as 都 staff would type them in Excel (not shipped in the repo):
v2 renames ``people`` to ``participants`` (settings ``renamed``), adds a question and a choice."""

from __future__ import annotations

from typing import Any

from tests.forms.xlsform_files import xlsx

SURVEY_HEADER = (
    "type",
    "name",
    "label::ja",
    "label::en",
    "required",
    "relevant",
    "constraint",
    "constraint_message::ja",
    "personal",
)
TOPICS = (
    ("yes_no", "yes", "はい", "Yes"),
    ("yes_no", "no", "いいえ", "No"),
    ("topics", "employment", "就労支援", "Employment"),
    ("topics", "housing", "住居の確保", "Housing"),
    ("topics", "other", "その他", "Other"),
)


def _survey(
    people: str, extra: tuple[tuple[Any, ...], ...] = (), max_people: int = 500
) -> list[tuple[Any, ...]]:
    return [
        SURVEY_HEADER,
        ("begin_group", "attendance", "研修会への参加", "Training", "", "", "", "", ""),
        (
            "select_one yes_no",
            "attended",
            "研修会に参加しましたか",
            "Attended?",
            "yes",
            "",
            "",
            "",
            "",
        ),
        (
            "integer",
            people,
            "参加人数",
            "Participants",
            "${attended} = 'yes'",
            "${attended} = 'yes'",
            f". >= 1 and . <= {max_people}",
            f"1人以上{max_people}人以下で入力してください。",
            "",
        ),
        (
            "date",
            "held_on",
            "開催日",
            "Held on",
            "",
            "${attended} = 'yes'",
            ". <= ${reference_date}",
            "",
            "",
        ),
        ("end_group", "", "", "", "", "", "", "", ""),
        ("select_multiple topics", "topics", "取り上げたテーマ", "Topics", "", "", "", "", ""),
        *extra,
        ("text", "contact_name", "担当者名", "Contact", "", "", "", "", "yes"),
        ("text", "memo", "備考", "Notes", "", "", "string-length(.) <= 200", "", ""),
    ]


def kenshu_v1() -> bytes:
    return xlsx(
        {
            "survey": _survey("people"),
            "choices": [("list_name", "name", "label::ja", "label::en"), *TOPICS],
            "settings": [("form_id", "version", "form_title"), ("kenshu", 1, "研修会参加状況調査")],
        }
    )


def kenshu_v2(max_people: int = 500, without_choice: str = "", version: int = 2) -> bytes:
    """v2; ``max_people`` and ``without_choice`` make its rules stricter than v1's; ``version``
    stores the same as a later version."""
    extra = (
        (
            "integer",
            "liaison_meetings",
            "連絡会の開催回数",
            "Liaison meetings",
            "",
            "",
            ". >= 0",
            "",
            "",
        ),
    )
    choices = [
        *(c for c in TOPICS if c[1] != without_choice),
        ("topics", "welfare", "福祉との連携", "Welfare"),
    ]
    return xlsx(
        {
            "survey": _survey("participants", extra, max_people),
            "choices": [("list_name", "name", "label::ja", "label::en"), *choices],
            "settings": [
                ("form_id", "version", "form_title", "renamed"),
                ("kenshu", version, "研修会参加状況調査（第2版）", "participants=people"),
            ],
        }
    )


def broken() -> bytes:
    """Three problems at once: a repeated name, an unknown question in a rule, a missing list."""
    return xlsx(
        {
            "survey": [
                ("type", "name", "label", "relevant"),
                ("text", "memo", "備考", ""),
                ("text", "memo", "備考2", ""),
                ("integer", "count", "件数", "${nothere} = 1"),
                ("select_one missing_list", "pick", "選択", ""),
            ],
            "settings": [("form_id", "version"), ("broken", 1)],
        }
    )
