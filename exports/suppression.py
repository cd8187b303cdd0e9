"""Small-cell suppression: the one rule for every count shared outside 都's staff.

Consultation-desk statistics go back to municipalities and national counterparts; no person may be
singled out from them. :func:`suppress` is the rule, and every shared output (page, API, workbook,
exports) goes through it:

1. **Primary**: a published count of 1 or 2 is hidden (``None``, shown as ``＊``).
2. **Complementary**: published counts are tied together by :class:`Relation` s — a total is the sum
   of its parts, within one table or across tables of the same data (the regional table and a
   municipality's own residents). Further cells are hidden until no hidden cell, and no
   *implicit* count of 1 or 2 (one never published but the difference of published ones, such as
   "not crime-related" = total − crime-related), can be recomputed from the published values by
   any chain of additions and subtractions (a linear-algebra test, so it also covers derivations
   through several tables at once). Also refused: hidden parts of one total
   whose sum is known and equals their number (each of them would have to be 1). Only named cells
   are protected: when tables are tied together (a municipality and the rest of its region),
   every cell must be tied, implicit ones included, since the rest of "not crime-related" is a
   count of people too.
3. **Insiders**: a cell one reader knows without being told (a municipal window knows how many
   referrals its municipality received) is, for that reader, as good as published. For each such
   cell that is hidden, the test of 2. is run again with that cell known, so that no reader can
   recompute a hidden cell from the published ones and its own (a total of 5 beside two hidden
   municipalities, one of them the reader's 3, gave the other's 2 away).
4. **Whole numbers**: every count, implicit ones too, is a whole number ≥ 0, which sums and
   differences alone do not use: a municipality's hidden count bounded below by its published
   parts and above by its region's count (whose rest is no count below 0) can be pinned without
   being recomputable. Once 2. and 3. hold, every protected cell needs a second solution of the
   relations in whole numbers ≥ 0, the published cells as they are, that gives it another value
   (for a reader of an insider cell, one that leaves that cell alone); a cell for which none is
   found gets one more complement, by the same preference, and 2. is checked again. When every
   cell that may be hidden already is, the search's giving up hides nothing more: the reader sees
   no cell of this publication but the locked ones, already checked where they were published.
5. **Locked** cells were already published elsewhere (the regional table that every municipality
   sees): their state is kept, and only the other cells are hidden around them, so that two
   publications of the same data never contradict each other.

Shares are computed with :func:`share`: exact to 0.1 % when both counts are published, ``None``
(``＊``) otherwise — a rounded share beside a hidden count narrowed it enough, with the relations,
to give it away.

Complements are chosen to lose little: cells of 3 or more before anything else, parts before
totals, smaller counts first, and only cells that actually remove the disclosure when one does.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

SUPPRESSED_MARK = "＊"
NO_SHARE = "-"
"""A share of nothing (its whole is 0): shown as a dash, wherever a share is shown."""
SMALL: frozenset[int] = frozenset({1, 2})
SHARE_DIGITS = 3


@dataclass(frozen=True)
class Relation:
    """``total`` is the sum of ``parts`` (every case is counted in exactly one part)."""

    total: str
    parts: tuple[str, ...]

    @classmethod
    def of(cls, total: str, parts: Iterable[str]) -> Relation:
        return cls(total, tuple(parts))

    @property
    def cells(self) -> tuple[str, ...]:
        return (self.total, *self.parts)


class SuppressionError(RuntimeError):
    """No choice of cells protects the data: the locked cells already disclose something."""


Row = dict[int, Fraction]


def suppress(
    counts: Mapping[str, int],
    relations: Sequence[Relation] = (),
    *,
    implicit: Collection[str] = (),
    locked: Mapping[str, bool] | None = None,
    insiders: Collection[str] = (),
) -> dict[str, int | None]:
    """Every published cell of ``counts`` with its value, or ``None`` where it must be hidden.

    ``counts`` holds the true value of every cell named in ``relations``; cells in ``implicit`` are
    never published (they are left out of the result) but are protected like hidden ones.
    ``locked`` maps cells already published elsewhere to whether they were hidden there.
    ``insiders`` are cells each known to one reader, who must learn no other hidden cell from it.
    """
    state = _State(counts, relations, frozenset(implicit), dict(locked or {}))
    while True:
        while (found := state.first_exposure_to_anyone(insiders)) is not None:
            exposed, known = found
            state.hide(state.complement_for(exposed, known))
        pinned = state.first_pinned(insiders)
        if pinned is None:
            break
        if not state.free():
            break  # every cell that may be hidden is: the reader is told nothing more
        cell, known = pinned
        state.hide(state.complement_for((cell,), known, whole=True))
    state.show_known_zeros()
    return {c: None if c in state.hidden else counts[c] for c in state.published}


def derivable(
    values: Mapping[str, int | None],
    relations: Sequence[Relation],
    *,
    implicit: Collection[str] = (),
) -> set[str]:
    """The unknown cells (``None`` in ``values``, or ``implicit``) that the others determine."""
    unknown = [c for c, v in values.items() if v is None] + [c for c in implicit if c not in values]
    system = _System(unknown, relations)
    return {c for c in unknown if system.determines({c: 1})}


@dataclass(frozen=True)
class Share:
    """A share as shown: ``value`` in 0..1 and the number of decimals it was rounded to (always
    :data:`SHARE_DIGITS`: a share is shown exact to 0.1 % or not at all)."""

    value: float
    digits: int

    @property
    def text(self) -> str:
        """``39.7%``, the same in every language."""
        return share_text(self.value, self.digits)


def share_text(value: float, digits: int = SHARE_DIGITS) -> str:
    """A share in 0..1 as every page and file writes it as text: ``0.397`` → ``39.7%``."""
    return f"{value * 100:.{digits - 2}f}%"


def share(
    part: int, whole: int, *, part_hidden: bool = False, whole_hidden: bool = False
) -> Share | None:
    """``part / whole`` exact to 0.1 %, only when both counts are published; ``None`` otherwise.

    A share beside a hidden count is never shown, not even rounded: a rounded share narrows the
    hidden count to the few numerators that round to it, and the relations do the rest — 12 of 14
    referred cases sent to a local window, hidden, read 約90% (12 or 13), and the 12 sent to
    地域包括支援センター with none to 区市町村窓口 bound it to at most 12: it was 12, and the 2
    sent elsewhere were given away. The three-year sums of the pages of three fiscal years, each
    rounded, narrowed a hidden year further still. Shown only beside its two counts, a share
    follows from them and tells nothing they do not.
    """
    if whole <= 0 or whole_hidden or part_hidden:
        return None
    return Share(_rounded(part, whole, SHARE_DIGITS), SHARE_DIGITS)


def _rounded(part: int, whole: int, digits: int) -> float:
    """Half-up rounding done in integers, so that 0.125 never turns into 0.12 by float error."""
    scale = 10**digits
    return ((2 * part * scale + whole) // (2 * whole)) / scale


class _System:
    """The relations with published cells substituted: which sums of unknowns they determine."""

    def __init__(self, unknown: Sequence[str], relations: Sequence[Relation]) -> None:
        self.index = {c: i for i, c in enumerate(unknown)}
        self.basis: dict[int, Row] = {}
        self._residues: dict[str, Row] = {}
        self._directions: dict[str, frozenset[tuple[int, Fraction]]] = {}
        for relation in relations:
            row: Row = {}
            for cell, sign in ((relation.total, 1), *((p, -1) for p in relation.parts)):
                i = self.index.get(cell)
                if i is not None:
                    row[i] = row.get(i, Fraction(0)) + sign
            self._add({k: v for k, v in row.items() if v})

    def _reduce(self, row: Row) -> Row:
        if not any(pivot in row for pivot in self.basis):
            return {k: v for k, v in row.items() if v}  # nothing to subtract
        row = dict(row)
        for pivot, base in self.basis.items():
            factor = row.get(pivot)
            if factor:
                for k, v in base.items():
                    row[k] = row.get(k, Fraction(0)) - factor * v
        return {k: v for k, v in row.items() if v}

    def _add(self, row: Row) -> None:
        row = self._reduce(row)
        if not row:
            return
        pivot = min(row)
        lead = row[pivot]
        row = {k: v / lead for k, v in row.items()}
        for other, base in self.basis.items():
            factor = base.get(pivot)
            if factor:
                reduced = {
                    k: base.get(k, Fraction(0)) - factor * row.get(k, Fraction(0))
                    for k in {*base, *row}
                }
                self.basis[other] = {k: v for k, v in reduced.items() if v}
        self.basis[pivot] = row

    def determines(self, weights: Mapping[str, int], known: str | None = None) -> bool:
        """True when the published values fix ``Σ weight × cell`` over these unknown cells —
        with ``known`` (one of them) told too: then also when what is left of the sum, once
        reduced, is a multiple of what is left of ``known`` (one more equation, ``known = v``)."""
        left = self.residue(weights)
        if not left or known is None:
            return not left
        return direction(left) == self.direction_of(known)

    def residue(self, weights: Mapping[str, int]) -> Row:
        """What of ``Σ weight × cell`` the published values leave unknown (empty: fixed).

        The row returned is shared: read it, never change it."""
        if len(weights) == 1:
            ((cell, weight),) = weights.items()
            if weight == 1:
                return self.residue_of(cell)
        return self._reduce({self.index[c]: Fraction(w) for c, w in weights.items() if w})

    def residue_of(self, cell: str) -> Row:
        """:meth:`residue` of one cell, reduced once per system (the basis never changes after
        :meth:`__init__`, and the rule asks for the same cells again and again)."""
        found = self._residues.get(cell)
        if found is None:
            found = self._residues[cell] = self._reduce({self.index[cell]: Fraction(1)})
        return found

    def direction_of(self, cell: str) -> frozenset[tuple[int, Fraction]]:
        """:func:`direction` of :meth:`residue_of`, also computed once per system."""
        found = self._directions.get(cell)
        if found is None:
            found = self._directions[cell] = direction(self.residue_of(cell))
        return found


def direction(row: Row) -> frozenset[tuple[int, Fraction]]:
    """``row`` scaled so that its first coefficient is 1: two rows that are multiples of each
    other have the same direction (one known, the other follows)."""
    if not row:
        return frozenset()
    lead = row[min(row)]
    if lead == 1:  # most rows: the same pairs, without a division per coefficient
        return frozenset(row.items())
    if lead == -1:
        return frozenset((k, -v) for k, v in row.items())
    return frozenset((k, v / lead) for k, v in row.items())


@dataclass(frozen=True)
class _HiddenParts:
    """One relation's hidden parts, how often each is named, and the sum of their counts."""

    parts: list[str]
    copies: dict[str, int]
    total: int


class _State:
    def __init__(
        self,
        counts: Mapping[str, int],
        relations: Sequence[Relation],
        implicit: frozenset[str],
        locked: dict[str, bool],
    ) -> None:
        missing = {c for r in relations for c in r.cells} - set(counts)
        if missing:
            raise KeyError(f"relations name cells without counts: {sorted(missing)}")
        self.counts = counts
        self.relations = tuple(relations)
        self.implicit = implicit
        self.published = [c for c in counts if c not in implicit]
        self.locked = locked
        self.hidden: set[str] = {c for c in self.published if locked.get(c, counts[c] in SMALL)}
        self.totals = {r.total for r in self.relations}
        self.top = self.totals - {p for r in self.relations for p in r.parts}
        self.position = {c: i for i, c in enumerate(counts)}
        self.touching: dict[str, list[int]] = {}
        """For each cell, the positions in :attr:`relations` of the relations that name it."""
        for i, relation in enumerate(self.relations):
            for cell in relation.cells:
                self.touching.setdefault(cell, []).append(i)
        self.whole = _WholeNumbers(self)

    def hide(self, cell: str) -> None:
        self.hidden.add(cell)

    def show_known_zeros(self) -> None:
        """A hidden cell that every reader knows to be 0 is shown as 0: a part of a relation whose
        total is shown as 0, or is such a part itself (no count is below 0). Hidden, it protects
        nothing and tells nothing it does not tell shown — the counts' solutions are the same —,
        and ＊ would say there is something to hide (found by the integer attacker: 千代田区's
        own 50代 hidden beside the region's 50代 of 0). A cell locked by another table is left
        as that table shows it."""
        zero = {c for c in self.published if c not in self.hidden and self.counts[c] == 0}
        grew = True
        while grew:
            grew = False
            for relation in self.relations:
                if relation.total in zero and not zero.issuperset(relation.parts):
                    zero.update(relation.parts)
                    grew = True
        self.hidden -= {c for c in zero if c not in self.locked}

    def first_pinned(self, insiders: Collection[str]) -> tuple[str, str | None] | None:
        """A protected cell that takes one value in every solution in whole numbers ≥ 0 of the
        relations, the published cells given (to the public, else to the reader of a hidden
        insider cell, that cell known too): the cell and the cell known (``None``: the public).
        Safe only with a second solution found (:class:`_WholeNumbers`), so that a search that
        gives up hides one cell more rather than too few."""
        whole = self.whole
        protected = [c for c in self.counts if self._protected(c)]
        for cell in protected:
            if whole.other_value(cell, None) is None:
                return cell, None
        for known in insiders:
            if known not in self.hidden:
                continue
            for cell in whole.relying_on(known):
                if (
                    cell != known
                    and self._protected(cell)
                    and whole.other_value(cell, known) is None
                ):
                    return cell, known
        return None

    def system(self, extra: str | None = None) -> _System:
        unknown = [c for c in self.counts if c in self.hidden or c in self.implicit or c == extra]
        return _System(unknown, self.relations)

    def first_exposure_to_anyone(
        self, insiders: Collection[str]
    ) -> tuple[tuple[str, ...], str | None] | None:
        """A disclosure to the public, else to the reader of a hidden insider cell (that cell
        known): the cells exposed and the cell known (``None``: the public)."""
        system = self.system()
        exposed = self.first_exposure(system)
        if exposed is not None:
            return exposed, None
        told = [k for k in insiders if k in self.hidden]
        if not told:
            return None
        # a protected cell follows from a known one when what is left of both points the same
        # way: one look-up per insider instead of a test of every cell for each of them
        following: dict[frozenset[tuple[int, Fraction]], list[str]] = {}
        for cell in self.counts:
            if self._protected(cell):
                following.setdefault(system.direction_of(cell), []).append(cell)
        groups = self._hidden_parts()
        for known in told:
            cells = following.get(system.direction_of(known), [])
            follows = next((c for c in cells if c != known), None)
            if follows is not None:
                return (follows,), known
            exposed = self._all_ones(system, known, groups)
            if exposed is not None:
                return exposed, known
        return None

    def _protected(self, cell: str) -> bool:
        return cell in self.hidden or (cell in self.implicit and self.counts[cell] in SMALL)

    def first_exposure(
        self, system: _System | None = None, known: str | None = None
    ) -> tuple[str, ...] | None:
        """A disclosure still open: ``(cell,)`` that can be recomputed, or a relation's hidden parts
        that must all be 1. ``None`` when the cells are safe. ``known``: a hidden cell the reader
        knows, itself no disclosure."""
        system = system or self.system()
        for cell in self.counts:
            if cell != known and self._protected(cell) and system.determines({cell: 1}, known):
                return (cell,)
        return self._all_ones(system, known)

    def _all_ones(
        self, system: _System, known: str | None, groups: list[_HiddenParts] | None = None
    ) -> tuple[str, ...] | None:
        """A relation's hidden parts (but ``known``) whose sum is fixed and equals their number.

        ``groups``: :meth:`_hidden_parts` of the current hidden cells, when the caller asks for
        many readers in turn (each relation's hidden parts are then gathered once, not per reader).
        """
        for group in groups if groups is not None else self._hidden_parts():
            copies = group.copies.get(known, 0) if known is not None else 0
            number = len(group.parts) - copies
            if number < 2:
                continue
            if group.total - (copies * self.counts[known] if known and copies else 0) != number:
                continue
            parts = [p for p in group.parts if p != known]
            if system.determines(dict.fromkeys(parts, 1), known):
                return tuple(parts)
        return None

    def _hidden_parts(self) -> list[_HiddenParts]:
        """For each relation in order, its hidden parts — none of them implicit, since a group
        with an implicit part is never all ones by the rule (an implicit count is no answer)."""
        groups = []
        for relation in self.relations:
            parts = [p for p in relation.parts if p in self.hidden or p in self.implicit]
            if any(p in self.implicit for p in parts):
                continue
            copies: dict[str, int] = {}
            for p in parts:
                copies[p] = copies.get(p, 0) + 1
            groups.append(_HiddenParts(parts, copies, sum(self.counts[p] for p in parts)))
        return groups

    def complement_for(
        self, exposed: tuple[str, ...], known: str | None = None, *, whole: bool = False
    ) -> str:
        """The cheapest cell whose hiding closes the disclosure: first among the cells next to
        it, then among those next to any hidden cell (a two-way table needs the far corner of a
        rectangle). When no single cell closes it, the cheapest neighbour is hidden and the next
        round goes on from there. Grand totals (totals that are no part of anything) are hidden
        only when nothing else is left. ``whole``: the disclosure is ``exposed``'s one cell
        pinned over whole numbers ≥ 0 (:meth:`first_pinned`), closed when it can take another
        value."""
        free = self.free()
        if not free:
            raise SuppressionError(f"cannot protect {', '.join(exposed)}: every cell is locked")
        near = self._touching(set(exposed), free)
        around = self._touching(self.hidden | self.implicit, free)
        if whole:
            pinned = exposed[0]

            def still_exposed(cell: str) -> bool:
                return self.whole.other_value(pinned, known, extra=cell) is None

        else:

            def still_exposed(cell: str) -> bool:
                return self._still_exposed(exposed, cell, known)

        for tier in (near, around):
            for cell in tier:
                if cell not in self.top and not still_exposed(cell):
                    return cell
        for tier in (near, around, free):
            inner = [c for c in tier if c not in self.top]
            if inner:
                return inner[0]
        return next((c for c in free if not still_exposed(c)), free[0])

    def free(self) -> list[str]:
        """The published cells that may still be hidden, cheapest first."""
        return sorted(
            (c for c in self.published if c not in self.hidden and c not in self.locked),
            key=self._cost,
        )

    def _touching(self, cells: set[str], free: list[str]) -> list[str]:
        """The cells of ``free`` that share a relation with one of ``cells`` (each relation
        gathered once, however many of ``cells`` it holds)."""
        relations = {i for cell in cells for i in self.touching.get(cell, ())}
        related = {c for i in relations for c in self.relations[i].cells}
        return [c for c in free if c in related]

    def _still_exposed(self, exposed: tuple[str, ...], cell: str, known: str | None) -> bool:
        system = self.system(extra=cell)
        return system.determines(dict.fromkeys(exposed, 1), known)

    def _cost(self, cell: str) -> tuple[bool, bool, bool, int, int]:
        value = self.counts[cell]
        return (cell in self.top, value < 3, cell in self.totals, value, self.position[cell])


_SEARCH_STEPS = 400
"""Steps a search for a second solution may take before the cell counts as pinned."""


class _WholeNumbers:
    """Second solutions in whole numbers ≥ 0: what the linear test of :class:`_System` misses.

    Every count is a whole number ≥ 0, and so is every implicit one (the rest of a region's count
    is never negative): a hidden own-residents' count of 3 beside its region's 3, with the 3 of
    them sent to a local window published, has no other value, though no sum of published cells
    gives it. A cell is safe when some other assignment of the unknown cells (hidden, implicit)
    fits every relation with the published cells as they are and gives it another value: the
    true counts changed by a *move* (+1 on the cell, or −1, then, relation by relation, the one
    change of another unknown cell that balances it again, none below 0). A move found stays
    valid while more cells are hidden (they are unknown, unchanged by it), so each cell's is
    searched once; the reader of an insider cell needs one that leaves that cell alone.
    """

    def __init__(self, state: _State) -> None:
        self.state = state
        self.moves: dict[tuple[str, str | None], dict[str, int]] = {}
        self.relying: dict[str, list[str]] = {}
        """For each cell, the cells whose public move changes it (its reader needs another)."""
        self.coefficients: list[dict[str, int]] = []
        for relation in state.relations:
            row: dict[str, int] = {}
            for cell, sign in ((relation.total, 1), *((p, -1) for p in relation.parts)):
                row[cell] = row.get(cell, 0) + sign
            self.coefficients.append({c: a for c, a in row.items() if a})
        self.related = {c: sorted(set(ix)) for c, ix in state.touching.items()}
        self._unknown: list[list[str]] = []
        self._hidden_seen = -1

    def relying_on(self, known: str) -> list[str]:
        return self.relying.get(known, [])

    def other_value(
        self, cell: str, known: str | None, extra: str | None = None
    ) -> dict[str, int] | None:
        """A move that changes ``cell`` and leaves ``known`` alone (``None``: none found);
        ``extra``: a published cell to treat as hidden (a candidate complement, not kept)."""
        found = self.moves.get((cell, known))
        if found is not None:
            return found
        if known is not None:
            public = self.moves.get((cell, None))
            if public is not None and known not in public:
                return public
        found = self._search(cell, known, extra)
        if found is not None and extra is None:
            self.moves[(cell, known)] = found
            if known is None:
                for other in found:
                    self.relying.setdefault(other, []).append(cell)
        return found

    def _unknown_in(self) -> list[list[str]]:
        """Each relation's unknown cells, those in fewer relations first (they balance one
        relation without unbalancing another); gathered again only after a cell was hidden."""
        state = self.state
        if self._hidden_seen != len(state.hidden):
            self._hidden_seen = len(state.hidden)
            unknown = state.hidden | state.implicit
            self._unknown = [
                sorted(
                    (c for c in row if c in unknown),
                    key=lambda c: (len(self.related[c]), state.position[c]),
                )
                for row in self.coefficients
            ]
        return self._unknown

    def _search(self, cell: str, known: str | None, extra: str | None) -> dict[str, int] | None:
        counts = self.state.counts
        unknown_in = self._unknown_in()
        for step in (1, -1):
            if counts[cell] + step < 0:
                continue
            move = {cell: step}
            residual: dict[int, int] = {}
            for i in self.related.get(cell, ()):
                residual[i] = self.coefficients[i][cell] * step
            residual = {i: r for i, r in residual.items() if r}
            budget = [_SEARCH_STEPS]
            if self._balance(move, residual, unknown_in, known, extra, budget):
                return dict(move)
        return None

    def _balance(
        self,
        move: dict[str, int],
        residual: dict[int, int],
        unknown_in: list[list[str]],
        known: str | None,
        extra: str | None,
        budget: list[int],
    ) -> bool:
        if not residual:
            return True
        budget[0] -= 1
        if budget[0] < 0:
            return False
        i = min(residual)
        need = residual[i]
        row = self.coefficients[i]
        candidates = unknown_in[i]
        if extra is not None and extra in row:
            candidates = [extra, *candidates]
        counts = self.state.counts
        for other in candidates:
            if other in move or other == known:
                continue
            a = row[other]
            if need % a:
                continue
            change = -need // a
            if counts[other] + change < 0:
                continue
            move[other] = change
            touched = []
            for j in self.related[other]:
                before = residual.get(j, 0)
                after = before + self.coefficients[j][other] * change
                touched.append((j, before))
                if after:
                    residual[j] = after
                else:
                    residual.pop(j, None)
            if self._balance(move, residual, unknown_in, known, extra, budget):
                return True
            del move[other]
            for j, before in touched:
                if before:
                    residual[j] = before
                else:
                    residual.pop(j, None)
            if budget[0] < 0:
                return False
        return False
