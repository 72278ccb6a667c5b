"""Writes at association level need a writer role for the whole association, over HTML and the API.

A programme director's grant on one programme reaches its association and
location for reading only: they may not rename the association, create or
change its locations, register staff outside their programme, or repoint the
programme's partner municipality (which decides the municipality contact).
"""

from __future__ import annotations

import pytest
from django.test import Client

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.services import api_token_create
from barneby.core.tests.personas import make_persona, verified_client
from barneby.organisation.models import Location, MemberAssociation, Municipality, Programme, StaffMember
from barneby.organisation.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/organisation"


def auth(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user, name='test').secret}"}


@pytest.fixture
def programme() -> Programme:
    norway = f.association(country="NO", name="SOS Norge")
    return f.programme(norway, f.location(norway, name="Bergen"), partner_municipality=f.bergen())


def programme_director(programme: Programme) -> User:
    return make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(programme.pk))


def national_director(programme: Programme) -> User:
    return make_persona(
        Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(programme.association_id)
    )


def other_municipality() -> Municipality:
    return Municipality.objects.exclude(number="4601").order_by("number").first()  # type: ignore[return-value]


def location_payload(programme: Programme) -> dict[str, str]:
    return {"kind": "village", "name": "Ny by", "country": "NO", "latitude": "60.1", "longitude": "5.1"}


def test_programme_director_cannot_write_association_level_over_html(programme: Programme) -> None:
    client = verified_client(programme_director(programme))
    association = programme.association
    edit = f"/organisasjon/medlemsorganisasjoner/{association.pk}/endre/"
    assert client.post(edit, {"name": "Kapret", "code": association.code, "country": "NO"}).status_code == 403
    create = f"/organisasjon/medlemsorganisasjoner/{association.pk}/steder/nytt/"
    assert client.post(create, location_payload(programme)).status_code == 403
    location_edit = f"/organisasjon/steder/{programme.location_id}/endre/"
    assert client.post(location_edit, {**location_payload(programme), "name": "Omdøpt"}).status_code == 403
    staff = f"/organisasjon/medlemsorganisasjoner/{association.pk}/ansatte/ny/"
    client.post(staff, {"first_name": "Uten", "last_name": "Program", "role": "other"})
    client.post(
        f"/organisasjon/programmer/{programme.pk}/endre/",
        {
            "location": programme.location_id,
            "name": programme.name,
            "code": programme.code,
            "type": programme.type,
            "status": programme.status,
            "start_date": "01.01.2020",
            "partner_municipality_number": other_municipality().number,
        },
    )
    assert MemberAssociation.objects.get().name == "SOS Norge"
    assert Location.objects.get().name == "Bergen"
    assert not StaffMember.objects.filter(programme__isnull=True).exists()
    programme.refresh_from_db()
    assert programme.partner_municipality == f.bergen()


def test_programme_director_may_still_register_staff_in_their_programme(programme: Programme) -> None:
    client = verified_client(programme_director(programme))
    url = f"/organisasjon/medlemsorganisasjoner/{programme.association_id}/ansatte/ny/"
    response = client.post(url, {"programme": programme.pk, "first_name": "I", "last_name": "Program", "role": "other"})
    assert response.status_code == 302
    assert StaffMember.objects.get().programme == programme


def test_programme_director_cannot_write_association_level_over_the_api(client: Client, programme: Programme) -> None:
    headers = auth(programme_director(programme))
    association = programme.association
    renamed = client.patch(
        f"{API}/associations/{association.pk}", {"name": "Kapret"}, content_type="application/json", headers=headers
    )
    assert renamed.status_code == 403
    located = client.post(
        f"{API}/locations",
        {**location_payload(programme), "association_id": association.pk},
        content_type="application/json",
        headers=headers,
    )
    assert located.status_code == 403
    moved = client.patch(
        f"{API}/locations/{programme.location_id}", {"name": "Omdøpt"}, content_type="application/json", headers=headers
    )
    assert moved.status_code == 403
    staffed = client.post(
        f"{API}/staff",
        {"association_id": association.pk, "first_name": "Uten", "last_name": "Program", "role": "other"},
        content_type="application/json",
        headers=headers,
    )
    assert staffed.status_code == 403
    repointed = client.patch(
        f"{API}/programmes/{programme.pk}",
        {"partner_municipality": other_municipality().number},
        content_type="application/json",
        headers=headers,
    )
    assert repointed.status_code == 403
    # Their own programme's other fields stay theirs to change.
    renamed_programme = client.patch(
        f"{API}/programmes/{programme.pk}", {"name": "Nytt navn"}, content_type="application/json", headers=headers
    )
    assert renamed_programme.status_code == 200
    assert MemberAssociation.objects.get().name == "SOS Norge"
    assert Location.objects.count() == 1
    assert not StaffMember.objects.exists()
    programme.refresh_from_db()
    assert programme.partner_municipality == f.bergen()


def test_national_director_writes_association_level(client: Client, programme: Programme) -> None:
    headers = auth(national_director(programme))
    renamed = client.patch(
        f"{API}/associations/{programme.association_id}",
        {"name": "SOS Norge og Svalbard"},
        content_type="application/json",
        headers=headers,
    )
    assert renamed.status_code == 200
    repointed = client.patch(
        f"{API}/programmes/{programme.pk}",
        {"partner_municipality": other_municipality().number},
        content_type="application/json",
        headers=headers,
    )
    assert repointed.status_code == 200
    staffed = client.post(
        f"{API}/staff",
        {"association_id": programme.association_id, "first_name": "Uten", "last_name": "Program", "role": "other"},
        content_type="application/json",
        headers=headers,
    )
    assert staffed.status_code == 201
