"""Accepting a proposal: the placement records the proposal it follows, and the proposal is accepted when it is saved."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from barneby.audit.models import AuditEvent
from barneby.care import services as care
from barneby.care.models import Child, Placement
from barneby.care.tests import factories as f
from barneby.care.tests.factories import TODAY
from barneby.core.tests.personas import verified_client
from barneby.placements.models import MatchingRun, Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> f.World:
    world = f.world()
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
    return kids


def form_data(home: int, proposal: int | str, **extra: Any) -> dict[str, Any]:
    return {
        "home": home,
        "type": "foster",
        "start_date": TODAY.strftime("%d.%m.%Y"),
        "child_prepared": "on",
        "decided_on": TODAY.strftime("%d.%m.%Y"),
        "decided_by": "Programleder Test",
        "best_interest": "Søsknene kan bo sammen.",
        "heard_how": "alone",
        "child_views": "Vil bo med søsknene sine.",
        "proposal": proposal,
        **extra,
    }


def choose(client: Client, kid: Child, rank: int = 1) -> tuple[MatchingRun, str]:
    response = client.post(f"/plassering/barn/{kid.pk}/forslag/")
    run = MatchingRun.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    chosen = client.post(f"/plassering/kjoring/{run.pk}/velg/{rank}/")
    assert chosen.status_code == 302
    return run, chosen["Location"]


def test_the_placement_records_the_proposal_and_accepts_it_when_saved(w: f.World) -> None:
    kids = three_siblings(w)
    client = verified_client(w.caseworker)
    run, url = choose(client, kids[0])
    proposal = run.proposals.get(rank=1, child=kids[0])
    assert url == f"/omsorg/barn/{kids[0].pk}/plassering/?proposal={proposal.pk}"
    form = client.get(url).content.decode()
    assert f'<option value="{w.home_a.pk}" selected>' in form
    assert f'name="proposal" value="{proposal.pk}"' in form
    # Opening the form accepts nothing.
    assert not Proposal.objects.filter(accepted_at__isnull=False).exists()

    saved = client.post(url, form_data(w.home_a.pk, proposal.pk))
    assert saved.status_code == 302, saved.content.decode()
    placement = Placement.objects.get(child=kids[0])
    assert placement.proposal == proposal
    proposal.refresh_from_db()
    assert proposal.accepted_by == w.caseworker
    assert proposal.accepted_at is not None
    assert set(Proposal.objects.filter(accepted_at__isnull=False).values_list("pk", flat=True)) == {proposal.pk}
    assert AuditEvent.objects.filter(detail=f"placement {placement.pk} home {w.home_a.pk} proposal {proposal.pk}")

    # The run page now links the siblings' forms from the same proposal, and says who is placed.
    page = client.get(f"/plassering/kjoring/{run.pk}/").content.decode()
    bo = run.proposals.get(rank=1, child=kids[1])
    assert f"/omsorg/barn/{kids[1].pk}/plassering/?proposal={bo.pk}" in page
    assert f'data-accepted="{kids[0].pk}"' in page
    # A proposal already used cannot be used again.
    again = client.post(f"/omsorg/barn/{kids[0].pk}/plassering/", form_data(w.home_b.pk, proposal.pk))
    assert again.status_code == 400
    assert "Forslaget kan ikke brukes" in again.content.decode()


def test_a_placement_in_another_home_does_not_accept_the_proposal(w: f.World) -> None:
    kids = three_siblings(w)
    client = verified_client(w.caseworker)
    run, url = choose(client, kids[0])
    proposal = run.proposals.get(rank=1, child=kids[0])
    saved = client.post(url, form_data(w.home_b.pk, proposal.pk))
    assert saved.status_code == 302, saved.content.decode()
    assert Placement.objects.get(child=kids[0]).proposal is None
    assert not Proposal.objects.filter(accepted_at__isnull=False).exists()


def test_another_childs_proposal_is_refused(w: f.World) -> None:
    kids = three_siblings(w)
    client = verified_client(w.caseworker)
    run, _url = choose(client, kids[0])
    sibling = run.proposals.get(rank=1, child=kids[1])
    refused = client.post(f"/omsorg/barn/{kids[0].pk}/plassering/", form_data(w.home_a.pk, sibling.pk))
    assert refused.status_code == 400
    assert "Forslaget kan ikke brukes" in refused.content.decode()
    assert not Placement.objects.exists()
    assert not Proposal.objects.filter(accepted_at__isnull=False).exists()
