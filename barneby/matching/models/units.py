"""Needs and distance, exactly, once every sibling group is in as few homes as it can be.

When the first two levels sit at their trivial bound (every placeable child
placed, every group spread over the fewest homes it needs on its own), a
group that fits in one home *must* be in one home: it can be a single
column per home instead of one per member and home. Only groups too big for
any one home keep per-member columns, with "group uses home" columns capped
at the group's fewest homes. On national batches this has a tenth of the
per-child model's columns and, unlike :mod:`barneby.matching.heuristics.polish`, it
holds every eligible home for every unit, so its bounds are bounds of the
problem: HiGHS usually proves the needs level in seconds. Distance is solved
afterwards with needs held; its bound is reported, rarely closed.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

import highspy
import numpy as np

from barneby.matching.index import Index
from barneby.matching.models.builder import INF, Builder, add_row, run_checked


class UnitModel:
    """Units (single children and groups that fit one home) or members of bigger groups, to homes."""

    def __init__(self, index: Index) -> None:
        self.index = index
        m = Builder()
        self.unmet: list[float] = []
        self.dist: list[float] = []
        self.covers: list[tuple[list[int], int]] = []  # per column: (children, home); group-use columns cover none
        at_home: dict[int, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        child_cols: dict[int, dict[int, int]] = defaultdict(dict)  # child -> home -> column placing it there
        self.uses: dict[tuple[int, int], list[tuple[int, list[int]]]] = {}  # (group, fewest homes) -> (column, members)
        done: set[int] = set()

        def column(children: list[int], k: int) -> int:
            unmet = dist = 0
            for i in children:
                u, d = index.cost[i][k]
                unmet += u
                dist += d
            c = m.col(1.0)
            self.unmet.append(float(unmet))
            self.dist.append(float(dist))
            self.covers.append((children, k))
            at_home[k][0].append(c)
            at_home[k][1].append(float(len(children)))
            for i in children:
                child_cols[i][k] = c
            return c

        for i in range(len(index.children)):
            if i in done:
                continue
            unit = [j for j in index.unit_of(i) if index.placeable[j]]
            done.update(index.unit_of(i))
            if not unit:
                continue
            g = index.group_of[i]
            fewest = (index.min_homes.get(g) or 1) if g is not None else 1
            if fewest == 1:
                common = set(index.cost[unit[0]]).intersection(*(index.cost[j] for j in unit[1:]))
                homes = sorted(k for k in common if len(unit) == 1 or index.homes[k].sibling_limit >= len(unit))
                cols = [column(unit, k) for k in homes]
                m.row(cols, [1.0] * len(cols), 1.0, 1.0)
                continue
            uses: dict[int, int] = {}
            group_uses: list[tuple[int, list[int]]] = []
            members_at: dict[int, list[int]] = defaultdict(list)
            for j in unit:
                cols = []
                for k in sorted(index.cost[j]):
                    c = column([j], k)
                    cols.append(c)
                    members_at[k].append(c)
                m.row(cols, [1.0] * len(cols), 1.0, 1.0)
            for k, cols in sorted(members_at.items()):
                y = m.col(1.0)
                self.unmet.append(0.0)
                self.dist.append(0.0)
                self.covers.append(([], k))
                uses[k] = y
                group_uses.append((y, unit))
                most = float(min(index.homes[k].sibling_limit, len(cols)))
                m.row([*cols, y], [1.0] * len(cols) + [-most], -INF, 0.0)
            m.row(list(uses.values()), [1.0] * len(uses), 0.0, float(fewest))
            assert g is not None
            self.uses[(g, fewest)] = group_uses
        for k, (cols, sizes) in sorted(at_home.items()):
            if sum(sizes) > index.homes[k].places:
                m.row(cols, sizes, -INF, float(index.homes[k].places))
        self.child_cols = child_cols
        # Children kept apart: rows only for pairs a solution puts together
        # (rare; a row for every pair and home makes presolve crawl).
        self.apart_added: set[tuple[int, int]] = set()
        self.h = m.highs(seed=0)
        self.n = len(self.unmet)

    def vector(self, positions: list[int | None]) -> np.ndarray | None:
        """The columns of a placement; None if it is not one this model holds."""
        values = np.zeros(self.n)
        covered = 0
        for c, (children, k) in enumerate(self.covers):
            if children and all(positions[i] == k for i in children):
                values[c] = 1.0
                covered += len(children)
        if covered != len(self.child_cols):
            return None  # a child unplaced, or a group that fits one home spread over several
        for (_g, fewest), cols in self.uses.items():
            on = [c for c, members in cols if any(positions[i] == self.covers[c][1] for i in members)]
            if len(on) > fewest:
                return None
            values[on] = 1.0
        return values

    def positions(self, values: np.ndarray, base: list[int | None]) -> list[int | None]:
        result = list(base)
        for c, (children, k) in enumerate(self.covers):
            if children and values[c] > 0.5:
                for i in children:
                    result[i] = k
        return result

    def _keep_apart(self, positions: list[int | None]) -> bool:
        """Add the rows for kept-apart pairs ``positions`` puts together; True if there were any."""
        added = False
        for i, others in sorted(self.index.apart.items()):
            for j in sorted(others):
                if i < j and positions[i] is not None and positions[i] == positions[j]:
                    if (i, j) in self.apart_added:
                        continue
                    self.apart_added.add((i, j))
                    for k in sorted(set(self.child_cols[i]) & set(self.child_cols[j])):
                        a, b = self.child_cols[i][k], self.child_cols[j][k]
                        if a != b:
                            self.h.addRow(-INF, 1.0, 2, np.array([a, b], dtype=np.int64), np.array([1.0, 1.0]))
                    added = True
        return added

    def solve(
        self, costs: list[float], start: list[int | None], *, time_limit_s: float, seed: int
    ) -> tuple[list[int | None], int, int, bool]:
        """Minimise ``costs`` from ``start``: (positions, value, bound, proven), never worse than the start.

        ``start`` must respect every rule. Kept-apart pairs enter the model
        when a solution breaks them, and the model is solved again.
        """
        deadline = time.perf_counter() + time_limit_s
        h = self.h
        h.setOptionValue("random_seed", seed)
        h.changeColsCost(self.n, np.arange(self.n, dtype=np.int64), np.array(costs))
        cost_array = np.array(costs)
        vector = self.vector(start)
        best_positions, best_value = start, (math.inf if vector is None else float(cost_array @ vector))
        proven = False
        bound = 0
        while True:
            h.setOptionValue("time_limit", max(0.05, deadline - time.perf_counter()))
            # "Optimal" is believed only when the returned vector's own value meets the dual bound.
            status, found, dual = run_checked(h, cost_array, vector)
            optimal = status == highspy.HighsModelStatus.kOptimal
            bound = max(0, math.ceil(dual - 1e-6))
            if not found.value_valid:
                break
            candidate = np.round(np.array(found.col_value))
            positions = self.positions(candidate, start)
            if self._keep_apart(positions):
                if time.perf_counter() < deadline - 0.1:
                    continue  # the dual bound still holds; solve again with the new rows
                break
            value = float(cost_array @ candidate)
            if value < best_value:
                best_positions, best_value = positions, value
            proven = optimal and value <= best_value and best_value <= bound
            break
        if not math.isfinite(best_value):
            return start, -1, 0, False
        value = round(best_value)
        return best_positions, value, value if proven else min(bound, value), proven

    def hold(self, costs: list[float], value: int) -> None:
        """Keep ``costs`` at most ``value`` from now on."""
        add_row(self.h, np.array(costs), float(value))
