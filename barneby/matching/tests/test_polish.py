"""Moving parts between homes: needs first, then distance, with splits and placements untouched."""

from __future__ import annotations

from barneby.matching import Child, Home, Problem
from barneby.matching.heuristics.polish import parts_of, polish, polish_blocks
from barneby.matching.index import default_index
from barneby.matching.result import positions_key as _positions_key
from barneby.matching.synthetic import instance

from .factories import near

OSLO = near(0.0)
BERGEN = near(0.0, -300.0)  # 300 km west


def test_a_sibling_pair_moves_home_to_where_its_needs_are_met() -> None:
    children = (
        Child(1, age=8, sex="F", group=1, needs=frozenset({"trauma"}), origin=OSLO),
        Child(2, age=10, sex="M", group=1, origin=OSLO),
    )
    homes = (
        Home(10, places=2, location=OSLO),
        Home(11, places=2, competences=frozenset({"trauma"}), location=BERGEN),
    )
    index = default_index(Problem(children=children, homes=homes))
    moved = polish(index, [0, 0], time_limit_s=5)
    # The unmet need outweighs 300 km; the pair stays together.
    assert moved == [1, 1]


def test_two_parts_of_a_split_group_never_end_up_in_one_home() -> None:
    children = tuple(Child(i, age=9, sex="F", group=1, origin=OSLO) for i in (1, 2, 3))
    homes = (
        Home(10, places=2, location=BERGEN),
        Home(11, places=1, location=BERGEN),
        Home(12, places=3, max_siblings=2, location=OSLO),
        Home(13, places=1, location=OSLO),
    )
    index = default_index(Problem(children=children, homes=homes))
    start: list[int | None] = [0, 0, 1]
    moved = polish(index, start, time_limit_s=5)
    assert len(parts_of(index, moved)) == 2
    assert sorted(k for k in moved if k is not None) == [2, 2, 3]  # both parts come to Oslo, still in two homes
    assert _positions_key(index, moved)[:2] == _positions_key(index, start)[:2]


def test_blocks_improve_a_national_batch_without_touching_splits() -> None:
    problem = instance(400, seed=3)
    index = default_index(problem)
    from barneby.matching.heuristics.greedy import greedy_positions

    start = greedy_positions(index)
    import time

    moved = polish_blocks(index, start, deadline=time.perf_counter() + 20)
    before, after = _positions_key(index, start), _positions_key(index, moved)
    assert after[:2] == before[:2]
    assert after[2:] < before[2:]
