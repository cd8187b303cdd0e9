"""Aggregated tables as plain data: what every renderer (xlsx, CSV, JSON) and every page reads.

A ``Table`` knows nothing about Excel or HTTP. Cells are ``str``, ``int``, ``float``, ``None`` or
``date`` (a ``datetime`` is a date too, shown in Asia/Tokyo); ``user_text`` names the columns
whose text came from users (they are rendered so that they can never become formulas).

This is the vocabulary the sheet builders (:mod:`exports.sheets`, :mod:`exports.consultation_tables`)
build on; it imports none of them. :mod:`exports.assembly` puts their tables together into the
sheets of a workbook or a delivery.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from forms.model import BY_REGION, LISTED, Label, Question, Questionnaire
from forms.normalize import to_wareki
from hub.models import Round
from hub.models.survey import SHOWN_STATE_LABELS

Cell = str | int | float | date | None


@dataclass(frozen=True)
class Chart:
    """A bar chart drawn from a table: one bar group per row, one series per value column."""

    title: str
    values: tuple[int, ...]
    """Indexes of the columns plotted (their headers name the series)."""
    categories: int = 0
    """Index of the column naming the bars."""
    stacked: bool = False
    rows: int | None = None
    """How many leading rows to plot; ``None``: every row but the total rows."""


@dataclass(frozen=True)
class Table:
    name: str
    """Stable machine name (``plan_status``, ``answers`` ...): file names and JSON keys."""
    title: str
    """Title shown above the table: Japanese in the workbook and the deliveries; a statistics page
    may build its tables in its own language (``locale`` of the desk and referral builders)."""
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()
    user_text: frozenset[int] = field(default_factory=frozenset)
    """Indexes of columns holding text typed by users."""
    meta: dict[str, Any] = field(default_factory=dict)
    keys: tuple[str, ...] = ()
    """Optional machine names of the columns (question ids, ``question.code``), for JSON and
    for people who join tables by key."""
    shares: frozenset[int] = field(default_factory=frozenset)
    """Indexes of columns whose decimals are shares between 0 and 1 (shown as a percentage);
    integers and text in such a column (a count beside the share, ``＊``) are shown as they are."""
    total_rows: int = 0
    """How many trailing rows are totals (shown in bold, left out of charts)."""
    chart: Chart | None = None
    filterable: bool = False
    """A flat list meant for filtering and pivot tables (auto-filter, frozen header)."""
    frozen_columns: int = 0
    """Leading columns that identify a row and stay visible when scrolling sideways (and, when
    a wide list prints in column groups, on the left of every page)."""
    fields: tuple[int, ...] = ()
    """The first column of every field of a list (a question's columns: a many-of question's
    choice columns print together); empty: every column stands alone."""
    sections: tuple[int, ...] = ()
    """The first column of every section of the questionnaire in a list: printed pages of
    column groups break here first."""
    max_column_width: int | None = None
    """Text wider than this (character units) wraps; ``None``: the renderer's default."""

    def __post_init__(self) -> None:
        width = len(self.headers)
        for number, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(
                    f"{self.name}: row {number} has {len(row)} cells, expected {width}"
                )
        if self.keys and len(self.keys) != width:
            raise ValueError(f"{self.name}: {len(self.keys)} keys for {width} columns")

    @classmethod
    def of(
        cls,
        name: str,
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        **kwargs: Any,
    ) -> Table:
        return cls(name, title, tuple(headers), tuple(tuple(r) for r in rows), **kwargs)


class Sheet(NamedTuple):
    """A named group of tables: one worksheet of the workbook."""

    name: str
    tables: Sequence[Table]


TITLES: dict[str, Label] = {
    "response_status": Label("回答状況", "Response status"),
    "numbers": Label("数値の回答", "Number answers"),
    "submissions": Label("提出状況", "Submissions"),
    "answers": Label("回答一覧", "Answers"),
    "definitions": Label("調査項目の定義", "Definitions of the questions"),
    "states": Label("回答の状態", "Response states"),
    "about": Label("この資料について", "About this document"),
}
"""The title of every table of a round's sheets named alike in every round, by its name: the
workbook's (Japanese, the 基準日 after some) and the one a page names it with in English."""
HISTORY = "_history"
"""The name of a question's table in 経年比較: ``<question id>_history``."""
QUESTION_TITLES: dict[str, Label] = {
    BY_REGION: Label("%(label)s（地域別）", "%(label)s (by region)"),
    HISTORY: Label("%(label)sの推移", "%(label)s over the rounds"),
    LISTED: Label("%(label)sの区市町村", "Municipalities: %(label)s"),
}
"""The title of a table of one question (or, for the listed municipalities, of one choice), by
the end of its name: ``%(label)s`` is the question's or the choice's label."""


def question_table_title(questionnaire: Questionnaire, name: str, locale: str) -> str | None:
    """The title of the question table ``name`` (a choice question's counts, by region, over
    the rounds, the listed municipalities) in ``locale``, from the questionnaire's labels;
    ``None`` when no question of ``questionnaire`` gives it."""
    for ending, title in QUESTION_TITLES.items():
        if not name.endswith(ending):
            continue
        key = name.removesuffix(ending)
        if ending == LISTED and questionnaire.headline:
            choice = questionnaire.question(questionnaire.headline).choice(key)
            label = choice.label if choice is not None else None
        else:
            question = questionnaire.get(key)
            label = question.label if question is not None else None
        if label is not None:
            return title.get(locale) % {"label": label.inline(locale)}
    question = questionnaire.get(name)
    return question.label.inline(locale) if question is not None else None


STATE_LABELS: dict[str, str] = {state: label.ja for state, label in SHOWN_STATE_LABELS.items()}
"""Every state as the workbook shows it, 差し戻し included, in the life-cycle order."""


def as_of(round_: Round) -> str:
    """「令和3年4月1日現在」: the round's 基準日 as the source document writes it."""
    return f"{to_wareki(round_.reference_date)}現在"


def choice_text(question: Question, code: str) -> str:
    """A choice as the source document writes it: 「① 策定済み」."""
    choice = question.choice(code)
    if choice is None:
        return code
    return f"{choice.mark} {choice.label.ja}" if choice.mark else choice.label.ja
