"""The batch run takes only the children who wait for a placement."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from barneby.care import services as care
from barneby.care.models import Child, ChildStatus, GatekeepingOutcome
from barneby.care.tests import factories as f
from barneby.care.tests.factories import TODAY
from barneby.core.tests.personas import verified_client
from barneby.placements import services
from barneby.placements.models import MatchingRun, RunStatus

pytestmark = pytest.mark.django_db


def test_the_batch_takes_only_children_waiting_for_a_placement(
    django_capture_on_commit_callbacks: Any,
) -> None:
    w = f.world()
    actor = w.caseworker
    referred = f.child(w.programme, actor, first_name="Henvist")
    assessed = f.child(w.programme, actor, first_name="Vurdert")
    f.gatekeep(assessed, actor)
    strengthening = f.child(w.programme, actor, first_name="Styrket")
    f.gatekeep(strengthening, actor)
    care.child_set_status(actor=actor, child=strengthening, status=ChildStatus.FAMILY_STRENGTHENING)
    reunified = f.child(w.programme, actor, first_name="Hjemme")
    f.gatekeep(reunified, actor)
    care.child_set_status(actor=actor, child=reunified, status=ChildStatus.FAMILY_STRENGTHENING)
    care.child_set_status(actor=actor, child=reunified, status=ChildStatus.REUNIFIED)
    other_help = f.child(w.programme, actor, first_name="Annethjelp")
    care.gatekeeping_record(
        actor=actor,
        child=other_help,
        assessed_on=TODAY,
        reasons=["neglect"],
        necessity="Foreldrene kan få hjelp i hjemmet.",
        suitability="Familiestyrking er et bedre tiltak.",
        outcome=GatekeepingOutcome.FAMILY_STRENGTHENING,
    )
    aftercare = f.child(w.programme, actor, first_name="Ettervern")
    Child.objects.filter(pk=aftercare.pk).update(status=ChildStatus.AFTERCARE)
    left = f.child(w.programme, actor, first_name="Avsluttet")
    care.child_set_status(actor=actor, child=left, status=ChildStatus.LEFT)
    placed = f.child(w.programme, actor, first_name="Plassert")
    f.gatekeep(placed, actor)
    f.place(placed, w.other_home, actor, TODAY)

    with django_capture_on_commit_callbacks(execute=True):
        response = verified_client(w.director).post("/plassering/kjoring/ny/", {"programme": w.programme.pk})
    run = MatchingRun.objects.get()
    assert response.status_code == 302
    assert run.status == RunStatus.DONE
    assert set(run.proposals.values_list("child_id", flat=True)) == {referred.pk, assessed.pk}
    assert run.children_count == 2

    # A child whose assessment found family strengthening is not proposed a home on its own either.
    with pytest.raises(ValidationError, match="venter ikke på plassering"):
        services.propose_for_child(actor=actor, child=Child.objects.get(pk=other_help.pk))


def test_proposals_are_offered_on_the_child_page_only_for_a_child_waiting_for_a_placement() -> None:
    w = f.world()
    waiting = f.child(w.programme, w.caseworker, first_name="Venter")
    f.gatekeep(waiting, w.caseworker)
    strengthening = f.child(w.programme, w.caseworker, first_name="Styrket")
    f.gatekeep(strengthening, w.caseworker)
    care.child_set_status(actor=w.caseworker, child=strengthening, status=ChildStatus.FAMILY_STRENGTHENING)
    client = verified_client(w.caseworker)
    assert "Foreslå hjem" in client.get(f"/omsorg/barn/{waiting.pk}/").content.decode()
    assert "Foreslå hjem" not in client.get(f"/omsorg/barn/{strengthening.pk}/").content.decode()
