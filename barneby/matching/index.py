"""Precomputed eligibility and costs, shared by the heuristic and the exact model.

Eligibility is screened with numpy over all homes at once, then confirmed
pair by pair with :func:`barneby.matching.rules.eligible` and priced with
:func:`barneby.matching.rules.pair_cost`, so the numbers the solvers use are
exactly the ones :func:`barneby.matching.rules.evaluate` reports.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from barneby.matching.problem import Child, GroupId, Home, Problem
from barneby.matching.rules import EARTH_RADIUS_KM, eligible, fewest_homes, groups_of, keep_apart_pairs, pair_cost

PRUNE_ABOVE_PAIRS = 600_000  # children x homes; beyond this each child keeps only its cheapest candidates
PRUNED_CANDIDATES = 24

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _unit_vectors(lat: FloatArray, lon: FloatArray) -> FloatArray:
    phi, lam = np.radians(lat), np.radians(lon)
    result: FloatArray = np.stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))
    return result


def _great_circle_many(point: tuple[float, float], homes: FloatArray) -> FloatArray:
    """Great-circle km from ``point`` to every home (unit vectors), via the chord: same as haversine."""
    p = _unit_vectors(np.array([point[0]]), np.array([point[1]]))[:, 0]
    chord = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * (p @ homes)))
    result: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, chord / 2))
    return result


def _cheapest(homes: IntArray, score: FloatArray, count: int | None) -> IntArray:
    """The ``count`` cheapest of ``homes`` by ``score`` (all if ``None``), cheapest first, ties by position."""
    if count is not None and len(homes) > count:
        keep = np.argpartition(score[homes], count - 1)[:count]
        homes = np.sort(homes[keep])
    order = np.lexsort((homes, score[homes]))
    result: IntArray = homes[order]
    return result


def _by_cost(costs: dict[int, tuple[int, int]]) -> Callable[[int], tuple[int, int, int]]:
    return lambda k: (costs[k][0], costs[k][1], k)


class Index:
    """Positions, groups, candidate homes and pair costs of one problem.

    Children and homes are referred to by their position in
    ``problem.children`` / ``problem.homes``. ``candidates[i]`` lists the
    homes the solvers consider for child ``i``, cheapest first; with
    ``max_candidates=None`` that is every eligible home, otherwise a pruned
    list (cheapest per child, plus the cheapest homes that take the child's
    group whole or in part). :meth:`add` brings a pair back in, e.g. a warm
    start's.
    """

    def __init__(self, problem: Problem, *, max_candidates: int | None = None, group_candidates: int = 8) -> None:
        self.problem = problem
        self.children: list[Child] = list(problem.children)
        self.homes: list[Home] = list(problem.homes)
        self.child_pos = {c.id: i for i, c in enumerate(self.children)}
        self.home_pos = {h.id: k for k, h in enumerate(self.homes)}
        self.complete = max_candidates is None
        self.groups: dict[GroupId, list[int]] = {
            g: [self.child_pos[c.id] for c in members] for g, members in groups_of(self.children).items()
        }
        self.group_of: list[GroupId | None] = [None] * len(self.children)
        for g, members in self.groups.items():
            for i in members:
                self.group_of[i] = g
        self.apart: dict[int, set[int]] = defaultdict(set)
        for a, b in keep_apart_pairs(self.children):
            ia, ib = self.child_pos[a], self.child_pos[b]
            self.apart[ia].add(ib)
            self.apart[ib].add(ia)
        self._arrays()
        self.cost: list[dict[int, tuple[int, int]]] = [{} for _ in self.children]
        self.candidates: list[list[int]] = []
        self.min_homes: dict[GroupId, int | None] = {}
        self._screened: dict[int, list[int]] = {}
        self.placeable = [False] * len(self.children)
        done: set[int] = set()
        # Unit by unit (a sibling group or a single child), so only one
        # group's cost estimates over all homes are in memory at a time.
        for i in range(len(self.children)):
            if i in done:
                continue
            unit = self.unit_of(i)
            done.update(unit)
            screens = [self._screen(j) for j in unit]
            for j, (homes, score) in zip(unit, screens, strict=True):
                for k in _cheapest(homes, score, max_candidates).tolist():
                    self.add(j, k)
                self.placeable[j] = bool(self.cost[j]) if self.complete else len(homes) > 0
            group = self.group_of[i]
            if group is None:
                continue
            if max_candidates is not None:
                self._add_group_candidates(unit, screens, group_candidates)
            pools = [
                np.fromiter(self.cost[j], dtype=np.int64) if self.complete else homes
                for j, (homes, _) in zip(unit, screens, strict=True)
            ]
            self.min_homes[group] = self._min_homes(unit, pools)
        self._sort_candidates()
        # The candidates as built, before any solver adds a pair: the heuristic reads these,
        # so it gives the same answer however many times it runs on one index.
        self.base_candidates: list[list[int]] = [list(homes) for homes in self.candidates]

    # -- screening -----------------------------------------------------------

    def _arrays(self) -> None:
        homes = self.homes
        n = len(homes)
        self.h_places = np.array([h.places for h in homes], dtype=np.int64)
        self.h_limit = np.array([h.sibling_limit for h in homes], dtype=np.int64)
        self.h_min_age = np.array([h.min_age for h in homes], dtype=np.int64)
        self.h_max_age = np.array([h.max_age for h in homes], dtype=np.int64)
        self.h_has_loc = np.array([h.location is not None for h in homes], dtype=np.bool_)
        self.h_lat = np.array([h.location[0] if h.location else 0.0 for h in homes], dtype=np.float64)
        self.h_lon = np.array([h.location[1] if h.location else 0.0 for h in homes], dtype=np.float64)
        self.h_region = np.array([h.region for h in homes], dtype=object)
        self.h_any_sex = np.array([h.sexes is None for h in homes], dtype=np.bool_)
        sexes = {s for h in homes if h.sexes is not None for s in h.sexes}
        self.h_sex: dict[str, BoolArray] = {
            s: np.array([h.sexes is None or s in h.sexes for h in homes], dtype=np.bool_) for s in sexes
        }
        codes = {code for c in self.children for code in c.needs}
        self.h_lacks: dict[str, npt.NDArray[np.int64]] = {
            code: np.array([code not in h.competences for h in homes], dtype=np.int64) for code in codes
        }
        self._zeros = np.zeros(n, dtype=np.float64)
        self.h_xyz = _unit_vectors(self.h_lat, self.h_lon)
        # Siblings share an origin: keep the last point's distances.
        self._km_cache: dict[tuple[float, float], FloatArray] = {}

    def _screen(self, i: int) -> tuple[IntArray, FloatArray]:
        """Homes that look eligible for child ``i`` (in home order) and a cost estimate for all homes."""
        child = self.children[i]
        problem = self.problem
        mask = (self.h_places >= 1) & (self.h_min_age <= child.age) & (child.age <= self.h_max_age)
        mask &= self.h_sex.get(child.sex, self.h_any_sex)
        for home_id in child.excluded_homes:
            k = self.home_pos.get(home_id)
            if k is not None:
                mask[k] = False
        if not problem.cross_region and child.region is not None:
            mask &= self.h_region == child.region
        distance = self._zeros.copy()
        for point in (child.origin, child.school):
            if point is None:
                continue
            if point not in self._km_cache:
                self._km_cache = {point: np.where(self.h_has_loc, _great_circle_many(point, self.h_xyz), 0.0)}
            km = self._km_cache[point]
            if problem.max_distance_km is not None:
                # A hair of slack: the exact check below has the last word.
                mask &= km <= problem.max_distance_km * (1 + 1e-9)
            distance += km
        unmet = np.zeros(len(self.homes), dtype=np.int64)
        for code in child.needs:
            unmet += self.h_lacks[code]
        # Unmet needs dominate distance, as in the objective.
        score = unmet * 1e7 + distance
        return np.flatnonzero(mask), score

    def _add_group_candidates(self, members: list[int], screens: list[tuple[IntArray, FloatArray]], count: int) -> None:
        """The cheapest homes taking the whole group, and those taking two or more of it."""
        eligible_count = np.zeros(len(self.homes), dtype=np.int64)
        total = np.zeros(len(self.homes), dtype=np.float64)
        masks = []
        for homes, score in screens:
            mask = np.zeros(len(self.homes), dtype=np.bool_)
            mask[homes] = True
            masks.append(mask)
            eligible_count[homes] += 1
            total += score
        take = np.minimum(eligible_count, self.h_limit)
        for wanted in (len(members), 2):
            pool = np.flatnonzero(take >= wanted)
            chosen = pool[np.lexsort((pool, total[pool]))][:count].tolist()
            for k in chosen:
                for i, mask in zip(members, masks, strict=True):
                    if mask[k]:
                        self.add(i, k)

    def _min_homes(self, members: list[int], screened: list[IntArray]) -> int | None:
        """Fewest homes the group's placeable members need on their own (a lower bound).

        Built from the screen, a superset of the eligible homes, so it stays
        a valid lower bound when candidates are pruned.
        """
        placeable = [(i, homes) for i, homes in zip(members, screened, strict=True) if len(homes)]
        if not placeable:
            return None
        profile = np.zeros(len(self.homes), dtype=np.int64)
        count = np.zeros(len(self.homes), dtype=np.int64)
        for bit, (_i, homes) in enumerate(placeable):
            profile[homes] |= 1 << bit
            count[homes] += 1
        cap = np.minimum(count, self.h_limit)
        used = np.flatnonzero(profile > 0)
        codes = np.unique(profile[used] * 64 + cap[used]).tolist()
        shapes = {(code // 64, code % 64) for code in codes}
        position = {i: bit for bit, (i, _h) in enumerate(placeable)}
        apart_bits = [
            (1 << position[i]) | (1 << position[j])
            for i, _h in placeable
            for j in self.apart.get(i, ())
            if j in position and i < j
        ]
        return fewest_homes(len(placeable), shapes, apart_bits)

    # -- access ----------------------------------------------------------------

    def add(self, i: int, k: int) -> bool:
        """Make home ``k`` a candidate for child ``i`` if eligible; True if it is one now."""
        if k in self.cost[i]:
            return True
        child, home = self.children[i], self.homes[k]
        if not eligible(self.problem, child, home):
            return False
        self.cost[i][k] = pair_cost(child, home)
        if self.candidates:
            bisect.insort(self.candidates[i], k, key=_by_cost(self.cost[i]))
        return True

    def _sort_candidates(self) -> None:
        self.candidates = [sorted(costs, key=_by_cost(costs)) for costs in self.cost]

    def eligible_homes(self, i: int) -> list[int]:
        """Every home child ``i`` may be eligible for (not only the candidates), cheapest first.

        With pruned candidates this is the numpy screen, which is not yet
        confirmed: call :meth:`add` before using a home from it.
        """
        if self.complete:
            return self.candidates[i]
        if i not in self._screened:
            homes, score = self._screen(i)
            self._screened[i] = _cheapest(homes, score, None).tolist()
        return self._screened[i]

    def score(self, i: int) -> FloatArray:
        """Child ``i``'s cost estimate for every home (unmet needs first, then km), eligible or not."""
        return self._screen(i)[1]

    def unit_of(self, i: int) -> list[int]:
        """The sibling group of child ``i`` (itself alone if it has none)."""
        g = self.group_of[i]
        return [i] if g is None else self.groups[g]


def default_index(problem: Problem) -> Index:
    """Every eligible pair for national-batch sizes, pruned candidates beyond."""
    pairs = len(problem.children) * len(problem.homes)
    return Index(problem, max_candidates=None if pairs <= PRUNE_ABOVE_PAIRS else PRUNED_CANDIDATES)
