"""Which sheets a round's workbook or delivery holds, in which order: decided here, once.

The table vocabulary (:class:`~exports.tables.Table`, cells, labels) is below this module and the
sheet builders (:mod:`exports.sheets`, :mod:`exports.consultation_tables`) build on it; this module
puts their tables together. The staff workbook (:mod:`exports.workbook`), the file served to the
API and ``hub workbook``, and every delivery to a counterpart (:mod:`exports.delivery`) call
:func:`round_sheets`, so a sheet cannot sit in one place in the workbook and elsewhere in a
delivery:

集計 · 提出状況 · 回答一覧 (``detail``) · 経年比較 (when the previous round shares a select_one) · 相談窓口 · 聞き取り
(``desk``, when the year has cases or hearings) · sheets added by the caller · 定義 (always last).

``personal=False`` is the outside view: no respondents' contact fields or editors' names, and the
consultation desk's small cells suppressed, hearings without notes.
"""

from __future__ import annotations

from collections.abc import Sequence

from exports.aggregate import RoundCounts, round_counts
from exports.consultation_tables import desk_table_title, sheets_for_reference_date
from exports.sheets import answers, definitions, history, submissions, summary
from exports.tables import TITLES, Sheet, Table, question_table_title
from hub.models import Round

SUMMARY = "集計"
SUBMISSIONS = "提出状況"
ANSWERS = "回答一覧"
HISTORY = "経年比較"
DEFINITIONS = "定義"

ExtraSheets = Sequence[tuple[str, Sequence[Table]]]


def round_sheets(
    round_: Round,
    *,
    detail: bool = True,
    personal: bool = True,
    desk: bool = False,
    extra_sheets: ExtraSheets = (),
    counts: RoundCounts | None = None,
) -> list[Sheet]:
    """Every sheet of the round in the one order above.

    ``detail``: the per-municipality sheets (提出状況, 回答一覧). ``personal``: the questionnaire's
    personal fields and the editors' names, and the desk's true counts. ``desk``: the consultation
    desk's and hearings' sheets of the round's 基準日. ``extra_sheets``: a caller's own sheets
    (empty ones are left out). ``counts``: the round's counts when the caller has them already.
    """
    counts = counts or round_counts(round_)
    sheets = [Sheet(SUMMARY, summary.tables_of_counts(counts, personal=personal))]
    if detail:
        sheets.append(Sheet(SUBMISSIONS, [submissions.submission_table(round_, personal=personal)]))
        sheets.append(Sheet(ANSWERS, [answers.answers_table(round_, personal=personal)]))
    changes = history.history_tables(round_)
    if changes:
        sheets.append(Sheet(HISTORY, changes))
    if desk:
        shared = sheets_for_reference_date(round_.reference_date, suppress=not personal)
        sheets.extend(Sheet(name, tables) for name, tables in shared if tables)
    sheets.extend(Sheet(name, tables) for name, tables in extra_sheets if tables)
    sheets.append(Sheet(DEFINITIONS, definitions.definition_tables(round_, personal=personal)))
    return sheets


def round_tables(
    round_: Round, *, detail: bool = True, personal: bool = True, desk: bool = False
) -> list[Table]:
    """The tables of :func:`round_sheets`, in sheet order, as one list."""
    return [
        t
        for sheet in round_sheets(round_, detail=detail, personal=personal, desk=desk)
        for t in sheet.tables
    ]


def deliverable_table_names(round_: Round) -> list[str]:
    """The name of every table a delivery of ``round_`` can hold, in sheet order: the desk's
    tables too, even while its year has no cases or hearings yet."""
    *sheets, last = round_sheets(round_, detail=True, personal=False)
    desk = sheets_for_reference_date(round_.reference_date, suppress=True, when_empty=True)
    tables = [
        *(t for sheet in sheets for t in sheet.tables),
        *(t for _, desk_tables in desk for t in desk_tables),
        *last.tables,
    ]
    return [t.name for t in tables]


def table_title(round_: Round, name: str, locale: str) -> str | None:
    """The title of ``round_``'s table ``name`` in ``locale``, worded from the labels the tables
    are built from (without the 基準日 or the counts some titles end with): how a page names a
    table by its name, e.g. a 訂正版's changed tables (``Delivery.changes["tables"]``) in the
    reader's language. ``None`` when no table of a round is named so."""
    if name in TITLES:
        return TITLES[name].get(locale)
    return desk_table_title(name, round_.reference_date, locale) or question_table_title(
        round_.questionnaire, name, locale
    )
