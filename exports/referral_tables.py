"""Referral (つなぎ) statistics as ``Table`` s: the statistics page, the consolidated workbook's
desk sheet (相談窓口) and the deliveries all draw these, from ``referral_counts`` (suppressed for
everyone but 都 staff). Counts only, never a person.
"""

from __future__ import annotations

from collections.abc import Mapping

from exports.consultation_counts import share_cell
from exports.referral_counts import ReferralCounts, Value
from exports.suppression import SUPPRESSED_MARK
from exports.tables import Cell, Chart, Table
from forms.consultation import fiscal_year_label
from hub.models import NEEDS, OUTCOMES

SUPPRESSION_NOTE = "＊は1〜2件の区分、またはそこから逆算できる区分を秘匿した値です。"


def shown(value: Value) -> Cell:
    return SUPPRESSED_MARK if value is None else value


def _notes(counts: ReferralCounts, *extra: str) -> tuple[str, ...]:
    return (*extra, SUPPRESSION_NOTE) if counts.suppressed else extra


def _rows(values: Mapping[str, Value], labels: Mapping[str, str]) -> list[list[Cell]]:
    return [[labels.get(code, code), shown(v)] for code, v in values.items()]


def referral_tables(counts: ReferralCounts) -> list[Table]:
    """Overview, by need, by outcome and by receiving municipality (municipalities with none
    left out) for one fiscal year."""
    year = fiscal_year_label(counts.fiscal_year)
    closed = list(counts.by_outcome.values())
    closed_total: Value = None if any(v is None for v in closed) else sum(v or 0 for v in closed)
    share = share_cell(counts.connected_share, closed_total)
    overview = Table.of(
        "referral_overview",
        f"{year} つなぎ（区市町村の相談窓口への支援の依頼）",
        ("項目", "件数"),
        [
            ["つなぎの件数", shown(counts.total)],
            ["うち終了した件数", shown(closed_total)],
            ["支援につながった割合（終了した件数に占める割合）", share],
        ],
        notes=_notes(counts),
        shares=frozenset({1}),
    )
    municipalities = {code: v for code, v in counts.by_municipality.items() if v is None or v > 0}
    return [
        overview,
        Table.of(
            "referral_need",
            f"{year} つなぎ 必要な支援",
            ("必要な支援", "件数"),
            _rows(counts.by_need, {c: label.ja for c, label in NEEDS.items()}),
            chart=Chart(f"{year} つなぎ 必要な支援", values=(1,)),
            notes=_notes(
                counts, "1件で複数の支援を選ぶことがあるため、合計はつなぎの件数と一致しません。"
            ),
        ),
        Table.of(
            "referral_outcome",
            f"{year} つなぎ 終了時の結果",
            ("結果", "件数"),
            _rows(counts.by_outcome, {c: label.ja for c, label in OUTCOMES.items()}),
            chart=Chart(f"{year} つなぎ 終了時の結果", values=(1,)),
            notes=_notes(counts),
        ),
        Table.of(
            "referral_municipality",
            f"{year} つなぎ先の区市町村",
            ("区市町村", "件数"),
            _rows(municipalities, counts.municipality_names) or [["（つなぎはありません）", 0]],
            notes=_notes(counts),
        ),
    ]
