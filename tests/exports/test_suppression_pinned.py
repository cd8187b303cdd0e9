"""The one suppression rule pinned on realistic years with many small cells: what it hides for
the referral statistics at national scale (1,741 municipalities, each window an insider), for
referral and consultation years of every size, and for two-way tables with insiders.

``suppression_pinned.json`` holds, for every dataset, the hidden cells and a digest of the
published cells in order, as the rule computed them before it was made faster (2026-12-01), then
rewritten once when the rule learnt that counts are whole numbers ≥ 0 (2026-12-01: 7 more cells
hidden in the own-residents views of consultations-3, -10 and -11, each of which the integer
attacker of ``tests/consultations/disclosure.py`` pinned before). Any change to what is hidden,
for anyone, fails here: a faster rule must hide exactly the same cells.
The datasets are made from ``random.Random(seed).random()`` only, whose sequence Python keeps
stable across versions. Rewrite the file only for an intended change of the rule:

    python -m tests.exports.test_suppression_pinned
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from exports.consultation_counts import UNKNOWN, CaseCounts, own_values, regional_values
from exports.suppression import Relation, SuppressionError, suppress
from forms.consultation import AGE_GROUP, CRIME_TYPE, LOCAL_WINDOWS, REFERRED_TO
from hub.models import NEEDS, OUTCOMES

PINNED = Path(__file__).with_name("suppression_pinned.json")
NATIONAL = 1741
REGIONS = ["区部", "市部", "町村部"]

Result = dict[str, int | None]


def _small(rng: random.Random) -> int:
    """Mostly 0, 1 and 2, some 3 to 9, now and then a larger count."""
    x = rng.random()
    if x < 0.35:
        return 0
    if x < 0.6:
        return 1
    if x < 0.75:
        return 2
    if x < 0.95:
        return 3 + int(rng.random() * 7)
    return 10 + int(rng.random() * 60)


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` spread over ``parts`` cells, unevenly (so that some are small)."""
    out = [0] * parts
    for _ in range(total):
        out[min(int(rng.random() ** 2 * parts), parts - 1)] += 1
    return out


def referral_year(by_municipality: list[int], rng: random.Random) -> Result:
    """The cells, relations and insiders of ``exports.referral_counts.summary`` for one year."""
    total = sum(by_municipality)
    closed = int(total * rng.random())
    by_outcome = dict(zip(OUTCOMES, _split(rng, closed, len(OUTCOMES)), strict=True))
    by_need = {c: int(total * rng.random() ** 3) for c in NEEDS}
    codes = [f"{130000 + i:06d}" for i in range(len(by_municipality))]
    cells = {"total": total, "open": total - closed}
    cells |= {f"m:{c}": n for c, n in zip(codes, by_municipality, strict=True)}
    cells |= {f"o:{c}": n for c, n in by_outcome.items()}
    cells |= {f"n:{c}": n for c, n in by_need.items()}
    cells |= {f"without:{c}": total - n for c, n in by_need.items()}
    relations = [
        Relation.of("total", [f"m:{c}" for c in codes]),
        Relation.of("total", [*(f"o:{c}" for c in by_outcome), "open"]),
        *(Relation.of("total", [f"n:{c}", f"without:{c}"]) for c in by_need),
    ]
    implicit = ["open", *(f"without:{c}" for c in by_need)]
    return suppress(cells, relations, implicit=implicit, insiders=[f"m:{c}" for c in codes])


def national_bench_year() -> Result:
    """``bench/pages.py``'s year: 1,200 referrals, one each to 1,200 of 1,741 municipalities."""
    by_municipality = [0] * NATIONAL
    for n in range(1200):
        by_municipality[(n * 7) % NATIONAL] += 1
    return referral_year(by_municipality, random.Random(1741))


def case_counts(rng: random.Random, size: int) -> tuple[CaseCounts, list[tuple[str, int]]]:
    """A year of ``size`` cases over a few municipalities: the regional counts, and each home's
    counts (by home code) — made case by case so that every sum holds."""
    homes = [("h1", "区部"), ("h2", "区部"), ("h3", "市部"), ("h4", "町村部"), ("", UNKNOWN)]
    rows = []
    for _ in range(size):
        age = AGE_GROUP.codes[int(rng.random() ** 2 * len(AGE_GROUP.codes))]
        crime = None if rng.random() < 0.5 else CRIME_TYPE.codes[int(rng.random() ** 2 * 4)]
        sent = frozenset(
            REFERRED_TO.codes[int(rng.random() ** 2 * len(REFERRED_TO.codes))]
            for _ in range(int(rng.random() * 3))
        )
        rows.append((age, crime, sent, homes[int(rng.random() * len(homes))]))
    return _counts(rows), rows  # type: ignore[return-value]


def _counts(rows: list) -> CaseCounts:
    return CaseCounts(
        total=len(rows),
        by_age_group={a: sum(1 for r in rows if r[0] == a) for a in AGE_GROUP.codes},
        crime_related=sum(1 for r in rows if r[1]),
        by_crime_type={c: sum(1 for r in rows if r[1] == c) for c in CRIME_TYPE.codes},
        referred=sum(1 for r in rows if r[2]),
        by_referral={c: sum(1 for r in rows if c in r[2]) for c in REFERRED_TO.codes},
        local_window=sum(1 for r in rows if r[2] & LOCAL_WINDOWS),
        by_region={r: sum(1 for row in rows if row[3][1] == r) for r in [*REGIONS, UNKNOWN]},
    )


def consultation_year(seed: int, size: int) -> Result:
    """The regional tables of a year, then each municipality's own residents around them."""
    rng = random.Random(seed)
    regional, rows = case_counts(rng, size)
    shared = regional_values(regional, suppressed=True)
    out: Result = dict(shared)
    for home, region in (("h1", "区部"), ("h3", "市部"), ("h4", "町村部")):
        own = _counts([r for r in rows if r[3][0] == home])
        mine = own_values(regional, own, region, shared)
        out |= {f"{home}:{c}": v for c, v in mine.items()}
    return out


def two_way(seed: int) -> Result:
    """A table with margins whose row cells are insiders (each known to one reader)."""
    rng = random.Random(seed)
    rows, cols = 2 + int(rng.random() * 5), 2 + int(rng.random() * 5)
    grid = [[_small(rng) for _ in range(cols)] for _ in range(rows)]
    counts = {f"c{i}.{j}": grid[i][j] for i in range(rows) for j in range(cols)}
    relations = []
    for i in range(rows):
        counts[f"row{i}"] = sum(grid[i])
        relations.append(Relation.of(f"row{i}", [f"c{i}.{j}" for j in range(cols)]))
    for j in range(cols):
        counts[f"col{j}"] = sum(grid[i][j] for i in range(rows))
        relations.append(Relation.of(f"col{j}", [f"c{i}.{j}" for i in range(rows)]))
    counts["all"] = sum(map(sum, grid))
    relations.append(Relation.of("all", [f"row{i}" for i in range(rows)]))
    relations.append(Relation.of("all", [f"col{j}" for j in range(cols)]))
    return suppress(counts, relations, insiders=[f"row{i}" for i in range(rows)])


def datasets() -> Iterator[tuple[str, Callable[[], Result]]]:
    yield "referrals-national-bench", national_bench_year
    for seed, places in ((1, 62), (2, 62), (3, 400), (4, NATIONAL), (5, 12), (6, 3)):
        rng = random.Random(seed)
        by_municipality = [_small(rng) for _ in range(places)]
        yield (
            f"referrals-{places}-{seed}",
            lambda b=by_municipality, s=seed: referral_year(b, random.Random(s * 1000)),
        )
    for seed in range(20):
        size = 3 + int(random.Random(seed).random() * 80)
        yield f"consultations-{seed}", lambda s=seed, n=size: consultation_year(s, n)
    for seed in range(30):
        yield f"two-way-{seed}", lambda s=seed: two_way(s)


def fingerprint(result: Result) -> dict[str, object]:
    keys = "\n".join(result).encode()
    return {
        "published": len(result),
        "order": hashlib.sha256(keys).hexdigest(),
        "hidden": [c for c, v in result.items() if v is None],
    }


def computed(make: Callable[[], Result]) -> dict[str, object]:
    try:
        return fingerprint(make())
    except SuppressionError as error:
        return {"error": str(error)}


def _pinned() -> dict[str, dict[str, object]]:
    return json.loads(PINNED.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "make"), list(datasets()), ids=lambda v: str(v)[:30])
def test_the_rule_hides_exactly_what_it_hid_before(name: str, make: Callable[[], Result]) -> None:
    assert computed(make) == _pinned()[name]


def test_every_pinned_dataset_is_checked_and_many_cells_are_small() -> None:
    pinned = _pinned()
    assert set(pinned) == {name for name, _ in datasets()}
    national = pinned["referrals-national-bench"]
    assert isinstance(national["hidden"], list)
    assert len(national["hidden"]) > 1200, "1,200 counts of 1, and their complements"


if __name__ == "__main__":
    PINNED.write_text(
        json.dumps(
            {name: computed(make) for name, make in datasets()}, ensure_ascii=False, indent=1
        )
        + "\n",
        encoding="utf-8",
    )
