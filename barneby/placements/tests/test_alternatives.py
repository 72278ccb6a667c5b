"""A sibling group gets the best three placements, each valid, distinct, ranked, with its costs, and any may be chosen."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from barneby import matching
from barneby.care import selectors as care_selectors
from barneby.care import services as care
from barneby.care.models import Child
from barneby.care.tests import factories as f
from barneby.core.tests.personas import verified_client
from barneby.placements import loader, services
from barneby.placements.alternatives import best_placements
from barneby.placements.models import MatchingRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> f.World:
    world = f.world()
    # Home A takes the three together; B takes two of them; the small home one; the homes lie apart.
    for home, capacity, siblings, lat in (
        (world.home_a, 3, 3, "60.39"),
        (world.home_b, 2, 2, "60.50"),
        (world.home_small, 1, None, "60.80"),
    ):
        home.capacity = capacity
        home.takes_sibling_groups = siblings is not None
        home.max_sibling_group_size = siblings
        home.latitude, home.longitude = Decimal(lat), Decimal("5.32")
        home.save()
    return world


def three_siblings(w: f.World) -> list[Child]:
    kids = [f.child(w.programme, w.caseworker, first_name=name) for name in ("Ada", "Bo", "Cas")]
    care.sibling_link_group(actor=w.caseworker, child=kids[0], other=kids[1], kind="full")
    care.sibling_link_group(actor=w.caseworker, child=kids[2], other=kids[0], kind="full")
    for kid in kids:
        f.gatekeep(kid, w.caseworker)
        kid.refresh_from_db()
    return kids


def test_three_distinct_valid_ranked_proposals_with_their_costs(w: f.World) -> None:
    kids = three_siblings(w)
    run = services.propose_for_child(actor=w.caseworker, child=kids[0])
    problem = loader.build_problem(kids, care_selectors.homes_for_placement(user=w.caseworker, child=kids[0]))
    ranks = sorted(set(run.proposals.values_list("rank", flat=True)))
    assert ranks == [1, 2, 3]
    seen = set()
    costs = []
    for rank in ranks:
        rows = list(run.proposals.filter(rank=rank))
        assignment = {p.child_id: p.home_id for p in rows}
        assert matching.violations(problem, assignment) == []
        homes = frozenset(assignment.values())
        assert homes not in seen  # distinct
        seen.add(homes)
        assert len({p.costs["splits"] for p in rows}) == 1
        assert rows[0].costs == {
            **matching.evaluate(problem, assignment).__dict__,
            "distance_km": matching.evaluate(problem, assignment).distance_km,
        }
        costs.append(matching.evaluate(problem, assignment).as_tuple())
        assert all(p.explanation_nb for p in rows)
    assert costs == sorted(costs)  # best first, by the lexicographic cost
    assert costs[0] == matching.solve(problem, time_limit_s=5).key()  # the first is the solver's best
    assert run.costs["splits"] == costs[0][1]

    client = verified_client(w.caseworker)
    page = client.get(f"/plassering/kjoring/{run.pk}/").content.decode()
    for rank in ranks:
        assert f"Velg forslag {rank}" in page
        assert f'<dl class="facts costs" data-rank="{rank}">' in page
    assert "Delinger av søskenflokken" in page
    # The caseworker may choose the third as well as the first.
    third = run.proposals.filter(rank=3).order_by("child__birth_date", "pk").exclude(home=None).first()
    assert third is not None
    chosen = client.post(f"/plassering/kjoring/{run.pk}/velg/3/")
    assert chosen.status_code == 302
    assert chosen["Location"].startswith(f"/omsorg/barn/{third.child_id}/plassering/")


def test_an_alternative_that_splits_says_so_rather_than_that_the_split_was_needed(w: f.World) -> None:
    kids = three_siblings(w)
    run = services.propose_for_child(actor=w.caseworker, child=kids[0])
    assert all(p.together for p in run.proposals.filter(rank=1))
    for p in run.proposals.filter(rank__gt=1, together=False):
        assert "delingen var nødvendig" not in p.explanation_nb
        assert "det finnes et som holder dem sammen" in p.explanation_nb


def test_the_search_is_bounded_by_its_time_budget(w: f.World) -> None:
    kids = three_siblings(w)
    problem = loader.build_problem(kids, care_selectors.homes_for_placement(user=w.caseworker, child=kids[0]))
    group = kids[0].sibling_group_id
    assert group is not None
    assert best_placements(problem, group, k=3, time_limit_s=0) == []
    assert len(best_placements(problem, group, k=3, time_limit_s=10)) == 3


def test_the_run_records_the_method_and_whether_the_best_is_proven(w: f.World) -> None:
    kids = three_siblings(w)
    run = services.propose_for_child(actor=w.caseworker, child=kids[1])
    run = MatchingRun.objects.get(pk=run.pk)
    assert run.solver
    assert run.optimal is True
    assert run.homes_count == 3


def test_the_three_are_the_best_three_distinct_placements_a_full_search_finds() -> None:
    siblings = tuple(
        matching.Child(id=i, age=age, sex="F", group=1, origin=(60.0, 5.0), needs=frozenset(needs))
        for i, age, needs in ((1, 4, ()), (2, 9, ("trauma",)), (3, 14, ()))
    )
    homes = (
        matching.Home(id=10, places=3, max_siblings=3, location=(60.0, 5.5)),
        matching.Home(id=11, places=2, max_siblings=2, location=(60.0, 5.1), competences=frozenset({"trauma"})),
        matching.Home(id=12, places=1, max_siblings=1, location=(60.1, 5.0), min_age=10),
        matching.Home(id=13, places=2, max_siblings=2, location=(60.3, 5.0), max_age=12),
        matching.Home(id=14, places=0, location=(60.0, 5.0)),
    )
    problem = matching.Problem(children=siblings, homes=homes)
    best: dict[tuple[frozenset[int], int], tuple[int, int, int, int]] = {}
    for combo in itertools.product([None, *(h.id for h in homes)], repeat=len(siblings)):
        assignment = {c.id: h for c, h in zip(siblings, combo, strict=True)}
        if matching.violations(problem, assignment) or all(h is None for h in combo):
            continue
        key = (frozenset(h for h in combo if h is not None), sum(h is None for h in combo))
        costs = matching.evaluate(problem, assignment).as_tuple()
        best[key] = min(best.get(key, costs), costs)
    fewest_unplaced = min(k[1] for k in best)
    expected = sorted(c for k, c in best.items() if k[1] == fewest_unplaced)[:3]
    found = best_placements(problem, 1, k=3, time_limit_s=20)
    assert [a.costs.as_tuple() for a in found] == expected
    assert len({(a.homes, sum(h is None for h in a.assignment.values())) for a in found}) == 3
