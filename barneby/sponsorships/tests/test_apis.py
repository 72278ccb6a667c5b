"""Sponsorships API: donor service of the association only; a child only as its profile."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from barneby.accounts.roles import Role
from barneby.accounts.services import api_token_create
from barneby.core.tests.personas import make_persona
from barneby.sponsorships import services
from barneby.sponsorships.models import Sponsorship, TargetKind
from barneby.sponsorships.tests.factories import World, approved_profile, child

pytestmark = pytest.mark.django_db


def auth(user: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user, name='test').secret}"}  # type: ignore[arg-type]


def make(w: World, **target: Any) -> Sponsorship:
    target = target or {"target_kind": TargetKind.VILLAGE, "village": w.village}
    return services.sponsorship_create(actor=w.donor_service, supporter=w.supporter, monthly_amount=300, **target)


def test_donor_service_lists_and_reads_sponsorships_with_only_profile_fields(client: Client, w: World) -> None:
    kid = child(w, first_name="Maren", last_name="Hemmeligsen")
    profile = approved_profile(w, kid)
    by_child = make(w, target_kind=TargetKind.CHILD, profile=profile)
    by_country = make(w, target_kind=TargetKind.COUNTRY, country="KE")
    services.sponsorship_transition(actor=w.donor_service, sponsorship=by_country, to_state="active")
    headers = auth(w.donor_service)
    listing = client.get("/api/v1/sponsorships/sponsorships", headers=headers)
    assert listing.status_code == 200
    body = listing.json()
    assert body["count"] == 2
    assert {item["id"] for item in body["items"]} == {by_child.pk, by_country.pk}
    filtered = client.get("/api/v1/sponsorships/sponsorships?state=active", headers=headers).json()
    assert [item["country"] for item in filtered["items"]] == ["KE"]
    searched = client.get(f"/api/v1/sponsorships/sponsorships?q={w.supporter.donor_number}", headers=headers).json()
    assert searched["count"] == 2
    detail = client.get(f"/api/v1/sponsorships/sponsorships/{by_child.pk}", headers=headers)
    assert detail.status_code == 200
    data = detail.json()
    assert data["profile"] == {"id": profile.pk, "first_name": "Maren", "age": profile.age(), "village": w.village.name}
    assert data["monthly_amount"] in {"300.00", 300.0, "300"}
    assert [e["kind"] for e in data["events"]] == ["created"]
    raw = detail.content.decode()
    assert "Hemmeligsen" not in raw
    assert kid.birth_date.isoformat() not in raw
    assert "child_id" not in raw


def test_outside_the_association_and_other_roles_get_404(client: Client, w: World) -> None:
    s = make(w)
    other = auth(w.other_donor_service)
    assert client.get(f"/api/v1/sponsorships/sponsorships/{s.pk}", headers=other).status_code == 404
    assert client.get("/api/v1/sponsorships/sponsorships", headers=other).json()["count"] == 0
    for user in (w.caseworker, make_persona(Role.NATIONAL_DIRECTOR), make_persona(Role.AUDITOR)):
        headers = auth(user)
        assert client.get("/api/v1/sponsorships/sponsorships", headers=headers).status_code == 404
        assert client.get(f"/api/v1/sponsorships/sponsorships/{s.pk}", headers=headers).status_code == 404
    assert client.get("/api/v1/sponsorships/sponsorships").status_code == 401


def test_the_endpoints_are_in_the_openapi_document(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/sponsorships/sponsorships" in paths
    assert "/api/v1/sponsorships/sponsorships/{pk}" in paths


@pytest.mark.parametrize("odd", ["¹", "②", "1²", "9" * 40])
def test_search_with_digits_int_refuses_answers_an_empty_list(client: Client, w: World, odd: str) -> None:
    make(w)
    response = client.get("/api/v1/sponsorships/sponsorships", {"q": odd}, headers=auth(w.donor_service))
    assert response.status_code == 200
    assert response.json()["count"] == 0
