"""The personal API token page: create once-visible secrets, list, revoke own tokens only."""

from __future__ import annotations

import re

import pytest

from barneby.accounts.models import ApiToken
from barneby.accounts.roles import Role
from barneby.accounts.services import api_token_create
from barneby.audit.models import AuditAction, AuditEvent
from barneby.core.tests.personas import make_persona, verified_client

pytestmark = pytest.mark.django_db
URL = "/konto/api-nokler/"


def test_create_shows_the_secret_once_and_stores_only_a_digest() -> None:
    user = make_persona(Role.CASEWORKER)
    client = verified_client(user)
    html = client.post(URL, {"name": "Rapportskript", "expires_on": ""}).content.decode()
    secret = re.search(r"(bby_[A-Za-z0-9_\-]+)</code>", html)
    assert secret is not None
    token = ApiToken.objects.get(user=user)
    assert token.name == "Rapportskript"
    assert secret.group(1) not in str(ApiToken.objects.values().get(pk=token.pk))
    listing = client.get(URL).content.decode()
    assert "Rapportskript" in listing
    assert secret.group(1) not in listing
    assert token.prefix in listing
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="accounts.apitoken").exists()


def test_expiry_in_the_past_is_a_norwegian_form_error() -> None:
    client = verified_client(make_persona(Role.CASEWORKER))
    html = client.post(URL, {"name": "x", "expires_on": "01.01.2020"}).content.decode()
    assert "Utløpstidspunktet må ligge fram i tid." in html
    assert not ApiToken.objects.exists()


def test_empty_name_is_a_norwegian_form_error() -> None:
    client = verified_client(make_persona(Role.CASEWORKER))
    html = client.post(URL, {"name": "  ", "expires_on": ""}).content.decode()
    assert "Feltet er påkrevet." in html
    assert not ApiToken.objects.exists()


def test_future_expiry_is_kept() -> None:
    user = make_persona(Role.CASEWORKER)
    verified_client(user).post(URL, {"name": "x", "expires_on": "31.12.2099"})
    token = ApiToken.objects.get(user=user)
    assert token.expires_at is not None
    assert token.expires_at.year == 2099


def test_revoke_own_token() -> None:
    user = make_persona(Role.CASEWORKER)
    issued = api_token_create(user=user, name="gammel")
    client = verified_client(user)
    response = client.post(f"/konto/api-nokler/{issued.token.pk}/trekk-tilbake/")
    assert response.status_code == 302
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert "Trukket tilbake" in client.get(URL).content.decode()


def test_someone_elses_token_is_404_and_untouched() -> None:
    owner = make_persona(Role.CASEWORKER)
    issued = api_token_create(user=owner, name="hers")
    intruder = verified_client(make_persona(Role.CASEWORKER))
    assert intruder.post(f"/konto/api-nokler/{issued.token.pk}/trekk-tilbake/").status_code == 404
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_revoke_needs_post() -> None:
    user = make_persona(Role.CASEWORKER)
    issued = api_token_create(user=user, name="x")
    assert verified_client(user).get(f"/konto/api-nokler/{issued.token.pk}/trekk-tilbake/").status_code == 405


def test_caregivers_have_no_api_tokens() -> None:
    assert verified_client(make_persona(Role.CAREGIVER)).get(URL).status_code == 403
