"""Distance, with the first three levels held: one column per home and what it holds.

A *content* is what one home takes: some single children and at most one
part of each sibling group, within its free places and sibling limit. The
master problem picks at most one content per home so that every child is in
exactly one (or unplaced), with the unplaced children, the parts of sibling
groups and the unmet needs held at most at the values reached, and the least
total distance:

    min  sum dist(c) x[c]
    s.t. sum_{c holds i} x[c] + u[i] = 1            every child i
         sum_{c at k} x[c] <= 1                     every home k
         sum u[i] <= U                              unplaced held
         sum parts(c) x[c] <= S + G                 splits held (G groups)
         sum unmet(c) x[c] <= N                     unmet needs held

Each group's splits are at least its parts minus one, so every placement
with (unplaced, splits, unmet needs) at most (U, S, N) is a solution: the LP
of all contents is a lower bound on its distance. There are far too many
contents to list, so the LP is solved by column generation: given the
prices of the children and rows, each home's cheapest content is a small
multiple-choice knapsack (singles, or a part of a group: its cheapest
members), priced for all homes at once with numpy and packed home by home.
Kept-apart pairs are left out of the pricing, which only relaxes.

The bound reported is the Lagrangian bound of the prices, valid after any
number of rounds, not only at convergence: the duals of the held rows
clipped to their sign, the children's prices, and each home's cheapest
content (or nothing). The placement is the master as a MIP over the
contents found (those with a kept-apart pair left out), started from the
placement given.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

from barneby.matching.index import Index
from barneby.matching.models.builder import INF, new_highs

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
TOLERANCE = 1e-7


@dataclass(frozen=True)
class ContentsResult:
    """A placement from the master (``None`` if none was found) and the proven distance bound (hm)."""

    positions: list[int | None] | None
    bound: int  # a lower bound on distance given the held levels; 0 when nothing was proven
    rounds: int
    columns: int
    converged: bool


class ContentsModel:
    """The master LP in HiGHS, its columns (home, children), and the pricing."""

    def __init__(self, index: Index, held: tuple[int, int, int], *, seed: int = 0) -> None:
        self.index = index
        n = len(index.children)
        homes = index.homes
        self.n = n
        self.n_homes = len(homes)
        self.places = [h.places for h in homes]
        self.limit = [h.sibling_limit for h in homes]
        self.group_of = [-1 if g is None else g for g in index.group_of]
        self.n_groups = len(index.groups)
        child: list[int] = []
        home: list[int] = []
        dist: list[float] = []
        unmet: list[float] = []
        for i, costs in enumerate(index.cost):
            for k, (u, d) in costs.items():
                child.append(i)
                home.append(k)
                dist.append(float(d))
                unmet.append(float(u))
        self.pair_child = np.array(child, dtype=np.int64)
        self.pair_home = np.array(home, dtype=np.int64)
        self.pair_dist = np.array(dist, dtype=np.float64)
        self.pair_unmet = np.array(unmet, dtype=np.float64)
        self.pair_group = np.array(self.group_of, dtype=np.int64)[self.pair_child] if n else np.zeros(0, np.int64)
        unplaced, splits, needs = held
        self.held = (float(unplaced), float(splits + self.n_groups), float(needs))
        # Rows: children 0..n-1, homes n..n+H-1, then unplaced, parts, unmet needs.
        self.row_unplaced = n + self.n_homes
        self.row_parts = self.row_unplaced + 1
        self.row_unmet = self.row_parts + 1
        h = new_highs(seed=seed)
        lower = np.concatenate((np.ones(n), np.full(self.n_homes, -INF), np.full(3, -INF)))
        upper = np.concatenate((np.ones(n), np.ones(self.n_homes), np.array(self.held)))
        empty = np.zeros(0, dtype=np.int64)
        h.addRows(len(lower), lower, upper, 0, empty, empty, np.zeros(0))
        # Unplaced: one column per child, in its row and the unplaced row.
        starts = np.arange(0, 2 * n, 2, dtype=np.int64)
        index_pairs = np.empty(2 * n, dtype=np.int64)
        index_pairs[0::2] = np.arange(n)
        index_pairs[1::2] = self.row_unplaced
        h.addCols(n, np.zeros(n), np.zeros(n), np.ones(n), 2 * n, starts, index_pairs, np.ones(2 * n))
        self.h = h
        self.columns: list[tuple[int, tuple[int, ...]]] = []  # per content column: (home, children)
        self.known: set[tuple[int, tuple[int, ...]]] = set()
        self.cost_of: dict[tuple[int, int], tuple[float, float]] = {}

    # -- columns -------------------------------------------------------------

    def add(self, k: int, children: tuple[int, ...]) -> bool:
        """A column for home ``k`` holding ``children``; False if it is there already."""
        key = (k, tuple(sorted(children)))
        if key in self.known or not children:
            return False
        self.known.add(key)
        dist = unmet = 0.0
        for i in key[1]:
            u, d = self.index.cost[i][k]
            dist += d
            unmet += u
        parts = len({self.group_of[i] for i in key[1] if self.group_of[i] >= 0})
        rows = [*key[1], self.n + k, self.row_parts, self.row_unmet]
        values = [1.0] * (len(key[1]) + 1) + [float(parts), unmet]
        self.h.addCol(dist, 0.0, 1.0, len(rows), np.array(rows, dtype=np.int64), np.array(values))
        self.columns.append(key)
        return True

    def add_placement(self, positions: list[int | None]) -> None:
        """The contents of a placement, one column per home it uses."""
        held: dict[int, list[int]] = {}
        for i, k in enumerate(positions):
            if k is not None:
                held.setdefault(k, []).append(i)
        for k, children in held.items():
            self.add(k, tuple(children))

    # -- pricing ---------------------------------------------------------------

    def price(self, duals: FloatArray) -> tuple[list[tuple[int, tuple[int, ...], float]], float]:
        """Each home's cheapest content with negative reduced cost, and the Lagrangian bound of ``duals``."""
        n = self.n
        pi = duals[:n]
        mu = duals[n : n + self.n_homes]
        y_unplaced = min(0.0, float(duals[self.row_unplaced]))
        y_parts = min(0.0, float(duals[self.row_parts]))
        y_unmet = min(0.0, float(duals[self.row_unmet]))
        part_penalty = -y_parts
        price = self.pair_dist - pi[self.pair_child] - y_unmet * self.pair_unmet
        # Lagrangian bound: the held rows and children at their prices, plus each
        # home's cheapest content (or none), plus each child's unplaced column.
        bound = float(pi.sum()) + sum(y * b for y, b in zip((y_unplaced, y_parts, y_unmet), self.held, strict=True))
        bound += float(np.minimum(0.0, -y_unplaced - pi).sum())
        chosen = np.flatnonzero(price < -TOLERANCE)
        order = chosen[np.lexsort((price[chosen], self.pair_home[chosen]))]
        homes = self.pair_home[order].tolist()
        kids = self.pair_child[order].tolist()
        prices = price[order].tolist()
        groups = self.pair_group[order].tolist()
        found: list[tuple[int, tuple[int, ...], float]] = []
        start = 0
        total = len(order)
        while start < total:
            k = homes[start]
            end = start
            while end < total and homes[end] == k:
                end += 1
            value, content = self._knapsack(k, kids[start:end], prices[start:end], groups[start:end], part_penalty)
            start = end
            if value < 0:
                bound += value
                if value - mu[k] < -TOLERANCE:
                    found.append((k, content, value - float(mu[k])))
        return found, bound

    def _knapsack(
        self, k: int, kids: list[int], prices: list[float], groups: list[int], part_penalty: float
    ) -> tuple[float, tuple[int, ...]]:
        """The cheapest content of home ``k`` from children of negative price (cheapest first)."""
        cap = self.places[k]
        limit = self.limit[k]
        # Options per class: (size, value, children). Singles: the ``cap`` cheapest.
        classes: list[list[tuple[int, float, tuple[int, ...]]]] = []
        members: dict[int, list[tuple[int, float]]] = {}
        singles = 0
        for i, p, g in zip(kids, prices, groups, strict=True):
            if g < 0:
                if singles < cap:
                    classes.append([(1, p, (i,))])
                    singles += 1
            else:
                members.setdefault(g, []).append((i, p))
        for who in members.values():
            options = []
            running = part_penalty
            for size, (_i, p) in enumerate(who[: min(cap, limit)], start=1):
                running += p
                if running < -TOLERANCE:
                    options.append((size, running, tuple(j for j, _ in who[:size])))
            if options:
                classes.append(options)
        if not classes:
            return 0.0, ()
        best = [0.0] * (cap + 1)
        picks: list[list[int]] = []
        for options in classes:
            new = list(best)
            pick = [-1] * (cap + 1)
            for c in range(cap + 1):
                for o, (size, value, _who) in enumerate(options):
                    if size <= c and best[c - size] + value < new[c] - 1e-12:
                        new[c] = best[c - size] + value
                        pick[c] = o
            best = new
            picks.append(pick)
        c = cap
        content: list[int] = []
        for options, pick in zip(reversed(classes), reversed(picks), strict=True):
            o = pick[c]
            if o >= 0:
                size, _value, chosen = options[o]
                content.extend(chosen)
                c -= size
        return best[cap], tuple(content)

    # -- solving ---------------------------------------------------------------

    def generate(self, *, until: float, per_round: int | None = None) -> tuple[float, int, bool]:
        """Column generation until no content prices out or the clock stops it: (bound, rounds, converged)."""
        h = self.h
        lower = -math.inf
        rounds = 0
        while time.perf_counter() < until:
            h.setOptionValue("time_limit", max(0.05, until - time.perf_counter()))
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                break
            rounds += 1
            duals = np.array(h.getSolution().row_dual, dtype=np.float64)
            found, bound = self.price(duals)
            lower = max(lower, bound)
            if not found:
                return max(lower, h.getInfo().objective_function_value), rounds, True
            found.sort(key=lambda item: item[2])
            added = 0
            for k, content, _reduced in found[:per_round]:
                added += self.add(k, content)
            if not added:
                break
        return lower, rounds, False

    def placement(self, start: list[int | None], *, time_limit_s: float, seed: int) -> list[int | None] | None:
        """The master as a MIP over the contents found, started from ``start`` (whose contents it holds)."""
        lp = self.h.getLp()
        h = new_highs(seed=seed)
        h.passModel(lp)
        n_cols = lp.num_col_
        # Contents with a kept-apart pair inside are out.
        upper = np.array(lp.col_upper_, dtype=np.float64)
        for c, (_k, children) in enumerate(self.columns, start=self.n):
            if any(self.index.apart.get(i, set()) & set(children) for i in children):
                upper[c] = 0.0
        h.changeColsBounds(n_cols, np.arange(n_cols, dtype=np.int64), np.zeros(n_cols), upper)
        h.changeColsIntegrality(
            n_cols, np.arange(n_cols, dtype=np.int64), np.full(n_cols, int(highspy.HighsVarType.kInteger), np.uint8)
        )
        vector = np.zeros(n_cols)
        living: dict[int, list[int]] = {}
        for i, k in enumerate(start):
            if k is None:
                vector[i] = 1.0
            else:
                living.setdefault(k, []).append(i)
        where = {key: c for c, key in enumerate(self.columns, start=self.n)}
        for k, kids in living.items():
            column = where.get((k, tuple(sorted(kids))))
            if column is not None:
                vector[column] = 1.0
        solution = highspy.HighsSolution()
        solution.col_value = vector
        h.setSolution(solution)
        h.setOptionValue("time_limit", max(0.05, time_limit_s))
        h.run()
        found = h.getSolution()
        if not found.value_valid:
            return None
        values = np.array(found.col_value)
        positions: list[int | None] = [None] * self.n
        for c, (k, children) in enumerate(self.columns, start=self.n):
            if values[c] > 0.5:
                for i in children:
                    positions[i] = k
        return positions


def distance_stage(
    index: Index,
    positions: list[int | None],
    held: tuple[int, int, int],
    *,
    lp_until: float,
    deadline: float,
    seed: int = 0,
) -> ContentsResult:
    """Column generation until ``lp_until`` (the bound), then the master as a MIP until ``deadline``.

    ``held`` is (unplaced, splits, unmet needs) of ``positions``. The bound is
    a bound of the problem only when ``index`` holds every eligible pair.
    """
    model = ContentsModel(index, held, seed=seed)
    model.add_placement(positions)
    lower, rounds, converged = model.generate(until=lp_until)
    found = None
    if deadline - time.perf_counter() > 0.1:
        found = model.placement(positions, time_limit_s=deadline - time.perf_counter(), seed=seed)
    bound = 0 if not math.isfinite(lower) else max(0, math.ceil(lower - 1e-6 * max(1.0, abs(lower))))
    return ContentsResult(found, bound, rounds, len(model.columns), converged)
