"""Distance (or unmet needs), with the levels before it held: one column per home and what it holds.

A *content* is what one home takes: some single children and at most one
part of each sibling group, within its free places and sibling limit. The
master problem picks at most one content per home so that every child is in
exactly one (or unplaced), with the unplaced children, the parts of sibling
groups and the unmet needs held at most at the values reached, and the least
total distance (or, with the needs not held, the fewest unmet needs):

    min  sum dist(c) x[c]
    s.t. sum_{c holds i} x[c] + u[i] = 1            every child i
         sum_{c at k} x[c] <= 1                     every home k
         sum u[i] <= U                              unplaced held
         sum parts(c) x[c] <= S + G                 splits held (G groups)
         sum unmet(c) x[c] <= N                     unmet needs held
         sum_{c holds g} parts_g(c) x[c] - e[g] <= 1   every group g (e[g] its splits)
         sum_{c holds g whole} x[c] + e[g] + sum_{i in g} u[i] >= 1

The last row says a group is kept whole somewhere, or split, or has a member
unplaced; without it the LP spreads a group over homes none of which holds it
whole and counts only a fraction of a split (at 100 children of the bench the
bound rose from 17,965 to 19,328 km with it). Each group's splits are at
least its parts minus one, so every placement with (unplaced, splits, unmet
needs) at most (U, S, N) is a solution: the LP of all contents is a lower
bound on its distance. There are far too many
contents to list, so the LP is solved by column generation: given the
prices of the children and rows, each home's cheapest content is a small
multiple-choice knapsack (singles, or a part of a group: its cheapest
members, or the whole group with its whole row's price), priced for all
homes at once with numpy and packed home by home. Content columns have no
upper bound of their own (the home's row holds them at one): with one, the LP
could price a content through its bound, the pricing found it again and
column generation stopped without converging.
Kept-apart pairs are left out of the pricing, which only relaxes.

The bound reported is the Lagrangian bound of the prices, valid after any
number of rounds, not only at convergence: the duals of the held rows
clipped to their sign, the children's prices, and each home's cheapest
content (or nothing). The placement is the master as a MIP over the
contents found (those with a kept-apart pair left out), started from the
placement given.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

from barneby.matching.index import Index
from barneby.matching.models.builder import INF, new_highs

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
TOLERANCE = 1e-5  # reduced costs are in hectometres (or needs): far above the LP noise
MIP_REDUCED_SHARE = 0.1  # the MIP keeps contents within this share of the LP value in reduced cost
SINGLES_PER_CHILD = 5  # first columns: each child alone in each of its cheapest homes
NEAR_CHILDREN = 40  # a home's cheapest children (by price) among which its near contents are sought


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

    def __init__(self, index: Index, held: tuple[int, int, int | None], *, seed: int = 0) -> None:
        """``held`` is (unplaced, splits, unmet needs) at most; with needs ``None`` the objective is unmet needs."""
        self.index = index
        self.needs_objective = held[2] is None
        n = len(index.children)
        homes = index.homes
        self.n = n
        self.n_homes = len(homes)
        self.places = [h.places for h in homes]
        self.limit = [h.sibling_limit for h in homes]
        self.places_array = np.array(self.places, dtype=np.int64)
        self.room_array = np.minimum(self.places_array, np.array(self.limit, dtype=np.int64))
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
        self.held = (float(unplaced), float(splits), INF if needs is None else float(needs))
        self.pair_objective = self.pair_unmet if self.needs_objective else self.pair_dist
        # Each group's splits are at least the fewest homes it needs, less one, when every
        # child who has an eligible home is placed (then all of its members are).
        everyone_placed = unplaced == index.placeable.count(False)
        self.groups = sorted(index.groups)
        self.group_index = {g: n_g for n_g, g in enumerate(self.groups)}
        self.forced = [max(0, (index.min_homes.get(g) or 1) - 1) if everyone_placed else 0 for g in self.groups]
        self.most = [len(index.groups[g]) - 1 for g in self.groups]
        # Rows: children 0..n-1, homes n..n+H-1, then unplaced, splits, unmet needs, then two per
        # group: its parts less its splits at most one, and "kept whole, or split, or a member
        # unplaced" (whole contents + splits + unplaced members >= 1). Without the second the LP
        # keeps a group "unsplit" by spreading its members fractionally over homes none of which
        # holds it whole, and the bound falls well below the per-home model's LP.
        self.row_unplaced = n + self.n_homes
        self.row_splits = self.row_unplaced + 1
        self.row_unmet = self.row_splits + 1
        self.row_group = self.row_unmet + 1
        n_g = len(self.groups)
        self.row_whole = self.row_group + n_g
        self.group_size = {g: len(index.groups[g]) for g in self.groups}
        h = new_highs(seed=seed)
        lower = np.concatenate((np.ones(n), np.full(self.n_homes + 3 + n_g, -INF), np.ones(n_g)))
        upper = np.concatenate(
            (np.ones(n), np.ones(self.n_homes), np.array(self.held), np.ones(n_g), np.full(n_g, INF))
        )
        empty = np.zeros(0, dtype=np.int64)
        h.addRows(len(lower), lower, upper, 0, empty, empty, np.zeros(0))
        # Unplaced: one column per child, in its row, the unplaced row and its group's whole row.
        for i in range(n):
            rows = [i, self.row_unplaced]
            if self.group_of[i] >= 0:
                rows.append(self.row_whole + self.group_index[self.group_of[i]])
            h.addCol(0.0, 0.0, 1.0, len(rows), np.array(rows, dtype=np.int64), np.ones(len(rows)))
        # Splits of each group: its parts less one, between its forced splits and its size less one.
        if n_g:
            starts = np.arange(0, 3 * n_g, 3, dtype=np.int64)
            index_pairs = np.empty(3 * n_g, dtype=np.int64)
            index_pairs[0::3] = self.row_group + np.arange(n_g)
            index_pairs[1::3] = self.row_splits
            index_pairs[2::3] = self.row_whole + np.arange(n_g)
            values = np.tile(np.array([-1.0, 1.0, 1.0]), n_g)
            h.addCols(
                n_g,
                np.zeros(n_g),
                np.array(self.forced, dtype=np.float64),
                np.array(self.most, dtype=np.float64),
                3 * n_g,
                starts,
                index_pairs,
                values,
            )
        # Where each group fits whole: (group, home) and the pairs of its members there, for pricing.
        pair_at = {(i, k): p for p, (i, k) in enumerate(zip(child, home, strict=True))}
        whole_group: list[int] = []
        whole_home: list[int] = []
        whole_pairs: list[int] = []
        whole_starts: list[int] = []
        for n_gg, g in enumerate(self.groups):
            members = index.groups[g]
            common = set.intersection(*(set(index.cost[i]) for i in members)) if members else set()
            for k in sorted(common):
                if self.room_array[k] >= len(members):
                    whole_group.append(n_gg)
                    whole_home.append(k)
                    whole_starts.append(len(whole_pairs))
                    whole_pairs.extend(pair_at[(i, k)] for i in members)
        self.whole_group = np.array(whole_group, dtype=np.int64)
        self.whole_home = np.array(whole_home, dtype=np.int64)
        self.whole_pairs = np.array(whole_pairs, dtype=np.int64)
        self.whole_starts = np.array(whole_starts, dtype=np.int64)
        self.first_content = n + n_g
        self.h = h
        self.columns: list[tuple[int, tuple[int, ...]]] = []  # per content column: (home, children)
        self.column_dist: list[float] = []
        self.known: set[tuple[int, tuple[int, ...]]] = set()

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
        parts = sorted({self.group_index[self.group_of[i]] for i in key[1] if self.group_of[i] >= 0})
        wholes = self._wholes(key[1])
        rows = [*key[1], self.n + k, self.row_unmet, *(self.row_group + p for p in parts)]
        rows += [self.row_whole + p for p in wholes]
        values = [1.0] * (len(key[1]) + 1) + [unmet] + [1.0] * (len(parts) + len(wholes))
        cost = unmet if self.needs_objective else dist
        self.column_dist.append(dist)
        self.h.addCol(cost, 0.0, INF, len(rows), np.array(rows, dtype=np.int64), np.array(values))
        self.columns.append(key)
        return True

    def _wholes(self, children: tuple[int, ...]) -> list[int]:
        """The groups (by position) that ``children`` hold whole."""
        count: dict[int, int] = {}
        for i in children:
            g = self.group_of[i]
            if g >= 0:
                count[g] = count.get(g, 0) + 1
        return sorted(self.group_index[g] for g, c in count.items() if c == self.group_size[g])

    def add_placement(self, positions: list[int | None]) -> None:
        """The contents of a placement, one column per home it uses."""
        held: dict[int, list[int]] = {}
        for i, k in enumerate(positions):
            if k is not None:
                held.setdefault(k, []).append(i)
        for k, children in held.items():
            self.add(k, tuple(children))

    # -- pricing ---------------------------------------------------------------

    def _split_duals(
        self, duals: FloatArray
    ) -> tuple[FloatArray, FloatArray, float, float, float, FloatArray, FloatArray, FloatArray]:
        """The duals by row kind, each held row's clipped to its sign, and every pair's price.

        (children, homes, unplaced, splits, unmet needs, group parts, groups whole, pair prices).
        """
        n = self.n
        pi = duals[:n]
        mu = duals[n : n + self.n_homes]
        y_unplaced = min(0.0, float(duals[self.row_unplaced]))
        y_splits = min(0.0, float(duals[self.row_splits]))
        y_unmet = 0.0 if self.needs_objective else min(0.0, float(duals[self.row_unmet]))
        n_g = len(self.groups)
        y_group = np.minimum(0.0, duals[self.row_group : self.row_group + n_g])
        nu = np.maximum(0.0, duals[self.row_whole : self.row_whole + n_g])
        price = self.pair_objective - pi[self.pair_child] - y_unmet * self.pair_unmet
        return pi, mu, y_unplaced, y_splits, y_unmet, y_group, nu, price

    def price(self, duals: FloatArray) -> tuple[list[tuple[int, tuple[int, ...], float]], float]:
        """Each home's cheapest content with negative reduced cost, and the Lagrangian bound of ``duals``."""
        n = self.n
        pi, mu, y_unplaced, y_splits, y_unmet, y_group, nu, price = self._split_duals(duals)
        penalty = {g: -float(y) for g, y in zip(self.groups, y_group.tolist(), strict=True)}
        # Lagrangian bound: the held rows and children at their prices, plus each
        # home's cheapest content (or none), plus each child's unplaced column.
        bound = float(pi.sum()) + sum(
            y * b for y, b in zip((y_unplaced, y_splits, y_unmet), self.held, strict=True) if b < INF
        )
        nu_child = np.zeros(n)
        grouped = np.flatnonzero(np.array(self.group_of, dtype=np.int64) >= 0) if n else np.zeros(0, np.int64)
        if len(grouped):
            nu_child[grouped] = nu[[self.group_index[self.group_of[i]] for i in grouped.tolist()]]
        bound += float(np.minimum(0.0, -y_unplaced - pi - nu_child).sum())
        # Each group's two rows (parts less its splits at most one; whole, split or
        # a member unplaced at least one) and its splits column.
        bound += float(y_group.sum()) + float(nu.sum())
        slope = y_group - y_splits - nu
        bound += float(np.where(slope >= 0, slope * np.array(self.forced), slope * np.array(self.most)).sum())
        # A group whole in a home: its members' prices, its part, less its whole row's price.
        extra: dict[int, list[tuple[int, float, tuple[int, ...]]]] = {}
        if len(self.whole_group):
            whole = np.add.reduceat(price[self.whole_pairs], self.whole_starts)
            whole += -y_group[self.whole_group] - nu[self.whole_group]
            for w in np.flatnonzero(whole < -TOLERANCE).tolist():
                g = self.groups[int(self.whole_group[w])]
                k = int(self.whole_home[w])
                extra.setdefault(k, []).append((g, float(whole[w]), tuple(self.index.groups[g])))
        chosen = np.flatnonzero(price < -TOLERANCE)
        # Per home, only the cheapest singles and each group's cheapest members can be in its cheapest content.
        homes_c = self.pair_home[chosen]
        groups_c = self.pair_group[chosen]
        order = chosen[np.lexsort((price[chosen], groups_c, homes_c))]
        homes_o = self.pair_home[order]
        groups_o = self.pair_group[order]
        if len(order):
            new_bucket = np.ones(len(order), dtype=np.bool_)
            new_bucket[1:] = (homes_o[1:] != homes_o[:-1]) | (groups_o[1:] != groups_o[:-1])
            first = np.maximum.accumulate(np.where(new_bucket, np.arange(len(order)), 0))
            rank = np.arange(len(order)) - first
            room = np.where(groups_o < 0, self.places_array[homes_o], self.room_array[homes_o])
            keep = rank < room
            order, homes_o, groups_o = order[keep], homes_o[keep], groups_o[keep]
        homes = homes_o.tolist()
        kids = self.pair_child[order].tolist()
        prices = price[order].tolist()
        groups = groups_o.tolist()
        found: list[tuple[int, tuple[int, ...], float]] = []
        spans = _spans(homes)
        for k in sorted(spans.keys() | extra.keys()):
            start, end = spans.get(k, (0, 0))
            value, content = self._knapsack(
                k, kids[start:end], prices[start:end], groups[start:end], penalty, extra.get(k, [])
            )
            if value < 0:
                bound += value
                if value - mu[k] < -TOLERANCE:
                    found.append((k, content, value - float(mu[k])))
        return found, bound

    def reduced_cost(self, k: int, content: tuple[int, ...], duals: FloatArray) -> float:
        """The reduced cost of a content column at ``duals`` (the LP's own)."""
        dist = unmet = 0.0
        for i in content:
            u, d = self.index.cost[i][k]
            dist += d
            unmet += u
        parts = {self.group_index[self.group_of[i]] for i in content if self.group_of[i] >= 0}
        return (
            (unmet if self.needs_objective else dist)
            - float(sum(duals[i] for i in content))
            - float(duals[self.n + k])
            - float(sum(duals[self.row_group + p] for p in parts))
            - float(sum(duals[self.row_whole + p] for p in self._wholes(content)))
            - (0.0 if self.needs_objective else unmet * float(duals[self.row_unmet]))
        )

    def _knapsack(
        self,
        k: int,
        kids: list[int],
        prices: list[float],
        groups: list[int],
        penalty: dict[int, float],
        wholes: Sequence[tuple[int, float, tuple[int, ...]]] = (),
    ) -> tuple[float, tuple[int, ...]]:
        """The cheapest content of home ``k`` from children of negative price (by group, cheapest first).

        ``wholes`` are (group, value, members) of groups whole in the home, priced with their whole row.
        """
        cap = self.places[k]
        whole_of = {g: (len(members), value, members) for g, value, members in wholes}
        # Options per class: (size, value, children). Singles come cheapest first, at most ``cap`` of them.
        classes: list[list[tuple[int, float, tuple[int, ...]]]] = []
        n = 0
        total = len(kids)
        while n < total:
            g = groups[n]
            if g < 0:
                classes.append([(1, prices[n], (kids[n],))])
                n += 1
                continue
            options = []
            running = penalty[g]
            size = 0
            members: list[int] = []
            while n < total and groups[n] == g:
                running += prices[n]
                members.append(kids[n])
                size += 1
                if running < -TOLERANCE and size < self.group_size[g]:
                    options.append((size, running, tuple(members)))
                n += 1
            if g in whole_of:
                options.append(whole_of.pop(g))
            if options:
                classes.append(options)
        classes.extend([option] for option in whole_of.values())
        if not classes:
            return 0.0, ()
        if len(classes) > cap:
            # One option per class: of each size, only the ``cap`` cheapest classes can be needed.
            needed: set[int] = set()
            for size in range(1, cap + 1):
                offers = [(o[1], c) for c, options in enumerate(classes) for o in options if o[0] == size]
                offers.sort()
                needed.update(c for _v, c in offers[:cap])
            classes = [classes[c] for c in sorted(needed)]
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

    def add_near(self, duals: FloatArray, per_home: int) -> int:
        """Each home's ``per_home`` contents of least reduced cost at ``duals``; the number of new columns.

        Column generation ends with the contents an optimal *fractional*
        master needs; an integer master over those alone is often far from
        the bound (at 500 children of the bench 530,733 hm against a bound of
        486,464). The contents just behind each home's cheapest give the
        integer master room to combine. Each home's contents are enumerated
        depth first over its cheapest children (by price), best first, with
        the rest pruned by what the cheapest remaining could still save. A
        group contributes one part: any of its members the home can take
        together (its sibling limit), with the group's row price and, held
        whole, its whole row's price.
        """
        _pi, mu, _u, _s, _n, y_group, nu, price = self._split_duals(duals)
        order = np.lexsort((price, self.pair_home))
        kids = self.pair_child[order].tolist()
        prices = price[order].tolist()
        added = 0
        for k, (start, end) in _spans(self.pair_home[order].tolist()).items():
            # The cheapest children only: a content among the home's best holds few others.
            chosen = range(start, min(end, start + NEAR_CHILDREN))
            classes = self._near_classes(k, [kids[j] for j in chosen], [prices[j] for j in chosen], y_group, nu)
            for content in cheapest_contents(classes, self.places[k], per_home, float(mu[k])):
                added += self.add(k, content)
        return added

    def _near_classes(
        self, k: int, kids: list[int], prices: list[float], y_group: FloatArray, nu: FloatArray
    ) -> list[list[tuple[tuple[int, ...], float]]]:
        """Home ``k``'s choices, one per class, cheapest first: each single child, each group's parts."""
        room = int(self.room_array[k])
        classes: list[list[tuple[tuple[int, ...], float]]] = []
        members_of: dict[int, list[tuple[int, float]]] = {}
        for i, value in zip(kids, prices, strict=True):
            g = self.group_of[i]
            if g < 0:
                classes.append([((i,), value)])
            else:
                members_of.setdefault(g, []).append((i, value))
        for g, members in members_of.items():
            n_g = self.group_index[g]
            penalty = -float(y_group[n_g])
            options = []
            for size in range(1, min(room, len(members)) + 1):
                for part in itertools.combinations(members, size):
                    value = penalty + sum(v for _, v in part)
                    if size == self.group_size[g]:
                        value -= float(nu[n_g])
                    options.append((tuple(i for i, _ in part), value))
            options.sort(key=lambda option: option[1])
            classes.append(options)
        classes.sort(key=lambda options: options[0][1])
        return classes

    # -- solving ---------------------------------------------------------------

    def generate(self, *, until: float, smoothing: float = 0.5) -> tuple[float, int, bool]:
        """Column generation until no content prices out or the clock stops it: (bound, rounds, converged).

        The pricing runs at a point between the LP's duals and the duals of
        the best bound so far (Wentges' smoothing), which converges in far
        fewer rounds; where that finds nothing the LP's own duals price.
        """
        h = self.h
        lower = -math.inf
        center: FloatArray | None = None
        rounds = 0
        while time.perf_counter() < until:
            h.setOptionValue("time_limit", max(0.05, until - time.perf_counter()))
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                break
            rounds += 1
            duals = np.array(h.getSolution().row_dual, dtype=np.float64)
            points = [duals] if center is None else [smoothing * center + (1 - smoothing) * duals, duals]
            added = 0
            for point in points:
                found, bound = self.price(point)
                if bound > lower:
                    lower, center = bound, point
                for k, content, _reduced in found:
                    if self.reduced_cost(k, content, duals) < -TOLERANCE:
                        added += self.add(k, content)
                if added:
                    break
            if not added:
                value = h.getInfo().objective_function_value
                # No content prices out at the LP's duals: the LP is optimal over every content.
                converged = not self.price(duals)[0]
                return (max(lower, value) if converged else lower), rounds, converged
        return lower, rounds, False

    def add_singles(self, per_child: int) -> None:
        """Columns of one child alone in each of its ``per_child`` cheapest homes: a start for the prices."""
        for i, homes in enumerate(self.index.candidates):
            for k in homes[:per_child]:
                self.add(k, (i,))

    def placement(
        self, start: list[int | None], *, time_limit_s: float, seed: int, reduced_share: float | None = None
    ) -> list[int | None] | None:
        """The master as a MIP over the contents found, started from ``start`` (whose contents it holds).

        With ``reduced_share``, only contents whose LP reduced cost is at
        most that share of the LP value stay in (and the start's): a far
        smaller MIP, which finds good placements sooner. It proves nothing.
        """
        lp = self.h.getLp()
        solved = self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        reduced = np.array(self.h.getSolution().col_dual, dtype=np.float64) if solved else None
        threshold = (
            None
            if reduced is None or reduced_share is None
            else reduced_share * max(1.0, self.h.getInfo().objective_function_value)
            + (1.0 if self.needs_objective else 0.0)
        )
        h = new_highs(seed=seed)
        h.passModel(lp)
        n_cols = lp.num_col_
        starting = {(k, tuple(sorted(i for i, at in enumerate(start) if at == k))) for k in set(start) - {None}}
        # Contents with a kept-apart pair inside are out.
        upper = np.array(lp.col_upper_, dtype=np.float64)
        for c, key in enumerate(self.columns, start=self.first_content):
            children = key[1]
            apart = any(self.index.apart.get(i, set()) & set(children) for i in children)
            far = threshold is not None and reduced is not None and reduced[c] > threshold and key not in starting
            if apart or far:
                upper[c] = 0.0
        h.changeColsBounds(n_cols, np.arange(n_cols, dtype=np.int64), np.array(lp.col_lower_), upper)
        if self.needs_objective:
            # Needs first, then distance: a need left unmet outweighs any distance these contents can save.
            costs = np.array(lp.col_cost_, dtype=np.float64)
            dist = np.array(self.column_dist, dtype=np.float64)
            widest = np.zeros(self.n)
            np.maximum.at(widest, self.pair_child, self.pair_dist)
            weight = float(widest.sum()) + 1.0  # more than any two placements' distances differ
            costs[self.first_content :] = costs[self.first_content :] * weight + dist
            h.changeColsCost(n_cols, np.arange(n_cols, dtype=np.int64), costs)
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
        for n_g, g in enumerate(self.groups):
            used = {start[i] for i in self.index.groups[g]} - {None}
            vector[self.n + n_g] = max(self.forced[n_g], len(used) - 1)
        where = {key: c for c, key in enumerate(self.columns, start=self.first_content)}
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
        for c, (k, children) in enumerate(self.columns, start=self.first_content):
            if values[c] > 0.5:
                for i in children:
                    positions[i] = k
        return positions


def _spans(homes: list[int]) -> dict[int, tuple[int, int]]:
    """Where each home's run starts and ends in ``homes`` (sorted by home)."""
    spans: dict[int, tuple[int, int]] = {}
    start, total = 0, len(homes)
    while start < total:
        end = start
        while end < total and homes[end] == homes[start]:
            end += 1
        spans[homes[start]] = (start, end)
        start = end
    return spans


def cheapest_contents(
    classes: list[list[tuple[tuple[int, ...], float]]], cap: int, count: int, home_price: float
) -> list[tuple[int, ...]]:
    """The ``count`` contents of least reduced cost: at most one choice per class, at most ``cap`` children.

    ``classes`` are sorted by their cheapest choice; a content's reduced cost
    is its choices' values less ``home_price``.
    """
    best = [options[0][1] for options in classes]
    kept: list[tuple[float, int, tuple[int, ...]]] = []  # a heap of (-reduced cost, order, content): worst on top
    order = itertools.count()

    def ceiling() -> float:
        return math.inf if len(kept) < count else -kept[0][0]

    def saving(first: int, slots: int) -> float:
        """The most the classes from ``first`` on can still lower the cost with ``slots`` places."""
        saved = 0.0
        for value in best[first : first + slots]:
            if value >= 0:
                break
            saved += value
        return saved

    def search(first: int, used: int, value: float, content: tuple[int, ...]) -> None:
        if content and value - home_price < ceiling():
            item = (home_price - value, next(order), content)
            if len(kept) < count:
                heapq.heappush(kept, item)
            else:
                heapq.heapreplace(kept, item)
        for c in range(first, len(classes)):
            if used >= cap or value + best[c] + saving(c + 1, cap - used - 1) - home_price >= ceiling():
                return  # the classes after it are no cheaper
            for members, option in classes[c]:
                size = len(members)
                if used + size <= cap and value + option + saving(c + 1, cap - used - size) - home_price < ceiling():
                    search(c + 1, used + size, value + option, content + members)

    search(0, 0, 0.0, ())
    return [content for _, _, content in sorted(kept, key=lambda item: (-item[0], item[1]))]


def contents_stage(
    index: Index,
    positions: list[int | None],
    held: tuple[int, int, int | None],
    *,
    until: float,
    lp_share: float = 0.6,
    seed: int = 0,
    near: int = 0,
) -> ContentsResult:
    """Column generation for ``lp_share`` of the time to ``until`` (the bound), then the master as a MIP until ``until``.

    ``held`` is (unplaced, splits, unmet needs) of ``positions``; with unmet
    needs ``None`` the stage minimises unmet needs instead of distance. With
    ``near``, each home's ``near`` contents of least reduced cost join the
    columns before the MIP, which then keeps them all (see
    :meth:`ContentsModel.add_near`); without, only contents close to the LP's
    value stay in. The bound is a bound of the problem only when ``index``
    holds every eligible pair.
    """
    lp_until = time.perf_counter() + lp_share * (until - time.perf_counter())
    model = ContentsModel(index, held, seed=seed)
    model.add_placement(positions)
    model.add_singles(SINGLES_PER_CHILD)
    lower, rounds, converged = model.generate(until=lp_until)
    found = None
    share: float | None = MIP_REDUCED_SHARE
    if near and rounds and until - time.perf_counter() > 0.1:
        model.add_near(np.array(model.h.getSolution().row_dual, dtype=np.float64), near)
        share = None
    if until - time.perf_counter() > 0.1:
        found = model.placement(positions, time_limit_s=until - time.perf_counter(), seed=seed, reduced_share=share)
    bound = 0 if not math.isfinite(lower) else max(0, math.ceil(lower - 1e-6 * max(1.0, abs(lower))))
    return ContentsResult(found, bound, rounds, len(model.columns), converged)
