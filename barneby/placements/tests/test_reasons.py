"""The reasons a run gives are true: full homes are full, not homes that fail the requirements."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import F

from barneby.care.tests import factories as f
from barneby.core.tests.personas import verified_client
from barneby.organisation.models import Home
from barneby.placements.models import MatchingRun

pytestmark = pytest.mark.django_db


def test_a_child_the_full_homes_would_take_is_told_they_are_full(django_capture_on_commit_callbacks: Any) -> None:
    w = f.world()
    kid = f.child(w.programme, w.caseworker, first_name="Venter")  # nine years old; the homes take 0 to 25
    f.gatekeep(kid, w.caseworker)
    Home.objects.filter(programme=w.programme).update(occupied=F("capacity"))
    client = verified_client(w.director)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/plassering/kjoring/ny/", {"programme": w.programme.pk})
    run = MatchingRun.objects.get()
    proposal = run.proposals.get(child=kid)
    assert proposal.home is None
    assert proposal.explanation_nb == "Alle egnede hjem er fulle (bevist)."
    assert run.homes_count == 0  # homes with a free place
    page = client.get(f"/plassering/kjoring/{run.pk}/").content.decode()
    assert "Alle egnede hjem er fulle" in page
    assert "Ingen hjem oppfyller kravene" not in page
