"""The one suppression rule, on its own: examples, then properties over random tables.

The properties are checked with ``disclosure.py``, an attacker written independently of the rule:
no published count is 1 or 2, and no hidden cell (nor any count of 1 or 2 that is never published,
such as "not crime-related") can be recomputed from what is published.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exports.consultation_counts import (
    THREE_YEAR_CELLS,
    UNKNOWN,
    CaseCounts,
    CellSystem,
    Statistics,
    YearRow,
    cells_of,
    own_values,
    regional_values,
    statistics_of,
    year_rows,
)
from exports.suppression import (
    SMALL,
    Relation,
    Share,
    SuppressionError,
    derivable,
    share,
    suppress,
)
from forms.consultation import AGE_GROUP, CRIME_TYPE, LOCAL_WINDOWS, REFERRED_TO
from tests.consultations.disclosure import Narrowing, Observed, determined, pinned, solvable

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------------------------- examples


def test_a_count_of_one_is_hidden_with_a_complement_so_the_total_does_not_give_it_away() -> None:
    result = suppress({"T": 20, "a": 1, "b": 7, "c": 12}, [Relation.of("T", ["a", "b", "c"])])
    assert result == {"T": 20, "a": None, "b": None, "c": 12}


def test_zero_is_published_and_never_chosen_as_a_complement() -> None:
    result = suppress({"T": 9, "a": 2, "b": 0, "c": 7}, [Relation.of("T", ["a", "b", "c"])])
    assert result == {"T": 9, "a": None, "b": 0, "c": None}


def test_a_small_difference_of_two_published_totals_is_protected() -> None:
    counts = {"T": 239, "C": 238, "N": 1, "x": 200, "y": 38, "a": 100, "b": 139}
    relations = [
        Relation.of("T", ["C", "N"]),
        Relation.of("C", ["x", "y"]),
        Relation.of("T", ["a", "b"]),
    ]
    result = suppress(counts, relations, implicit={"N"})
    assert "N" not in result
    assert result["T"] == 239, "the grand total stays published"
    assert result["C"] is None
    assert (
        determined([c for c, v in result.items() if v is None] + ["N"], _pairs(relations)) == set()
    )


def test_hidden_parts_that_must_all_be_one_get_another_complement() -> None:
    result = suppress({"T": 10, "a": 1, "b": 1, "c": 8}, [Relation.of("T", ["a", "b", "c"])])
    assert result == {"T": 10, "a": None, "b": None, "c": None}


def test_a_reader_who_knows_its_own_cell_learns_no_other() -> None:
    """Referrals by municipality, read by each municipality's window, which knows its own count:
    beside a total of 5, Chiyoda's 1 hidden with Hachioji's 4 as its only complement would tell
    Hachioji's window that Chiyoda received 1. A third cell is hidden, and no window, its own
    cell known, can recompute any other hidden cell."""
    counts = {"T": 5, "chiyoda": 1, "hachioji": 4, "chuo": 0, "minato": 0}
    relations = [Relation.of("T", ["chiyoda", "hachioji", "chuo", "minato"])]
    assert suppress(counts, relations) == {
        "T": 5,
        "chiyoda": None,
        "hachioji": None,
        "chuo": 0,
        "minato": 0,
    }, "to the public alone, one complement is enough"
    insiders = ["chiyoda", "hachioji", "chuo", "minato"]
    result = suppress(counts, relations, insiders=insiders)
    hidden = [c for c, v in result.items() if v is None]
    assert len(hidden) == 3
    assert result["T"] == 5
    for own in insiders:
        assert determined([c for c in hidden if c != own], _pairs(relations)) == set(), own


@PROPERTY
@given(
    st.lists(st.integers(min_value=0, max_value=6), min_size=2, max_size=12),
    st.lists(st.integers(min_value=0, max_value=6), min_size=2, max_size=4),
)
def test_no_insider_recomputes_a_hidden_cell(places: list[int], split: list[int]) -> None:
    """Any referral year: one total, its municipalities (each known to its window) and another
    split of the same total (outcomes). Whatever is hidden, no window — its own count known —
    recomputes another hidden count, nor finds one with a single whole-number value, checked by
    the independent solvers."""
    total = sum(places)
    outcomes = [*split[:-1], total - sum(split[:-1])]
    if outcomes[-1] < 0:
        outcomes = [total]
    counts = {"T": total}
    counts |= {f"m{i}": n for i, n in enumerate(places)}
    counts |= {f"o{i}": n for i, n in enumerate(outcomes)}
    relations = [
        Relation.of("T", [f"m{i}" for i in range(len(places))]),
        Relation.of("T", [f"o{i}" for i in range(len(outcomes))]),
    ]
    insiders = [f"m{i}" for i in range(len(places))]
    try:
        result = suppress(counts, relations, insiders=insiders)
    except SuppressionError:
        return
    hidden = [c for c, v in result.items() if v is None]
    for own in insiders:
        if own in hidden:
            assert determined([c for c in hidden if c != own], _pairs(relations)) == set(), own
            told = {**result, own: counts[own]}
            others = [c for c in hidden if c != own]
            assert not pinned(told, _pairs(relations), counts, cells=others), own


def test_a_two_way_table_hides_a_rectangle_not_a_single_complement() -> None:
    cells = {"r1c1": 1, "r1c2": 5, "r2c1": 4, "r2c2": 6}
    counts = {**cells, "r1": 6, "r2": 10, "c1": 5, "c2": 11, "all": 16}
    relations = [
        Relation.of("r1", ["r1c1", "r1c2"]),
        Relation.of("r2", ["r2c1", "r2c2"]),
        Relation.of("c1", ["r1c1", "r2c1"]),
        Relation.of("c2", ["r1c2", "r2c2"]),
        Relation.of("all", ["r1", "r2"]),
        Relation.of("all", ["c1", "c2"]),
    ]
    result = suppress(counts, relations)
    hidden = {c for c, v in result.items() if v is None}
    assert hidden == {"r1c1", "r1c2", "r2c1", "r2c2"}
    assert derivable(result, relations) == set()


def test_locked_cells_keep_their_state_and_an_impossible_lock_is_an_error() -> None:
    relations = [Relation.of("T", ["a", "b"])]
    with pytest.raises(SuppressionError):
        suppress({"T": 5, "a": 1, "b": 4}, relations, locked={"T": False, "b": False})
    assert suppress({"T": 5, "a": 1, "b": 4}, relations, locked={"T": True}) == {
        "T": None,
        "a": None,
        "b": 4,
    }


def test_share_is_exact_to_a_tenth_of_a_percent_when_both_counts_are_published() -> None:
    ratio = share(60, 151)
    assert ratio is not None
    assert (ratio.value, ratio.text) == (0.397, "39.7%")
    half_up = share(1, 16)
    assert half_up is not None
    assert half_up.value == 0.063


def test_share_beside_a_hidden_count_is_withheld() -> None:
    """12 of 14 referred sent to a local window, hidden: 約90% (12 or 13) once read beside the
    12 sent to 地域包括支援センター (and none to 区市町村窓口), which allow at most 12."""
    assert share(12, 14, part_hidden=True) is None
    assert share(2, 100, part_hidden=True) is None
    assert share(3, 7, whole_hidden=True) is None
    assert share(0, 0) is None


# --------------------------------------------------------------------------------- properties


def _pairs(relations: Sequence[Relation]) -> list[tuple[str, Sequence[str]]]:
    return [(r.total, r.parts) for r in relations]


def assert_nothing_disclosed(published: Mapping[str, int | None], system: CellSystem) -> None:
    """No published 1 or 2; nothing hidden or small-and-implicit can be recomputed."""
    assert not [c for c, v in published.items() if v in SMALL], published
    relations = _pairs(system.relations)
    unknown = [c for c in system.counts if c in system.implicit or published.get(c) is None]
    by_subtraction = solvable(published, relations, system.counts)
    exact = determined(unknown, relations)
    assert isinstance(exact, set)
    for cell in set(by_subtraction) | exact:
        if cell in system.implicit:
            assert system.counts[cell] not in SMALL, f"{cell} = {system.counts[cell]} recomputable"
        else:
            pytest.fail(f"hidden cell {cell} = {system.counts[cell]} can be recomputed")
    for relation in system.relations:
        hidden = [p for p in relation.parts if published.get(p, 0) is None]
        if len(hidden) >= 2 and sum(system.counts[p] for p in hidden) == len(hidden):
            assert not determined(unknown, relations, dict.fromkeys(hidden, 1)), (
                f"{hidden} must all be 1"
            )


REGIONS = ["区部", "市部", "町村部"]
HOMES = ["131016", "131024", "132012", "133035", None]
HOME_REGION = {"131016": "区部", "131024": "区部", "132012": "市部", "133035": "町村部"}

Record = tuple[str, str | None, frozenset[str], str | None]
"""One case: age group, crime type (``None``: not about a crime), referrals, home municipality."""

records = st.lists(
    st.tuples(
        st.sampled_from(AGE_GROUP.codes[:4]),
        st.one_of(st.none(), st.sampled_from(CRIME_TYPE.codes[:4])),
        st.frozensets(st.sampled_from(REFERRED_TO.codes[:4]), max_size=2),
        st.sampled_from(HOMES),
    ),
    max_size=45,
)


def counts_of(rows: Sequence[Record]) -> CaseCounts:
    referrals = Counter(code for _, _, sent, _ in rows for code in sent)
    regions = Counter(HOME_REGION[h] if h else UNKNOWN for *_, h in rows)
    crimes = Counter(c for _, c, _, _ in rows if c)
    return CaseCounts(
        total=len(rows),
        by_age_group={a: sum(1 for r in rows if r[0] == a) for a in AGE_GROUP.codes},
        crime_related=sum(1 for r in rows if r[1]),
        by_crime_type={c: crimes[c] for c in CRIME_TYPE.codes},
        referred=sum(1 for r in rows if r[2]),
        by_referral={c: referrals[c] for c in REFERRED_TO.codes},
        local_window=sum(1 for r in rows if r[2] & LOCAL_WINDOWS),
        by_region={r: regions[r] for r in [*REGIONS, UNKNOWN]},
    )


@given(records)
@PROPERTY
def test_regional_tables_disclose_no_small_count(rows: list[Record]) -> None:
    counts = counts_of(rows)
    published = regional_values(counts, suppressed=True)
    assert_nothing_disclosed(published, cells_of(counts))
    for cell, value in published.items():
        assert value is None or value == cells_of(counts).counts[cell], "published means true"


def regional_and_own(rows: Sequence[Record], home: str) -> tuple[dict[str, int | None], CellSystem]:
    """What a respondent of ``home`` is shown (regional and own cells, ``own:`` prefixed), and what
    they can compute from it: for every count of their residents, published or not (such as "not
    crime-related"), the rest of the region's is the regional count minus theirs."""
    regional = counts_of(rows)
    own = counts_of([r for r in rows if r[3] == home])
    shared = regional_values(regional, suppressed=True)
    mine = own_values(regional, own, HOME_REGION[home], shared)
    system = cells_of(regional)
    own_system = cells_of(own, "own:", regions=False)
    system.add(own_system)
    for cell in own_system.counts:
        base = cell.removeprefix("own:")
        system.counts["rest:" + base] = system.counts[base] - system.counts[cell]
        system.implicit.add("rest:" + base)
        system.relations.append(Relation.of(base, [cell, "rest:" + base]))
    region = "region:" + HOME_REGION[home]
    system.counts["rest:region"] = system.counts[region] - own.total
    system.implicit.add("rest:region")
    system.relations.append(Relation.of(region, ["own:total", "rest:region"]))
    return {**shared, **{"own:" + c: v for c, v in mine.items()}}, system


def test_an_own_count_under_a_regional_zero_is_shown_as_zero() -> None:
    """Found by the integer attacker (a CI run's property test): 千代田区 has all 3 of the
    region's cases, each of another age, none about a crime. Its own table was hidden whole (＊),
    its 50代 too — which every reader pins to 0 beside the region's published 50代 of 0 (no count
    below 0). Such a cell protects nothing: it is shown as 0, and no hidden count is pinned."""
    rows: list[Record] = [
        (age, None, frozenset({"municipal_window"}), "131016") for age in ("under_20", "20s", "30s")
    ]
    published, system = regional_and_own(rows, "131016")
    assert (published["age:50s"], published["own:age:50s"]) == (0, 0)
    assert (published["crime_related"], published["own:crime_related"]) == (0, 0)
    assert published["own:age:under_20"] is None
    assert_nothing_disclosed(published, system)
    assert_shares_pin_nothing(published, system, [])


def test_the_rest_of_an_implicit_count_is_protected_too() -> None:
    """Found by the API property test: 3 cases of 千代田区 not about a crime; in 中央区 1 not about
    a crime and 3 shoplifting. Publishing 千代田区's total (3) and crime-related (0) next to the
    regional 7 and 3 gave 7 - 3 - (3 - 0) = 1: the one other case not about a crime."""
    chiyoda: list[Record] = [("under_20", None, frozenset(), "131016")] * 3
    chuo: list[Record] = [("under_20", None, frozenset(), "131024")]
    chuo += [("under_20", "shoplifting", frozenset(), "131024")] * 3
    published, system = regional_and_own(chiyoda + chuo, "131016")
    assert system.counts["rest:not_crime_related"] == 1
    assert (published["total"], published["crime_related"]) == (7, 3), "nothing small regionally"
    by_subtraction = solvable(published, _pairs(system.relations), system.counts)
    assert "rest:not_crime_related" not in by_subtraction
    unknown = [c for c in system.counts if c in system.implicit or published.get(c) is None]
    exact = determined(unknown, _pairs(system.relations))
    assert isinstance(exact, set)
    assert "rest:not_crime_related" not in exact
    assert_nothing_disclosed(published, system)


@given(records, st.sampled_from(HOMES[:-1]))
@PROPERTY
def test_own_residents_and_regional_tables_together_disclose_nothing(
    rows: list[Record],
    home: str,
) -> None:
    published, system = regional_and_own(rows, home)
    assert_nothing_disclosed(published, system)


def test_a_hidden_own_count_is_not_pinned_between_its_region_and_its_parts() -> None:
    """The smallest case the integer attacker found: 千代田区 has 5 of the region's 6 cases, 3 of
    them sent to 地域包括支援センター; 2 not referred, so its total and referred are hidden. Yet
    its referred (hidden) is at least its 3 sent to a local window (published) and at most the
    region's 3 referred (its rest is no count below 0): it was 3. Over sums and differences alone
    nothing was recomputable; over whole numbers ≥ 0 it was pinned."""
    no: Record = ("under_20", None, frozenset(), "131016")
    sent: Record = ("under_20", None, frozenset({"community_support_center"}), "131016")
    rows = [no, no, ("under_20", None, frozenset(), "131024"), sent, sent, sent]
    published, system = regional_and_own(rows, "131016")
    assert published["own:referred"] is None
    assert (published["referred"], system.counts["own:referred"]) == (3, 3)
    assert published["own:local_window"] is None, "one more cell hidden: the 3 can be 2 or 3"
    assert_shares_pin_nothing(published, system, [])


def test_a_search_that_gives_up_with_every_own_cell_hidden_publishes_nothing_more() -> None:
    """Found by CI: four cases, the whole regional table hidden, 八王子市's one resident hidden in
    every cell. The search for a second value of its referred count gave up within its steps
    (one exists: the resident could live elsewhere in the region), and no cell was left to hide:
    the rule raised, and the respondent's statistics page would have failed. Every cell that may
    be hidden is, so the rule stops there; the attacker finds nothing pinned."""
    rows: list[Record] = [
        ("under_20", None, frozenset({"community_support_center"}), None),
        ("20s", None, frozenset(), "133035"),
        ("under_20", "theft", frozenset(), "131016"),
        ("under_20", "shoplifting", frozenset({"community_support_center"}), "132012"),
    ]
    published, system = regional_and_own(rows, "132012")
    assert all(v is None for c, v in published.items() if c.startswith("own:"))
    assert_shares_pin_nothing(published, system, [])


@given(records, st.sampled_from(HOMES[:-1]))
@settings(PROPERTY, max_examples=600)
def test_a_respondent_reads_no_hidden_count_over_whole_numbers(
    rows: list[Record], home: str
) -> None:
    """The respondent of ``home``, counts alone, read as what they are — whole numbers, none below
    0, so that the rest of the region's count is never negative either: no hidden count (nor
    small implicit one) takes a single value. A linear rule left about 1 in 30 of these pinned
    (5 of 150 random years; the smallest above)."""
    published, system = regional_and_own(rows, home)
    assert_shares_pin_nothing(published, system, [])


@given(
    st.integers(1, 4).flatmap(
        lambda rows: st.integers(1, 4).flatmap(
            lambda cols: st.lists(
                st.lists(st.integers(0, 6), min_size=cols, max_size=cols),
                min_size=rows,
                max_size=rows,
            )
        )
    )
)
@PROPERTY
def test_any_two_way_table_with_margins_discloses_nothing(grid: list[list[int]]) -> None:
    system = CellSystem()
    rows, cols = len(grid), len(grid[0])
    for i in range(rows):
        for j in range(cols):
            system.counts[f"c{i}.{j}"] = grid[i][j]
    for i in range(rows):
        system.counts[f"row{i}"] = sum(grid[i])
        system.relations.append(Relation.of(f"row{i}", [f"c{i}.{j}" for j in range(cols)]))
    for j in range(cols):
        system.counts[f"col{j}"] = sum(grid[i][j] for i in range(rows))
        system.relations.append(Relation.of(f"col{j}", [f"c{i}.{j}" for i in range(rows)]))
    system.counts["all"] = sum(map(sum, grid))
    system.relations.append(Relation.of("all", [f"row{i}" for i in range(rows)]))
    system.relations.append(Relation.of("all", [f"col{j}" for j in range(cols)]))
    published = suppress(system.counts, system.relations)
    assert_nothing_disclosed(published, system)


# ------------------------------------------------------------------------- shares beside counts
#
# Every page, the API, the workbook and the deliveries publish the share of ``referred`` sent to a
# local window beside the counts: each year's, each municipality's own and each three-year sum's
# (the page of every fiscal year has one). The attacker of ``disclosure.pinned`` reads all of them
# together — shares as the numerators they allow, a withheld one (＊) as those it would withhold —
# over non-negative integers, and no hidden count may come out with a single possible value.

FIVE_YEARS = range(2018, 2023)


def _observed(ratio: Share | None) -> Observed:
    return None if ratio is None else (round(ratio.value * 10**ratio.digits), ratio.digits)


def _share_narrowing(prefix: str, stats: Statistics | YearRow, whole: int) -> list[Narrowing]:
    """What the share beside ``stats`` tells about ``prefix + local_window``, read through the
    hub's own rule (nothing when the whole is hidden: then no share is ever shown)."""
    if stats.referred is None:
        return []
    ratio = stats.local_window_ratio if isinstance(stats, Statistics) else stats.ratio
    hidden = stats.local_window is None

    def publish(n: int) -> Observed:
        return _observed(share(n, whole, part_hidden=hidden))

    return [Narrowing.of_share([prefix + "local_window"], whole, _observed(ratio), publish)]


def assert_shares_pin_nothing(
    published: Mapping[str, int | None],
    system: CellSystem,
    narrowings: Sequence[Narrowing],
) -> None:
    """No hidden cell (nor small implicit one) takes one value in every integer solution of the
    counts and the shares (none: the counts alone)."""
    relations = _pairs(system.relations)

    def protected(cell: str) -> bool:
        return published.get(cell, 0) is None or (
            cell in system.implicit and system.counts[cell] in SMALL
        )

    cells = [c for c in system.counts if protected(c)]
    with_shares = pinned(published, relations, system.counts, narrowings, cells=cells)
    assert not with_shares, f"pinned by the shares and the counts: {with_shares}"


@given(records)
@PROPERTY
def test_a_years_share_pins_no_hidden_count(rows: list[Record]) -> None:
    counts = counts_of(rows)
    published = regional_values(counts, suppressed=True)
    stats = statistics_of(2020, counts, published, suppressed=True)
    narrowings = _share_narrowing("", stats, counts.referred)
    assert_shares_pin_nothing(published, cells_of(counts), narrowings)


@given(records, st.sampled_from(HOMES[:-1]))
@PROPERTY
def test_a_respondent_reads_no_hidden_count_from_the_two_shares(
    rows: list[Record], home: str
) -> None:
    """The respondent of ``home`` sees the regional tables and its residents', each with its
    share: counts and both shares together pin no hidden count."""
    published, system = regional_and_own(rows, home)
    regional = counts_of(rows)
    own = counts_of([r for r in rows if r[3] == home])
    mine = {c.removeprefix("own:"): v for c, v in published.items() if c.startswith("own:")}
    narrowings = [
        *_share_narrowing(
            "", statistics_of(2020, regional, published, suppressed=True), regional.referred
        ),
        *_share_narrowing("own:", statistics_of(2020, own, mine, suppressed=True), own.referred),
    ]
    assert_shares_pin_nothing(published, system, narrowings)


def five_years_as_read(
    years: Sequence[Sequence[Record]],
) -> tuple[dict[str, int | None], CellSystem, list[Narrowing]]:
    """Everything the statistics pages of five fiscal years publish (the workbook and the
    deliveries carry the same tables): each year's tables and share, and on the page of each
    year from the third on, the three-year row — its sums and their share."""
    counts = {year: counts_of(rows) for year, rows in zip(FIVE_YEARS, years, strict=True)}
    published: dict[str, int | None] = {}
    system = CellSystem()
    narrowings: list[Narrowing] = []
    for year, c in counts.items():
        prefix = f"{year}:"
        values = regional_values(c, suppressed=True)
        published |= {prefix + k: v for k, v in values.items()}
        system.add(cells_of(c, prefix))
        stats = statistics_of(year, c, values, suppressed=True)
        narrowings += _share_narrowing(prefix, stats, c.referred)
    for last in list(counts)[2:]:
        window = {y: counts[y] for y in range(last - 2, last + 1)}
        *each, summed = year_rows(window, suppressed=True)
        for row in each:
            assert row.local_window == published[f"{row.fiscal_year}:local_window"]
        prefix = f"sum{last}:"
        for cell in THREE_YEAR_CELLS:
            system.counts[prefix + cell] = sum(getattr(c, cell) for c in window.values())
            system.relations.append(Relation.of(prefix + cell, [f"{y}:{cell}" for y in window]))
            published[prefix + cell] = getattr(summed, cell)
        narrowings += _share_narrowing(prefix, summed, system.counts[prefix + "referred"])
    return published, system, narrowings


small_years = st.lists(records.map(lambda rows: rows[:30]), min_size=5, max_size=5)


@given(small_years)
@PROPERTY
def test_the_pages_of_five_years_with_their_shares_pin_no_hidden_count(
    years: list[list[Record]],
) -> None:
    published, system, narrowings = five_years_as_read(years)
    assert_shares_pin_nothing(published, system, narrowings)


@given(
    st.integers(0, 400),
    st.integers(0, 400),
    st.booleans(),
    st.booleans(),
)
@PROPERTY
def test_a_share_tells_nothing_the_published_counts_do_not(
    part: int, whole: int, part_hidden: bool, whole_hidden: bool
) -> None:
    """Every share the hub shows (consultations' and referrals' alike) goes through ``share``:
    one is shown only beside both of its counts, so it follows from them."""
    part = min(part, whole)
    ratio = share(part, whole, part_hidden=part_hidden, whole_hidden=whole_hidden)
    if part_hidden or whole_hidden or whole == 0:
        assert ratio is None
    else:
        assert ratio is not None
        assert ratio.value == Fraction(2 * part * 1000 + whole, 2 * whole).__floor__() / 1000
