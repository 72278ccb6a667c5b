"""Placement proposals for one sibling group, for a caseworker to choose from.

Given the homes' free places, :func:`propose_for_group` returns the best
``k`` distinct placements of one group, best first, by the same
lexicographic order as the full solver: the best keeping the siblings
together comes first; if no home can take them all, the best splits over the
fewest homes. Distinct means a different set of homes.
"""

from __future__ import annotations

import heapq
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from barneby.matching.explain import explain
from barneby.matching.index import Index
from barneby.matching.problem import ChildId, Costs, Explanation, GroupId, HomeId, Problem, Reason, SolveStatus
from barneby.matching.rules import evaluate

SHORTLIST = 30  # per member: its cheapest homes, plus the cheapest homes taking two or more


@dataclass(frozen=True)
class Proposal:
    """One way to place a sibling group, with its cost and explanations."""

    assignment: Mapping[ChildId, HomeId | None]
    homes: tuple[HomeId, ...]
    together: bool
    costs: Costs
    explanations: Mapping[ChildId, Explanation]


def _negate(key: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return (-key[0], -key[1], -key[2], -key[3])


def _shortlists(index: Index, members: list[int]) -> list[list[int]]:
    counts: Counter[int] = Counter()
    for i in members:
        counts.update(index.candidates[i])
    by_cost = sorted(counts, key=lambda k: (sum(index.cost[i].get(k, (0, 0))[1] for i in members), k))
    shared = [k for k in by_cost if counts[k] >= 2 and index.homes[k].sibling_limit >= 2][:SHORTLIST]
    lists = []
    for i in members:
        own = index.candidates[i][:SHORTLIST]
        extra = [k for k in shared if k in index.cost[i] and k not in own]
        lists.append(own + extra)
    return lists


def propose_for_group(problem: Problem, group: GroupId, *, k: int = 3) -> list[Proposal]:
    """The ``k`` best placements of sibling group ``group``, best first.

    Only the group's own children are placed; ``problem.homes`` give the free
    places left by everyone else. The search is exhaustive over each
    member's shortlist of homes (its cheapest, plus the cheapest homes that
    can take two or more of the group).
    """
    members_children = [c for c in problem.children if c.group == group]
    if not members_children:
        raise ValueError(f"no child belongs to sibling group {group}")
    sub = Problem(
        children=tuple(members_children),
        homes=problem.homes,
        cross_region=problem.cross_region,
        max_distance_km=problem.max_distance_km,
    )
    index = Index(sub)
    members = list(range(len(index.children)))
    lists = _shortlists(index, members)
    best_rest = [index.cost[i][lists[i][0]] if lists[i] else (0, 0) for i in members]
    # Max-heap (negated) of the k best distinct home sets found so far.
    found: dict[tuple[int, ...], tuple[tuple[int, int, int, int], tuple[int | None, ...]]] = {}
    heap: list[tuple[tuple[int, int, int, int], tuple[int, ...]]] = []

    def kth() -> tuple[int, int, int, int] | None:
        return None if len(heap) < k else _negate(heap[0][0])

    remaining = [0] * (len(members) + 1)
    remaining_dist = [0] * (len(members) + 1)
    for j in range(len(members) - 1, -1, -1):
        remaining[j] = remaining[j + 1] + best_rest[j][0]
        remaining_dist[j] = remaining_dist[j + 1] + best_rest[j][1]
    chosen: list[int | None] = [None] * len(members)
    load: Counter[int] = Counter()

    def record(key: tuple[int, int, int, int]) -> None:
        homes = tuple(sorted(h for h in chosen if h is not None))
        if homes in found and found[homes][0] <= key:
            return
        if homes in found:
            heap[:] = [entry for entry in heap if entry[1] != homes]
            heapq.heapify(heap)
        found[homes] = (key, tuple(chosen))
        heapq.heappush(heap, (_negate(key), homes))
        while len(heap) > k:
            _, dropped = heapq.heappop(heap)
            del found[dropped]

    def search(j: int, unplaced: int, unmet: int, dist: int) -> None:
        used = len(load)
        bound = (unplaced, max(0, used - 1), unmet + remaining[j], dist + remaining_dist[j])
        limit = kth()
        if limit is not None and bound >= limit:
            return
        if j == len(members):
            record((unplaced, max(0, used - 1), unmet, dist))
            return
        i = members[j]
        options = sorted(lists[i], key=lambda h: (h not in load, *index.cost[i][h], h))
        placed_any = False
        for h in options:
            if load[h] >= index.homes[h].sibling_limit:
                continue
            if any(chosen[x] == h for x in index.apart.get(i, ())):
                continue
            placed_any = True
            chosen[j] = h
            load[h] += 1
            u, d = index.cost[i][h]
            search(j + 1, unplaced, unmet + u, dist + d)
            load[h] -= 1
            if not load[h]:
                del load[h]
            chosen[j] = None
        if not placed_any:
            search(j + 1, unplaced + 1, unmet, dist)

    started = time.perf_counter()
    search(0, 0, 0, 0)
    ranked = sorted(found.values())
    proposals = []
    for rank, (_key, positions) in enumerate(ranked):
        assignment = {index.children[j].id: None if h is None else index.homes[h].id for j, h in enumerate(positions)}
        homes = tuple(sorted({h for h in assignment.values() if h is not None}))
        together = len(homes) == 1 and None not in assignment.values()
        status = SolveStatus(solver="enumeration", optimal=rank == 0, wall_s=time.perf_counter() - started)
        explanations = explain(index, assignment, status)
        if rank > 0 and not together and ranked[0][0][1] == 0:
            # An alternative to keeping them together, not a forced split.
            explanations = {
                child: Explanation(
                    child,
                    tuple(Reason("split_alternative") if r.code.startswith("split_") else r for r in e.reasons),
                )
                for child, e in explanations.items()
            }
        proposals.append(
            Proposal(
                assignment=assignment,
                homes=homes,
                together=together,
                costs=evaluate(sub, assignment),
                explanations=explanations,
            )
        )
    return proposals
