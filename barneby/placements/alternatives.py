"""The best few placements of one sibling group, for a caseworker to choose from (C4).

The solver (:func:`barneby.matching.solve`) gives the best placement of the
group. The next ones come from solving again with that placement ruled out,
by Lawler's k-best partition of the assignments: for the i-th child of the
answer, the children before it keep their homes and the i-th may not have
its home (both said through ``Child.excluded_homes``), so every later answer
differs from the earlier ones and none is found twice. Answers over the same
set of homes (the same homes, only the siblings swapped) are shown once, an
answer that leaves more children without a place than the best is not shown,
every answer is checked against the hard rules, and they are ranked by the
solver's lexicographic costs. The whole search stops at a time budget.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import time
from collections.abc import Mapping

from barneby import matching
from barneby.matching.explain import explain
from barneby.matching.index import Index

MIN_SOLVE_S = 0.5  # the least time one solve is given; the search stops when less than this is left
MAX_SOLVES = 60  # a sibling group has a handful of children; this many solves find three alternatives and more


@dataclasses.dataclass(frozen=True)
class Alternative:
    """One way to place the group: where each child goes, what it costs and why."""

    assignment: Mapping[int, int | None]
    homes: tuple[int, ...]
    together: bool
    costs: matching.Costs
    explanations: Mapping[int, matching.Explanation]
    status: matching.SolveStatus


# (costs, tie-break, answer, children fixed to a home, homes a child may not have)
_Node = tuple[tuple[int, int, int, int], int, matching.Solution, dict[int, int], dict[int, frozenset[int]]]


def _constrained(
    problem: matching.Problem, keep: Mapping[int, int], avoid: Mapping[int, frozenset[int]]
) -> matching.Problem:
    """``problem`` where child ``c`` must live in ``keep[c]`` and may not live in ``avoid[c]``."""
    all_homes = frozenset(h.id for h in problem.homes)
    children = []
    for child in problem.children:
        excluded = child.excluded_homes | avoid.get(child.id, frozenset())
        if child.id in keep:
            excluded = excluded | (all_homes - {keep[child.id]})
        children.append(dataclasses.replace(child, excluded_homes=excluded))
    return dataclasses.replace(problem, children=tuple(children))


def _explained(
    problem: matching.Problem, index: Index, solution: matching.Solution, best: matching.Solution | None
) -> Mapping[int, matching.Explanation]:
    """The explanations on the real problem (the branching's rules are not the child's)."""
    status = solution.status if best is None else best.status
    explanations = explain(index, solution.assignment, status)
    if best is not None and best.costs.splits == 0 and solution.costs.splits > 0:
        # An alternative to keeping them together, not a forced split.
        explanations = {
            child: matching.Explanation(
                child,
                tuple(matching.Reason("split_alternative") if r.code.startswith("split_") else r for r in e.reasons),
            )
            for child, e in explanations.items()
        }
    return explanations


def best_placements(
    problem: matching.Problem, group: int, *, k: int = 3, time_limit_s: float = 10.0, seed: int = 0
) -> list[Alternative]:
    """Up to ``k`` distinct valid placements of sibling group ``group``, best first.

    ``problem`` holds the group's children (others in it keep no place: they
    are not branched on) and the homes with their free places.
    """
    members = sorted((c for c in problem.children if c.group == group), key=lambda c: c.id)
    if not members:
        raise ValueError(f"no child belongs to sibling group {group}")
    deadline = time.perf_counter() + time_limit_s
    index = Index(problem)
    solves = 0

    def solve(keep: Mapping[int, int], avoid: Mapping[int, frozenset[int]]) -> matching.Solution | None:
        nonlocal solves
        left = deadline - time.perf_counter()
        if left < MIN_SOLVE_S or solves >= MAX_SOLVES:
            return None
        solves += 1
        solution = matching.solve(_constrained(problem, keep, avoid), time_limit_s=left, seed=seed)
        return solution if not matching.violations(problem, solution.assignment) else None

    first = solve({}, {})
    if first is None:
        return []
    order = itertools.count()
    heap: list[_Node] = [(first.key(), next(order), first, {}, {})]
    shown: set[tuple[tuple[int, ...], int]] = set()
    result: list[Alternative] = []
    best: matching.Solution | None = None
    while heap and len(result) < k:
        _key, _n, solution, keep, avoid = heapq.heappop(heap)
        placed = {c.id: solution.assignment.get(c.id) for c in members}
        homes = tuple(sorted({h for h in placed.values() if h is not None}))
        unplaced = sum(1 for h in placed.values() if h is None)
        if (
            homes
            and (homes, unplaced) not in shown
            and (best is None or solution.costs.unplaced <= best.costs.unplaced)
        ):
            shown.add((homes, unplaced))
            result.append(
                Alternative(
                    assignment=placed,
                    homes=homes,
                    together=len(homes) == 1 and unplaced == 0,
                    costs=solution.costs,
                    explanations=_explained(problem, index, solution, best),
                    status=solution.status,
                )
            )
            best = best or solution
        if best is not None and solution.costs.unplaced > best.costs.unplaced:
            continue  # everything below it leaves even more children without a place
        # Lawler: the children before the i-th keep their homes, the i-th may not have its home.
        fixed: dict[int, int] = dict(keep)
        for child in sorted(members, key=lambda c: placed[c.id] is None):
            home = placed[child.id]
            if home is None:
                break  # "must have a place" cannot be said as an exclusion, so children without one come last
            if child.id not in fixed:
                branch_avoid = {**avoid, child.id: avoid.get(child.id, frozenset()) | {home}}
                alternative = solve(dict(fixed), branch_avoid)
                if alternative is not None:
                    heapq.heappush(heap, (alternative.key(), next(order), alternative, dict(fixed), branch_avoid))
            fixed[child.id] = home
    return result
