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
    }
    response = client.post(f"{BASE}/programmes", payload, content_type="application/json", headers=auth(director(ours)))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["end_date"] == ["Sluttdatoen kan ikke være før startdatoen."]
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
        f"{BASE}/programmes/{pk}", {"name": "Ungdom i Bergen"}, content_type="application/json", headers=headers
    )
    assert patched.json()["name"] == "Ungdom i Bergen"
    assert patched.json()["capacity"] == 0  # no homes yet: capacity is their places


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


HOME = {
    "name": "API-hjemmet",
    "kind": "foster_home",
    "capacity": 4,
    "takes_sibling_groups": True,
    "max_sibling_group_size": 3,
    "competences": ["trauma"],
    "street_address": "Apiveien 1",
    "municipality": "4601",
}


def test_home_create_and_update(client: Client, setup: tuple[Programme, Programme]) -> None:
    ours, theirs = setup
    boss = make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(ours.pk))
    headers = auth(boss)
    created = client.post(
        f"{BASE}/homes", {**HOME, "programme_id": ours.pk}, content_type="application/json", headers=headers
    )
    assert created.status_code == 201
    body = created.json()
    assert body["competences"] == ["trauma"]
    assert body["street_address"] == "Apiveien 1"
    patched = client.patch(
        f"{BASE}/homes/{body['id']}", {"capacity": 6}, content_type="application/json", headers=headers
    )
    assert (patched.json()["free_places"], patched.json()["occupied"]) == (6, 0)
    refused = client.post(
        f"{BASE}/homes", {**HOME, "programme_id": theirs.pk}, content_type="application/json", headers=headers
    )
    assert refused.status_code == 404


def test_home_validation_errors_are_422(client: Client, setup: tuple[Programme, Programme]) -> None:
    ours, _theirs = setup
    headers = auth(director(ours))
    bad = {**HOME, "programme_id": ours.pk, "capacity": 2, "competences": ["telepathy"]}
    response = client.post(f"{BASE}/homes", bad, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"]["competences"] == ["Ukjent kompetanse: telepathy."]
    response = client.post(
        f"{BASE}/homes", {**bad, "competences": []}, content_type="application/json", headers=headers
    )
    assert response.status_code == 422
    assert "Søskenflokken kan ikke være større enn antall plasser." in str(response.json()["errors"])


def test_location_create_validates_coordinates(client: Client, setup: tuple[Programme, Programme]) -> None:
    ours, _theirs = setup
    headers = auth(director(ours))
    payload = {
        "association_id": ours.association_id,
        "kind": "community",
        "name": "Nytt sted",
        "country": "no",
        "latitude": "91",
        "longitude": "5",
        "municipality": "4601",
    }
    response = client.post(f"{BASE}/locations", payload, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert "latitude" in response.json()["errors"]
    ok = client.post(
        f"{BASE}/locations", {**payload, "latitude": "60.1"}, content_type="application/json", headers=headers
    )
    assert ok.status_code == 201
    assert ok.json()["municipality"] == "4601"
    pk = ok.json()["id"]
    renamed = client.patch(
        f"{BASE}/locations/{pk}", {"name": "Omdøpt"}, content_type="application/json", headers=headers
    )
    assert renamed.json()["name"] == "Omdøpt"


def test_staff_endpoints_are_scoped(client: Client, setup: tuple[Programme, Programme]) -> None:
    ours, theirs = setup
    mine = f.staff(ours.association, programme=ours, first_name="Kari")
    other = f.staff(theirs.association, programme=theirs, first_name="Juma")
    headers = auth(director(ours))
    names = [s["first_name"] for s in client.get(f"{BASE}/staff", headers=headers).json()["items"]]
    assert names == ["Kari"]
    assert client.get(f"{BASE}/staff/{mine.pk}", headers=headers).status_code == 200
    assert client.get(f"{BASE}/staff/{other.pk}", headers=headers).status_code == 404


def test_staff_create_and_update_via_api(client: Client, setup: tuple[Programme, Programme]) -> None:
    ours, theirs = setup
    headers = auth(director(ours))
    payload = {
        "association_id": ours.association_id,
        "programme_id": ours.pk,
        "first_name": "Api",
        "last_name": "Ansatt",
        "role": "social_worker",
    }
    created = client.post(f"{BASE}/staff", payload, content_type="application/json", headers=headers)
    assert created.status_code == 201
    pk = created.json()["id"]
    assert (
        client.patch(
            f"{BASE}/staff/{pk}", {"role": "nonsense"}, content_type="application/json", headers=headers
        ).status_code
        == 422
    )
    assert (
        client.patch(
            f"{BASE}/staff/{pk}", {"phone": "123"}, content_type="application/json", headers=headers
        ).status_code
        == 200
    )
    foreign = {**payload, "programme_id": theirs.pk}
    assert client.post(f"{BASE}/staff", foreign, content_type="application/json", headers=headers).status_code == 404


def test_association_update_via_api(client: Client, setup: tuple[Programme, Programme]) -> None:
    ours, theirs = setup
    headers = auth(director(ours))
    ok = client.patch(
        f"{BASE}/associations/{ours.association_id}",
        {"name": "SOS Norge"},
        content_type="application/json",
        headers=headers,
    )
    assert ok.json()["name"] == "SOS Norge"
    dup = client.patch(
        f"{BASE}/associations/{ours.association_id}",
        {"code": theirs.association.code},
        content_type="application/json",
        headers=headers,
    )
    assert dup.status_code == 422
    assert (
        client.patch(
            f"{BASE}/associations/{theirs.association_id}",
            {"name": "x"},
            content_type="application/json",
            headers=headers,
        ).status_code
        == 404
    )
    auditor = auth(make_persona(Role.AUDITOR))
    assert (
        client.patch(
            f"{BASE}/associations/{ours.association_id}",
            {"name": "x"},
            content_type="application/json",
            headers=auditor,
        ).status_code
        == 403
    )


NOT_NULL = [
    ("homes", "capacity"),
    ("homes", "street_address"),
    ("homes", "postcode"),
    ("homes", "name"),
    ("homes", "min_age"),
    ("staff", "email"),
    ("staff", "phone"),
    ("staff", "first_name"),
    ("programmes", "currency"),
    ("programmes", "start_date"),
    ("locations", "latitude"),
    ("associations", "name"),
]


@pytest.mark.parametrize(("kind", "field"), NOT_NULL)
def test_null_for_a_field_the_model_requires_is_422_and_the_schema_says_so(
    client: Client, setup: tuple[Programme, Programme], kind: str, field: str
) -> None:
    ours, _theirs = setup
    pk = {
        "homes": lambda: ours.homes.get().pk,
        "staff": lambda: f.staff(ours.association, programme=ours).pk,
        "programmes": lambda: ours.pk,
        "locations": lambda: ours.location_id,
        "associations": lambda: ours.association_id,
    }[kind]()
    response = client.patch(
        f"{BASE}/{kind}/{pk}", {field: None}, content_type="application/json", headers=auth(director(ours))
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][-1] == field
    spec = client.get("/api/v1/openapi.json").json()
    schema_name = {"homes": "HomePatch", "staff": "StaffPatch", "programmes": "ProgrammePatch"}.get(
        kind, "LocationPatch" if kind == "locations" else "AssociationPatch"
    )
    prop = spec["components"]["schemas"][schema_name]["properties"][field]
    kinds = [prop.get("type")] + [option.get("type") for option in prop.get("anyOf", [])]
    assert "null" not in kinds
