"""集計, built from the definition: the headline question in the source document's layout (its
table, by region, the municipalities of its listed choice), then for every other one-of question a
count table and a by-region table with a chart, for every many-of question a count table with
shares, and one table of the number questions (n, sum, min, median, max). Each choice row carries
the 備考 staff wrote for it."""

from __future__ import annotations

from exports.aggregate import RoundCounts, round_counts, state_counts
from exports.tables import (
    QUESTION_TITLES,
    STATE_LABELS,
    TITLES,
    Cell,
    Chart,
    Table,
    as_of,
    choice_text,
)
from forms.model import BY_REGION, LISTED, Kind, Question
from hub.models import Round

NOTE = "備考"
UNANSWERED = "回答なし（対象外・未選択）"


def summary_tables(round_: Round) -> list[Table]:
    """Every table of 集計, from one set of SQL counts (the summary API reads the same)."""
    return tables_of_counts(round_counts(round_))


def tables_of_counts(counts: RoundCounts, *, personal: bool = True) -> list[Table]:
    """``personal=False``: without the questions marked ``personal`` (what leaves the hub)."""
    q = counts.questionnaire
    tables = [response_status_table(counts)]
    if q.headline:
        headline = q.question(q.headline)
        tables += [headline_table(counts), by_region_table(counts, headline), listed_table(counts)]
    for question in q.choice_questions:
        if question.id == q.headline or (question.personal and not personal):
            continue
        tables.append(choice_table(counts, question))
        if question.kind == Kind.ONE_OF:
            tables.append(by_region_table(counts, question))
    numbers = number_table(counts, personal=personal)
    if numbers is not None:
        tables.append(numbers)
    return tables


def response_status_table(counts: RoundCounts) -> Table:
    by_state = state_counts(counts.round)
    rows: list[tuple[Cell, ...]] = [(STATE_LABELS.get(s, s), n) for s, n in by_state.items()]
    rows.append(("対象自治体数", counts.asked))
    return Table.of(
        "response_status",
        f"{TITLES['response_status'].ja}（{as_of(counts.round)}）",
        ("状態", "自治体数"),
        rows,
        total_rows=1,
        notes=(
            f"集計は提出済み・受理済みの {counts.responded} 自治体の回答によります"
            f"（対象 {counts.asked} 自治体）。",
        ),
    )


def headline_table(counts: RoundCounts) -> Table:
    """The source document's table: status ①–⑥, 自治体数, 備考, 合計."""
    q = counts.questionnaire
    question = q.question(q.headline)
    tally = counts.choices[question.id]
    notes = counts.notes.get(question.id, {})
    rows: list[tuple[Cell, ...]] = [
        (choice_text(question, code), n, notes.get(code)) for code, n in tally.items()
    ]
    missing = counts.asked - counts.responded
    rows.append(("合計", sum(tally.values()), f"未回答 {missing} 自治体" if missing else None))
    # the author's words (torikumi: 区市町村の計画の策定状況), or the question's label
    return Table.of(
        question.id,
        f"{q.headline_heading}（{as_of(counts.round)}）",
        (q.headline_title or question.label.ja, "自治体数", NOTE),
        rows,
        total_rows=1,
        user_text=frozenset({2}),
    )


def by_region_table(counts: RoundCounts, question: Question) -> Table:
    """A one-of question's counts by region, with a stacked bar chart."""
    per_region = counts.choices_by_region[question.id]
    regions = counts.regions
    rows: list[tuple[Cell, ...]] = [
        (
            choice_text(question, code),
            *(per_region[r][code] for r in regions),
            counts.choices[question.id][code],
        )
        for code in question.codes
    ]
    # a question not asked of everyone (its own or its group's ``relevant``) or not required:
    # the respondents who chose nothing, so that each column adds up to its 合計
    unanswered = {
        r: counts.responded_by_region.get(r, 0) - sum(per_region[r][c] for c in question.codes)
        for r in regions
    }
    if any(unanswered.values()):
        rows.append((UNANSWERED, *unanswered.values(), sum(unanswered.values())))
    rows.append(
        ("合計", *(counts.responded_by_region.get(r, 0) for r in regions), counts.responded)
    )
    rows.append(
        ("対象自治体数", *(counts.asked_by_region.get(r, 0) for r in regions), counts.asked)
    )
    by_region = QUESTION_TITLES[BY_REGION].ja % {"label": question.label.inline()}
    return Table.of(
        f"{question.id}{BY_REGION}",
        by_region,
        (question.label.ja, *regions, "合計"),
        rows,
        total_rows=2,
        chart=Chart(
            by_region,
            values=tuple(range(1, len(regions) + 1)),
            stacked=True,
            rows=len(question.codes),
        ),
    )


def listed_table(counts: RoundCounts) -> Table:
    """The municipalities with the listed choice, as the source document lists them.

    One line per region, 「【区部】千代田区、大田区、…」, then 「9/62 区市町村」.
    """
    q = counts.questionnaire
    question = q.question(q.headline)
    choice = question.choice(q.listed_choice)
    label = choice.label.ja if choice else q.listed_choice
    n = sum(len(names) for names in counts.listed.values())
    share = f"{n}/{counts.asked} 区市町村"
    rows: list[tuple[Cell, ...]] = [
        (f"【{region}】{'、'.join(names) if names else 'なし'}",)
        for region, names in counts.listed.items()
    ]
    rows.append((share,))
    listed = QUESTION_TITLES[LISTED].ja % {"label": label}
    return Table.of(
        f"{q.listed_choice}{LISTED}",
        f"{listed}　{share}",
        (listed,),
        rows,
        total_rows=1,
    )


def choice_table(counts: RoundCounts, question: Question) -> Table:
    """How many respondents chose each choice, their share of the respondents, and the 備考."""
    tally = counts.choices[question.id]
    notes = counts.notes.get(question.id, {})
    responded = counts.responded

    def share(n: int) -> float | None:
        return n / responded if responded else None

    rows: list[tuple[Cell, ...]] = [
        (choice_text(question, code), n, share(n), notes.get(code)) for code, n in tally.items()
    ]
    explained = [f"割合は回答した {responded} 自治体に対する割合です。"]
    total_rows = 0
    if question.kind == Kind.ONE_OF:
        total = sum(tally.values())
        rows.append(("合計", total, share(total), None))
        total_rows = 1
    else:
        explained.insert(0, "複数回答。")
    return Table.of(
        question.id,
        question.label.ja,
        ("選択肢", "自治体数", "割合", NOTE),
        rows,
        shares=frozenset({2}),
        total_rows=total_rows,
        notes=("".join(explained),),
        user_text=frozenset({3}),
    )


def number_table(counts: RoundCounts, *, personal: bool = True) -> Table | None:
    """Every integer and decimal question: how many answered, the sum, min, median and max."""
    q = counts.questionnaire
    rows: list[tuple[Cell, ...]] = [
        (q.question(qid).label.ja, s.n, s.sum, s.min, s.median, s.max)
        for qid, s in counts.numbers.items()
        if personal or not q.question(qid).personal
    ]
    if not rows:
        return None
    return Table.of(
        "numbers",
        TITLES["numbers"].ja,
        ("項目", "回答した自治体数", "合計", "最小", "中央値", "最大"),
        rows,
        notes=("数値を回答した自治体だけで集計しています。",),
    )
