"""The API root: token authentication, JSON errors, OpenAPI and its docs page."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from barneby.accounts.models import ApiToken, RoleAssignment, User
from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.services import (
    API_TOKEN_USE_RESOLUTION,
    api_token_create,
    api_token_revoke,
    role_assign,
    user_deactivate,
)

pytestmark = pytest.mark.django_db
ME = "/api/v1/me"
Persona = Callable[..., User]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def assert_json_401(response: Any) -> None:
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Mangler gyldig API-nøkkel."}
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.fixture
def caseworker(persona: Persona) -> User:
    return persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key="4")


# --- Authentication -----------------------------------------------------------------


def test_valid_token_returns_the_user_and_roles(client: Client, caseworker: User) -> None:
    secret = api_token_create(user=caseworker, name="script").secret
    response = client.get(ME, headers=bearer(secret))
    assert response.status_code == 200
    assert response.json() == {"email": caseworker.email, "full_name": caseworker.full_name, "roles": ["caseworker"]}
    # Answers for an authenticated user may hold personal data: never cached.
    assert response["Cache-Control"] == "no-store"


def test_the_scheme_name_is_case_insensitive(client: Client, caseworker: User) -> None:
    secret = api_token_create(user=caseworker, name="x").secret
    assert client.get(ME, headers={"Authorization": f"bearer {secret}"}).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer bby_wrong",
        "Basic dXNlcjpwYXNz",
        "Token bby_x",
        "Bearer not-our-format",
        "Bearer bby_" + "A" * 5000,
    ],
    ids=["missing", "blank", "scheme-only", "empty-token", "wrong", "basic", "other-scheme", "foreign", "huge"],
)
def test_missing_wrong_or_malformed_tokens_get_401_json(client: Client, header: str | None) -> None:
    assert_json_401(client.get(ME, headers={"Authorization": header} if header is not None else {}))


def test_a_real_secret_in_a_malformed_header_is_refused(client: Client, caseworker: User) -> None:
    secret = api_token_create(user=caseworker, name="x").secret
    for header in (f"Bearer  {secret}", f"Bearer {secret} extra", secret, f"Basic {secret}"):
        assert_json_401(client.get(ME, headers={"Authorization": header}))


def test_a_signed_in_browser_session_is_not_an_api_credential(
    client_as: Callable[[User], Client], caseworker: User
) -> None:
    # Only tokens authenticate, so a cross-site request riding on a session cookie gets nothing.
    assert_json_401(client_as(caseworker).get(ME))


def test_revoked_token_gets_401(client: Client, persona: Persona) -> None:
    user = persona(Role.AUDITOR)
    issued = api_token_create(user=user, name="old")
    assert client.get(ME, headers=bearer(issued.secret)).status_code == 200
    api_token_revoke(token=issued.token, actor=user)
    assert_json_401(client.get(ME, headers=bearer(issued.secret)))


def test_expired_token_gets_401(client: Client, persona: Persona) -> None:
    issued = api_token_create(
        user=persona(Role.AUDITOR), name="short", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert client.get(ME, headers=bearer(issued.secret)).status_code == 200
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_json_401(client.get(ME, headers=bearer(issued.secret)))


def test_deactivating_a_user_revokes_their_tokens(client: Client, persona: Persona) -> None:
    user = persona(Role.AUDITOR)
    issued = api_token_create(user=user, name="x")
    user_deactivate(user=user, actor=None)
    assert_json_401(client.get(ME, headers=bearer(issued.secret)))
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None


def test_token_of_an_inactive_user_gets_401_even_if_not_revoked(client: Client, persona: Persona) -> None:
    # E.g. deactivated in the admin, which bypasses user_deactivate().
    user = persona(Role.AUDITOR)
    issued = api_token_create(user=user, name="x")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_json_401(client.get(ME, headers=bearer(issued.secret)))
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_token_carries_the_users_current_roles(client: Client, caseworker: User) -> None:
    secret = api_token_create(user=caseworker, name="x").secret
    assert client.get(ME, headers=bearer(secret)).json()["roles"] == ["caseworker"]
    role_assign(user=caseworker, role=Role.AUDITOR, scope_kind=ScopeKind.GLOBAL)
    assert client.get(ME, headers=bearer(secret)).json()["roles"] == ["auditor", "caseworker"]
    RoleAssignment.objects.filter(user=caseworker, role=Role.CASEWORKER).delete()
    assert client.get(ME, headers=bearer(secret)).json()["roles"] == ["auditor"]


# --- Storage and bookkeeping -----------------------------------------------------------


def test_only_the_sha256_digest_is_stored(persona: Persona) -> None:
    issued = api_token_create(user=persona(Role.AUDITOR), name="x")
    row = ApiToken.objects.values().get(pk=issued.token.pk)
    secret_body = issued.secret.removeprefix("bby_")
    assert not any(secret_body in str(value) for value in row.values())
    assert row["digest"] == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert row["prefix"] == issued.secret[:10]
    assert re.fullmatch(r"bby_[A-Za-z0-9_-]{43}", issued.secret)


def test_use_is_recorded_without_a_write_on_every_call(client: Client, persona: Persona) -> None:
    issued = api_token_create(user=persona(Role.AUDITOR), name="x")
    token = issued.token
    client.get(ME, headers=bearer(issued.secret))
    token.refresh_from_db()
    assert token.last_used_at is not None
    first_use, updated_at = token.last_used_at, token.updated_at

    client.get(ME, headers=bearer(issued.secret))
    token.refresh_from_db()
    assert token.last_used_at == first_use

    stale = timezone.now() - API_TOKEN_USE_RESOLUTION - dt.timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    client.get(ME, headers=bearer(issued.secret))
    token.refresh_from_db()
    assert token.last_used_at > stale
    # Use is bookkeeping, not an edit of the token.
    assert token.updated_at == updated_at


def test_a_refused_token_is_not_marked_as_used(client: Client, persona: Persona) -> None:
    user = persona(Role.AUDITOR)
    issued = api_token_create(user=user, name="x")
    api_token_revoke(token=issued.token, actor=user)
    client.get(ME, headers=bearer(issued.secret))
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is None


# --- Errors are JSON ---------------------------------------------------------------------


def test_unknown_api_path_is_a_json_404(client: Client) -> None:
    response = client.get("/api/v1/finnes-ikke")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"detail"}


def test_missing_object_is_a_json_404(client: Client, persona: Persona) -> None:
    secret = api_token_create(user=persona(Role.SYSTEM_ADMIN), name="x").secret
    response = client.get("/api/v1/organisation/programmes/999999", headers=bearer(secret))
    assert response.status_code == 404
    assert response.json() == {"detail": "Fant ikke objektet."}


def test_wrong_method_is_a_json_405(client: Client, persona: Persona) -> None:
    secret = api_token_create(user=persona(Role.AUDITOR), name="x").secret
    response = client.post(ME, headers=bearer(secret))
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}
    assert response["Allow"] == "GET"


# --- OpenAPI and docs ----------------------------------------------------------------------


def test_openapi_lists_the_endpoint_and_bearer_scheme(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/me" in schema["paths"]
    bearer_schemes = [
        name
        for name, scheme in schema["components"]["securitySchemes"].items()
        if scheme == {"type": "http", "scheme": "bearer"}
    ]
    assert len(bearer_schemes) == 1
    assert schema["paths"]["/api/v1/me"]["get"]["security"] == [{bearer_schemes[0]: []}]


def test_docs_redirect_to_swagger_without_inline_script(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert response["Location"] == "/api/v1/docs"
    page = client.get(response["Location"])
    assert page.status_code == 200
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    html = page.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attributes, body in scripts:
        # Either an external file from our own static files, or a JSON data
        # block (never executed, so CSP allows it).
        if 'type="application/json"' in attributes:
            continue
        assert re.search(r'src="/static/ninja/[\w.-]+\.js"', attributes), attributes
        assert body.strip() == ""
    assert "swagger-ui-bundle.js" in html
    assert "cdn." not in html
    assert " style=" not in html
    assert "<style" not in html
