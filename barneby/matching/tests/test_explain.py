from __future__ import annotations

import pytest

from barneby.matching import Child, Home, Problem, greedy, solve
from barneby.matching.explain import render_reason
from barneby.matching.problem import Reason

from .factories import OSLO, near


def _siblings(count: int, **extra: object) -> tuple[Child, ...]:
    return tuple(Child(id=i, age=9, sex="F", group=1, origin=OSLO, **extra) for i in range(1, count + 1))  # type: ignore[arg-type]


def test_siblings_together_with_distance_and_competence() -> None:
    children = _siblings(2, school=near(2), needs=frozenset({"trauma"}))
    home = Home(id=10, places=2, competences=frozenset({"trauma"}), location=near(12, 0, near(2)))
    solution = solve(Problem(children=children, homes=(home,)), time_limit_s=10)
    nb = solution.explanations[1].render("nb")
    en = solution.explanations[1].render("en")
    assert nb.startswith("Søsknene bor sammen; ")
    assert "12 km fra skolen" in nb
    assert "hjemmet har kompetanse på traumer" in nb
    assert en.startswith("The siblings live together; ")
    assert "12 km from school" in en
    assert "the home has competence in trauma" in en


def test_unavoidable_split_says_no_home_is_big_enough() -> None:
    children = _siblings(4)
    homes = (Home(id=10, places=2, location=OSLO), Home(id=11, places=2, location=near(5)))
    problem = Problem(children=children, homes=homes, max_distance_km=100)
    solution = solve(problem, time_limit_s=10)
    assert solution.splits == {1: 1}
    nb = solution.explanations[1].render("nb")
    en = solution.explanations[1].render("en")
    assert nb.startswith("De fire søsknene er fordelt på to hjem; ")
    assert "ingen ledige hjem med plass til fire søsken innen 100 km" in nb
    assert en.startswith("The four siblings are spread over two homes; ")
    assert "no home with free places for four siblings within 100 km" in en


def test_split_forced_by_competition_is_explained_as_necessary() -> None:
    # One home for three, which either group could have whole; the other
    # homes take one child each, so keeping the trio whole costs one split
    # (the pair) and keeping the pair whole would cost two (the trio).
    trio = tuple(Child(id=i, age=9, sex="F", group=1, origin=OSLO) for i in (1, 2, 3))
    pair = tuple(Child(id=i, age=9, sex="F", group=2, origin=OSLO) for i in (4, 5))
    homes = (Home(id=10, places=3, location=OSLO), Home(id=11, places=1), Home(id=12, places=1))
    solution = solve(Problem(children=trio + pair, homes=homes), time_limit_s=10)
    assert solution.status.optimal
    assert solution.splits == {1: 0, 2: 1}
    assert "delingen var nødvendig" in solution.explanations[4].render("nb")
    assert "the split was necessary" in solution.explanations[4].render("en")
    assert "the distance is unknown" in solution.explanations[4].render("en")


def test_unmet_need_and_unplaced_child_are_explained() -> None:
    children = (
        Child(id=1, age=9, sex="F", needs=frozenset({"substance"}), origin=OSLO),
        Child(id=2, age=2, sex="F", origin=OSLO),
    )
    home = Home(id=10, places=2, min_age=6, location=near(30))
    solution = greedy(Problem(children=children, homes=(home,)))
    assert solution.explanations[1].render("nb") == "Hjemmet mangler kompetanse på rus; 30 km fra hjemstedet."
    assert solution.explanations[1].render("en") == "The home lacks competence in substance abuse; 30 km from home."
    assert solution.explanations[2].render("nb").startswith("Ingen hjem oppfyller kravene")
    assert solution.explanations[2].render("en").startswith("No home meets the requirements")


def test_explanations_are_data_with_codes() -> None:
    solution = greedy(Problem(children=_siblings(2), homes=(Home(id=10, places=2, location=OSLO),)))
    codes = [r.code for r in solution.explanations[1].reasons]
    assert codes == ["siblings_together", "distance_origin"]
    assert solution.explanations[1].reasons[1].param("km") == 0


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        render_reason(Reason("siblings_together"), "sv")


def test_a_child_the_full_homes_would_take_is_told_the_homes_are_full() -> None:
    child = Child(id=1, age=9, sex="F", origin=OSLO)
    homes = (
        Home(id=10, places=0, min_age=6, max_age=12, location=OSLO),  # would take her, but full
        Home(id=11, places=2, min_age=0, max_age=3, location=OSLO),  # has room, but for the youngest
    )
    solution = solve(Problem(children=(child,), homes=homes), time_limit_s=10)
    assert solution.assignment[1] is None
    assert solution.explanations[1].render("nb") == "Alle egnede hjem er fulle (bevist)."
    assert solution.explanations[1].render("en") == "Every suitable home is full (proven)."


def test_a_child_no_home_would_take_even_with_room_is_told_the_requirements_are_not_met() -> None:
    child = Child(id=1, age=9, sex="F", origin=OSLO)
    homes = (Home(id=10, places=0, min_age=0, max_age=3), Home(id=11, places=2, min_age=13, max_age=18))
    solution = greedy(Problem(children=(child,), homes=homes))
    assert solution.explanations[1].render("nb").startswith("Ingen hjem oppfyller kravene")


def test_a_split_group_with_a_child_left_without_a_place_says_so() -> None:
    homes = (Home(id=10, places=1, location=OSLO), Home(id=11, places=1, location=OSLO))
    solution = solve(Problem(children=_siblings(3), homes=homes), time_limit_s=10)
    placed = [c for c, h in solution.assignment.items() if h is not None]
    assert len(placed) == 2
    nb = solution.explanations[placed[0]].render("nb")
    en = solution.explanations[placed[0]].render("en")
    assert nb.startswith("To av de tre søsknene er fordelt på to hjem; ett søsken er uten plass")
    assert "De tre søsknene er fordelt" not in nb
    assert en.startswith("Two of the three siblings are spread over two homes; one sibling has no place")


def test_siblings_together_with_one_left_without_a_place_are_not_said_to_live_together() -> None:
    home = Home(id=10, places=2, location=OSLO)
    solution = solve(Problem(children=_siblings(3), homes=(home,)), time_limit_s=10)
    placed = [c for c, h in solution.assignment.items() if h is not None]
    assert len(placed) == 2
    nb = solution.explanations[placed[0]].render("nb")
    assert nb.startswith("To av de tre søsknene bor sammen; ett søsken er uten plass")
    assert "Søsknene bor sammen" not in nb
    assert (
        solution.explanations[placed[0]]
        .render("en")
        .startswith("Two of the three siblings live together; one sibling has no place")
    )
