"""An exhaustive oracle for tiny problems, written from ../shared/MATCHING.md and the problem's own docstrings.

It shares nothing with the solver but the input dataclasses: its own
distance, eligibility, capacity, sibling-limit and keep-apart checks, and its
own cost. A depth-first search over every child's home (or none) with two
prunings that cannot lose the optimum: a partial placement that already
breaks a rule, and one whose cost so far is not below the best complete
placement (every level only grows as more children are placed, so no
completion can be lexicographically better).

Definitions:
* unplaced: children in no home;
* splits: per sibling group of two or more children in the batch, the
  homes it is spread over minus one;
* unmet needs: per placed child, its needs the home has no competence for;
* distance: per placed child, origin→home plus school→home, great-circle
  with the mean Earth radius (6371.0088 km), in whole hectometres per child;
  an unknown point adds nothing.
"""

from __future__ import annotations

import math
from collections import Counter

from barneby.matching.problem import Child, Home, Problem

RADIUS_KM = 6371.0088


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    s = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * RADIUS_KM * math.asin(min(1.0, math.sqrt(s)))


def _legs(child: Child, home: Home) -> list[float]:
    if home.location is None:
        return []
    return [_km(point, home.location) for point in (child.origin, child.school) if point is not None]


def _may_live(problem: Problem, child: Child, home: Home) -> bool:
    limit = problem.max_distance_km
    return (
        home.places >= 1
        and home.min_age <= child.age <= home.max_age
        and (home.sexes is None or child.sex in home.sexes)
        and home.id not in child.excluded_homes
        and (problem.cross_region or child.region is None or child.region == home.region)
        and (limit is None or all(km <= limit for km in _legs(child, home)))
    )


def optimum(problem: Problem) -> tuple[int, int, int, int]:
    """The lexicographic optimum (unplaced, splits, unmet needs, distance in hm) over every valid placement."""
    children = list(problem.children)
    assert len(children) <= 8, "the oracle is for tiny problems"
    assert len(problem.homes) <= 6, "the oracle is for tiny problems"
    sizes = Counter(c.group for c in children if c.group is not None)
    group = {c.id: c.group if c.group is not None and sizes[c.group] >= 2 else None for c in children}
    apart = {(c.id, k.child) for c in children for k in c.keep_apart} | {
        (k.child, c.id) for c in children for k in c.keep_apart
    }
    options: list[list[tuple[Home, int, int]]] = []
    for child in children:
        here = [
            (home, len(child.needs - home.competences), round(10 * sum(_legs(child, home))))
            for home in problem.homes
            if _may_live(problem, child, home)
        ]
        options.append(here)
    residents: dict[int, list[Child]] = {home.id: [] for home in problem.homes}
    used: dict[object, Counter[int]] = {}
    best: list[tuple[int, int, int, int]] = [(len(children) + 1, 0, 0, 0)]

    def splits() -> int:
        return sum(max(0, len(+homes) - 1) for homes in used.values())

    def fits(child: Child, home: Home) -> bool:
        there = residents[home.id]
        if len(there) >= home.places:
            return False
        if any((child.id, other.id) in apart for other in there):
            return False
        g = group[child.id]
        if g is not None and home.max_siblings is not None:
            # The limit concerns siblings placed there together: one alone is never over it.
            together = sum(1 for other in there if group[other.id] == g) + 1
            if together >= 2 and together > home.max_siblings:
                return False
        return True

    def search(n: int, unplaced: int, unmet: int, distance: int) -> None:
        cost = (unplaced, splits(), unmet, distance)
        if cost >= best[0]:
            return
        if n == len(children):
            best[0] = cost
            return
        child = children[n]
        g = group[child.id]
        for home, u, d in options[n]:
            if not fits(child, home):
                continue
            residents[home.id].append(child)
            if g is not None:
                used.setdefault(g, Counter())[home.id] += 1
            search(n + 1, unplaced, unmet + u, distance + d)
            residents[home.id].pop()
            if g is not None:
                used[g][home.id] -= 1
        search(n + 1, unplaced + 1, unmet, distance)

    search(0, 0, 0, 0)
    return best[0]


def breaks_a_rule(problem: Problem, assignment: dict[int, int | None]) -> bool:
    """Whether a complete assignment breaks any hard rule, by the oracle's own checks."""
    homes = {home.id: home for home in problem.homes}
    sizes = Counter(c.group for c in problem.children if c.group is not None)
    residents: dict[int, list[Child]] = {}
    for child in problem.children:
        k = assignment.get(child.id)
        if k is None:
            continue
        if k not in homes or not _may_live(problem, child, homes[k]):
            return True
        residents.setdefault(k, []).append(child)
    for k, there in residents.items():
        home = homes[k]
        if len(there) > home.places:
            return True
        ids = {c.id for c in there}
        if any(other.child in ids for c in there for other in c.keep_apart):
            return True
        together = Counter(c.group for c in there if c.group is not None and sizes[c.group] >= 2)
        if home.max_siblings is not None and any(n >= 2 and n > home.max_siblings for n in together.values()):
            return True
    return False
