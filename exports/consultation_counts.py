"""Consultation-desk statistics per fiscal year (年度, April–March): counts and what each
audience may see of them.

Counts come from SQL GROUP BYs. :func:`statistics` turns them into what one audience may see —
true counts for staff, and for everyone else the values left by ``exports.suppression.suppress``
(the one rule), run once over every table of the year together, so that no table lets a hidden
cell of another be recomputed. A municipality's own residents are suppressed around the regional
values every audience sees (locked); the three-year view shows a sum only where its three years
show theirs (every year's page has one, and two of them side by side gave a hidden year away).
The API summary, the statistics page and the workbook tables (``consultation_tables``) all read
these objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select

from exports.suppression import (
    NO_SHARE,
    SUPPRESSED_MARK,
    Relation,
    Share,
    share,
    suppress,
)
from forms.consultation import (
    AGE_GROUP,
    CRIME_TYPE,
    LOCAL_WINDOWS,
    REFERRED_TO,
    fiscal_year_label,
)
from hub.db import db
from hub.models import Consultation, ConsultationReferral, Municipality, ordered_regions

UNKNOWN = "不明"
THREE_YEARS = 3

Value = int | None


@dataclass(frozen=True)
class CaseCounts:
    """True counts of one fiscal year (optionally one municipality's residents), every code present."""

    total: int
    by_age_group: dict[str, int]
    crime_related: int
    by_crime_type: dict[str, int]
    referred: int
    by_referral: dict[str, int]
    local_window: int
    """Cases referred to 地域包括支援センター or 区市町村窓口 (each case once)."""
    by_region: dict[str, int]
    """Region of residence, ``不明`` for cases without a municipality."""


def _empty(regions: Sequence[str]) -> dict[str, Any]:
    return {
        "total": 0,
        "by_age_group": dict.fromkeys(AGE_GROUP.codes, 0),
        "crime_related": 0,
        "by_crime_type": dict.fromkeys(CRIME_TYPE.codes, 0),
        "referred": 0,
        "by_referral": dict.fromkeys(REFERRED_TO.codes, 0),
        "local_window": 0,
        "by_region": dict.fromkeys([*regions, UNKNOWN], 0),
    }


def all_regions() -> tuple[str, ...]:
    found = db.session.scalars(select(Municipality.region).group_by(Municipality.region))
    return ordered_regions(set(found))


def case_counts(
    years: Sequence[int],
    *,
    municipality: str | None = None,
    regions: Sequence[str] | None = None,
) -> dict[int, CaseCounts]:
    """``{fiscal_year: CaseCounts}`` for each year asked, zeros where nothing was recorded.
    ``regions``: :func:`all_regions`, when the caller has already read them."""
    regions = all_regions() if regions is None else regions
    data = {y: _empty(regions) for y in years}
    where: list[ColumnElement[bool]] = [Consultation.fiscal_year.in_(list(years))]
    if municipality is not None:
        where.append(Consultation.municipality_code == municipality)
    fy = Consultation.fiscal_year
    joined = ConsultationReferral.consultation_id == Consultation.id
    _tally(
        data,
        "by_age_group",
        "total",
        select(fy, Consultation.age_group, func.count())
        .where(*where)
        .group_by(fy, Consultation.age_group),
    )
    _tally(
        data,
        "by_crime_type",
        "crime_related",
        select(fy, Consultation.crime_type, func.count())
        .where(*where, Consultation.crime_related.is_(True))
        .group_by(fy, Consultation.crime_type),
    )
    _tally(
        data,
        "by_referral",
        None,
        select(fy, ConsultationReferral.code, func.count())
        .join(ConsultationReferral, joined)
        .where(*where)
        .group_by(fy, ConsultationReferral.code),
    )
    _tally(
        data,
        "by_region",
        None,
        select(fy, Municipality.region, func.count())
        .outerjoin(Municipality, Municipality.code == Consultation.municipality_code)
        .where(*where)
        .group_by(fy, Municipality.region),
    )
    cases_referred = select(fy, func.count(func.distinct(Consultation.id))).join(
        ConsultationReferral, joined
    )
    local = ConsultationReferral.code.in_(sorted(LOCAL_WINDOWS))
    for key, query in (
        ("referred", cases_referred.where(*where).group_by(fy)),
        ("local_window", cases_referred.where(*where, local).group_by(fy)),
    ):
        for year, n in db.session.execute(query):
            data[year][key] = int(n)
    return {y: CaseCounts(**d) for y, d in data.items()}


def _tally(data: dict[int, dict[str, Any]], breakdown: str, total: str | None, query: Any) -> None:
    """Add ``(year, code, n)`` rows into ``data[year][breakdown]`` (and ``total``); a missing
    crime type counts as その他 and a missing region as 不明, so that parts add up to totals."""
    fallback = {"by_crime_type": "other", "by_region": UNKNOWN}.get(breakdown)
    for year, code, n in db.session.execute(query):
        data[year][breakdown][code or fallback] += int(n)
        if total is not None:
            data[year][total] += int(n)


def residents_by_municipality(fiscal_year: int) -> dict[str, int]:
    """Cases per municipality code of residence (``""`` for unknown) — staff only, never suppressed."""
    rows = db.session.execute(
        select(Consultation.municipality_code, func.count())
        .where(Consultation.fiscal_year == fiscal_year)
        .group_by(Consultation.municipality_code)
    )
    return {code or "": int(n) for code, n in rows}


# --------------------------------------------------------------------------- cells and rules


@dataclass
class CellSystem:
    """Named counts, the relations between them and which of them are never published."""

    counts: dict[str, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    implicit: set[str] = field(default_factory=set)

    def add(self, other: CellSystem) -> None:
        self.counts.update(other.counts)
        self.relations.extend(other.relations)
        self.implicit |= other.implicit

    def published(self) -> list[str]:
        return [c for c in self.counts if c not in self.implicit]


def cells_of(counts: CaseCounts, prefix: str = "", *, regions: bool = True) -> CellSystem:
    """Every count of a year as cells, with the sums that tie them together.

    Implicit cells are the differences a reader can compute (not crime-related, not referred,
    referred elsewhere than a local window, cases referred to both local windows).
    """
    p = prefix
    s = CellSystem()
    s.counts[p + "total"] = counts.total
    ages = _put(s, p + "age:", counts.by_age_group)
    s.counts[p + "crime_related"] = counts.crime_related
    crimes = _put(s, p + "crime:", counts.by_crime_type)
    s.counts[p + "referred"] = counts.referred
    _put(s, p + "referral:", counts.by_referral)
    s.counts[p + "local_window"] = counts.local_window
    local_referrals = sum(counts.by_referral[c] for c in sorted(LOCAL_WINDOWS))
    s.counts |= {
        p + "not_crime_related": counts.total - counts.crime_related,
        p + "not_referred": counts.total - counts.referred,
        p + "not_local_window": counts.referred - counts.local_window,
        p + "local_referrals": local_referrals,
        p + "both_windows": local_referrals - counts.local_window,
    }
    s.implicit |= {
        p + name
        for name in (
            "not_crime_related",
            "not_referred",
            "not_local_window",
            "local_referrals",
            "both_windows",
        )
    }
    s.relations += [
        Relation.of(p + "total", ages),
        Relation.of(p + "total", [p + "crime_related", p + "not_crime_related"]),
        Relation.of(p + "crime_related", crimes),
        Relation.of(p + "total", [p + "referred", p + "not_referred"]),
        Relation.of(p + "referred", [p + "local_window", p + "not_local_window"]),
        Relation.of(p + "local_referrals", [p + "referral:" + c for c in sorted(LOCAL_WINDOWS)]),
        Relation.of(p + "local_referrals", [p + "local_window", p + "both_windows"]),
    ]
    if regions:
        s.relations.append(Relation.of(p + "total", _put(s, p + "region:", counts.by_region)))
    return s


def _put(system: CellSystem, prefix: str, values: Mapping[str, int]) -> list[str]:
    names = [prefix + code for code in values]
    system.counts.update({prefix + code: n for code, n in values.items()})
    return names


def _split_whole(system: CellSystem, cells: Sequence[str], part: str, rest: str) -> None:
    """Declare that each of ``cells`` is its ``part`` plus the ``rest`` (``cell = part+cell +
    rest+cell``), the rest implicit.

    Every cell is split, the implicit ones too: the rest of "not crime-related" is as much a count
    of people as the rest of a published cell, and a reader gets it as the difference of two
    published rests, so the rule must know it to protect it.
    """
    for cell in cells:
        system.counts[rest + cell] = system.counts[cell] - system.counts[part + cell]
        system.implicit.add(rest + cell)
        system.relations.append(Relation.of(cell, [part + cell, rest + cell]))


def regional_values(counts: CaseCounts, *, suppressed: bool) -> dict[str, Value]:
    """The published cells of the regional tables: true, or after the one suppression rule."""
    system = cells_of(counts)
    if not suppressed:
        return {c: system.counts[c] for c in system.published()}
    return suppress(system.counts, system.relations, implicit=system.implicit)


def own_values(
    regional: CaseCounts,
    own: CaseCounts,
    region: str,
    regional_published: Mapping[str, Value],
) -> dict[str, Value]:
    """A municipality's residents, suppressed so that neither they nor the rest of the region
    can be recomputed from them and the regional tables (whose cells stay as published)."""
    system = cells_of(regional)
    mine = cells_of(own, "own:", regions=False)
    system.add(mine)
    _split_whole(system, [c.removeprefix("own:") for c in mine.counts], "own:", "rest:")
    region_cell = "region:" + region
    system.counts["rest:region"] = system.counts[region_cell] - own.total
    system.implicit.add("rest:region")
    system.relations.append(Relation.of(region_cell, ["own:total", "rest:region"]))
    locked = {c: v is None for c, v in regional_published.items()}
    values = suppress(system.counts, system.relations, implicit=system.implicit, locked=locked)
    return {c.removeprefix("own:"): v for c, v in values.items() if c.startswith("own:")}


# ------------------------------------------------------------------------------ statistics


@dataclass(frozen=True)
class Statistics:
    """What one audience may see of one fiscal year (``None`` = suppressed)."""

    fiscal_year: int
    suppressed: bool
    total: Value
    by_age_group: dict[str, Value]
    crime_related: Value
    by_crime_type: dict[str, Value]
    referred: Value
    by_referral: dict[str, Value]
    local_window: Value
    local_window_share: float | None
    local_window_ratio: Share | None
    by_region: dict[str, Value]

    @property
    def local_window_share_text(self) -> str:
        """The share as shown, the same in every language: ``39.7%``, ``-``, ``＊``."""
        return _share_text(self.local_window_ratio, self.referred)

    @property
    def local_window_share_cell(self) -> float | str:
        """The share as a table cell: a number (shown as a percentage), else ``-`` or ``＊``."""
        return share_cell(self.local_window_ratio, self.referred)

    @property
    def label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    def label_in(self, locale: str) -> str:
        """The fiscal year in ``locale``: 令和2年度, FY2020."""
        return fiscal_year_label(self.fiscal_year, locale)

    def summary(self) -> dict[str, Any]:
        """The body of ``GET /api/v1/consultations/summary`` (docs/api.md)."""
        return {
            "fiscal_year": self.fiscal_year,
            "total": self.total,
            "by_age_group": dict(self.by_age_group),
            "crime_related": self.crime_related,
            "by_crime_type": dict(self.by_crime_type),
            "referred": self.referred,
            "by_referral": dict(self.by_referral),
            "local_window_share": self.local_window_share,
        }


def statistics_of(
    fiscal_year: int, counts: CaseCounts, values: Mapping[str, Value], *, suppressed: bool
) -> Statistics:
    """What an audience sees of a year (or of one municipality's residents): ``values`` as
    published to it, and the share, from the true ``counts``, as far as ``values`` allow it."""

    def pick(prefix: str, codes: Sequence[str]) -> dict[str, Value]:
        return {c: values.get(prefix + c) for c in codes}

    ratio = share(
        counts.local_window,
        counts.referred,
        part_hidden=values.get("local_window") is None,
        whole_hidden=values.get("referred") is None,
    )
    return Statistics(
        fiscal_year=fiscal_year,
        suppressed=suppressed,
        total=values.get("total"),
        by_age_group=pick("age:", AGE_GROUP.codes),
        crime_related=values.get("crime_related"),
        by_crime_type=pick("crime:", CRIME_TYPE.codes),
        referred=values.get("referred"),
        by_referral=pick("referral:", REFERRED_TO.codes),
        local_window=values.get("local_window"),
        local_window_share=ratio.value if ratio else None,
        local_window_ratio=ratio,
        by_region=pick("region:", list(counts.by_region)),
    )


def statistics(fiscal_year: int, *, suppressed: bool) -> Statistics:
    """The regional tables of a fiscal year, for one audience."""
    counts = case_counts([fiscal_year])[fiscal_year]
    return statistics_of(
        fiscal_year, counts, regional_values(counts, suppressed=suppressed), suppressed=suppressed
    )


def municipality_statistics(fiscal_year: int, code: str, *, suppressed: bool) -> Statistics:
    """One municipality's own residents, consistent with the regional tables that audience sees."""
    return statistics_with_own(fiscal_year, code, suppressed=suppressed)[1]


def statistics_with_own(
    fiscal_year: int, code: str, *, suppressed: bool
) -> tuple[Statistics, Statistics]:
    """:func:`statistics` and :func:`municipality_statistics` together, the year's counts read
    once: the regional tables, and the municipality's residents suppressed around them."""
    municipality = db.session.get(Municipality, code)
    region = municipality.region if municipality is not None else UNKNOWN
    regions = all_regions()
    regional = case_counts([fiscal_year], regions=regions)[fiscal_year]
    own = case_counts([fiscal_year], municipality=code, regions=regions)[fiscal_year]
    published = regional_values(regional, suppressed=suppressed)
    if suppressed:
        values = own_values(regional, own, region, published)
    else:
        system = cells_of(own, regions=False)
        values = {c: system.counts[c] for c in system.published()}
    return (
        statistics_of(fiscal_year, regional, published, suppressed=suppressed),
        statistics_of(fiscal_year, own, values, suppressed=suppressed),
    )


def summary(
    fiscal_year: int, *, suppressed: bool, municipality: Municipality | None = None
) -> dict[str, Any]:
    """The API summary; with ``municipality``, also ``"municipality"``: its residents' counts."""
    if municipality is None:
        return statistics(fiscal_year, suppressed=suppressed).summary()
    regional, own = statistics_with_own(fiscal_year, municipality.code, suppressed=suppressed)
    return regional.summary() | {
        "municipality": {"code": municipality.code, "name": municipality.name, **own.summary()}
    }


# ------------------------------------------------------------------------------ three years

THREE_YEAR_CELLS = ("total", "crime_related", "referred", "local_window")


@dataclass(frozen=True)
class YearRow:
    label: str
    fiscal_year: int | None
    """``None`` for the row of the three years together."""
    total: Value
    crime_related: Value
    referred: Value
    local_window: Value
    share: float | None
    ratio: Share | None

    @property
    def share_text(self) -> str:
        return _share_text(self.ratio, self.referred)

    @property
    def share_cell(self) -> float | str:
        """The share as a table cell: a number, else ``-`` or ``＊``."""
        return share_cell(self.ratio, self.referred)


def three_years(fiscal_year: int, *, suppressed: bool) -> list[YearRow]:
    """The fiscal year and the two before it, then their sum (the document's H30〜R2 view).

    Each year shows exactly what its own tables show. A three-year sum is shown only where all
    three years show their count, so that it tells nothing the years do not: the page of every
    fiscal year has a three-year row, and two rows a year apart differ by the year one has and the
    other has not — a sum shown beside hidden years (1 and 2 and 1 hidden, the sums 3 and 4 on
    the pages of two years) gave a hidden year away, whatever each page alone held back.
    """
    years = list(range(fiscal_year - THREE_YEARS + 1, fiscal_year + 1))
    return year_rows(case_counts(years), suppressed=suppressed)


def year_rows(counts: Mapping[int, CaseCounts], *, suppressed: bool) -> list[YearRow]:
    """:func:`three_years` from the years' counts (in order): each year's row, then their sum."""
    years = list(counts)
    rows: list[YearRow] = []
    for year in years:
        values = regional_values(counts[year], suppressed=suppressed)
        rows.append(_year_row(fiscal_year_label(year), year, counts[year], values))
    total_counts = {c: sum(getattr(counts[y], c) for y in years) for c in THREE_YEAR_CELLS}
    sums: dict[str, Value] = {
        c: None if any(getattr(row, c) is None for row in rows) else total_counts[c]
        for c in THREE_YEAR_CELLS
    }
    label = f"{len(years)}年間計（{fiscal_year_label(years[0])}〜{fiscal_year_label(years[-1])}）"
    rows.append(_row_from(label, None, total_counts, sums))
    return rows


def _year_row(label: str, year: int, counts: CaseCounts, values: Mapping[str, Value]) -> YearRow:
    true = {
        "total": counts.total,
        "crime_related": counts.crime_related,
        "referred": counts.referred,
        "local_window": counts.local_window,
    }
    return _row_from(label, year, true, {c: values.get(c) for c in THREE_YEAR_CELLS})


def _row_from(
    label: str, year: int | None, true: Mapping[str, int], shown: Mapping[str, Value]
) -> YearRow:
    ratio = share(
        true["local_window"],
        true["referred"],
        part_hidden=shown["local_window"] is None,
        whole_hidden=shown["referred"] is None,
    )
    return YearRow(
        label=label,
        fiscal_year=year,
        total=shown["total"],
        crime_related=shown["crime_related"],
        referred=shown["referred"],
        local_window=shown["local_window"],
        share=ratio.value if ratio else None,
        ratio=ratio,
    )


def share_cell(ratio: Share | None, whole: Value) -> float | str:
    """A share for a table: the number (0.397, shown as 39.7 %; every share shown is exact to
    0.1 %, :func:`exports.suppression.share`), else ``-`` or ``＊`` as :func:`_share_text`."""
    if ratio is not None:
        return ratio.value
    return _share_text(ratio, whole)


def _share_text(ratio: Share | None, whole: Value) -> str:
    """The share as shown: ``39.7%``, ``-`` when nothing was referred, ``＊`` when withheld."""
    if ratio is not None:
        return ratio.text
    return NO_SHARE if whole == 0 else SUPPRESSED_MARK
