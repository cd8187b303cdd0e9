"""Consultation-desk and hearing tables as ``exports.tables.Table`` objects, and the workbook
sheets made of them.

The numbers come from ``exports.consultation_counts`` — true for staff, suppressed by the one rule
for everyone else (``＊`` in a table, ``null`` in JSON); this module only lays them out as the
source document does (実績, 年代, 犯罪の種類, 紹介した支援機関等, 地域とのつながり).

The tables are Japanese, as the workbook and the deliveries carry them; the statistics page asks
for them in its language (``locale="en"``): every title, header, row label and note is a
:class:`~forms.model.Label` pair below, the counts the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from exports.consultation_counts import (
    THREE_YEARS,
    UNKNOWN,
    Statistics,
    Value,
    case_counts,
    residents_by_municipality,
    statistics,
    three_years,
)
from exports.hearings import list_hearings, progress
from exports.referral_counts import has_referrals
from exports.referral_counts import summary as referral_summary
from exports.referral_tables import referral_table_title, referral_tables
from exports.suppression import NO_SHARE, SHARE_DIGITS, SUPPRESSED_MARK
from exports.tables import Cell, Chart, Table
from forms.consultation import (
    AGE_GROUP,
    CRIME_TYPE,
    REFERRED_TO,
    TOPICS,
    choice_label,
    fiscal_year_bounds,
    fiscal_year_label,
    fiscal_year_of,
)
from forms.model import Label
from hub.db import db
from hub.models import Municipality, municipality_name, ordered_regions
from hub.models.municipality import REGION_LABELS

SUPPRESSION = Label(
    "＊: 1〜2件の区分と、公表した数から計算で分かってしまう区分は、"
    "個人が特定されないよう秘匿しています。",
    "＊: categories of 1 or 2 cases, and those that could be worked out from the published figures, "
    "are hidden so that no one can be identified.",
)
SUPPRESSION_NOTE = SUPPRESSION.ja
LOCAL_WINDOW = Label(
    "地域の窓口（地域包括支援センター・区市町村窓口）",
    "local windows (community support centers and municipal windows)",
)
LOCAL_WINDOW_LABEL = LOCAL_WINDOW.ja
L = Label
TOTAL = L("計", "Total")
COUNT = L("件数", "Cases")
WORDS = {
    "heading": L("%(year)s 犯罪お悩みなんでも相談の実績", "%(year)s: consultation desk figures"),
    "item": L("項目", "Item"),
    "category": L("区分", "Category"),
    "share": L("構成比", "Share"),
    "total": L("相談件数", "Consultations"),
    "crime_related": L("うち犯罪に関する相談", "of which about a crime"),
    "referred": L("支援機関等を紹介した相談", "Consultations referred to a support agency"),
    "local_window": L("うち%(window)sを紹介", "of which referred to %(window)s"),
    "local_share": L(
        "地域の窓口を紹介した割合（紹介した相談に占める割合）",
        "Share referred to local windows (of the consultations referred)",
    ),
    "age_group": L("%(year)s 相談対象者の年代", "%(year)s: age of the person concerned"),
    "crime_type": L("%(year)s 相談にかかる犯罪の種類", "%(year)s: type of crime concerned"),
    "crime_n": L("N=%(n)s（犯罪に関する相談）", "N=%(n)s (consultations about a crime)"),
    "agency_title": L("%(year)s 紹介した支援機関等", "%(year)s: support agencies referred to"),
    "agency": L("支援機関等", "Support agency"),
    "referred_n": L(
        "N=%(n)s（支援機関等を紹介した相談）", "N=%(n)s (consultations referred to an agency)"
    ),
    "several": L(
        "1件の相談で複数の機関を紹介することがあるため、合計はNと一致しません。",
        "One consultation may be referred to several agencies, so the total differs from N.",
    ),
    "region": L("%(year)s 相談対象者の居住地域", "%(year)s: region where the person lives"),
    "residence": L(
        "%(year)s 居住区市町村別の相談件数（都職員用・秘匿なし）",
        "%(year)s: consultations by municipality of residence (staff only, not suppressed)",
    ),
    "code": L("コード", "Code"),
    "municipality": L("区市町村", "Municipality"),
    "region_header": L("地域", "Region"),
    "unknown": L(UNKNOWN, "Unknown"),
    "three_years": L(
        "相談の推移（3年間）と地域とのつながり", "Consultations over three years and local links"
    ),
    "three_note": L(
        "地域の窓口: 地域包括支援センター・区市町村窓口（紹介した相談に占める割合）",
        "Local windows: community support centers and municipal windows "
        "(share of the consultations referred)",
    ),
    "year": L("年度", "Fiscal year"),
    "crime_related_header": L("犯罪に関する相談", "About a crime"),
    "referred_header": L("支援機関等を紹介", "Referred to an agency"),
    "local_header": L("うち地域の窓口", "of which local windows"),
    "local_share_header": L("地域の窓口の割合", "Share of local windows"),
    "years_total": L("%(n)s年間計（%(first)s〜%(last)s）", "%(n)s years (%(first)s to %(last)s)"),
    "hearing_progress": L("%(year)s 区市町村への聞き取り", "%(year)s: hearings of municipalities"),
    "hearing_not_heard": L(
        "%(year)s 聞き取りが済んでいない区市町村", "%(year)s: municipalities not yet heard"
    ),
    "hearing_records": L("%(year)s 聞き取りの記録", "%(year)s: records of the hearings"),
}
"""Every word of the desk's tables, in Japanese (the workbook's) and in English (the page's)."""


TABLE_TITLES = {
    "consultation_overview": "heading",
    "consultation_age_group": "age_group",
    "consultation_crime_type": "crime_type",
    "consultation_referral": "agency_title",
    "consultation_region": "region",
    "consultation_municipality": "residence",
    "consultation_three_years": "three_years",
}
"""The word of :data:`WORDS` that titles each of the desk's tables, by the table's name (a
hearings table's word is its name)."""


def desk_table_title(name: str, reference_date: date, locale: str) -> str | None:
    """The title of the desk's, the referrals' or the hearings' table ``name`` as it goes with a
    survey round of ``reference_date`` (the years of :func:`sheets_for_reference_date`), in
    ``locale``; without the hearings' progress after it. ``None``: not one of them."""
    desk_year = fiscal_year_of(reference_date - timedelta(days=1))
    if name.startswith("hearing_") and name in WORDS:
        year = fiscal_year_label(fiscal_year_of(reference_date), locale)
        return _say(name, locale, year=year)
    if name in TABLE_TITLES:
        return _say(TABLE_TITLES[name], locale, year=fiscal_year_label(desk_year, locale))
    return referral_table_title(name, desk_year, locale)


def _say(key: str, locale: str, **values: object) -> str:
    text = WORDS[key].get(locale)
    return text % values if values else text


def shown(value: Value) -> Cell:
    """A count as a table shows it: ``＊`` where suppressed."""
    return SUPPRESSED_MARK if value is None else value


def _fraction_of(value: Value, whole: Value) -> Cell:
    """A part's share of its published total (from published numbers only): ``＊`` if either is
    hidden, ``-`` when the total is 0 — as every share cell (``share_cell``)."""
    if value is None or whole is None:
        return SUPPRESSED_MARK
    if whole == 0:
        return NO_SHARE
    return round(value / whole, SHARE_DIGITS)


def _notes(stats: Statistics, *extra: str, locale: str = "ja") -> tuple[str, ...]:
    return (*extra, SUPPRESSION.get(locale)) if stats.suppressed else extra


def _breakdown(
    name: str,
    title: str,
    stats: Statistics,
    values: Mapping[str, Value],
    whole: Value,
    labels: Mapping[str, str],
    *notes: str,
    locale: str = "ja",
) -> Table:
    rows: list[list[Cell]] = [
        [labels.get(code, code), shown(v), _fraction_of(v, whole)] for code, v in values.items()
    ]
    rows.append([TOTAL.get(locale), shown(whole), _fraction_of(whole, whole)])
    return Table.of(
        name,
        title,
        (_say("category", locale), COUNT.get(locale), _say("share", locale)),
        rows,
        notes=_notes(stats, *notes, locale=locale),
        shares=frozenset({2}),
        total_rows=1,
        chart=Chart(title, values=(1,)),
    )


def statistics_tables(
    stats: Statistics, *, heading: str = "", regions: bool = True, locale: str = "ja"
) -> list[Table]:
    """The year's tables as the source document shows them, from one audience's statistics
    (``regions=False`` for one municipality's residents, who all live in one region), in
    ``locale`` (Japanese for the workbook and the deliveries)."""
    year = stats.label_in(locale)
    head = heading or _say("heading", locale, year=year)
    overview = Table.of(
        "consultation_overview",
        head,
        (_say("item", locale), COUNT.get(locale)),
        [
            [_say("total", locale), shown(stats.total)],
            [_say("crime_related", locale), shown(stats.crime_related)],
            [_say("referred", locale), shown(stats.referred)],
            [
                _say("local_window", locale, window=LOCAL_WINDOW.get(locale)),
                shown(stats.local_window),
            ],
            [_say("local_share", locale), stats.local_window_share_cell],
        ],
        notes=_notes(stats, locale=locale),
        shares=frozenset({1}),
    )
    ages = _labels(AGE_GROUP, locale)
    crimes = _labels(CRIME_TYPE, locale)
    agencies = _labels(REFERRED_TO, locale)
    agency_title = _say("agency_title", locale, year=year)
    tables = [
        overview,
        _breakdown(
            "consultation_age_group",
            _say("age_group", locale, year=year),
            stats,
            stats.by_age_group,
            stats.total,
            ages,
            f"N={_n(stats.total)}",
            locale=locale,
        ),
        _breakdown(
            "consultation_crime_type",
            _say("crime_type", locale, year=year),
            stats,
            stats.by_crime_type,
            stats.crime_related,
            crimes,
            _say("crime_n", locale, n=_n(stats.crime_related)),
            locale=locale,
        ),
        Table.of(
            "consultation_referral",
            agency_title,
            (_say("agency", locale), COUNT.get(locale)),
            [[agencies[c], shown(v)] for c, v in stats.by_referral.items()],
            chart=Chart(agency_title, values=(1,)),
            notes=_notes(
                stats,
                _say("referred_n", locale, n=_n(stats.referred)),
                _say("several", locale),
                locale=locale,
            ),
        ),
    ]
    if regions:
        tables.append(
            _breakdown(
                "consultation_region",
                _say("region", locale, year=year),
                stats,
                stats.by_region,
                stats.total,
                {
                    **{r: label.get(locale) for r, label in REGION_LABELS.items()},
                    UNKNOWN: _say("unknown", locale),
                }
                if locale != "ja"
                else {},
                locale=locale,
            )
        )
    return tables


def _n(value: Value) -> str:
    return str(shown(value))


def _labels(question: Any, locale: str = "ja") -> dict[str, str]:
    return {c: choice_label(question, c, locale) for c in question.codes}


def residence_table(fiscal_year: int, locale: str = "ja") -> Table:
    """Cases by municipality of residence, every municipality that existed in the year listed
    (and any with cases that year), staff only: true counts."""
    counts = residents_by_municipality(fiscal_year)
    english = locale != "ja"
    municipalities = db.session.execute(
        select(Municipality.code, Municipality.name, Municipality.name_en, Municipality.region)
        .where(
            Municipality.existed_on(fiscal_year_bounds(fiscal_year)[0])
            | Municipality.code.in_(list(counts))
        )
        .order_by(Municipality.code)
    )
    rows: list[list[Cell]] = [
        [
            code,
            municipality_name(name, name_en, english=english),
            REGION_LABELS[region].get(locale) if region in REGION_LABELS else region,
            counts.get(code, 0),
        ]
        for code, name, name_en, region in municipalities
    ]
    rows.append(["", _say("unknown", locale), "", counts.get("", 0)])
    rows.append(["", TOTAL.get(locale), "", sum(counts.values())])
    return Table.of(
        "consultation_municipality",
        _say("residence", locale, year=fiscal_year_label(fiscal_year, locale)),
        (
            _say("code", locale),
            _say("municipality", locale),
            _say("region_header", locale),
            COUNT.get(locale),
        ),
        rows,
        total_rows=1,
        filterable=True,
    )


def three_year_table(fiscal_year: int, *, suppressed: bool, locale: str = "ja") -> Table:
    rows = three_years(fiscal_year, suppressed=suppressed)
    notes = [_say("three_note", locale)]
    if suppressed:
        notes.append(SUPPRESSION.get(locale))
    first, last = fiscal_year - THREE_YEARS + 1, fiscal_year

    def label(row: Any) -> str:
        if locale == "ja":
            return str(row.label)
        if row.fiscal_year is not None:
            return fiscal_year_label(row.fiscal_year, locale)
        return _say(
            "years_total",
            locale,
            n=THREE_YEARS,
            first=fiscal_year_label(first, locale),
            last=fiscal_year_label(last, locale),
        )

    return Table.of(
        "consultation_three_years",
        _say("three_years", locale),
        (
            _say("year", locale),
            _say("total", locale),
            _say("crime_related_header", locale),
            _say("referred_header", locale),
            _say("local_header", locale),
            _say("local_share_header", locale),
        ),
        [
            [
                label(r),
                shown(r.total),
                shown(r.crime_related),
                shown(r.referred),
                shown(r.local_window),
                r.share_cell,
            ]
            for r in rows
        ],
        notes=tuple(notes),
        shares=frozenset({5}),
    )


def consultation_tables(fiscal_year: int, *, suppressed: bool) -> list[Table]:
    """Every consultation-desk table of the year for one audience (staff: true counts and the
    per-municipality table too)."""
    tables = statistics_tables(statistics(fiscal_year, suppressed=suppressed))
    tables.append(three_year_table(fiscal_year, suppressed=suppressed))
    if not suppressed:
        tables.append(residence_table(fiscal_year))
    return tables


def hearing_tables(fiscal_year: int, *, detail: bool) -> list[Table]:
    """Progress "n/62 heard" by region; with ``detail`` (staff) the municipalities not yet
    heard and every hearing with its notes."""
    state = progress(fiscal_year)
    year = fiscal_year_label(fiscal_year)
    regions = ordered_regions({m.region for m in (*state.heard, *state.not_heard)})
    rows: list[list[Cell]] = []
    for region in regions:
        heard = sum(1 for m in state.heard if m.region == region)
        rows.append([region, heard, heard + sum(1 for m in state.not_heard if m.region == region)])
    rows.append(["計", state.heard_count, state.total])
    tables = [
        Table.of(
            "hearing_progress",
            f"{_say('hearing_progress', 'ja', year=year)}（{state.label()}）",
            ("地域", "聞き取り済み", "区市町村数"),
            rows,
        )
    ]
    if detail:
        tables.append(
            Table.of(
                "hearing_not_heard",
                f"{_say('hearing_not_heard', 'ja', year=year)}（{len(state.not_heard)}）",
                ("コード", "区市町村", "地域"),
                [[m.code, m.name, m.region] for m in state.not_heard],
            )
        )
        tables.append(
            Table.of(
                "hearing_records",
                _say("hearing_records", "ja", year=year),
                ("実施日", "コード", "区市町村", "聞き取り先の部署", "聞き取った課題", "メモ"),
                [
                    [h.held_on, m.code, m.name, h.department, topic_labels(h.topics), h.notes]
                    for h, m in list_hearings(fiscal_year)
                ],
                user_text=frozenset({3, 5}),
            )
        )
    return tables


def topic_labels(codes: Sequence[str]) -> str:
    return "、".join(choice_label(TOPICS, c) for c in codes)


def consultation_sheets(
    fiscal_year: int,
    *,
    suppress: bool,
    hearings_fiscal_year: int | None = None,
    when_empty: bool = False,
) -> list[tuple[str, list[Table]]]:
    """Extra workbook sheets ``(title, tables)``: 相談窓口 when the three years hold cases or the
    year referrals (つなぎ, counts by municipality, need and outcome, after the desk's tables), and
    聞き取り when hearings were held (in ``hearings_fiscal_year``, by default the same year);
    ``when_empty``: both, whatever the years hold (to know every table a delivery may carry).

    ``suppress=True`` for every audience but staff: suppressed counts, and hearing progress without
    the list of municipalities or the notes.
    """
    sheets: list[tuple[str, list[Table]]] = []
    years = range(fiscal_year - THREE_YEARS + 1, fiscal_year + 1)
    desk: list[Table] = []
    if when_empty or any(c.total for c in case_counts(list(years)).values()):
        desk = consultation_tables(fiscal_year, suppressed=suppress)
    if when_empty or has_referrals(fiscal_year):
        desk += referral_tables(referral_summary(fiscal_year, suppressed=suppress))
    if desk:
        sheets.append(("相談窓口", desk))
    hearing_year = fiscal_year if hearings_fiscal_year is None else hearings_fiscal_year
    if when_empty or progress(hearing_year).heard_count:
        sheets.append(("聞き取り", hearing_tables(hearing_year, detail=not suppress)))
    return sheets


def sheets_for_reference_date(
    reference_date: date, *, suppress: bool, when_empty: bool = False
) -> list[tuple[str, list[Table]]]:
    """The sheets that go with a survey round: the consultation desk's last full fiscal year before
    the 基準日 (令和3年4月1日 → 令和2年度) and the hearings of the 基準日's fiscal year."""
    return consultation_sheets(
        fiscal_year_of(reference_date - timedelta(days=1)),
        suppress=suppress,
        hearings_fiscal_year=fiscal_year_of(reference_date),
        when_empty=when_empty,
    )
