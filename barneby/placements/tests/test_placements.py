"""Placement proposals: who may ask, what is proposed and explained, and that nothing is placed automatically."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from barneby.accounts.roles import Role, ScopeKind
from barneby.care import services as care
from barneby.care.models import Child, Placement
from barneby.care.tests import factories as f
from barneby.care.tests.factories import TODAY
from barneby.core.tests.personas import make_persona, verified_client
from barneby.organisation.tests import factories as org
from barneby.placements import loader, services
from barneby.placements.models import MatchingRun, Proposal, RunStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> f.World:
    world = f.world()
    # Home A takes a sibling group of three; home B has two places; the small home one.
    for home, capacity, siblings in ((world.home_a, 3, 3), (world.home_b, 2, 2), (world.home_small, 1, None)):
        home.capacity = capacity
        home.takes_sibling_groups = siblings is not None
        home.max_sibling_group_size = siblings
        home.latitude, home.longitude = Decimal("60.39"), Decimal("5.32")
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


def test_proposals_keep_the_group_together_and_explain_why(w: f.World) -> None:
    kids = three_siblings(w)
    run = services.propose_for_child(actor=w.caseworker, child=kids[0])
    best = list(run.proposals.filter(rank=1))
    assert {p.home_id for p in best} == {w.home_a.pk}
    assert all(p.together for p in best)
    assert "sammen" in best[0].explanation_nb.lower()
    assert "together" in best[0].explanation_en.lower()
    assert run.proposals.values("rank").distinct().count() >= 2  # alternatives are offered too
    assert Placement.objects.count() == 0  # only proposed, never placed


def test_when_no_home_takes_the_whole_group_the_best_split_is_proposed(w: f.World) -> None:
    w.home_a.capacity = 2
    w.home_a.max_sibling_group_size = 2
    w.home_a.save()
    kids = three_siblings(w)
    run = services.propose_for_child(actor=w.caseworker, child=kids[1])
    best = list(run.proposals.filter(rank=1))
    assert len({p.home_id for p in best}) == 2
    assert not best[0].together


def test_keep_apart_and_excluded_homes_are_respected(w: f.World) -> None:
    kids = three_siblings(w)
    kids[0].excluded_homes.add(w.home_a)
    run = services.propose_for_child(actor=w.caseworker, child=kids[0])
    assert all(p.home_id != w.home_a.pk for p in run.proposals.filter(child=kids[0]))


def test_the_same_input_gives_the_same_proposals(w: f.World) -> None:
    kids = three_siblings(w)
    first = services.propose_for_child(actor=w.caseworker, child=kids[0])
    second = services.propose_for_child(actor=w.caseworker, child=kids[2])

    def shape(run: MatchingRun) -> list[tuple[int, int, int | None, str]]:
        return list(
            run.proposals.order_by("rank", "child_id").values_list("rank", "child_id", "home_id", "explanation_nb")
        )

    assert shape(first) == shape(second)


def test_accepting_opens_the_prefilled_placement_form(w: f.World) -> None:
    kids = three_siblings(w)
    client = verified_client(w.caseworker)
    response = client.post(f"/plassering/barn/{kids[0].pk}/forslag/")
    run = MatchingRun.objects.get()
    assert response["Location"] == f"/plassering/kjoring/{run.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Ada" in page
    assert "Velg forslag 1" in page
    chosen = client.post(f"/plassering/kjoring/{run.pk}/velg/1/")
    assert chosen.status_code == 302
    first = run.proposals.get(rank=1, child=kids[0])
    assert chosen["Location"] == f"/omsorg/barn/{kids[0].pk}/plassering/?proposal={first.pk}"
    form = client.get(chosen["Location"]).content.decode()
    assert f'<option value="{w.home_a.pk}" selected>' in form
    assert not Proposal.objects.filter(accepted_at__isnull=False).exists()  # accepted when a placement is saved
    assert Placement.objects.count() == 0


def test_batch_run_for_everyone_waiting(w: f.World, django_capture_on_commit_callbacks: Any) -> None:
    kids = three_siblings(w)
    single = f.child(w.programme, w.caseworker, first_name="Dag")
    f.gatekeep(single, w.caseworker)
    placed = f.child(w.programme, w.caseworker, first_name="Eli")
    f.gatekeep(placed, w.caseworker)
    f.place(placed, w.other_home, w.caseworker, TODAY)  # not waiting: not in the batch
    client = verified_client(w.director)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/plassering/kjoring/ny/", {"programme": w.programme.pk})
    run = MatchingRun.objects.get()
    assert response["Location"] == f"/plassering/kjoring/{run.pk}/"
    assert run.status == RunStatus.DONE
    assert run.children_count == 4
    assert run.optimal is True
    homes = dict(run.proposals.values_list("child_id", "home_id"))
    assert {homes[k.pk] for k in kids} == {w.home_a.pk}
    assert homes[single.pk] is not None
    assert placed.pk not in homes
    assert run.costs["splits"] <= run.greedy_costs["splits"]
    page = client.get(f"/plassering/kjoring/{run.pk}/").content.decode()
    assert "bevist best mulig" in page
    assert Placement.objects.count() == 1


def test_a_placed_child_gets_no_proposals(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_b, w.caseworker, TODAY - dt.timedelta(days=3))
    kid.refresh_from_db()
    client = verified_client(w.caseworker)
    response = client.post(f"/plassering/barn/{kid.pk}/forslag/", follow=True)
    assert "venter ikke på plassering" in response.content.decode()
    assert not MatchingRun.objects.exists()


def test_only_caseworkers_and_directors_of_the_programme(w: f.World) -> None:
    kids = three_siblings(w)
    run = services.propose_for_child(actor=w.caseworker, child=kids[0])
    assert verified_client(w.other_caseworker).get(f"/plassering/kjoring/{run.pk}/").status_code == 404
    assert verified_client(w.other_caseworker).post(f"/plassering/barn/{kids[0].pk}/forslag/").status_code == 404
    assert verified_client(w.director).get(f"/plassering/kjoring/{run.pk}/").status_code == 200
    for role in (Role.DONOR_SERVICE, Role.CAREGIVER, Role.ME_ADVISOR, Role.NATIONAL_DIRECTOR):
        client = verified_client(make_persona(role))
        assert client.get(f"/plassering/kjoring/{run.pk}/").status_code == 403, role
        assert client.post(f"/plassering/barn/{kids[0].pk}/forslag/").status_code == 403, role
    other_home = org.home(w.other_programme)
    assert other_home.pk not in set(run.proposals.values_list("home_id", flat=True))
    listing = verified_client(w.caseworker).get("/plassering/").content.decode()
    assert "Søskenflokk" in listing
    nothing = verified_client(
        make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(w.other_programme.pk))
    ).get("/plassering/")
    assert "Ingen forslag ennå" in nothing.content.decode()


def test_loader_turns_records_into_the_solver_problem(w: f.World) -> None:
    kids = three_siblings(w)
    from barneby.care.models import KeepApart

    KeepApart.objects.create(child_a=kids[0], child_b=kids[1], reason="violence", recorded_by=w.caseworker)
    problem = loader.build_problem(kids, w.programme.homes.all())
    by_id = {c.id: c for c in problem.children}
    assert by_id[kids[0].pk].keep_apart[0].child == kids[1].pk
    assert {h.id for h in problem.homes} == {w.home_a.pk, w.home_b.pk, w.home_small.pk}
    assert {h.id: h.max_siblings for h in problem.homes}[w.home_small.pk] == 1


def test_a_single_child_is_not_called_a_sibling_group(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, first_name="Ene")
    f.gatekeep(kid, w.caseworker)
    run = services.propose_for_child(actor=w.caseworker, child=kid)
    page = verified_client(w.caseworker).get(f"/plassering/kjoring/{run.pk}/").content.decode()
    assert "Forslag for Ene</h1>" in page
    assert "søsknene bor sammen" not in page
