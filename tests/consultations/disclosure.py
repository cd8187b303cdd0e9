"""An attacker's view, written independently of ``exports.suppression``: what can a reader
recompute from published counts by adding and subtracting?

``solvable`` peels relations with one unknown (plain subtraction, as a person would);
``determined`` is the exact linear-algebra answer (Gaussian elimination over fractions), which
also finds derivations through several relations at once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

Relations = Sequence[tuple[str, Sequence[str]]]


def solvable(
    values: Mapping[str, int | None], relations: Relations, true: Mapping[str, int]
) -> dict[str, int]:
    """Cells recomputed by repeated subtraction: ``{cell: value}`` (unknown = None or absent)."""
    known: dict[str, int] = {c: v for c, v in values.items() if v is not None}
    found: dict[str, int] = {}
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            cells = [total, *parts]
            missing = [c for c in cells if c not in known]
            if len(missing) != 1:
                continue
            cell = missing[0]
            if cell == total:
                value = sum(known[p] for p in parts)
            else:
                value = known[total] - sum(known[p] for p in parts if p != cell)
            assert value == true[cell], f"inconsistent tables: {cell} = {value} != {true[cell]}"
            known[cell] = found[cell] = value
            changed = True
    return found


def _echelon(rows: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """The reduced row echelon form as ``(pivot column, row)`` pairs (dense, exact)."""
    matrix = [list(r) for r in rows]
    pivots: list[tuple[int, list[Fraction]]] = []
    columns = len(matrix[0]) if matrix else 0
    done = 0
    for col in range(columns):
        pivot = next((r for r in range(done, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[done], matrix[pivot] = matrix[pivot], matrix[done]
        lead = matrix[done][col]
        matrix[done] = [a / lead for a in matrix[done]]
        for r in range(len(matrix)):
            if r != done and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[done], strict=True)]
        pivots.append((col, matrix[done]))
        done += 1
    return [(col, matrix[i]) for i, (col, _) in enumerate(pivots)]


def determined(
    unknown: Sequence[str], relations: Relations, weights: Mapping[str, int] | None = None
) -> set[str] | bool:
    """Which ``unknown`` cells the relations fix once the others are known; with ``weights``,
    whether that weighted sum of unknown cells is fixed."""
    index = {c: i for i, c in enumerate(unknown)}
    rows: list[list[Fraction]] = []
    for total, parts in relations:
        row = [Fraction(0)] * len(unknown)
        for cell, sign in ((total, 1), *((p, -1) for p in parts)):
            if cell in index:
                row[index[cell]] += sign
        if any(row):
            rows.append(row)
    echelon = _echelon(rows)

    def fixed(vector: list[Fraction]) -> bool:
        rest = list(vector)
        for col, row in echelon:
            if rest[col] != 0:
                factor = rest[col]
                rest = [a - factor * b for a, b in zip(rest, row, strict=True)]
        return not any(rest)

    if weights is not None:
        return fixed([Fraction(weights.get(c, 0)) for c in unknown])
    return {c for c in unknown if fixed([Fraction(1 if d == c else 0) for d in unknown])}


# ------------------------------------------------------------------ counts and shares together
#
# A published share narrows a hidden count to the numerators that round to it (and a withheld one,
# ＊, to those that would not have been published): no longer a linear equation, so the attacker
# below reasons over non-negative integers — bounds propagated through every relation, then a
# search for a second solution. A count is disclosed when every solution gives it the same value.

Observed = tuple[int, int] | None
"""A share as shown: ``(value × 10**digits, digits)`` — ``(397, 3)`` for 39.7 % — or None (＊)."""


@dataclass(frozen=True)
class Narrowing:
    """What one published share tells: ``Σ part cells`` lies in ``allowed``."""

    part: tuple[str, ...]
    allowed: frozenset[int]

    @classmethod
    def of_share(
        cls, part: Sequence[str], whole: int, shown: Observed, publish: Callable[[int], Observed]
    ) -> Narrowing:
        """The numerators ``0..whole`` a reader cannot tell apart from the true one: those for
        which the hub's rule (``publish``, public like every rule) shows what it showed — a
        share rounded to 10 % leaves those that round to it, a withheld one those it withholds."""
        return cls(tuple(part), frozenset(n for n in range(whole + 1) if publish(n) == shown))


Linear = tuple[dict[int, int], int]
"""``Σ coefficient × variable == constant``."""


class _Solver:
    """Non-negative integers under linear equations and "sum in a set" constraints."""

    def __init__(
        self, size: int, equations: list[Linear], sets: list[tuple[dict[int, int], list[int]]]
    ) -> None:
        self.size = size
        self.constraints = [*equations, *((terms, 0) for terms, _ in sets)]
        self.equations = len(equations)
        self.sets = sets
        self.watch: list[list[int]] = [[] for _ in range(size)]
        for k, (terms, _) in enumerate(self.constraints):
            for i in terms:
                self.watch[i].append(k)

    def propagate(self, lo: list[int], hi: list[int]) -> bool:
        """Tighten the bounds in place; False when no solution is left."""
        constraints = self.constraints
        queue = list(range(len(constraints)))
        queued = set(queue)
        while queue:
            k = queue.pop()
            queued.discard(k)
            terms, target = constraints[k]
            low = sum(a * (lo[i] if a > 0 else hi[i]) for i, a in terms.items())
            high = sum(a * (hi[i] if a > 0 else lo[i]) for i, a in terms.items())
            if k < self.equations:
                t_lo = t_hi = target
            else:
                allowed = [n for n in self.sets[k - self.equations][1] if low <= n <= high]
                if not allowed:
                    return False
                t_lo, t_hi = allowed[0], allowed[-1]
            if high < t_lo or low > t_hi:
                return False
            for i, a in terms.items():
                # a × x_i = t − rest, rest within [low − own_low, high − own_high]
                own_low = a * (lo[i] if a > 0 else hi[i])
                own_high = a * (hi[i] if a > 0 else lo[i])
                rest_low, rest_high = low - own_low, high - own_high
                if a > 0:
                    new_lo = -((rest_high - t_lo) // a)  # ceil((t_lo − rest_high) / a)
                    new_hi = (t_hi - rest_low) // a
                else:
                    new_lo = -((t_hi - rest_low) // -a)
                    new_hi = (rest_high - t_lo) // -a
                if new_lo > lo[i] or new_hi < hi[i]:
                    lo[i], hi[i] = max(lo[i], new_lo), min(hi[i], new_hi)
                    if lo[i] > hi[i]:
                        return False
                    for other in self.watch[i]:
                        if other not in queued:
                            queue.append(other)
                            queued.add(other)
                    low = sum(a2 * (lo[j] if a2 > 0 else hi[j]) for j, a2 in terms.items())
                    high = sum(a2 * (hi[j] if a2 > 0 else lo[j]) for j, a2 in terms.items())
        return True

    def feasible(self, lo: list[int], hi: list[int], budget: list[int]) -> bool:
        """Some assignment within the bounds satisfies everything (depth-first, bounds kept
        tight at each step). ``budget``: steps left, shared; running out raises."""
        lo, hi = list(lo), list(hi)
        if not self.propagate(lo, hi):
            return False
        budget[0] -= 1
        if budget[0] < 0:
            raise TimeoutError("the search took too many steps")
        open_ = [i for i in range(self.size) if lo[i] < hi[i]]
        if not open_:
            return all(
                sum(a * lo[i] for i, a in terms.items()) in allowed for terms, allowed in self.sets
            )
        i = min(open_, key=lambda j: hi[j] - lo[j])
        for value in range(lo[i], hi[i] + 1):
            lo2, hi2 = list(lo), list(hi)
            lo2[i] = hi2[i] = value
            if self.feasible(lo2, hi2, budget):
                return True
        return False


def pinned(
    values: Mapping[str, int | None],
    relations: Relations,
    true: Mapping[str, int],
    narrowings: Sequence[Narrowing] = (),
    *,
    cells: Collection[str] | None = None,
    steps: int = 200_000,
) -> dict[str, int]:
    """The unknown cells (None or absent from ``values``) that take one value in every
    non-negative integer solution of the relations and the narrowings: ``{cell: value}``.

    ``true`` holds every cell's true value: it is one solution (checked), and the attacker asks
    for each unknown cell whether another value is possible. ``cells``: only these are asked."""
    named = {c for total, parts in relations for c in (total, *parts)}
    named |= {c for n in narrowings for c in n.part}
    known = {c: v for c, v in values.items() if v is not None}
    unknown = sorted(c for c in named if c not in known)
    index = {c: i for i, c in enumerate(unknown)}
    cap = 2 * sum(known.values()) + 2 * len(unknown) + 2

    def linear(weights: Iterable[tuple[str, int]]) -> tuple[dict[int, int], int]:
        terms: dict[int, int] = {}
        constant = 0
        for cell, a in weights:
            if cell in index:
                terms[index[cell]] = terms.get(index[cell], 0) + a
            else:
                constant += a * known[cell]
        return {i: a for i, a in terms.items() if a}, constant

    equations: list[Linear] = []
    for total, parts in relations:
        terms, constant = linear([(total, 1), *((p, -1) for p in parts)])
        if not terms:
            assert constant == 0, f"published counts disagree: {total} ≠ Σ {list(parts)}"
            continue
        equations.append((terms, -constant))
    sets: list[tuple[dict[int, int], list[int]]] = []
    for narrowing in narrowings:
        terms, constant = linear((c, 1) for c in narrowing.part)
        shifted = frozenset(n - constant for n in narrowing.allowed)
        if not terms:
            assert 0 in shifted, f"a share disagrees with the counts: {narrowing}"
            continue
        sets.append((terms, sorted(shifted)))
    solver = _Solver(len(unknown), equations, sets)
    truth = [true[c] for c in unknown]
    assert solver.feasible(truth, truth, [1]), "the true counts must be a solution"
    lo, hi = [0] * len(unknown), [cap] * len(unknown)
    assert solver.propagate(lo, hi)
    budget = [steps]
    found: dict[str, int] = {}
    for cell in unknown if cells is None else [c for c in unknown if c in set(cells)]:
        i = index[cell]
        other = False
        for value in range(lo[i], hi[i] + 1):
            if value == truth[i]:
                continue
            lo2, hi2 = list(lo), list(hi)
            lo2[i] = hi2[i] = value
            if solver.feasible(lo2, hi2, budget):
                other = True
                break
        if not other:
            found[cell] = truth[i]
    return found
