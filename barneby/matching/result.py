"""Turning an assignment into a :class:`Solution`: costs, bounds, status, explanations."""

from __future__ import annotations

import time

from barneby.matching.explain import explain
from barneby.matching.index import Index
from barneby.matching.problem import Assignment, ChildId, Costs, HomeId, Solution, SolveStatus
from barneby.matching.rules import evaluate, lexicographic_gap, split_counts


def positions_key(index: Index, positions: list[int | None]) -> tuple[int, int, int, int]:
    """The objective of a placement given as home positions (``None``: unplaced), as a tuple."""
    assignment = {
        c.id: None if k is None else index.homes[k].id for c, k in zip(index.children, positions, strict=True)
    }
    return evaluate(index.problem, assignment).as_tuple()


def trivial_bound(index: Index) -> Costs:
    """Bounds that need no search, level by level (each assuming the levels before are at their bound).

    Unplaced: children with no eligible home at all. Splits: per group, the
    fewest homes it needs on its own, minus one. Needs and distance: every
    child in its own cheapest home.
    """
    unplaced = index.placeable.count(False)
    splits = sum(max(0, (m or 1) - 1) for m in index.min_homes.values())
    unmet = dist = 0
    for i, homes in enumerate(index.candidates):
        if homes:
            u, d = index.cost[i][homes[0]]
            unmet += u
            dist += d
    return Costs(unplaced=unplaced, splits=splits, unmet_needs=unmet, distance_hm=dist)


def proven_part(costs: Costs, bound: Costs) -> Costs:
    """Keep the bound up to and including the first level not proven; later levels say nothing."""
    values = list(bound.as_tuple())
    for level, (v, b) in enumerate(zip(costs.as_tuple(), bound.as_tuple(), strict=True)):
        values[level] = min(v, b)
        if v > b:
            for later in range(level + 1, 4):
                values[later] = 0
            break
    return Costs(*values)


def make_solution(
    index: Index,
    assignment: Assignment,
    *,
    solver: str,
    bound: Costs,
    started: float,
    seed: int = 0,
) -> Solution:
    problem = index.problem
    full: dict[ChildId, HomeId | None] = {c.id: assignment.get(c.id) for c in problem.children}
    costs = evaluate(problem, full)
    bound = proven_part(costs, bound)
    gap_level, gap = lexicographic_gap(costs, bound)
    status = SolveStatus(
        solver=solver,
        optimal=gap_level is None,
        wall_s=time.perf_counter() - started,
        gap=gap,
        gap_level=gap_level,
        lower_bound=bound,
        seed=seed,
    )
    splits = split_counts(problem, full)
    return Solution(
        assignment=full,
        splits=splits,
        costs=costs,
        status=status,
        explanations=explain(index, full, status),
    )
