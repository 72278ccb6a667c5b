"""Proposals: siblings outside the user's scope are not shown, and what a placement lacks is said before it is chosen."""

from __future__ import annotations

import datetime as dt

import pytest

from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AuditAction, AuditEvent
from barneby.care import services as care
from barneby.care.models import Child
from barneby.care.tests import factories as f
from barneby.core.tests.personas import make_persona, verified_client
from barneby.organisation.tests import factories as org
from barneby.placements.models import MatchingRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> f.World:
    world = f.world()
    world.home_a.takes_sibling_groups = True
    world.home_a.max_sibling_group_size = 4
    world.home_a.save()
    return world


def test_a_waiting_sibling_in_another_association_is_only_a_sibling_in_another_programme(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, first_name="Hjemmebarn")
    f.gatekeep(kid, w.caseworker)
    assoc = org.association()
    programme = org.programme(assoc)
    stranger = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(programme.pk))
    far = f.child(programme, stranger, first_name="Fjernsøsken", birth_date=dt.date(2015, 2, 3))
    care.sibling_link(actor=stranger, child=far, other=kid, kind="full")
    kid.refresh_from_db()
    client = verified_client(w.caseworker)
    response = client.post(f"/plassering/barn/{kid.pk}/forslag/")
    run = MatchingRun.objects.get()
    assert run.proposals.filter(child=far).exists()  # the solver keeps the group together
    page = client.get(response["Location"]).content.decode()
    assert "Fjernsøsken" not in page
    assert "et søsken i et annet program" in page
    assert "Hjemmebarn" in page
    shown = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="care.child", detail__startswith="placement")
    assert set(shown.values_list("object_id", flat=True)) == {str(kid.pk)}
    # Choosing the proposal opens the form for a child the caseworker may place, never the stranger's.
    chosen = client.post(f"/plassering/kjoring/{run.pk}/velg/1/")
    assert chosen["Location"].startswith(f"/omsorg/barn/{kid.pk}/plassering/")


def test_a_missing_admission_assessment_is_shown_before_a_proposal_is_chosen(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, first_name="Uvurdert")
    client = verified_client(w.caseworker)
    response = client.post(f"/plassering/barn/{kid.pk}/forslag/")
    page = client.get(response["Location"]).content.decode()
    gatekeeping = f"/omsorg/barn/{kid.pk}/inntak/"
    assert "ingen inntaksvurdering" in page
    assert gatekeeping in page
    run = MatchingRun.objects.get()
    chosen = client.post(f"/plassering/kjoring/{run.pk}/velg/1/")
    form = client.get(chosen["Location"]).content.decode()
    assert 'id="missing"' in form
    assert gatekeeping in form
    # Once assessed, nothing is missing any more.
    f.gatekeep(Child.objects.get(pk=kid.pk), w.caseworker)
    assert 'id="missing"' not in client.get(chosen["Location"]).content.decode()
    assert "ingen inntaksvurdering" not in client.get(response["Location"]).content.decode()


def test_the_list_of_runs_logs_the_children_it_names(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, first_name="Listebarn")
    client = verified_client(w.caseworker)
    client.post(f"/plassering/barn/{kid.pk}/forslag/")
    assert "Listebarn" in client.get("/plassering/").content.decode()
    shown = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(kid.pk), detail="placement runs")
    assert shown.count() == 1
