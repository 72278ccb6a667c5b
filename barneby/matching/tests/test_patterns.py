"""The pattern model: a valid lower bound on the first two levels, and a placement that reaches it."""

from __future__ import annotations

import pytest

from barneby.matching import Child, Home, KeepApart, Problem, violations
from barneby.matching.heuristics.greedy import greedy_positions
from barneby.matching.index import Index, default_index
from barneby.matching.models.patterns import pattern_bound, set_partitions
from barneby.matching.result import positions_key as _positions_key
from barneby.matching.result import trivial_bound
from barneby.matching.solver import valid as _valid
from barneby.matching.synthetic import instance

from .factories import brute_force, near, tiny_problem


def _assignment(index: Index, positions: list[int | None]) -> dict[int, int | None]:
    return {c.id: None if k is None else index.homes[k].id for c, k in zip(index.children, positions, strict=True)}


def test_set_partitions_respect_block_size_and_keep_apart_pairs() -> None:
    assert len(set_partitions(4, 4, frozenset())) == 15  # Bell(4)
    assert len(set_partitions(6, 6, frozenset())) == 203  # Bell(6)
    assert len(set_partitions(4, 2, frozenset())) == 10  # singletons and pairs only
    apart = frozenset({(0, 1)})
    partitions = set_partitions(3, 3, apart)
    assert len(partitions) == 3  # of Bell(3) = 5, the two with 0 and 1 together are gone
    assert all(not {0, 1} <= set(block) for blocks in partitions for block in blocks)


@pytest.mark.parametrize("seed", range(10))
def test_pattern_bound_never_exceeds_the_exhaustive_optimum(seed: int) -> None:
    problem = tiny_problem(seed)
    optimum, _ = brute_force(problem)
    index = Index(problem)
    result = pattern_bound(index, time_limit_s=10, warm=greedy_positions(index))
    assert (result.unplaced, result.splits) <= (optimum.unplaced, optimum.splits)
    assert result.positions is not None
    assert _valid(index, result.positions)
    if result.proven:
        # Proven means the placement reaches the bound: then it is the optimum.
        assert tuple(_positions_key(index, result.positions)[:2]) == (optimum.unplaced, optimum.splits)
        # With the first two levels at their optimum, the needs bound holds too.
        assert result.unmet is not None
        assert result.unmet <= optimum.unmet_needs


@pytest.mark.parametrize("seed", [1, 2])
def test_the_pattern_bound_is_never_above_a_placement_nor_below_the_trivial_bound(seed: int) -> None:
    problem = instance(150, seed=seed)
    index = default_index(problem)
    start = greedy_positions(index)
    counted = pattern_bound(index, time_limit_s=15, seed=seed, warm=start)
    found = [start] + [p for p in (counted.positions,) if p is not None]
    best = min(_positions_key(index, p)[:2] for p in found if _valid(index, p))
    # Leaving out exclusions and keep-apart pairs across groups only relaxes.
    assert (counted.unplaced, counted.splits) <= best
    assert (counted.unplaced, counted.splits) >= trivial_bound(index).as_tuple()[:2]


@pytest.mark.slow
def test_the_placement_respects_every_rule_and_reaches_the_bound_on_a_national_batch() -> None:
    problem = instance(1_500, seed=5)
    index = default_index(problem)
    start = greedy_positions(index)
    # A cap, not a target: proven in about 6 s on a quiet machine; a loaded CI under coverage needs more.
    result = pattern_bound(index, time_limit_s=60, seed=0, warm=start)
    assert result.positions is not None
    assert violations(problem, _assignment(index, result.positions)) == []
    assert result.proven
    assert tuple(_positions_key(index, result.positions)[:2]) == (result.unplaced, result.splits)
    # The heuristic splits more on this batch; the bound shows it is not forced to.
    assert result.splits < _positions_key(index, start)[1]


def test_siblings_kept_apart_by_a_protection_reason_are_never_given_one_part() -> None:
    pair = (
        Child(id=1, age=8, sex="F", group=1, keep_apart=(KeepApart(2, "violence"),)),
        Child(id=2, age=9, sex="M", group=1),
    )
    homes = (Home(id=10, places=2), Home(id=11, places=1), Home(id=12, places=1))
    index = Index(Problem(children=pair, homes=homes))
    result = pattern_bound(index, time_limit_s=10, warm=greedy_positions(index))
    assert (result.unplaced, result.splits) == (0, 1)
    assert result.positions is not None
    assert result.positions[0] != result.positions[1]


def test_children_stay_in_their_own_region_when_the_first_two_levels_allow_it() -> None:
    west, east = (60.39, 5.32), (59.91, 10.75)
    trios = [
        Child(id=n, age=10, sex="F", group=g, origin=origin, region=region)
        for g, (origin, region) in enumerate(((west, "west"), (east, "east")), start=1)
        for n in range(3 * g - 2, 3 * g + 1)
    ]
    # Two homes alike in every rule, one in each region: either trio fits either.
    homes = (
        Home(id=10, places=3, location=near(5, origin=east), region="east"),
        Home(id=11, places=3, location=near(5, origin=west), region="west"),
    )
    problem = Problem(children=tuple(trios), homes=homes)
    index = Index(problem)
    crossed: list[int | None] = [0, 0, 0, 1, 1, 1]  # each trio in the other region: no split, far from home
    result = pattern_bound(index, time_limit_s=10, warm=crossed)
    assert result.positions == [1, 1, 1, 0, 0, 0]
    assert (result.unplaced, result.splits) == (0, 0)


def test_single_children_take_the_places_left_at_the_least_distance_in_all() -> None:
    from barneby.matching.heuristics.greedy import Load
    from barneby.matching.models.patterns import singles_by_transport

    # One at a time, the first child would take home 10 and send the second 50 km away.
    problem = Problem(
        children=(
            Child(id=1, age=9, sex="F", origin=near(0)),
            Child(id=2, age=9, sex="F", origin=near(-1)),
            Child(id=3, age=9, sex="F", origin=near(0)),
        ),
        homes=(
            Home(id=10, places=1, location=near(-0.5)),
            Home(id=11, places=1, location=near(1.5)),
            Home(id=12, places=1, location=near(-50)),
        ),
    )
    index = Index(problem)
    load = Load(index)
    load.place(2, 2)  # the third child already lives in the far home: no place is left for anyone else there
    left = singles_by_transport(index, load, [0, 1])
    assert left == []
    assert load.home_of[:2] == [1, 0]
    # With every place taken, a child is handed back for the best-fit rules.
    full = Problem(children=problem.children[:2], homes=problem.homes[:1])
    index = Index(full)
    load = Load(index)
    load.place(0, 0)
    assert singles_by_transport(index, load, [1]) == [1]
    assert load.home_of == [0, None]


@pytest.mark.slow
def test_needs_are_bounded_and_met_where_the_home_types_allow() -> None:
    problem = instance(500, seed=0)
    index = default_index(problem)
    start = greedy_positions(index)
    result = pattern_bound(index, time_limit_s=40, warm=start)  # room for a loaded machine
    assert result.proven
    assert result.unmet is not None
    assert result.positions is not None
    assert violations(problem, _assignment(index, result.positions)) == []
    # Measured: the greedy leaves 14 needs unmet; with splits at their optimum, 1 is the least possible.
    assert _positions_key(index, result.positions)[2] == result.unmet == 1
    assert _positions_key(index, start)[2] > result.unmet


@pytest.mark.slow
def test_the_integer_model_reaches_the_bound_the_lp_gives() -> None:
    # With the heuristic's placement handed to HiGHS as a start, it stopped at that start (31 splits).
    problem = instance(1_000, seed=0)
    index = default_index(problem)
    # A cap, not a target: proven in a few seconds on a quiet machine; a loaded CI under coverage needs more.
    result = pattern_bound(index, time_limit_s=60, warm=greedy_positions(index))
    assert result.proven
    assert (result.unplaced, result.splits) == (0, 28)


def _cheapest_by_enumeration(
    options: list[tuple[tuple[int, ...], tuple[float, int | None], float]], split: float
) -> float:
    """Every choice of parts to place, written out: the cheapest total with the splits counted."""
    import itertools

    best = float("inf")
    for placed in itertools.product((False, True), repeat=len(options)):
        if any(p and t is None for p, (_b, (_price, t), _u) in zip(placed, options, strict=True)):
            continue
        cost = sum(price if p else u for p, (_b, (price, _t), u) in zip(placed, options, strict=True))
        best = min(best, cost + split * max(0, sum(placed) - 1))
    return best


@pytest.mark.parametrize("seed", range(40))
def test_the_cheapest_choice_of_parts_is_the_cheapest_of_every_choice(seed: int) -> None:
    import random

    from barneby.matching.models.patterns import _cheapest_choice

    rng = random.Random(seed)
    options: list[tuple[tuple[int, ...], tuple[float, int | None], float]] = []
    for n in range(rng.randint(1, 6)):
        t = None if rng.random() < 0.2 else rng.randint(0, 3)
        options.append(((n,), (rng.uniform(-5, 5), t), rng.uniform(0, 6)))
    split = rng.choice([0.0, 0.5, 1.0, 3.0])
    total, pattern = _cheapest_choice(options, split)
    assert total == pytest.approx(_cheapest_by_enumeration(options, split))
    # The pattern is the choice the total prices: each placed part in its cheapest type.
    chosen = dict(pattern)
    placed = [o for o in options if chosen.get(o[0]) is not None]
    priced = sum(o[1][0] if o in placed else o[2] for o in options) + split * max(0, len(placed) - 1)
    assert total == pytest.approx(priced)


def test_column_generation_on_one_lp_ends_at_the_value_of_the_lp_built_anew() -> None:
    import highspy

    from barneby.matching.models.patterns import PatternModel, _generate, _highs

    index = default_index(instance(40, seed=3))
    model = PatternModel(index, needs=True)
    model.w_unmet = 1.0  # needs counted too, as in the needs round
    value, converged = _generate(model, until=float("inf"), seed=0)
    assert converged
    fresh = _highs(model, seed=0, integer=False)
    fresh.run()
    assert fresh.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert value == pytest.approx(fresh.getInfo().objective_function_value, abs=1e-6)
