"""Text no database can store — NUL, a lone UTF-16 surrogate — is a clear 422 on every operation, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.services import api_token_create
from barneby.api.root import api
from barneby.core.tests.personas import make_persona
from barneby.organisation.models import Programme, StaffMember
from barneby.organisation.tests import factories as f

pytestmark = pytest.mark.django_db
BASE = "/api/v1"
SURROGATE = "\ud800"
NUL = "a\x00b"


def auth(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user, name='test').secret}"}


@pytest.fixture
def programme() -> Programme:
    association = f.association(country="NO")
    return f.programme(association, f.location(association))


@pytest.fixture
def director(programme: Programme) -> User:
    return make_persona(
        Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(programme.association_id)
    )


def patch(client: Client, url: str, body: dict[str, Any], user: User) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json", headers=auth(user))


@pytest.mark.parametrize("bad", [SURROGATE, NUL], ids=["surrogate", "nul"])
def test_bad_text_in_a_body_is_422_and_nothing_is_stored(
    client: Client, programme: Programme, director: User, bad: str
) -> None:
    response = patch(client, f"{BASE}/organisation/programmes/{programme.pk}", {"name": bad}, director)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "name"]
    assert response.json()["errors"][0]["msg"]
    created = client.post(
        f"{BASE}/organisation/staff",
        json.dumps({"association_id": programme.association_id, "first_name": bad, "last_name": "X", "role": "other"}),
        content_type="application/json",
        headers=auth(director),
    )
    assert created.status_code == 422
    assert not StaffMember.objects.exists()
    programme.refresh_from_db()
    assert programme.name != bad


def test_nul_in_a_query_is_422(client: Client, director: User) -> None:
    response = client.get(f"{BASE}/organisation/programmes", {"q": NUL}, headers=auth(director))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "q", 0]


def test_nested_bad_text_in_lists_is_found(client: Client, programme: Programme, director: User) -> None:
    home = f.home(programme)
    response = patch(client, f"{BASE}/organisation/homes/{home.pk}", {"competences": ["ok", SURROGATE]}, director)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "competences", 1]


def _string_fields(schema: dict[str, Any], components: dict[str, Any]) -> list[str]:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    names = []
    for name, prop in schema.get("properties", {}).items():
        kinds = [prop.get("type")] + [option.get("type") for option in prop.get("anyOf", [])]
        if "string" in kinds:
            names.append(name)
    return names


def test_every_text_field_of_every_operation_refuses_bad_text(client: Client) -> None:
    """All apps' write operations, every string field: the same 422, whatever the app's own schema says."""
    user = make_persona(Role.SYSTEM_ADMIN)
    headers = auth(user)
    spec = api.get_openapi_schema()
    components = spec["components"]["schemas"]
    checked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            url = path.replace("{pk}", "1").replace("{year}", "2026")
            for name in _string_fields(body["schema"], components):
                for bad in (SURROGATE, NUL):
                    response = getattr(client, method)(
                        url, json.dumps({name: bad}), content_type="application/json", headers=headers
                    )
                    assert response.status_code == 422, (method, path, name)
                    assert any(error["loc"] == ["body", name] for error in response.json()["errors"]), (path, name)
                    checked += 1
    assert checked > 20
