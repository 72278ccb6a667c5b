"""The first two levels for big batches: one column per way a sibling group is shared out.

Homes alike in every rule (free places, sibling limit, ages, sexes, region,
and location when a distance limit applies) are counted together as a
*type*; sibling groups whose members may use the same types, with the same
keep-apart pairs inside the group, are counted together as a *class*. A
column is a *pattern* of a class: a partition of its members into parts,
each part in a home type (or left unplaced). Homes are packed as in cutting
stock: each home of a type takes one partition of its free places into
slots, one part per slot.

There are far too many patterns to list, so the LP is solved by column
generation: given the prices of the slots, the cheapest pattern of a class
is found by trying every partition of its members (at most a few hundred for
groups of up to eight) with the cheapest type for each part, and the parts
placed in order of gain. One LP takes the new columns each round and starts
from its last basis (at 500 children the needs round converges in about a
second and a half instead of three to six seconds). The LP value,
or the Lagrangian bound before the pricing has converged, is a valid lower
bound on unplaced children and splits: exclusions of single homes and
keep-apart pairs between different groups are left out, which only relaxes
the problem. The integer model over the columns found gives the placement:
parts are handed to the groups of their class and homes to the parts (now
with exclusions and keep-apart pairs), and what does not fit is placed by the
best-fit rules; the caller checks the result and keeps it only if better.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache

import highspy
import numpy as np

from barneby.matching.heuristics.greedy import Load, single_home, split_group
from barneby.matching.index import Index
from barneby.matching.models.builder import INF, Builder
from barneby.matching.problem import Child, GroupId, Home
from barneby.matching.result import positions_key
from barneby.matching.rules import ineligibility

Signature = tuple[int, ...]  # the home types a child may use
Block = tuple[int, ...]  # positions of members in their class's canonical order
# What a block's cheapest type depends on: its types, its size, its members' regions and needs.
BlockKey = tuple[Signature, int, tuple[str, ...], tuple[tuple[str, ...], ...]]
Pattern = tuple[tuple[Block, int | None], ...]  # each part and its home type (None: unplaced)
SingleKey = tuple[Signature, str, frozenset[str]]  # a single child's types, region and needs
MAX_ENUMERATED = 8  # members; above this a group's partitions are not all tried (no bound is claimed)
LP_SHARE = 0.5  # of the time limit, at most, for the column generation
MIP_SHARE = 0.8  # of what is left, for the integer model (the rest rebuilds the placement)
TWO_LEVELS_SHARE = 0.4  # of the time limit, at most, for the first two levels when a needs round follows
NEEDS_LP_SHARE = 0.75  # of what is left after the first two levels, for the needs round's column generation
COLUMNS_PER_CLASS = 2  # new columns per class and round
NEEDS_LIMIT = 2_000  # children; up to here the model also rounds on unmet needs (beyond, its LP is too slow)
UNMET_KM = 100_000.0  # a need left unmet weighs more than any distance, in the singles' transport model
LEFT_OUT_COST = 1e9  # a single child with no place among its candidates (placed afterwards)


@dataclass(frozen=True)
class PatternBound:
    """What the pattern model proved about the first levels, and the placement it built."""

    unplaced: int
    splits: int
    proven: bool  # the placement reaches the bound, so both levels are proven
    wall_s: float
    positions: list[int | None] | None = None  # a placement built from the model's solution, if any
    unmet: int | None = None  # a lower bound on unmet needs with the first two levels at their bound, if known


@cache
def integer_partitions(total: int, largest: int) -> tuple[tuple[int, ...], ...]:
    """Partitions of ``total`` into parts of at most ``largest``, largest part first."""
    if total == 0:
        return ((),)
    result: list[tuple[int, ...]] = []
    for first in range(min(total, largest), 0, -1):
        for rest in integer_partitions(total - first, first):
            result.append((first, *rest))
    return tuple(result)


def home_types(index: Index, *, competences: bool = False) -> tuple[list[list[int]], list[Home]]:
    """Homes with free places grouped by every rule but exclusions, and one home of each type.

    With ``competences``, homes are also told apart by what needs they can meet.
    """
    problem = index.problem
    keyed: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for k, home in enumerate(index.homes):
        if home.places > 0:
            keyed[
                (
                    home.places,
                    home.sibling_limit,
                    home.min_age,
                    home.max_age,
                    home.sexes,
                    home.region,  # regions are never mixed, so parts can be kept near home
                    home.location if problem.max_distance_km is not None else None,
                    tuple(sorted(home.competences)) if competences else None,
                )
            ].append(k)
    type_list = [homes for _, homes in sorted(keyed.items(), key=lambda item: item[1][0])]
    return type_list, [index.homes[homes[0]] for homes in type_list]


def signatures(index: Index, representative: list[Home]) -> list[Signature]:
    """For each child, the home types it may use (its own exclusions left out)."""
    problem = index.problem
    cache: dict[tuple[object, ...], Signature] = {}

    def signature(child: Child) -> Signature:
        key = (
            child.age,
            child.sex,
            None if problem.cross_region else child.region,
            (child.origin, child.school) if problem.max_distance_km is not None else None,
        )
        if key not in cache:
            free = replace(child, excluded_homes=frozenset())
            cache[key] = tuple(t for t, home in enumerate(representative) if ineligibility(problem, free, home) is None)
        return cache[key]

    return [signature(c) for c in index.children]


def set_partitions(size: int, largest: int, apart: frozenset[tuple[int, int]]) -> list[tuple[Block, ...]]:
    """Partitions of positions ``0..size-1`` into blocks of at most ``largest``, no apart pair in a block."""
    result: list[tuple[Block, ...]] = []
    blocks: list[list[int]] = []

    def extend(position: int) -> None:
        if position == size:
            result.append(tuple(tuple(b) for b in blocks))
            return
        for block in blocks:
            if len(block) < largest and not any((other, position) in apart for other in block):
                block.append(position)
                extend(position + 1)
                block.pop()
        blocks.append([position])
        extend(position + 1)
        blocks.pop()

    extend(0)
    return result


@dataclass
class _Class:
    groups: list[GroupId]  # the groups, each with its members in canonical order
    members: dict[GroupId, list[int]]
    regions: tuple[str | None, ...]  # of the members, in canonical order
    needs: tuple[frozenset[str], ...]  # of the members, in canonical order (empty unless the model counts needs)
    partitions: list[tuple[tuple[Block, Signature], ...]]  # each block with the types it may use
    complete: bool  # every partition listed (else pricing is partial and no bound is claimed)


def _pattern_cost(pattern: Pattern, weight: float) -> float:
    unplaced = sum(len(b) for b, t in pattern if t is None)
    placed = sum(1 for _b, t in pattern if t is not None)
    return weight * unplaced + max(0, placed - 1)


def _crossings(regions: tuple[str | None, ...], block: Block, home_region: str) -> int:
    """Members of ``block`` who would live outside their own region."""
    return sum(1 for n in block if regions[n] is not None and regions[n] != home_region)


class PatternModel:
    """The restricted master problem, its columns, and the pricing."""

    def __init__(self, index: Index, *, needs: bool = False) -> None:
        self.index = index
        self.type_list, self.representative = home_types(index, competences=needs)
        self.competences = [home.competences for home in self.representative]
        self.type_of = {k: t for t, homes in enumerate(self.type_list) for k in homes}
        self.sig = signatures(index, self.representative)
        limits = [home.sibling_limit for home in self.representative]
        largest = max(limits, default=0)
        self.weight = float(sum(len(m) - 1 for m in index.groups.values()) + 1)
        # A child placed outside its region costs ``eps``: all of them together
        # cost less than one split, so the first two levels keep their order.
        self.eps = 0.0
        self.region_of = [home.region for home in self.representative]
        # The objective: w_base * (weight * unplaced + splits) + w_unmet * unmet needs + eps * crossings,
        # with (weight * unplaced + splits) held at most ``budget`` by one row.
        self.w_base = 1.0
        self.w_unmet = 0.0
        self.budget = INF
        self._keys_for: tuple[bool, bool] | None = None  # the weights the pricing keys were made for
        self._extra_for: tuple[float, float] | None = None  # the weights the types' extras were made for
        self._extra_cache: dict[BlockKey, list[tuple[int, float]]] = {}
        self._keyed: list[list[list[tuple[Block, Signature, BlockKey]]]] = []

        def needs_of(i: int) -> frozenset[str]:
            return index.children[i].needs if needs else frozenset()

        # Classes of interchangeable groups.
        by_key: dict[tuple[object, ...], _Class] = {}
        for g, members in sorted(index.groups.items()):
            order = sorted(members, key=lambda i: (self.sig[i], index.children[i].region or "", sorted(needs_of(i)), i))
            place = {i: n for n, i in enumerate(order)}
            apart = frozenset(
                (place[a], place[b])
                for a in order
                for b in index.apart.get(a, ())
                if b in place and place[a] < place[b]
            )
            regions = tuple(index.children[i].region for i in order)
            member_needs = tuple(needs_of(i) for i in order)
            key = (tuple(self.sig[i] for i in order), regions, member_needs, apart)
            if key not in by_key:
                sigs = key[0]
                complete = len(order) <= MAX_ENUMERATED
                raw = (
                    set_partitions(len(order), largest, apart) if complete else [tuple((n,) for n in range(len(order)))]
                )
                partitions = []
                for blocks in raw:
                    typed = []
                    for block in blocks:
                        common = set(sigs[block[0]]).intersection(*(sigs[n] for n in block[1:]))
                        typed.append((block, tuple(sorted(t for t in common if limits[t] >= len(block)))))
                    partitions.append(tuple(typed))
                by_key[key] = _Class([], {}, regions, member_needs, partitions, complete)
            by_key[key].groups.append(g)
            by_key[key].members[g] = order
        self.classes = [by_key[key] for key in sorted(by_key, key=lambda k: by_key[k].groups[0])]
        self.complete = all(c.complete for c in self.classes)

        # Rows: one per class, one per single signature, one per (type, slot size), one per type.
        self.singles: dict[SingleKey, list[int]] = defaultdict(list)  # by types, region and needs
        for i in range(len(index.children)):
            if index.group_of[i] is None:
                self.singles[(self.sig[i], index.children[i].region or "", needs_of(i))].append(i)
        n_rows = 0
        self.class_row = list(range(len(self.classes)))
        n_rows += len(self.classes)
        self.single_row: dict[SingleKey, int] = {}
        for s in sorted(self.singles):
            self.single_row[s] = n_rows
            n_rows += 1
        self.slot_row: dict[tuple[int, int], int] = {}
        for t, home in enumerate(self.representative):
            for j in range(1, max(1, home.sibling_limit) + 1):
                self.slot_row[(t, j)] = n_rows
                n_rows += 1
        self.type_row = list(range(n_rows, n_rows + len(self.type_list)))
        n_rows += len(self.type_list)
        self.budget_row = n_rows
        n_rows += 1
        self.row_lower = np.zeros(n_rows)
        self.row_upper = np.zeros(n_rows)
        for c, cls in enumerate(self.classes):
            self.row_lower[c] = self.row_upper[c] = len(cls.groups)
        for s, who in self.singles.items():
            self.row_lower[self.single_row[s]] = self.row_upper[self.single_row[s]] = len(who)
        for r in self.slot_row.values():
            self.row_lower[r], self.row_upper[r] = -INF, 0.0
        for t, r in enumerate(self.type_row):
            self.row_lower[r], self.row_upper[r] = -INF, float(len(self.type_list[t]))
        self.row_lower[self.budget_row], self.row_upper[self.budget_row] = -INF, INF

        # Columns: (cost, upper bound, rows, coefficients), and what each one means.
        self.cols: list[tuple[float, float, list[int], list[float]]] = []
        self.cross: list[int] = []  # children outside their region, per unit of each column
        self.unmet: list[int] = []  # needs left unmet, per unit of each column
        self.single_cols: dict[SingleKey, list[tuple[int, int | None]]] = defaultdict(list)
        self.home_cols: dict[int, list[tuple[int, tuple[int, ...]]]] = defaultdict(list)  # type -> (column, slots)
        self.class_cols: list[dict[Pattern, int]] = [{} for _ in self.classes]
        for s in sorted(self.singles):
            for t in s[0]:
                column = self._add([self.single_row[s], self.slot_row[(t, 1)]], 0.0)
                self.cross[column] = int(bool(s[1]) and s[1] != self.region_of[t])
                self.unmet[column] = len(s[2] - self.competences[t])
                self.single_cols[s].append((column, t))
            self.single_cols[s].append((self._add([self.single_row[s]], self.weight), None))
        for t, home in enumerate(self.representative):
            for slots in integer_partitions(home.places, max(1, home.sibling_limit)):
                counts: dict[int, int] = defaultdict(int)
                for j in slots:
                    counts[j] += 1
                rows = [self.type_row[t]] + [self.slot_row[(t, j)] for j in sorted(counts)]
                coefs = [1.0] + [-float(counts[j]) for j in sorted(counts)]
                column = len(self.cols)
                self.cols.append((0.0, INF, rows, coefs))
                self.cross.append(0)
                self.unmet.append(0)
                self.home_cols[t].append((column, slots))
        for c, cls in enumerate(self.classes):
            self.add_pattern(c, tuple(((n,), None) for n in range(len(cls.members[cls.groups[0]]))))

    def _add(self, rows: list[int], cost: float) -> int:
        # No upper bounds: the rows bound every column, and a bound of its own
        # would hide its reduced cost from the pricing.
        self.cols.append((cost, INF, rows, [1.0] * len(rows)))
        self.cross.append(0)
        self.unmet.append(0)
        return len(self.cols) - 1

    def add_pattern(self, c: int, pattern: Pattern) -> int | None:
        """A column for ``pattern`` of class ``c``; None if it is there already."""
        pattern = tuple(sorted(pattern, key=lambda part: (part[0], -1 if part[1] is None else part[1])))
        if pattern in self.class_cols[c]:
            return None
        rows = [self.class_row[c]] + [self.slot_row[(t, len(b))] for b, t in pattern if t is not None]
        column = self._add(rows, _pattern_cost(pattern, self.weight))
        # Two parts in one type add to the same row: merge the coefficients.
        merged: dict[int, float] = defaultdict(float)
        for r in rows:
            merged[r] += 1.0
        self.cols[column] = (self.cols[column][0], self.cols[column][1], list(merged), list(merged.values()))
        regions = self.classes[c].regions
        self.cross[column] = sum(_crossings(regions, b, self.region_of[t]) for b, t in pattern if t is not None)
        self.unmet[column] = sum(self._unmet(c, b, t) for b, t in pattern if t is not None)
        self.class_cols[c][pattern] = column
        return column

    def _unmet(self, c: int, block: Block, t: int) -> int:
        needs = self.classes[c].needs
        return sum(len(needs[n] - self.competences[t]) for n in block)

    def pattern_of(self, c: int, members: list[int], positions: list[int | None]) -> Pattern:
        """The pattern a placement gives one group of class ``c``."""
        by_home: dict[int | None, list[int]] = defaultdict(list)
        for n, i in enumerate(members):
            by_home[positions[i]].append(n)
        parts: list[tuple[Block, int | None]] = []
        for k, block in by_home.items():
            t = None if k is None else self.type_of.get(k)
            if t is None:
                parts.extend(((n,), None) for n in block)
            else:
                parts.append((tuple(block), t))
        return tuple(parts)

    # -- pricing ---------------------------------------------------------------

    def _keyed_partitions(self) -> list[list[list[tuple[Block, Signature, BlockKey]]]]:
        """Each class's partitions, each block with its types and the key its cheapest type depends on."""
        flags = (bool(self.eps), bool(self.w_unmet))
        if self._keys_for != flags:
            self._keyed = []
            for cls in self.classes:
                partitions = []
                for partition in cls.partitions:
                    blocks = []
                    for block, types in partition:
                        regions = tuple(sorted(r or "" for r in (cls.regions[n] for n in block))) if flags[0] else ()
                        block_needs = tuple(sorted(tuple(sorted(cls.needs[n])) for n in block)) if flags[1] else ()
                        blocks.append((block, types, (types, len(block), regions, block_needs)))
                    partitions.append(blocks)
                self._keyed.append(partitions)
            self._keys_for = flags
        return self._keyed

    def _extra(self, c: int, block: Block, key: BlockKey) -> list[tuple[int, float]]:
        """A block's types with what each adds to its slot's price: crossings and unmet needs, as weighed."""
        weights = (self.eps, self.w_unmet)
        if self._extra_for != weights:
            self._extra_cache = {}
            self._extra_for = weights
        found = self._extra_cache.get(key)
        if found is None:
            regions = key[2]
            found = []
            for t in key[0]:
                extra = 0.0
                if self.eps:
                    extra += self.eps * sum(1 for r in regions if r and r != self.region_of[t])
                if self.w_unmet:
                    extra += self.w_unmet * self._unmet(c, block, t)
                found.append((t, extra))
            self._extra_cache[key] = found
        return found

    def price(self, duals: np.ndarray, per_class: int) -> tuple[list[tuple[int, Pattern]], float]:
        """The cheapest new patterns (negative reduced cost) and the Lagrangian correction (<= 0)."""
        slot_price = {key: -duals[r] for key, r in self.slot_row.items()}
        held = duals[self.budget_row] if len(duals) > self.budget_row else 0.0
        base = self.w_base - held  # what one split costs, the budget row's price included
        best_type: dict[tuple[object, ...], tuple[float, int | None]] = {}
        found: list[tuple[int, Pattern]] = []
        correction = 0.0
        keyed = self._keyed_partitions()
        for c, cls in enumerate(self.classes):
            offers: list[tuple[float, Pattern]] = []
            for partition in keyed[c]:
                options = []
                for block, _types, key in partition:
                    if key not in best_type:
                        best: tuple[float, int | None] = (INF, None)
                        size = len(block)
                        for t, extra in self._extra(c, block, key):
                            p = slot_price[(t, size)] + extra
                            if p < best[0]:
                                best = (p, t)
                        best_type[key] = best
                    options.append((block, best_type[key], base * self.weight * len(block)))
                cost, pattern = _cheapest_choice(options, base)
                offers.append((cost, pattern))
            offers.sort(key=lambda offer: offer[0])
            reduced = offers[0][0] - duals[self.class_row[c]]
            if reduced < 0:
                correction += len(cls.groups) * reduced
            for cost, pattern in offers[:per_class]:
                if cost - duals[self.class_row[c]] < -1e-7:
                    found.append((c, pattern))
        return found, correction


def _cheapest_choice(
    options: list[tuple[Block, tuple[float, int | None], float]], split_cost: float = 1.0
) -> tuple[float, Pattern]:
    """Place each part in its cheapest type or leave it unplaced, splits counted: the cheapest mix.

    With ``m`` parts placed the cost is every part unplaced, plus the ``m``
    smallest gains of placing one (its type's price less its unplaced cost),
    plus ``split_cost * (m - 1)``: so the cheapest mix places the parts in
    order of gain, as many as lower the total.
    """
    unplaced_total = sum(unplaced_cost for _b, _pt, unplaced_cost in options)
    gains = sorted(
        (price - unplaced_cost, n) for n, (_b, (price, t), unplaced_cost) in enumerate(options) if t is not None
    )
    total, placed, running = unplaced_total, 0, unplaced_total
    for m, (gain, _n) in enumerate(gains, start=1):
        running += gain + (split_cost if m > 1 else 0.0)
        if running < total:
            total, placed = running, m
    chosen = {n for _gain, n in gains[:placed]}
    parts = [(block, t if n in chosen else None) for n, (block, (_price, t), _u) in enumerate(options)]
    # Unplaced members are each a part of their own, as a placement gives them.
    pattern: list[tuple[Block, int | None]] = []
    for block, t in parts:
        if t is None:
            pattern.extend(((n,), None) for n in block)
        else:
            pattern.append((block, t))
    return total, tuple(pattern)


def _highs(model: PatternModel, *, seed: int, integer: bool) -> highspy.Highs:
    b = Builder()
    # The budget row (the last) only when it binds: a free row trips HiGHS's presolve.
    held = model.budget < INF
    n_rows = len(model.row_lower) if held else model.budget_row
    for r in range(n_rows):
        b.row((), (), float(model.row_lower[r]), model.budget if r == model.budget_row else float(model.row_upper[r]))
    for n in range(len(model.cols)):
        cost, hi, entries = _column(model, n)
        b.col(hi, cost, integer=integer, entries=entries)
    return b.highs(seed=seed)


def _column(model: PatternModel, n: int) -> tuple[float, float, list[tuple[int, float]]]:
    """Column ``n``'s cost, upper bound and (row, coefficient) entries, the budget row's when it binds."""
    base, hi, rows, coefs = model.cols[n]
    entries = list(zip(rows, coefs, strict=True))
    if base and model.budget < INF:
        entries.append((model.budget_row, base))
    return model.w_base * base + model.w_unmet * model.unmet[n] + model.eps * model.cross[n], hi, entries


def _generate(model: PatternModel, *, until: float, seed: int) -> tuple[float, bool]:
    """Column generation on the LP until no pattern prices out or the clock says stop.

    Returns a lower bound on the LP of every pattern (the Lagrangian bound
    while pricing still finds columns, the LP value once it converges), or
    minus infinity if not even one LP was solved.
    """
    lower = -math.inf
    # One LP, the new columns added to it each round: HiGHS starts from the last basis
    # (rebuilding it each round took three times as long at 500 children).
    h = _highs(model, seed=seed, integer=False)
    h.setOptionValue("presolve", "off")  # presolve would throw the basis away
    while time.perf_counter() < until:
        h.setOptionValue("time_limit", max(0.05, until - time.perf_counter()))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        lp_value = h.getInfo().objective_function_value
        found, correction = model.price(np.array(h.getSolution().row_dual), COLUMNS_PER_CLASS)
        lower = max(lower, lp_value + correction)
        if not found:
            return lp_value, True
        first = len(model.cols)
        for c, pattern in found:
            model.add_pattern(c, pattern)
        for n in range(first, len(model.cols)):
            cost, hi, entries = _column(model, n)
            rows = np.array([r for r, _v in entries], dtype=np.int64)
            h.addCol(cost, 0.0, hi, len(rows), rows, np.array([v for _r, v in entries], dtype=np.float64))
    return lower, False


def _seed_columns(model: PatternModel, positions: list[int | None]) -> None:
    """Columns for the patterns a placement uses: column generation starts near it."""
    for c, cls in enumerate(model.classes):
        for g in cls.groups:
            model.add_pattern(c, model.pattern_of(c, cls.members[g], positions))


def _integer(model: PatternModel, *, time_limit_s: float, seed: int) -> np.ndarray | None:
    """The integer model over the columns found.

    No start is handed to HiGHS: with one (a placement's columns), HiGHS
    1.16 reported an objective below the LP bound and returned the start
    unchanged (1,000 children: "optimal" 27.1 with the start's 31 splits,
    against 28 found in 0.1 s without it).
    """
    h = _highs(model, seed=seed, integer=True)
    h.setOptionValue("time_limit", max(0.05, time_limit_s))
    h.run()
    solution = h.getSolution()
    if not solution.value_valid:
        return None
    return np.round(np.array(solution.col_value)).astype(np.int64)


def pattern_bound(
    index: Index, *, time_limit_s: float, seed: int = 0, warm: list[int | None] | None = None
) -> PatternBound:
    """Lower bounds on (unplaced, splits) for the whole batch, and a placement built from the model.

    Up to ``NEEDS_LIMIT`` children, once the placement reaches the bound, a
    third round follows with home types that also tell competences apart:
    the first two levels held at their optimum, it minimises unmet needs,
    and its LP is a bound on them (``PatternBound.unmet``).
    """
    started = time.perf_counter()
    deadline = started + time_limit_s
    with_needs = len(index.children) <= NEEDS_LIMIT
    model = PatternModel(index)
    if warm is not None:
        _seed_columns(model, warm)
    # The bound, on the first two levels alone.
    # With needs to follow, the first two levels stop early when they can; a slow
    # convergence (a loaded machine) still gets the whole LP share, as they come first.
    lp_full = started + LP_SHARE * time_limit_s
    lp_until = started + LP_SHARE * (TWO_LEVELS_SHARE if with_needs else 1.0) * time_limit_s
    lower, converged = _generate(model, until=lp_until, seed=seed)
    if not converged and lp_until < lp_full:
        lower, converged = _generate(model, until=lp_full, seed=seed)
        lp_until = lp_full
    if not model.complete:
        lower = -math.inf
    # Then the same with a child outside its region costing a little, so the
    # placement keeps children near home wherever the first two levels allow.
    eps = 1.0 / (len(index.children) + 1)
    model.eps = eps
    _generate(model, until=lp_until, seed=seed)
    positions = warm

    def keep(model: PatternModel, values: np.ndarray) -> None:
        nonlocal positions
        rebuilt = min(
            (rebuild(model, values), rebuild(model, values, singles_near=True)),
            key=lambda found: positions_key(index, found),
        )
        # On a tie on the first two levels the model's placement is kept: it is nearer home.
        if positions is None or _level_key(index, rebuilt) < _level_key(index, positions):
            positions = rebuilt
        elif _level_key(index, rebuilt) == _level_key(index, positions):
            positions = min(positions, rebuilt, key=lambda found: positions_key(index, found))

    # The first two levels' integer model stops at a share of the limit: the needs round needs the rest.
    left = (started + (TWO_LEVELS_SHARE if with_needs else 1.0) * time_limit_s) - time.perf_counter()
    if left > 0.5:
        values = _integer(model, time_limit_s=MIP_SHARE * left, seed=seed)
        if values is not None:
            keep(model, values)
    unmet_bound = None
    left = deadline - time.perf_counter()
    settled = (
        positions is not None
        and math.isfinite(lower)
        and _level_key(index, positions) == divmod(math.ceil(lower - 1e-6), int(model.weight))
    )
    if with_needs and settled and positions is not None and left > 0.5:
        # Needs, with home types that tell competences apart and the first
        # two levels held where the placement has them.
        counted = PatternModel(index, needs=True)
        _seed_columns(counted, positions)  # a placement within the budget: the LP is feasible from the start
        unplaced_now, splits_now = _level_key(index, positions)
        reached = int(counted.weight) * unplaced_now + splits_now
        counted.budget, counted.w_base, counted.w_unmet = reached + 0.5, 0.0, 1.0
        needs_until = time.perf_counter() + NEEDS_LP_SHARE * left
        needs_lower, _converged = _generate(counted, until=needs_until, seed=seed)
        if math.isfinite(needs_lower) and counted.complete:
            unmet_bound = max(0, math.ceil(needs_lower - 1e-6))
        counted.eps = eps  # every child outside its region together weighs less than one need
        _generate(counted, until=needs_until, seed=seed)
        found = _integer(counted, time_limit_s=MIP_SHARE * (deadline - time.perf_counter()), seed=seed)
        if found is not None:
            keep(counted, found)
    if not math.isfinite(lower):
        return PatternBound(0, 0, False, time.perf_counter() - started, positions)
    unplaced, splits = divmod(math.ceil(lower - 1e-6), int(model.weight))
    proven = positions is not None and _level_key(index, positions) == (unplaced, splits)
    return PatternBound(
        unplaced, splits, proven, time.perf_counter() - started, positions, unmet=unmet_bound if proven else None
    )


def _level_key(index: Index, positions: list[int | None]) -> tuple[int, int]:
    unplaced = sum(1 for k in positions if k is None)
    splits = sum(max(0, len({positions[i] for i in members} - {None}) - 1) for members in index.groups.values())
    return (unplaced, splits)


def rebuild(model: PatternModel, values: np.ndarray, *, singles_near: bool = False) -> list[int | None]:
    """Homes for the model's integer solution; what does not fit is placed by the best-fit rules.

    With ``singles_near``, single children are not held to the model's types:
    once the groups are in, they take the places left by a transport model
    over their candidate homes (nearest first), which the model's counts,
    blind to where homes are inside a region, do not give.
    """
    index = model.index
    parts: dict[int, list[tuple[list[int], GroupId | None]]] = defaultdict(list)
    for s, who in model.singles.items():
        if singles_near:
            continue
        pool = list(who)
        for column, t in model.single_cols[s]:
            for _ in range(int(values[column])):
                if pool and t is not None:
                    parts[t].append(([pool.pop()], None))
                elif pool:
                    pool.pop()
    loose: list[list[int]] = []
    for c, cls in enumerate(model.classes):
        handed = [pattern for pattern, column in model.class_cols[c].items() for _ in range(int(values[column]))]
        for g, pattern in zip(cls.groups, handed, strict=False):
            members = cls.members[g]
            for block, t in pattern:
                who = [members[n] for n in block]
                if t is not None:
                    parts[t].append((who, g))
        for g in cls.groups[len(handed) :]:
            loose.append(list(cls.members[g]))
    load = Load(index)
    for t, type_parts in parts.items():
        free: dict[int, list[int]] = defaultdict(list)  # home -> sizes of its free slots
        homes = iter(model.type_list[t])
        for column, slots in model.home_cols[t]:
            for _ in range(int(values[column])):
                k = next(homes, None)
                if k is not None:
                    free[k].extend(slots)
        type_parts.sort(key=lambda part: -len(part[0]))
        for who, _g in type_parts:
            k = _home_for(index, load, who, free)
            if k is None:
                loose.append(who)
                continue
            sizes = free[k]
            j = min(x for x in sizes if x >= len(who))
            sizes.remove(j)
            if j > len(who):
                sizes.append(j - len(who))
            if not sizes:
                del free[k]
            for i in who:
                load.place(i, k)
    if singles_near:
        waiting = [i for who in model.singles.values() for i in who]
        loose.extend([i] for i in singles_by_transport(index, load, waiting))
    for unit in sorted(loose, key=lambda u: -len(u)):
        if index.group_of[unit[0]] is None:
            k = single_home(index, load, unit[0], wide=not index.complete)
            if k is not None:
                load.place(unit[0], k)
        else:
            split_group(index, load, unit, wide=not index.complete)
    return load.home_of


def _home_for(index: Index, load: Load, who: list[int], free: dict[int, list[int]]) -> int | None:
    """The cheapest home among ``free`` that takes the part ``who``, a slot of its size first.

    Every home of the type is looked at, not only the members' candidates:
    the model chose the type, and its homes may be far from the nearest ones.
    """
    size = len(who)
    homes = np.fromiter(free, dtype=np.int64)
    score = np.zeros(len(homes))
    for i in who:
        score += index.score(i)[homes]
    exact = np.array([size in free[k] for k in homes.tolist()], dtype=np.bool_)
    roomy = np.array([max(free[k]) >= size for k in homes.tolist()], dtype=np.bool_)
    for mask in (exact, roomy & ~exact):
        chosen = homes[mask]
        for k in chosen[np.lexsort((chosen, score[mask]))].tolist():
            if all(load.can_take(i, k, already=a) for a, i in enumerate(who)):
                return int(k)
    return None


def singles_by_transport(index: Index, load: Load, singles: list[int]) -> list[int]:
    """Place single children in the places left, cheapest in all (a transport LP); return who is left."""
    builder = Builder()
    pairs: list[tuple[int, int]] = []
    at_home: dict[int, list[int]] = defaultdict(list)
    for i in singles:
        cols = []
        for k in index.candidates[i]:
            if load.remaining[k] > 0 and load.can_take(i, k):
                unmet, dist = index.cost[i][k]
                column = builder.col(1.0, float(unmet) * UNMET_KM + float(dist), integer=False)
                pairs.append((i, k))
                cols.append(column)
                at_home[k].append(column)
        left_out = builder.col(1.0, LEFT_OUT_COST, integer=False)
        pairs.append((i, -1))
        builder.row([*cols, left_out], [1.0] * (len(cols) + 1), 1.0, 1.0)
    for k, cols in at_home.items():
        if len(cols) > load.remaining[k]:
            builder.row(cols, [1.0] * len(cols), -INF, float(load.remaining[k]))
    h = builder.highs(seed=0, relax=True)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return singles
    chosen = np.array(h.getSolution().col_value)
    left: list[int] = []
    # A transport LP has whole-number vertices; a child kept apart from one
    # moved in alongside is placed afterwards.
    for (i, k), x in zip(pairs, chosen, strict=True):
        if x > 0.5:
            if k >= 0 and load.can_take(i, k):
                load.place(i, k)
            else:
                left.append(i)
    return left
