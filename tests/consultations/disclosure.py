"""An attacker's view, written independently of ``exports.suppression``: what can a reader
recompute from published counts by adding and subtracting?

``solvable`` peels relations with one unknown (plain subtraction, as a person would);
``determined`` is the exact linear-algebra answer (Gaussian elimination over fractions), which
also finds derivations through several relations at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
