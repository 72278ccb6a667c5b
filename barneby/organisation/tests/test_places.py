"""A home's occupied places are its open placements and a programme's capacity is its homes' places: computed,
never typed in, the same on the pages, in the exports and in the API."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.services import api_token_create
from barneby.care.tests import factories as care
from barneby.core.tests.personas import make_persona, verified_client
from barneby.organisation.forms import HomeForm, ProgrammeForm
from barneby.organisation.models import Home, Programme
from barneby.organisation.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme() -> Programme:
    association = f.association(country="NO")
    return f.programme(association, f.location(association), name="Bergen søsken")


def fill(home: Home, programme: Programme, children: int) -> None:
    """Place ``children`` children in ``home`` through the care services, then end one more placement there."""
    boss = make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(programme.pk))
    for _ in range(children):
        kid = care.child(programme, boss)
        care.gatekeep(kid, boss)
        care.place(kid, home, boss, care.years_ago(1))
    # A hand-typed count that disagrees with the placements must not show anywhere.
    Home.objects.filter(pk=home.pk).update(occupied=0)


def test_occupied_places_are_the_open_placements(client: Client, programme: Programme) -> None:
    full = f.home(programme, name="Fullt hjem", capacity=2)
    f.home(programme, name="Ledig hjem", capacity=3)
    fill(full, programme, 2)
    director = make_persona(
        Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(programme.association_id)
    )
    web = verified_client(director)
    free_only = web.get("/organisasjon/hjem/", {"free": "on"}).content.decode()
    assert "Ledig hjem" in free_only
    assert "Fullt hjem" not in free_only
    assert "<td>0 / 2</td>" in web.get("/organisasjon/hjem/").content.decode()
    exported = b"".join(web.get("/organisasjon/hjem/eksport/").streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = {row[0]: row for row in csv.reader(io.StringIO(exported), delimiter=";")}
    assert rows["Fullt hjem"][4] == "0"
    headers = {"Authorization": f"Bearer {api_token_create(user=director, name='t').secret}"}
    body = client.get(f"/api/v1/organisation/homes/{full.pk}", headers=headers).json()
    assert (body["occupied"], body["free_places"]) == (2, 0)


def test_programme_capacity_is_the_places_of_its_active_homes(client: Client, programme: Programme) -> None:
    f.home(programme, capacity=3)
    f.home(programme, capacity=4)
    f.home(programme, capacity=5, is_active=False)
    director = make_persona(
        Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(programme.association_id)
    )
    headers = {"Authorization": f"Bearer {api_token_create(user=director, name='t').secret}"}
    assert client.get(f"/api/v1/organisation/programmes/{programme.pk}", headers=headers).json()["capacity"] == 7
    listed = client.get("/api/v1/organisation/programmes", headers=headers).json()["items"]
    assert [p["capacity"] for p in listed] == [7]
    detail = verified_client(director).get(f"/organisasjon/programmer/{programme.pk}/").content.decode()
    assert "<dd>7</dd>" in detail


def test_nobody_types_occupied_places_or_programme_capacity() -> None:
    assert "occupied" not in HomeForm.base_fields
    assert "capacity" not in ProgrammeForm.base_fields
    assert not hasattr(Programme, "capacity")
