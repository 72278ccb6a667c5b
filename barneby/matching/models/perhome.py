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
sibling groups, with the free places left by everyone else (the solver
uses one per region when children may not cross regions).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt

from barneby.matching.index import Index
from barneby.matching.models.builder import INF, Builder, add_row, run_checked
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
        self.builder = Builder()
        self.level_cost: list[list[float]] = [[], [], [], []]
        self.x: dict[tuple[int, int], int] = {}
        self.u: dict[int, int] = {}
        self.y: dict[tuple[GroupId, int], int] = {}
        self.e: dict[GroupId, int] = {}
        self.w: dict[tuple[GroupId, int], int] = {}

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

    @property
    def cols(self) -> int:
        return self.builder.n_cols

    def _col(self, lo: float, hi: float, integer: bool, costs: tuple[int, int, int, int]) -> int:
        for level, c in enumerate(costs):
            self.level_cost[level].append(float(c))
        return self.builder.col(hi, lo=lo, integer=integer)

    def _row(self, cols: list[int], coefs: list[float], lo: float, hi: float) -> None:
        self.builder.row(cols, coefs, lo, hi)

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
    known: tuple[int, ...] = (),
    levels: int = 4,
) -> ExactResult:
    """Solve the first ``levels`` levels of the sub-problem in order, never returning worse than ``warm``.

    ``known`` holds lower bounds proven elsewhere for the first levels; a
    level whose warm value already meets its bound (every earlier level at
    its own) is not solved again.
    """
    started = time.perf_counter()
    deadline = started + time_limit_s
    for i, k in warm.items():
        if k is not None:
            index.add(i, k)
    model = Model(index, sub)
    h = model.builder.highs(seed=seed)
    incumbent = model.vector(warm)
    values = model.level_values(incumbent)
    start, start_values = incumbent, values
    bound = [0, 0, 0, 0]
    proven = [False, False, False, False]
    all_cols = np.arange(model.cols, dtype=np.int64)
    for level in range(levels):
        left = deadline - time.perf_counter()
        if left <= 0.01:
            break
        # A known bound on level k holds only while every earlier level is at
        # its own known bound: the splits bound assumes the fewest unplaced.
        earlier_at_bound = all(j < len(known) and values[j] == known[j] for j in range(level))
        if earlier_at_bound and level < len(known) and values[level] <= known[level]:
            proven[level] = True
            bound[level] = values[level]
            _fix(h, model, level, values[level])
            continue
        costs = np.array(model.level_cost[level])
        h.changeColsCost(model.cols, all_cols, costs)
        share = STAGE_SHARE[level] if level < levels - 1 else 1.0
        h.setOptionValue("time_limit", max(0.01, left * share))
        status, found, dual = run_checked(h, costs, incumbent)
        if found.value_valid:
            candidate = np.array(found.col_value)
            candidate_values = model.level_values(candidate)
            if candidate_values[: level + 1] <= values[: level + 1]:
                incumbent, values = candidate, candidate_values
        if status == highspy.HighsModelStatus.kOptimal:
            proven[level] = True
            bound[level] = values[level]
        else:
            bound[level] = max(0, min(values[level], math.ceil(dual - 1e-6)))
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
    add_row(h, np.array(model.level_cost[level]), float(value))
