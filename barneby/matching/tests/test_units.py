"""The unit model: needs and distance proven once every group is in as few homes as it can be."""

from __future__ import annotations

import pytest

from barneby.matching import Child, Home, KeepApart, Problem, solve
from barneby.matching.heuristics.greedy import greedy_positions
from barneby.matching.index import Index
from barneby.matching.models.units import UnitModel
from barneby.matching.result import positions_key as _positions_key
from barneby.matching.result import trivial_bound
from barneby.matching.solver import Budget

from .factories import OSLO, brute_force, near, tiny_problem


# The tiny problems (of seeds 0 to 11) whose first two levels sit at their trivial bound, where the unit model applies.
@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 6, 7, 8])
def test_the_unit_path_finds_and_proves_the_exhaustive_optimum(seed: int) -> None:
    problem = tiny_problem(seed, children=7, homes=5)
    optimum, _ = brute_force(problem)
    index = Index(problem)
    assert optimum.as_tuple()[:2] == trivial_bound(index).as_tuple()[:2]
    # exact_pairs=0 keeps the per-home model out: the pattern or unit model proves needs, the contents model distance.
    solution = solve(problem, time_limit_s=10, budget=Budget(exact_pairs=0), index=index)
    assert solution.status.solver in {"highs", "highs units"}
    assert solution.costs == optimum
    assert solution.status.optimal


def test_kept_apart_children_are_never_put_together_by_the_unit_model() -> None:
    # The home near both has two places; the other is far. Kept apart, one of them must travel.
    problem = Problem(
        children=(
            Child(id=1, age=9, sex="F", origin=OSLO, keep_apart=(KeepApart(2, "violence"),)),
            Child(id=2, age=9, sex="F", origin=OSLO),
        ),
        homes=(Home(id=10, places=2, location=near(1)), Home(id=11, places=1, location=near(80))),
    )
    index = Index(problem)
    model = UnitModel(index)
    start = greedy_positions(index)
    assert start[0] != start[1]
    positions, value, bound, proven = model.solve(model.dist, start, time_limit_s=10, seed=0)
    assert positions[0] != positions[1]
    assert proven
    assert value == bound == _positions_key(index, positions)[3]


def test_a_start_that_splits_a_group_it_need_not_is_not_one_the_model_holds() -> None:
    pair = (Child(id=1, age=9, sex="F", group=1), Child(id=2, age=9, sex="F", group=1))
    problem = Problem(children=pair, homes=(Home(id=10, places=2), Home(id=11, places=1)))
    model = UnitModel(Index(problem))
    assert model.vector([0, 1]) is None
    assert model.vector([0, 0]) is not None
