from __future__ import annotations

import pytest

from barneby.matching import Child, Costs, Home, KeepApart, Problem, evaluate, violations
from barneby.matching.rules import haversine_km, min_homes_for

from .factories import OSLO, near


def test_haversine_oslo_bergen_is_about_300_km() -> None:
    assert haversine_km(OSLO, (60.39, 5.32)) == pytest.approx(305, abs=5)


def test_evaluate_counts_each_level() -> None:
    problem = Problem(
        children=(
            Child(id=1, age=8, sex="F", group=7, needs=frozenset({"trauma"}), origin=OSLO),
            Child(id=2, age=10, sex="M", group=7, origin=OSLO),
            Child(id=3, age=12, sex="M"),
        ),
        homes=(
            Home(id=10, places=1, location=near(10)),
            Home(id=11, places=1, competences=frozenset({"trauma"}), location=OSLO),
        ),
    )
    costs = evaluate(problem, {1: 10, 2: 11, 3: None})
    assert costs.unplaced == 1
    assert costs.splits == 1
    assert costs.unmet_needs == 1
    assert costs.distance_hm == 100  # 10 km for child 1, 0 km for child 2
    assert costs < Costs(unplaced=2)


@pytest.mark.parametrize(
    ("child", "home", "message"),
    [
        (Child(id=1, age=3, sex="F"), Home(id=10, places=1, min_age=6), "age 3 outside 6-99"),
        (Child(id=1, age=8, sex="M"), Home(id=10, places=1, sexes=frozenset("F")), "sex M not accepted"),
        (Child(id=1, age=8, sex="M", excluded_homes=frozenset({10})), Home(id=10, places=1), "excluded"),
        (Child(id=1, age=8, sex="M"), Home(id=10, places=0), "no free places"),
    ],
)
def test_violations_name_the_broken_rule(child: Child, home: Home, message: str) -> None:
    problem = Problem(children=(child,), homes=(home,))
    assert any(message in v for v in violations(problem, {1: 10}))


def test_violations_catch_capacity_sibling_limit_and_keep_apart() -> None:
    problem = Problem(
        children=(
            Child(id=1, age=8, sex="F", group=5),
            Child(id=2, age=9, sex="F", group=5),
            Child(id=3, age=9, sex="F", keep_apart=(KeepApart(4, "violence"),)),
            Child(id=4, age=9, sex="F"),
        ),
        homes=(Home(id=10, places=2, max_siblings=1), Home(id=11, places=3)),
    )
    found = violations(problem, {1: 10, 2: 10, 3: 11, 4: 11})
    assert any("2 siblings of group 5, limit 1" in v for v in found)
    assert any("children 3 and 4 must not live together" in v for v in found)
    assert any("3 children for 2" in v for v in violations(problem, {1: 11, 3: 10, 4: 10, 2: 10}))
    assert violations(problem, {1: 10, 2: 11, 3: 11, 4: 10}) == []


def test_region_rule_only_binds_when_crossing_is_forbidden() -> None:
    child = Child(id=1, age=8, sex="F", region="east")
    home = Home(id=10, places=1, region="west")
    assert violations(Problem(children=(child,), homes=(home,)), {1: 10}) == []
    assert violations(Problem(children=(child,), homes=(home,), cross_region=False), {1: 10})


def test_min_homes_counts_what_a_group_needs_on_its_own() -> None:
    members = [Child(id=i, age=8, sex="F", group=1) for i in range(1, 5)]
    problem = Problem(children=tuple(members), homes=(Home(id=10, places=2), Home(id=11, places=3)))
    assert min_homes_for(problem, members) == 2
    big = Problem(children=tuple(members), homes=(Home(id=10, places=4),))
    assert min_homes_for(big, members) == 1
    limited = Problem(children=tuple(members), homes=(Home(id=10, places=4, max_siblings=2),))
    assert min_homes_for(limited, members) == 2
