"""A best-fit heuristic: the fallback, the warm start and the yardstick.

Sibling groups go first, largest first, each whole into the home that fits it
most tightly (so big homes are kept for big groups), then the groups that
could not be kept whole are split over as few homes as possible, and single
children go last, to their cheapest home. It runs in milliseconds and
closes much of the gap to the optimum (see ../shared/MATCHING.md).
"""

from __future__ import annotations

import time
from collections import defaultdict

from barneby.matching.index import Index, default_index
from barneby.matching.problem import GroupId, Problem, Solution
from barneby.matching.result import make_solution, trivial_bound
from barneby.matching.rules import pair_cost

# Beyond the pruned candidates, how many of a child's cheapest eligible homes
# the heuristic looks at when its candidates are full.
WIDE = 400


class Load:
    """Who lives where while a placement is being built (positions, not ids)."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.remaining = [h.places for h in index.homes]
        self.group_count: dict[tuple[int, GroupId], int] = defaultdict(int)
        self.residents: list[set[int]] = [set() for _ in index.homes]
        self.home_of: list[int | None] = [None] * len(index.children)

    def can_take(self, i: int, k: int, already: int = 0) -> bool:
        """Can home ``k`` take child ``i`` (on top of ``already`` of its group being added)?"""
        if self.remaining[k] < 1 + already or not self.index.add(i, k):
            return False
        g = self.index.group_of[i]
        if g is not None and self.group_count[(k, g)] + already >= self.index.homes[k].sibling_limit:
            return False
        return not self.index.apart.get(i, set()) & self.residents[k]

    def place(self, i: int, k: int) -> None:
        self.remaining[k] -= 1
        g = self.index.group_of[i]
        if g is not None:
            self.group_count[(k, g)] += 1
        self.residents[k].add(i)
        self.home_of[i] = k

    def remove(self, i: int) -> None:
        k = self.home_of[i]
        if k is None:
            return
        self.remaining[k] += 1
        g = self.index.group_of[i]
        if g is not None:
            self.group_count[(k, g)] -= 1
        self.residents[k].discard(i)
        self.home_of[i] = None


def _cost(index: Index, members: list[int], k: int) -> tuple[int, int]:
    unmet = dist = 0
    for i in members:
        u, d = index.cost[i][k]
        unmet += u
        dist += d
    return unmet, dist


def _internally_apart(index: Index, members: list[int]) -> bool:
    member_set = set(members)
    return any(index.apart.get(i, set()) & member_set for i in members)


def _whole_home(index: Index, load: Load, members: list[int], *, wide: bool) -> int | None:
    """The best-fitting home taking all of ``members``, or ``None``."""
    size = len(members)
    lists = [index.eligible_homes(i)[:WIDE] if wide else index.base_candidates[i] for i in members]
    common = set(lists[0]).intersection(*lists[1:])
    best: tuple[int, int, int, int] | None = None
    for k in common:
        if load.remaining[k] < size or index.homes[k].sibling_limit < size:
            continue
        if not all(load.can_take(i, k, already=n) for n, i in enumerate(members)):
            continue
        key = (load.remaining[k] - size, *_cost(index, members, k), k)
        if best is None or key < best:
            best = key
    return None if best is None else best[3]


def _room(index: Index, load: Load, k: int, g: GroupId | None, wanted: int) -> int:
    taken = load.group_count[(k, g)] if g is not None else 0
    return min(load.remaining[k], index.homes[k].sibling_limit - taken, wanted)


def split_group(index: Index, load: Load, members: list[int], *, wide: bool) -> list[int]:
    """Place ``members`` over as few homes as possible, biggest share first; returns those left over."""
    left = list(members)
    while left:
        homes: set[int] = set()
        for i in left:
            homes.update(index.eligible_homes(i)[:WIDE] if wide else index.base_candidates[i])
        g = index.group_of[left[0]]
        rooms = {k: _room(index, load, k, g, len(left)) for k in homes}
        # Most room first, so the search stops once no home can beat the best share.
        ordered = sorted((k for k in homes if rooms[k] > 0), key=lambda k: (-rooms[k], k))
        best: tuple[int, int, int, int, int] | None = None
        best_take: list[int] = []
        for k in ordered:
            if best is not None and rooms[k] < -best[0]:
                break
            take: list[int] = []
            for i in sorted(left, key=lambda i: pair_cost(index.children[i], index.homes[k])):
                if load.can_take(i, k, already=len(take)) and not index.apart.get(i, set()) & set(take):
                    take.append(i)
            if not take:
                continue
            key = (-len(take), load.remaining[k] - len(take), *_cost(index, take, k), k)
            if best is None or key < best:
                best, best_take = key, take
        if best is None:
            return left
        for i in best_take:
            load.place(i, best[4])
        left = [i for i in left if i not in best_take]
    return left


def single_home(index: Index, load: Load, i: int, *, wide: bool) -> int | None:
    for k in index.eligible_homes(i) if wide else index.base_candidates[i]:
        if load.can_take(i, k):
            return k
    return None


def greedy_positions(index: Index) -> list[int | None]:
    """The heuristic on an index: the home position of every child position, or ``None``."""
    load = Load(index)
    groups = sorted(
        index.groups.values(),
        key=lambda members: (-len(members), members[0]),
    )
    deferred: list[list[int]] = []
    for members in groups:
        k = None
        if not _internally_apart(index, members):
            k = _whole_home(index, load, members, wide=False)
            if k is None and not index.complete:
                k = _whole_home(index, load, members, wide=True)
        if k is None:
            deferred.append(members)
            continue
        for i in members:
            load.place(i, k)
    for members in deferred:
        split_group(index, load, members, wide=not index.complete)
    singles = [i for i in range(len(index.children)) if index.group_of[i] is None]
    singles.sort(key=lambda i: (len(index.base_candidates[i]), i))
    for i in singles:
        k = single_home(index, load, i, wide=False)
        if k is None and not index.complete:
            k = single_home(index, load, i, wide=True)
        if k is not None:
            load.place(i, k)
    return load.home_of


def greedy(problem: Problem, *, index: Index | None = None) -> Solution:
    """The best-fit heuristic's answer (never proven optimal unless the trivial bound says so)."""
    started = time.perf_counter()
    index = index or default_index(problem)
    positions = greedy_positions(index)
    assignment = {
        c.id: None if k is None else index.homes[k].id for c, k in zip(index.children, positions, strict=True)
    }
    return make_solution(
        index,
        assignment,
        solver="greedy",
        bound=trivial_bound(index),
        started=started,
    )
