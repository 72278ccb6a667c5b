"""Property tests on random small problems: always valid, never worse than greedy."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barneby.matching import Child, Home, KeepApart, Problem, greedy, solve, violations

from .factories import near

coordinates = st.builds(near, st.floats(-80, 80), st.floats(-80, 80))


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    children: list[Child] = []
    for group, size in enumerate(sizes, start=1):
        origin = draw(coordinates)
        for _ in range(size):
            children.append(
                Child(
                    id=len(children) + 1,
                    age=draw(st.integers(0, 17)),
                    sex=draw(st.sampled_from("FM")),
                    group=group if size > 1 else None,
                    needs=draw(st.frozensets(st.sampled_from(("trauma", "substance")), max_size=2)),
                    origin=origin,
                    school=draw(st.none() | coordinates),
                    excluded_homes=draw(st.frozensets(st.integers(100, 104), max_size=1)),
                )
            )
    if len(children) >= 2 and draw(st.booleans()):
        a, b = draw(st.lists(st.sampled_from([c.id for c in children]), min_size=2, max_size=2, unique=True))
        first = children[a - 1]
        children[a - 1] = Child(**{**first.__dict__, "keep_apart": (KeepApart(b, "court_order"),)})
    homes = tuple(
        Home(
            id=100 + k,
            places=draw(st.integers(0, 4)),
            min_age=draw(st.sampled_from((0, 0, 6, 12))),
            max_age=draw(st.sampled_from((17, 17, 12))),
            sexes=draw(st.sampled_from((None, None, frozenset("F"), frozenset("M")))),
            competences=draw(st.frozensets(st.sampled_from(("trauma", "substance")))),
            location=draw(coordinates),
            max_siblings=draw(st.sampled_from((None, None, 1, 2, 3))),
        )
        for k in range(draw(st.integers(1, 5)))
    )
    return Problem(children=tuple(children), homes=homes, max_distance_km=draw(st.sampled_from((None, None, 60.0))))


# No example database: the tests must not write into the work tree.
FAST = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(problems())
def test_greedy_respects_every_hard_constraint(problem: Problem) -> None:
    assert violations(problem, greedy(problem).assignment) == []


@FAST
@given(problems())
def test_solver_respects_every_hard_constraint_and_never_loses_to_greedy(problem: Problem) -> None:
    solution = solve(problem, time_limit_s=5)
    assert violations(problem, solution.assignment) == []
    assert solution.key() <= greedy(problem).key()
    assert set(solution.assignment) == {c.id for c in problem.children}
    if solution.status.optimal:
        assert solution.status.lower_bound == solution.costs


@FAST
@given(problems())
def test_polishing_keeps_the_first_two_levels_and_every_hard_constraint(problem: Problem) -> None:
    from barneby.matching.heuristics.greedy import greedy_positions
    from barneby.matching.heuristics.polish import polish
    from barneby.matching.index import default_index
    from barneby.matching.result import positions_key as _positions_key

    index = default_index(problem)
    before = greedy_positions(index)
    after = polish(index, before, time_limit_s=5)
    assignment = {c.id: None if k is None else index.homes[k].id for c, k in zip(index.children, after, strict=True)}
    assert violations(problem, assignment) == []
    old, new = _positions_key(index, before), _positions_key(index, after)
    assert new[:2] == old[:2]
    assert new <= old
