"""定義: what the file is, every question id, label and choice code, and the response states,
generated from the questionnaire definition so that the workbook explains itself."""

from __future__ import annotations

from exports.tables import STATE_LABELS, TITLES, Cell, Table
from forms.describe import rule_texts
from forms.model import OTHER_SUFFIX, Kind, Question, Questionnaire
from hub.models import Round
from hub.models.survey import RETURNED, ResponseState

DEFINITION_WIDTH = 24
"""The widest column of 定義 (character units): longer labels and notes wrap, so that the sheet
prints legibly on A3."""

KIND_LABELS: dict[str, str] = {
    Kind.TEXT: "文字列",
    Kind.INTEGER: "整数",
    Kind.DECIMAL: "数値（小数可）",
    Kind.DATE: "日付",
    Kind.BOOL: "はい／いいえ（1/0）",
    Kind.PHONE: "電話番号",
    Kind.EMAIL: "メールアドレス",
    Kind.ONE_OF: "単一選択",
    Kind.MANY_OF: "複数選択（選択肢ごとに1/0）",
}


def _kind_label(question: Question) -> str:
    """The type as 定義 says it; a ``calculate`` as 計算（…）: its rule is in 備考."""
    label = KIND_LABELS.get(question.kind, str(question.kind))
    return f"計算（{label}）" if question.is_calculated else label


def _required_text(question: Question) -> str:
    if question.required_if is not None:
        return "条件付き必須"
    return "必須" if question.required else "任意"


def _question_note(questionnaire: Questionnaire, question: Question, personal: bool) -> str:
    """備考: what else a reviewer of the definition reads of the question — its hint and its
    ``guidance_hint`` (詳しい説明, as the template and the form show them; ODK prints the guidance
    with the question, and 定義 is the definition on paper), personal data, its rules in words with the messages the
    file gives for them, its default."""
    notes = []
    if question.hint is not None and question.hint.ja:
        notes.append(f"説明「{question.hint.inline()}」")
    if question.guidance is not None and question.guidance.ja:
        notes.append(f"詳しい説明「{question.guidance.inline()}」")
    if question.id in questionnaire.personal_fields:
        notes.append(
            "個人情報（職員用のファイルにのみ含みます）"
            if personal
            else "個人情報（このファイルには含みません）"
        )
    if question.other_of:
        notes.append(
            f"「{questionnaire.question(question.other_of).label.ja}」で「その他」を選んだときの内容"
        )
    notes += rule_texts(question, questionnaire)
    if question.required_message is not None and question.required_message.ja:
        notes.append(f"未回答のときのメッセージ「{question.required_message.inline()}」")
    if question.constraint_message is not None and question.constraint_message.ja:
        notes.append(f"条件に合わないときのメッセージ「{question.constraint_message.inline()}」")
    if question.default is not None:
        notes.append(f"新しい調査回の初期値「{_default_text(question)}」")
    return "。".join(notes)


def _default_text(question: Question) -> str:
    """A default as people read it: a choice by its label, a yes/no in words."""
    value = question.default
    codes = value if isinstance(value, tuple) else (value,) if question.has_choices else ()
    if codes:
        return "、".join(c.display() for c in question.choices if c.code in codes)
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    return str(value)


def question_definition_table(questionnaire: Questionnaire, *, personal: bool = True) -> Table:
    """Every question and choice with its stable id/code and the 回答一覧 column it fills."""
    rows: list[tuple[Cell, ...]] = []
    for section in questionnaire.sections:
        for q in section.questions:
            column = "" if q.kind == Kind.MANY_OF else q.id
            if not personal and q.id in questionnaire.personal_fields:
                column = ""
            rows.append(
                (
                    section.title.ja,
                    q.id,
                    q.label.ja,
                    _kind_label(q),
                    _required_text(q),
                    None,
                    None,
                    column,
                    _question_note(questionnaire, q, personal),
                )
            )
            for c in q.choices:
                key = f"{q.id}.{c.code}" if q.kind == Kind.MANY_OF else ""
                rows.append(
                    (section.title.ja, q.id, None, None, None, c.code, c.display(), key, None)
                )
    return Table.of(
        "definitions",
        f"{TITLES['definitions'].ja}（{questionnaire.title.ja}　調査票ID {questionnaire.id} 第{questionnaire.version}版）",
        (
            "区分",
            "項目ID",
            "項目名",
            "形式",
            "必須",
            "選択肢コード",
            "選択肢",
            "回答一覧の列",
            "備考",
        ),
        rows,
        max_column_width=DEFINITION_WIDTH,
        notes=(
            f"「その他」の内容は項目ID「…{OTHER_SUFFIX}」の列にあります。"
            "項目IDと選択肢コードは変わりません（API・Excel様式・集計で共通）。",
        ),
    )


def state_definition_table() -> Table:
    return Table.of(
        "states",
        TITLES["states"].ja,
        ("コード", "状態"),
        [(str(code), label) for code, label in STATE_LABELS.items()],
        max_column_width=DEFINITION_WIDTH,
        notes=(
            f"「{STATE_LABELS[RETURNED]}」は、東京都が理由を付けて差し戻し、区市町村の再提出を待つ"
            f"回答です（APIでは state が {ResponseState.DRAFT} で、return_reason があります）。",
        ),
    )


def about_table(round_: Round) -> Table:
    q = round_.questionnaire
    rows: list[tuple[Cell, ...]] = [
        ("調査名", q.title.ja),
        ("調査回", round_.title),
        ("調査回ID", round_.id),
        ("基準日", round_.reference_date),
        ("回答期限", round_.deadline),
        ("調査票ID・版", f"{q.id} 第{q.version}版"),
    ]
    return Table.of(
        "about",
        TITLES["about"].ja,
        ("項目", "内容"),
        rows,
        user_text=frozenset({1}),
        max_column_width=DEFINITION_WIDTH,
    )


def definition_tables(round_: Round, *, personal: bool = True) -> list[Table]:
    q = round_.questionnaire
    return [
        about_table(round_),
        state_definition_table(),
        question_definition_table(q, personal=personal),  # the long one last: its header repeats
    ]
