"""Care API: same scoping as the pages; bad input is a 422 with Norwegian field errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.services import api_token_create
from barneby.audit.models import AuditEvent
from barneby.care import alerts as care_alerts
from barneby.care import services
from barneby.care.models import Decision, Placement
from barneby.care.rules import LEGACY_NOT_HEARD
from barneby.care.tests import factories as f
from barneby.care.tests.factories import TODAY
from barneby.core.tests.personas import make_persona

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def auth(user: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user, name='test').secret}"}  # type: ignore[arg-type]


@pytest.fixture
def w() -> f.World:
    return f.world()


def test_caseworker_lists_and_reads_only_their_children(client: Client, w: f.World) -> None:
    ours = f.child(w.programme, w.caseworker, first_name="Maren")
    theirs = f.child(w.other_programme, w.other_caseworker, first_name="Jonas")
    headers = auth(w.caseworker)
    listing = client.get("/api/v1/care/children?q=ma", headers=headers).json()
    assert [c["first_name"] for c in listing["items"]] == ["Maren"]
    assert "national_id" not in listing["items"][0]
    assert "health" not in listing["items"][0]
    assert client.get(f"/api/v1/care/children/{ours.pk}", headers=headers).status_code == 200
    assert AuditEvent.objects.filter(action="view", object_id=str(ours.pk)).exists()
    assert client.get(f"/api/v1/care/children/{theirs.pk}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/care/children/{theirs.pk}/placements", headers=headers).status_code == 404


def test_placement_through_the_api_with_its_decision(client: Client, w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    headers = auth(w.caseworker)
    body = {
        "home_id": w.home_a.pk,
        "type": "foster",
        "start_date": str(TODAY),
        "decision": {
            "decided_on": str(TODAY),
            "decided_by": "Leder",
            "best_interest": "Trygt hjem.",
            "child_views": "Vil bo der.",
        },
    }
    created = client.post(
        f"/api/v1/care/children/{kid.pk}/placements", body, content_type="application/json", headers=headers
    )
    assert created.status_code == 201, created.content
    assert created.json()["placement"]["home_id"] == w.home_a.pk
    again = client.post(
        f"/api/v1/care/children/{kid.pk}/placements", body, content_type="application/json", headers=headers
    )
    assert again.status_code == 422
    assert "home" in again.json()["errors"]
    foreign = {**body, "home_id": w.other_home.pk}
    assert (
        client.post(
            f"/api/v1/care/children/{kid.pk}/placements", foreign, content_type="application/json", headers=headers
        ).status_code
        == 404
    )
    assert Placement.objects.count() == 1
    placements = client.get(f"/api/v1/care/children/{kid.pk}/placements", headers=headers).json()
    assert len(placements) == 1
    decisions = client.get(f"/api/v1/care/children/{kid.pk}/decisions", headers=headers).json()
    assert decisions[0]["kind"] == "admission"


def test_create_child_relations_decisions_plan_and_alerts(client: Client, w: f.World) -> None:
    headers = auth(w.caseworker)
    body = {
        "programme_id": w.programme.pk,
        "first_name": "Aksel",
        "last_name": "Lie",
        "birth_date": str(TODAY - 3000 * DAY),
        "sex": "male",
        "target_group": "at_risk",
    }
    created = client.post("/api/v1/care/children", body, content_type="application/json", headers=headers)
    assert created.status_code == 201
    pk = created.json()["id"]
    future = {**body, "birth_date": str(TODAY + DAY)}
    refused = client.post("/api/v1/care/children", future, content_type="application/json", headers=headers)
    assert refused.status_code == 422
    assert "birth_date" in refused.json()["errors"]
    other_programme = {**body, "programme_id": w.other_programme.pk}
    assert client.post(
        "/api/v1/care/children", other_programme, content_type="application/json", headers=headers
    ).status_code in {403, 404}
    sibling = f.child(w.programme, w.caseworker)
    services.sibling_link(actor=w.caseworker, child=sibling, other=type(sibling).objects.get(pk=pk), kind="full")
    assert len(client.get(f"/api/v1/care/children/{pk}/relations", headers=headers).json()) == 1
    decision = {"kind": "admission", "decided_on": str(TODAY), "decided_by": "Leder", "best_interest": "Ok"}
    unheard = client.post(
        f"/api/v1/care/children/{pk}/decisions", decision, content_type="application/json", headers=headers
    )
    assert unheard.status_code == 422  # R16: never without the child's views or why not
    assert "child_views" in unheard.json()["errors"]
    created = client.post(
        f"/api/v1/care/children/{pk}/decisions",
        {**decision, "child_views": "Enig."},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201
    plan = client.get(f"/api/v1/care/children/{pk}/plan", headers=headers).json()
    assert plan == {"goals": [], "reviews": []}
    # A decision saved before R16 was enforced still raises its alert.
    Decision.objects.filter(pk=created.json()["id"]).update(child_views="", not_heard_reason=LEGACY_NOT_HEARD)
    care_alerts.refresh([pk])
    alerts = client.get("/api/v1/care/alerts", headers=headers).json()
    assert any(a["rule"] == "R16" and a["message"] for a in alerts["items"])


@pytest.mark.parametrize("role", [Role.DONOR_SERVICE, Role.ME_ADVISOR, Role.AUDITOR, Role.SYSTEM_ADMIN])
def test_roles_without_child_data_see_nothing_in_the_api(client: Client, w: f.World, role: Role) -> None:
    kid = f.child(w.programme, w.caseworker)
    headers = auth(make_persona(role))
    listing = client.get("/api/v1/care/children", headers=headers)
    assert listing.status_code == 200
    assert listing.json()["count"] == 0
    assert client.get(f"/api/v1/care/children/{kid.pk}", headers=headers).status_code == 404
    assert client.get("/api/v1/care/alerts", headers=headers).json()["count"] == 0


def test_national_director_reads_but_cannot_place(client: Client, w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    director = make_persona(
        Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(w.programme.association_id)
    )
    headers = auth(director)
    assert client.get(f"/api/v1/care/children/{kid.pk}", headers=headers).status_code == 200
    body = {
        "kind": "admission",
        "decided_on": str(TODAY),
        "decided_by": "Leder",
        "best_interest": "Ok",
        "child_views": "Enig.",
    }
    assert (
        client.post(
            f"/api/v1/care/children/{kid.pk}/decisions", body, content_type="application/json", headers=headers
        ).status_code
        == 403
    )
