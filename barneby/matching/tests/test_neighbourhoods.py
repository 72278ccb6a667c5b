"""Re-placing neighbourhoods exactly: which children go together, and what that finds."""

from __future__ import annotations

import json
import time
from pathlib import Path

from barneby.matching.index import Index
from barneby.matching.result import positions_key, trivial_bound
from barneby.matching.solver import Budget, Run, neighbourhoods, re_place_neighbourhoods
from barneby.matching.synthetic import instance

DATA = Path(__file__).parent / "data"


def _start() -> tuple[Index, list[int | None]]:
    problem = instance(150, seed=0)
    index = Index(problem)
    saved = json.loads((DATA / "placement_150_seed0.json").read_text())["assignment"]
    positions = [None if (home := saved[str(c.id)]) is None else index.home_pos[home] for c in index.children]
    return index, positions


def test_each_neighbourhood_is_closed_under_sibling_groups_and_homes_of_one_size_come_first() -> None:
    index, positions = _start()
    found = neighbourhoods(index, positions, 50)
    for kids in found:
        assert kids == sorted(set(kids))
        assert 1 < len(kids) < len(index.children)
        for i in kids:
            assert set(index.unit_of(i)) <= set(kids)
    two_places = {i for i, k in enumerate(positions) if k is not None and index.homes[k].places == 2}
    closed = {j for i in two_places for j in index.unit_of(i)}
    assert len(closed) <= 100  # one set, not cut by where the homes are
    assert sorted(closed) in found
    # The windows of neighbours follow.
    assert len(found) > len({index.homes[k].places for k in positions if k is not None})


def test_the_children_of_two_place_homes_re_placed_together_reach_the_optimum() -> None:
    # From this placement polishing moves no part, windows of neighbours change nothing and the
    # per-home model on the whole batch finds nothing in 30 s; the optimum (26,633.2 km, proven
    # by the per-home model in 223 s) places 20 children differently, all living in two-place
    # homes: pairs trade homes in a long chain and two split groups of four change partners.
    index, positions = _start()
    key = positions_key(index, positions)
    assert key == (0, 11, 5, 282_987)
    run = Run(
        index=index,
        budget=Budget(),
        deadline=time.perf_counter() + 600,
        seed=0,
        positions=list(positions),
        bound=trivial_bound(index).as_tuple(),
    )
    re_place_neighbourhoods(run, until=time.perf_counter() + 120)
    assert run.key()[:3] == key[:3]
    assert run.key()[3] == 266_332
