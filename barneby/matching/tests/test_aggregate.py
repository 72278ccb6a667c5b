from __future__ import annotations

import pytest

from barneby.matching import Child, Home, Problem, violations
from barneby.matching.aggregate import aggregate_bound
from barneby.matching.index import Index
from barneby.matching.rules import evaluate

from .factories import brute_force, tiny_problem


@pytest.mark.parametrize("seed", range(8))
def test_aggregate_bound_never_exceeds_the_exhaustive_optimum(seed: int) -> None:
    problem = tiny_problem(seed)
    optimum, _ = brute_force(problem)
    result = aggregate_bound(Index(problem), time_limit_s=10)
    assert (result.unplaced, result.splits) <= (optimum.unplaced, optimum.splits)
    if not any(c.keep_apart for c in problem.children):
        # Without keep-apart pairs across groups the aggregate is exact on the first two levels.
        assert result.proven
        assert (result.unplaced, result.splits) == (optimum.unplaced, optimum.splits)


def test_aggregate_placement_reaches_its_bound() -> None:
    trio = [Child(id=i, age=9, sex="F", group=1) for i in (1, 2, 3)]
    pair = [Child(id=i, age=9, sex="M", group=2) for i in (4, 5)]
    homes = (Home(id=10, places=3), Home(id=11, places=2), Home(id=12, places=1), Home(id=13, places=1))
    problem = Problem(children=(*trio, *pair), homes=homes)
    index = Index(problem)
    result = aggregate_bound(index, time_limit_s=10)
    assert result.positions is not None
    assignment = {
        c.id: None if k is None else index.homes[k].id for c, k in zip(index.children, result.positions, strict=True)
    }
    assert violations(problem, assignment) == []
    assert (result.unplaced, result.splits) == (0, 0)
    assert evaluate(problem, assignment).splits == 0
