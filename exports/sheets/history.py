"""経年比較: the headline counts of this round beside the earlier rounds of the questionnaire."""

from __future__ import annotations

from exports.aggregate import headline_history
from exports.tables import Cell, Table, choice_text
from forms.normalize import to_wareki
from hub.models import Round


def history_table(round_: Round) -> Table | None:
    """The headline counts of this round beside the earlier rounds', with the change."""
    history = headline_history(round_)
    if len(history) < 2:
        return None
    q = round_.questionnaire
    question = q.question(q.headline)
    dates = [to_wareki(h.round.reference_date) for h in history]
    headers = [
        f"{d}現在" if dates.count(d) == 1 else f"{d}現在（調査回{h.round.id}）"
        for d, h in zip(dates, history, strict=True)
    ]
    previous, current = history[-2], history[-1]
    rows: list[tuple[Cell, ...]] = [
        (
            choice_text(question, code),
            *(h.counts[code] for h in history),
            current.counts[code] - previous.counts[code],
        )
        for code in question.codes
    ]
    rows.append(
        (
            "合計（回答自治体数）",
            *(h.responded for h in history),
            current.responded - previous.responded,
        )
    )
    rows.append(("対象自治体数", *(h.asked for h in history), current.asked - previous.asked))
    return Table.of(
        f"{question.id}_history",
        f"{question.label.ja}の推移",
        (question.label.ja, *headers, "増減（前回比）"),
        rows,
        total_rows=2,
        notes=("増減は直前の調査回との差です。各回とも提出済み・受理済みの回答を集計しています。",),
    )
