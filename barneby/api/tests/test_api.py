"""The API root: token authentication, JSON errors, OpenAPI."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from barneby.accounts.models import ApiToken, RoleAssignment
from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.services import api_token_create, api_token_revoke, user_deactivate
from barneby.core.tests.personas import make_persona

pytestmark = pytest.mark.django_db
ME = "/api/v1/me"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def assert_json_401(response: object) -> None:
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("application/json")  # type: ignore[index]
    assert response.json() == {"detail": "Mangler gyldig API-nøkkel."}  # type: ignore[attr-defined]


def test_valid_token_returns_the_user_and_roles(client: Client) -> None:
    user = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key="4")
    secret = api_token_create(user=user, name="script").secret
    response = client.get(ME, headers=bearer(secret))
    assert response.status_code == 200
    assert response.json() == {"email": user.email, "full_name": user.full_name, "roles": ["caseworker"]}


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer bby_wrong", "Basic dXNlcjpwYXNz", "Token bby_x", "Bearer not-our-format"],
    ids=["missing", "empty", "wrong", "basic", "other-scheme", "foreign-format"],
)
def test_missing_wrong_or_malformed_tokens_get_401_json(client: Client, header: str | None) -> None:
    assert_json_401(client.get(ME, headers={"Authorization": header} if header else {}))


def test_revoked_token_gets_401(client: Client) -> None:
    user = make_persona(Role.AUDITOR)
    issued = api_token_create(user=user, name="old")
    api_token_revoke(token=issued.token, actor=user)
    assert_json_401(client.get(ME, headers=bearer(issued.secret)))


def test_expired_token_gets_401(client: Client) -> None:
    user = make_persona(Role.AUDITOR)
    issued = api_token_create(user=user, name="short", expires_at=timezone.now() + dt.timedelta(hours=1))
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_json_401(client.get(ME, headers=bearer(issued.secret)))


def test_token_of_a_deactivated_user_gets_401(client: Client) -> None:
    user = make_persona(Role.AUDITOR)
    issued = api_token_create(user=user, name="x")
    user_deactivate(user=user, actor=None)
    assert_json_401(client.get(ME, headers=bearer(issued.secret)))
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None


def test_token_carries_the_users_current_roles(client: Client) -> None:
    user = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key="4")
    secret = api_token_create(user=user, name="x").secret
    RoleAssignment.objects.filter(user=user).delete()
    assert client.get(ME, headers=bearer(secret)).json()["roles"] == []


def test_only_a_digest_is_stored_and_use_is_recorded(client: Client) -> None:
    user = make_persona(Role.AUDITOR)
    issued = api_token_create(user=user, name="x")
    row = ApiToken.objects.values().get(pk=issued.token.pk)
    assert issued.secret not in str(row)
    assert row["prefix"] == issued.secret[:10]
    client.get(ME, headers=bearer(issued.secret))
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_openapi_lists_the_endpoint_and_bearer_scheme(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/me" in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_docs_redirect_to_swagger_served_under_our_csp(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn." not in html


def test_api_errors_are_json_not_html(client: Client) -> None:
    user = make_persona(Role.AUDITOR)
    secret = api_token_create(user=user, name="x").secret
    response = client.post(ME, headers=bearer(secret))
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}
    assert response["Allow"] == "GET"
