"""経年比較: for each ``select_one`` that this round and the previous round of the questionnaire
both ask (by name, across versions), its counts in every round that asked it, with the change."""

from __future__ import annotations

from exports.aggregate import QuestionHistory, choice_history
from exports.sheets.summary import UNANSWERED
from exports.tables import HISTORY, QUESTION_TITLES, Cell, Table, choice_text
from forms.normalize import to_wareki
from hub.models import Round


def history_tables(round_: Round) -> list[Table]:
    """One table per question of :func:`exports.aggregate.choice_history`, headline first."""
    return [history_table(h) for h in choice_history(round_)]


def _codes(history: QuestionHistory) -> list[str]:
    """This round's codes in its order, then codes only earlier versions had."""
    codes = list(history.question.codes)
    for column in history.rounds:
        codes += [c for c in column.question.codes if c not in codes]
    return codes


def _label(history: QuestionHistory, code: str) -> str:
    for column in reversed(history.rounds):
        if column.question.choice(code) is not None:
            return choice_text(column.question, code)
    return code


def history_table(history: QuestionHistory) -> Table:
    """The counts of each round side by side and the change against the previous round."""
    question, columns = history.question, history.rounds
    dates = [to_wareki(c.round.reference_date) for c in columns]
    headers = [
        f"{d}現在" if dates.count(d) == 1 else f"{d}現在（調査回{c.round.id}）"
        for d, c in zip(dates, columns, strict=True)
    ]
    previous, current = columns[-2], columns[-1]
    codes = _codes(history)
    rows: list[tuple[Cell, ...]] = [
        (
            _label(history, code),
            *(c.counts.get(code) for c in columns),
            current.counts.get(code, 0) - previous.counts.get(code, 0),
        )
        for code in codes
    ]
    # those who chose nothing (not asked, or left empty), so that each column adds up to its
    # 合計: a version that asks the question of fewer municipalities (another ``relevant``) is
    # seen as such, not as fewer municipalities choosing each answer
    unanswered = [c.responded - sum(c.counts.values()) for c in columns]
    if any(unanswered):
        rows.append((UNANSWERED, *unanswered, unanswered[-1] - unanswered[-2]))
    rows.append(
        (
            "合計（回答自治体数）",
            *(c.responded for c in columns),
            current.responded - previous.responded,
        )
    )
    rows.append(("対象自治体数", *(c.asked for c in columns), current.asked - previous.asked))
    notes = ["増減は直前の調査回との差です。各回とも提出済み・受理済みの回答を集計しています。"]
    if any(code not in c.counts for c in columns for code in codes):
        notes.append("空欄はその回の調査票にない選択肢です。")
    renamed = [
        f"{header}は「{c.question.id}」"
        for header, c in zip(headers, columns, strict=True)
        if c.question.id != question.id
    ]
    if renamed:
        notes.append(
            f"この質問の項目IDは「{question.id}」で、{'、'.join(renamed)}でした"
            "（settings の renamed による）。"
        )
    return Table.of(
        f"{question.id}{HISTORY}",
        QUESTION_TITLES[HISTORY].ja % {"label": question.label.ja},
        (question.label.ja, *headers, "増減（前回比）"),
        rows,
        total_rows=2,
        notes=tuple(notes),
    )
