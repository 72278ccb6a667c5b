"""Organisation API: same scoping as the pages, 422 with field errors, 404/403 like the guards."""

from __future__ import annotations

import pytest
from django.test import Client

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.services import api_token_create
from barneby.core.tests.personas import make_persona
from barneby.organisation.models import Programme
from barneby.organisation.tests import factories as f

pytestmark = pytest.mark.django_db
BASE = "/api/v1/organisation"


def auth(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user, name='test').secret}"}


@pytest.fixture
def setup() -> tuple[Programme, Programme]:
    norway = f.association(country="NO")
    kenya = f.association(country="KE")
    ours = f.programme(norway, f.location(norway), name="Bergen søsken")
    f.home(ours, street_address="Hemmeligveien 3")
    theirs = f.programme(kenya, f.location(kenya, country="KE"), name="Nairobi")
    return ours, theirs


def director(programme: Programme) -> User:
    return make_persona(
        Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(programme.association_id)
    )


def test_programme_list_is_scoped_and_paginated(client: Client, setup: tuple[Programme, Programme]) -> None:
    ours, _theirs = setup
    body = client.get(f"{BASE}/programmes", headers=auth(director(ours))).json()
    assert body["count"] == 1
    assert body["items"][0]["name"] == "Bergen søsken"
    assert body["items"][0]["country"] == "NO"
    everyone = client.get(f"{BASE}/programmes", {"country": "KE"}, headers=auth(make_persona(Role.AUDITOR))).json()
    assert [p["name"] for p in everyone["items"]] == ["Nairobi"]


def test_outsider_gets_404_and_no_token_401(client: Client, setup: tuple[Programme, Programme]) -> None:
    ours, theirs = setup
    assert client.get(f"{BASE}/programmes/{theirs.pk}", headers=auth(director(ours))).status_code == 404
    assert client.get(f"{BASE}/programmes/{ours.pk}").status_code == 401


def test_create_with_bad_input_is_422_with_field_errors_and_saves_nothing(
    client: Client, setup: tuple[Programme, Programme]
) -> None:
    ours, _theirs = setup
    payload = {
        "association_id": ours.association_id,
        "location_id": ours.location_id,
        "name": "Ny",
        "code": ours.code,
        "type": "youth",
        "start_date": "2026-01-01",
        "end_date": "2025-01-01",
        "capacity": -2,
    }
    response = client.post(f"{BASE}/programmes", payload, content_type="application/json", headers=auth(director(ours)))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["end_date"] == ["Sluttdatoen kan ikke være før startdatoen."]
    assert "capacity" in errors
    assert errors["code"] == ["Det finnes allerede et program med denne koden."]
    assert Programme.objects.count() == 2


def test_unknown_municipality_is_422(client: Client, setup: tuple[Programme, Programme]) -> None:
    ours, _theirs = setup
    response = client.patch(
        f"{BASE}/programmes/{ours.pk}",
        {"partner_municipality": "9999"},
        content_type="application/json",
        headers=auth(director(ours)),
    )
    assert response.status_code == 422
    assert response.json()["errors"]["municipality"] == ["Ukjent kommunenummer: 9999."]


def test_create_and_update_by_the_national_director(client: Client, setup: tuple[Programme, Programme]) -> None:
    ours, _theirs = setup
    headers = auth(director(ours))
    payload = {
        "association_id": ours.association_id,
        "location_id": ours.location_id,
        "name": "Ungdom Bergen",
        "code": "NO-UNG-1",
        "type": "youth",
        "start_date": "2026-01-01",
        "partner_municipality": "4601",
    }
    created = client.post(f"{BASE}/programmes", payload, content_type="application/json", headers=headers)
    assert created.status_code == 201
    assert created.json()["partner_municipality"] == "4601"
    pk = created.json()["id"]
    patched = client.patch(
        f"{BASE}/programmes/{pk}", {"capacity": 12}, content_type="application/json", headers=headers
    )
    assert patched.json()["capacity"] == 12


def test_read_only_roles_get_403_on_writes(client: Client, setup: tuple[Programme, Programme]) -> None:
    ours, _theirs = setup
    caseworker = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(ours.pk))
    response = client.patch(
        f"{BASE}/programmes/{ours.pk}", {"capacity": 1}, content_type="application/json", headers=auth(caseworker)
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Ingen tilgang."}
    boss = make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(ours.pk))
    payload = {
        "association_id": ours.association_id,
        "location_id": ours.location_id,
        "name": "X",
        "code": "X-1",
        "type": "youth",
        "start_date": "2026-01-01",
    }
    assert (
        client.post(f"{BASE}/programmes", payload, content_type="application/json", headers=auth(boss)).status_code
        == 403
    )


def test_home_address_only_for_those_who_visit(client: Client, setup: tuple[Programme, Programme]) -> None:
    ours, _theirs = setup
    caseworker = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(ours.pk))
    assert (
        client.get(f"{BASE}/homes", headers=auth(caseworker)).json()["items"][0]["street_address"] == "Hemmeligveien 3"
    )
    assert client.get(f"{BASE}/homes", headers=auth(director(ours))).json()["items"][0]["street_address"] is None


def test_openapi_documents_the_register(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/organisation/programmes",
        "/api/v1/organisation/programmes/{pk}",
        "/api/v1/organisation/homes",
    } <= set(paths)
