"""Referral (つなぎ) statistics as ``Table`` s: the statistics page, the consolidated workbook's
desk sheet (相談窓口) and the deliveries all draw these, from ``referral_counts`` (suppressed for
everyone but 都 staff). Counts only, never a person.

Japanese as the workbook and the deliveries carry them; the statistics page asks for its own
language (``locale="en"``): every word is a :class:`~forms.model.Label` pair in :data:`WORDS`.
"""

from __future__ import annotations

from collections.abc import Mapping

from exports.consultation_counts import share_cell
from exports.referral_counts import ReferralCounts, Value
from exports.suppression import SUPPRESSED_MARK
from exports.tables import Cell, Chart, Table
from forms.consultation import fiscal_year_label
from forms.model import Label
from hub.models import NEEDS, OUTCOMES

L = Label
WORDS = {
    "suppression": L(
        "＊は1〜2件の区分、またはそこから逆算できる区分を秘匿した値です。",
        "＊ marks a category of 1 or 2 referrals, or one that could be worked out from them, hidden.",
    ),
    "overview": L(
        "%(year)s つなぎ（区市町村の相談窓口への支援の依頼）",
        "%(year)s: referrals to municipal consultation windows",
    ),
    "item": L("項目", "Item"),
    "count": L("件数", "Referrals"),
    "total": L("つなぎの件数", "Referrals"),
    "closed": L("うち終了した件数", "of which closed"),
    "connected": L(
        "支援につながった割合（終了した件数に占める割合）",
        "Share connected to support (of those closed)",
    ),
    "need_title": L("%(year)s つなぎ 必要な支援", "%(year)s: referrals by support needed"),
    "need": L("必要な支援", "Support needed"),
    "several": L(
        "1件で複数の支援を選ぶことがあるため、合計はつなぎの件数と一致しません。",
        "A referral may need several kinds of support, so the total differs from the referrals.",
    ),
    "outcome_title": L("%(year)s つなぎ 終了時の結果", "%(year)s: referrals by outcome"),
    "outcome": L("結果", "Outcome"),
    "municipality_title": L("%(year)s つなぎ先の区市町村", "%(year)s: municipalities referred to"),
    "municipality": L("区市町村", "Municipality"),
    "none": L("（つなぎはありません）", "(no referrals)"),
}
"""Every word of the referral tables, in Japanese (the workbook's) and English (the page's)."""
SUPPRESSION_NOTE = WORDS["suppression"].ja


TABLE_TITLES = {
    "referral_overview": "overview",
    "referral_need": "need_title",
    "referral_outcome": "outcome_title",
    "referral_municipality": "municipality_title",
}
"""The word of :data:`WORDS` that titles each table, by the table's name."""


def referral_table_title(name: str, fiscal_year: int, locale: str) -> str | None:
    """The title of the referral table ``name`` of ``fiscal_year`` in ``locale`` (``None``: not
    one of them)."""
    key = TABLE_TITLES.get(name)
    return _say(key, locale, year=fiscal_year_label(fiscal_year, locale)) if key else None


def _say(key: str, locale: str, **values: object) -> str:
    text = WORDS[key].get(locale)
    return text % values if values else text


def shown(value: Value) -> Cell:
    return SUPPRESSED_MARK if value is None else value


def _notes(counts: ReferralCounts, *extra: str, locale: str = "ja") -> tuple[str, ...]:
    return (*extra, _say("suppression", locale)) if counts.suppressed else extra


def _rows(values: Mapping[str, Value], labels: Mapping[str, str]) -> list[list[Cell]]:
    return [[labels.get(code, code), shown(v)] for code, v in values.items()]


def referral_tables(
    counts: ReferralCounts, locale: str = "ja", names: Mapping[str, str] | None = None
) -> list[Table]:
    """Overview, by need, by outcome and by receiving municipality (municipalities with none
    left out) for one fiscal year, in ``locale`` (``names``: the municipalities' names in it,
    their Japanese names by default)."""
    year = fiscal_year_label(counts.fiscal_year, locale)
    closed = list(counts.by_outcome.values())
    closed_total: Value = None if any(v is None for v in closed) else sum(v or 0 for v in closed)
    share = share_cell(counts.connected_share, closed_total)
    count = _say("count", locale)
    overview = Table.of(
        "referral_overview",
        _say("overview", locale, year=year),
        (_say("item", locale), count),
        [
            [_say("total", locale), shown(counts.total)],
            [_say("closed", locale), shown(closed_total)],
            [_say("connected", locale), share],
        ],
        notes=_notes(counts, locale=locale),
        shares=frozenset({1}),
    )
    municipalities = {code: v for code, v in counts.by_municipality.items() if v is None or v > 0}
    need_title = _say("need_title", locale, year=year)
    outcome_title = _say("outcome_title", locale, year=year)
    return [
        overview,
        Table.of(
            "referral_need",
            need_title,
            (_say("need", locale), count),
            _rows(counts.by_need, {c: label.get(locale) for c, label in NEEDS.items()}),
            chart=Chart(need_title, values=(1,)),
            notes=_notes(counts, _say("several", locale), locale=locale),
        ),
        Table.of(
            "referral_outcome",
            outcome_title,
            (_say("outcome", locale), count),
            _rows(counts.by_outcome, {c: label.get(locale) for c, label in OUTCOMES.items()}),
            chart=Chart(outcome_title, values=(1,)),
            notes=_notes(counts, locale=locale),
        ),
        Table.of(
            "referral_municipality",
            _say("municipality_title", locale, year=year),
            (_say("municipality", locale), count),
            _rows(municipalities, names if names is not None else counts.municipality_names)
            or [[_say("none", locale), 0]],
            notes=_notes(counts, locale=locale),
        ),
    ]
