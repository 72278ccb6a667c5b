from __future__ import annotations

import pytest
from django.core.management import call_command

from barneby.accounts.models import RoleAssignment
from barneby.accounts.roles import Role, ScopeKind
from barneby.organisation import selectors
from barneby.organisation.models import Home, MemberAssociation, Programme, ProgrammeType

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_national_demo_matches_the_brief_and_is_idempotent() -> None:
    call_command("seed_demo", "--scale", "national", "--seed", "7", verbosity=0)
    counts = (MemberAssociation.objects.count(), Programme.objects.count(), Home.objects.count())
    call_command("seed_demo", "--scale", "national", "--seed", "7", verbosity=0)
    assert (MemberAssociation.objects.count(), Programme.objects.count(), Home.objects.count()) == counts
    norway = MemberAssociation.objects.get(code="NO-SOS")
    names = list(Home.objects.values_list("name", flat=True))
    assert len(names) == len(set(names)), "two demo homes share a name"
    # What matching reads as taken places is what the placements say, in every home.
    computed = dict(selectors.with_occupancy(Home.objects.all()).values_list("pk", "occupied_places"))  # type: ignore[misc]
    assert {h.pk: h.occupied for h in Home.objects.all()} == computed
    norwegian = Programme.objects.filter(association=norway)
    assert norwegian.filter(type=ProgrammeType.SIBLING_FOSTER).values("partner_municipality").distinct().count() == 3
    assert norwegian.filter(type=ProgrammeType.UNACCOMPANIED).count() == 1
    assert norwegian.filter(type=ProgrammeType.YOUTH).count() == 1
    assert norwegian.filter(location__municipality__number="4601", type=ProgrammeType.FAMILY_VILLAGE).exists()
    assert Programme.objects.exclude(association=norway).count() == 10


@pytest.mark.slow
def test_demo_logins_get_real_scopes() -> None:
    call_command("seed_demo", "--scale", "national", verbosity=0)
    director = RoleAssignment.objects.get(role=Role.NATIONAL_DIRECTOR, user__email__endswith="demo.barneby.example")
    assert director.scope_kind == ScopeKind.ASSOCIATION
    assert MemberAssociation.objects.get(pk=int(director.scope_key)).code == "NO-SOS"
    caregiver = RoleAssignment.objects.get(role=Role.CAREGIVER, user__email__endswith="demo.barneby.example")
    assert caregiver.scope_kind == ScopeKind.HOME
    assert Home.objects.filter(pk=int(caregiver.scope_key)).exists()


@pytest.mark.slow
def test_global_demo_has_the_key_figures_and_is_idempotent() -> None:
    from django.db.models import Sum

    from barneby.organisation.models import Location, LocationKind

    call_command("seed_demo", "--scale", "global", "--only", "organisation", verbosity=0)
    call_command("seed_demo", "--scale", "global", "--only", "organisation", verbosity=0)
    assert MemberAssociation.objects.count() == 134
    assert Programme.objects.values("location__country").distinct().count() == 128
    assert Location.objects.filter(kind=LocationKind.VILLAGE).count() == 573
    assert Programme.objects.count() == 2317
    assert Home.objects.aggregate(children=Sum("occupied"))["children"] == 82_300
    assert Programme.objects.filter(type=ProgrammeType.MEDICAL).count() >= 75
