"""The exact lexicographic model, solved level by level with HiGHS.

Formulation (see ../shared/MATCHING.md, "A formulation with a tight LP
relaxation"): x[i,k] child i in home k, u[i] unplaced, y[g,k] group g uses
home k, e[g] extra homes of group g, w[g,k] group g whole in home k. Linking
uses m[g,k] = min(free places, sibling limit, eligible members), never a
big-M; e[g] is bounded below by the fewest homes the group needs on its own;
the whole-group block adds a knapsack and an at-most-one-big-group clique per
home. The levels are solved in order, each later one with the earlier ones
fixed at their best value (staged, so no weights and no loss of precision),
every stage warm-started from the incumbent.

The model is built for a *sub-problem*: a set of children closed under
sibling groups, with the free places left by everyone else. The whole batch
is the sub-problem of all children; fix-and-optimize frees one chunk at a
time.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt

from barneby.matching.highs import INF, new_highs, run_checked
from barneby.matching.index import Index
from barneby.matching.problem import GroupId

# Each stage may use this share of the time still left; what it does not use
# flows on to the next stages.
STAGE_SHARE = (0.3, 0.6, 0.5, 1.0)


@dataclass
class SubProblem:
    """Children to re-place (positions, closed under groups), with the places others leave free."""

    kids: list[int]
    capacity: list[int]
    forbidden: set[tuple[int, int]] = field(default_factory=set)


@dataclass
class ExactResult:
    """New homes for the sub-problem's children and what was proven, level by level."""

    positions: dict[int, int | None]
    values: tuple[int, int, int, int]
    bound: tuple[int, int, int, int]
    proven: tuple[bool, bool, bool, bool]
    wall_s: float


class Model:
    """Columns and rows of the exact model for one sub-problem."""

    def __init__(self, index: Index, sub: SubProblem) -> None:
        self.index = index
        self.sub = sub
        kids = sub.kids
        cap = sub.capacity
        self.cols = 0
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []
        self.level_cost: list[list[float]] = [[], [], [], []]
        self.x: dict[tuple[int, int], int] = {}
        self.u: dict[int, int] = {}
        self.y: dict[tuple[GroupId, int], int] = {}
        self.e: dict[GroupId, int] = {}
        self.w: dict[tuple[GroupId, int], int] = {}
        self.rows_lower: list[float] = []
        self.rows_upper: list[float] = []
        self.starts: list[int] = []
        self.indices: list[int] = []
        self.values: list[float] = []

        homes_of: dict[int, list[int]] = {}
        self.kid_cols: dict[int, list[int]] = {}
        for i in kids:
            homes_of[i] = [k for k in index.candidates[i] if cap[k] > 0 and (i, k) not in sub.forbidden]
            for k in homes_of[i]:
                unmet, dist = index.cost[i][k]
                self.x[(i, k)] = self._col(0, 1, True, (0, 0, unmet, dist))
            self.kid_cols[i] = [self.x[(i, k)] for k in homes_of[i]]
            self.u[i] = self._col(0, 1, False, (1, 0, 0, 0))
        kid_set = set(kids)
        groups = sorted({g for i in kids if (g := index.group_of[i]) is not None})
        self.groups = groups
        for i in kids:
            self._row([self.x[(i, k)] for k in homes_of[i]] + [self.u[i]], [1.0] * (len(homes_of[i]) + 1), 1, 1)
        residents: dict[int, list[int]] = defaultdict(list)
        for i in kids:
            for k in homes_of[i]:
                residents[k].append(i)
        for k, who in sorted(residents.items()):
            if len(who) > cap[k]:
                self._row([self.x[(i, k)] for i in who], [1.0] * len(who), -INF, cap[k])
        whole_at: dict[int, list[GroupId]] = defaultdict(list)
        for g in groups:
            members = index.groups[g]
            size = len(members)
            self.e[g] = self._col(0, size - 1, False, (0, 1, 0, 0))
            group_homes = sorted({k for i in members for k in homes_of[i]})
            internally_apart = any(index.apart.get(i, set()) & set(members) for i in members)
            for k in group_homes:
                who = [i for i in members if (i, k) in self.x]
                m = min(cap[k], index.homes[k].sibling_limit, len(who))
                yk = self.y[(g, k)] = self._col(0, 1, True, (0, 0, 0, 0))
                if m < len(who):
                    # Tight linking: at most m members, and only if the home is used.
                    self._row([self.x[(i, k)] for i in who] + [yk], [1.0] * len(who) + [-m], -INF, 0)
                for i in who:
                    self._row([self.x[(i, k)], yk], [1.0, -1.0], -INF, 0)
                if m >= size and len(who) == size and not internally_apart:
                    wk = self.w[(g, k)] = self._col(0, 1, True, (0, 0, 0, 0))
                    whole_at[k].append(g)
                    for i in members:
                        self._row([wk, self.x[(i, k)]], [1.0, -1.0], -INF, 0)
            ys = [self.y[(g, k)] for k in group_homes]
            self._row([*ys, self.e[g]], [1.0] * len(ys) + [-1.0], -INF, 1)
            placeable = [i for i in members if homes_of[i]]
            fewest = index.min_homes.get(g) or 1
            if fewest >= 2:
                # e[g] + (members left out) >= fewest homes needed - 1
                self._row([self.e[g]] + [self.u[i] for i in placeable], [1.0] * (len(placeable) + 1), fewest - 1, INF)
            wholes = [self.w[(g, k)] for k in group_homes if (g, k) in self.w]
            if placeable:
                # Kept whole somewhere, or split, or someone left out.
                cols = wholes + [self.e[g]] + [self.u[i] for i in members]
                self._row(cols, [1.0] * len(cols), 1, INF)
        for k, gs in sorted(whole_at.items()):
            if len(gs) < 2:
                continue
            sizes = [len(index.groups[g]) for g in gs]
            if sum(sizes) > cap[k]:
                self._row([self.w[(g, k)] for g in gs], [float(s) for s in sizes], -INF, cap[k])
            big = [self.w[(g, k)] for g, s in zip(gs, sizes, strict=True) if 2 * s > cap[k]]
            if len(big) >= 2:
                self._row(big, [1.0] * len(big), -INF, 1)
        for i in kids:
            for j in index.apart.get(i, ()):
                if j > i and j in kid_set:
                    for k in homes_of[i]:
                        if (j, k) in self.x:
                            self._row([self.x[(i, k)], self.x[(j, k)]], [1.0, 1.0], -INF, 1)
        self.homes_of = homes_of

    def _col(self, lo: float, hi: float, integer: bool, costs: tuple[int, int, int, int]) -> int:
        self.lower.append(lo)
        self.upper.append(hi)
        if integer:
            self.integer.append(self.cols)
        for level, c in enumerate(costs):
            self.level_cost[level].append(float(c))
        self.cols += 1
        return self.cols - 1

    def _row(self, cols: list[int], coefs: list[float], lo: float, hi: float) -> None:
        self.starts.append(len(self.indices))
        self.indices.extend(cols)
        self.values.extend(coefs)
        self.rows_lower.append(lo)
        self.rows_upper.append(hi)

    def load(self, h: highspy.Highs) -> None:
        n = self.cols
        zeros = np.zeros(n, dtype=np.float64)
        h.addCols(
            n,
            zeros,
            np.array(self.lower),
            np.array(self.upper),
            0,
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros(0),
        )
        h.addRows(
            len(self.rows_lower),
            np.array(self.rows_lower),
            np.array(self.rows_upper),
            len(self.indices),
            np.array(self.starts, dtype=np.int64),
            np.array(self.indices, dtype=np.int64),
            np.array(self.values),
        )
        if self.integer:
            cols = np.array(self.integer, dtype=np.int64)
            h.changeColsIntegrality(
                len(cols), cols, np.full(len(cols), int(highspy.HighsVarType.kInteger), dtype=np.uint8)
            )

    def vector(self, positions: dict[int, int | None]) -> npt.NDArray[np.float64]:
        """The column values of an assignment of the sub-problem's children."""
        v = np.zeros(self.cols, dtype=np.float64)
        used: dict[GroupId, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for i in self.sub.kids:
            k = positions.get(i)
            if k is None or (i, k) not in self.x:
                v[self.u[i]] = 1.0
                continue
            v[self.x[(i, k)]] = 1.0
            g = self.index.group_of[i]
            if g is not None:
                used[g][k] += 1
        for g in self.groups:
            homes = used[g]
            for k in homes:
                v[self.y[(g, k)]] = 1.0
            v[self.e[g]] = max(0, len(homes) - 1)
            if len(homes) == 1:
                (k,) = homes
                if homes[k] == len(self.index.groups[g]) and (g, k) in self.w:
                    v[self.w[(g, k)]] = 1.0
        return v

    def positions(self, values: npt.NDArray[np.float64]) -> dict[int, int | None]:
        result: dict[int, int | None] = dict.fromkeys(self.sub.kids)
        for (i, k), col in self.x.items():
            if values[col] > 0.5:
                result[i] = k
        return result

    def level_values(self, values: npt.NDArray[np.float64]) -> tuple[int, int, int, int]:
        v = [round(float(np.dot(self.level_cost[level], values))) for level in range(4)]
        return (v[0], v[1], v[2], v[3])


def solve_levels(
    index: Index,
    sub: SubProblem,
    warm: dict[int, int | None],
    *,
    time_limit_s: float,
    seed: int = 0,
    combine_costs: bool = False,
    known: tuple[int, ...] = (),
) -> ExactResult:
    """Solve the sub-problem lexicographically, never returning worse than ``warm``.

    ``known`` holds lower bounds proven elsewhere for the first levels; a
    level whose warm value already meets its bound is not solved again.
    """
    started = time.perf_counter()
    deadline = started + time_limit_s
    for i, k in warm.items():
        if k is not None:
            index.add(i, k)
    model = Model(index, sub)
    h = new_highs(seed=seed)
    model.load(h)
    incumbent = model.vector(warm)
    values = model.level_values(incumbent)
    start, start_values = incumbent, values
    bound = [0, 0, 0, 0]
    proven = [False, False, False, False]
    all_cols = np.arange(model.cols, dtype=np.int64)
    # Needs and distance in one stage: a weight above the widest possible
    # swing in distance keeps their order strictly lexicographic.
    swing = sum(max(model.level_cost[3][c] for c in cols) for cols in model.kid_cols.values() if cols)
    weight = float(swing + 1)
    stages: list[tuple[int, ...]] = [(0,), (1,), (2, 3)] if combine_costs else [(0,), (1,), (2,), (3,)]
    for number, levels in enumerate(stages):
        left = deadline - time.perf_counter()
        if left <= 0.01:
            break
        # A known bound on level k holds only while every earlier level is at
        # its own known bound: the splits bound assumes the fewest unplaced.
        earlier_at_bound = all(j < len(known) and values[j] == known[j] for j in range(levels[0]))
        if earlier_at_bound and all(level < len(known) and values[level] <= known[level] for level in levels):
            for level in levels:
                proven[level] = True
                bound[level] = values[level]
                _fix(h, model, level, values[level])
            continue
        weights = {levels[0]: 1.0} if len(levels) == 1 else {2: weight, 3: 1.0}
        costs = sum(w * np.array(model.level_cost[level]) for level, w in weights.items())
        assert isinstance(costs, np.ndarray)
        h.changeColsCost(model.cols, all_cols, costs)
        share = STAGE_SHARE[number] if number < len(stages) - 1 else 1.0
        h.setOptionValue("time_limit", max(0.01, left * share))
        status, found, dual = run_checked(h, costs, incumbent)
        last = levels[-1]
        if found.value_valid:
            candidate = np.array(found.col_value)
            candidate_values = model.level_values(candidate)
            if candidate_values[: last + 1] <= values[: last + 1]:
                incumbent, values = candidate, candidate_values
        if status == highspy.HighsModelStatus.kOptimal:
            for level in levels:
                proven[level] = True
                bound[level] = values[level]
        else:
            if len(levels) == 1:
                bound[last] = max(0, min(values[last], math.ceil(dual - 1e-6)))
            else:
                # weight * unmet + distance >= dual, and distance <= swing.
                bound[2] = max(0, min(values[2], math.ceil((dual - swing) / weight - 1e-9)))
                if bound[2] == values[2]:
                    proven[2] = True
                    bound[3] = max(0, min(values[3], math.ceil(dual - weight * values[2] - 1e-6)))
        for level in levels:
            _fix(h, model, level, values[level])
    if start_values < values:
        # A stage accepted a tie on its own level and the clock stopped the
        # next before it caught up: the warm start is still the better answer.
        incumbent, values = start, start_values
    return ExactResult(
        positions=model.positions(incumbent),
        values=values,
        bound=(bound[0], bound[1], bound[2], bound[3]),
        proven=(proven[0], proven[1], proven[2], proven[3]),
        wall_s=time.perf_counter() - started,
    )


def _fix(h: highspy.Highs, model: Model, level: int, value: int) -> None:
    """Fix a level at its best value before optimising the next."""
    level_costs = np.array(model.level_cost[level])
    nonzero = np.flatnonzero(level_costs)
    h.addRow(-INF, float(value), len(nonzero), nonzero.astype(np.int64), level_costs[nonzero])
