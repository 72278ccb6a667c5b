"""The personal API token page: create once-visible secrets, list, revoke own tokens only."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from barneby.accounts import services
from barneby.accounts.models import ApiToken, AuthenticatorDevice, RoleAssignment, User
from barneby.accounts.roles import API_USERS, Role
from barneby.accounts.services import api_token_create
from barneby.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db
Persona = Callable[..., User]
ClientAs = Callable[[User], Client]
SECRET_ON_PAGE = re.compile(r'<code class="secret">(bby_[A-Za-z0-9_\-]+)</code>')


def list_url() -> str:
    return reverse("accounts:apitoken-list")


def revoke_url(token: ApiToken) -> str:
    return reverse("accounts:apitoken-revoke", args=[token.pk])


def table_rows_by_name(html: str) -> dict[str, str]:
    """Each body row's HTML, keyed by its first cell (the token's name)."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        first_cell = re.search(r"<td>([^<]+)</td>", row)
        if first_cell:
            rows[first_cell.group(1)] = row
    return rows


@pytest.fixture
def caseworker(persona: Persona) -> User:
    return persona(Role.CASEWORKER)


# --- Who may reach the page ---------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(API_USERS))
def test_every_api_role_may_open_the_page(persona: Persona, client_as: ClientAs, role: Role) -> None:
    assert client_as(persona(role)).get(list_url()).status_code == 200


def test_caregivers_have_no_api_tokens(persona: Persona, client_as: ClientAs) -> None:
    client = client_as(persona(Role.CAREGIVER))
    assert client.get(list_url()).status_code == 403
    assert client.post(list_url(), {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_user_without_roles_gets_403(outsider: User, client_as: ClientAs) -> None:
    assert client_as(outsider).get(list_url()).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(list_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_second_factor_is_required(client: Client, caseworker: User) -> None:
    client.force_login(caseworker)
    response = client.get(list_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two-factor")


# --- Create ----------------------------------------------------------------------------------


def test_create_shows_the_secret_once_and_stores_only_a_digest(client_as: ClientAs, caseworker: User) -> None:
    client = client_as(caseworker)
    response = client.post(list_url(), {"name": "Rapportskript", "expires_on": ""})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    match = SECRET_ON_PAGE.search(response.content.decode())
    assert match is not None
    secret = match.group(1)
    token = ApiToken.objects.get(user=caseworker)
    assert token.name == "Rapportskript"
    # No date given: the longest allowed life, not forever.
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    assert secret.removeprefix("bby_") not in str(ApiToken.objects.values().get(pk=token.pk))
    listing = client.get(list_url()).content.decode()
    assert "Rapportskript" in listing
    assert secret not in listing
    assert SECRET_ON_PAGE.search(listing) is None
    assert token.prefix in listing
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="accounts.apitoken").count() == 1
    # The secret works at once.
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_expiry_in_the_past_is_a_norwegian_form_error(client_as: ClientAs, caseworker: User) -> None:
    html = client_as(caseworker).post(list_url(), {"name": "x", "expires_on": "01.01.2020"}).content.decode()
    assert "Utløpstidspunktet må ligge fram i tid." in html
    assert SECRET_ON_PAGE.search(html) is None
    assert not ApiToken.objects.exists()


def test_empty_name_is_a_norwegian_form_error(client_as: ClientAs, caseworker: User) -> None:
    html = client_as(caseworker).post(list_url(), {"name": "  ", "expires_on": ""}).content.decode()
    # Django's own wording or Wagtail's ("Dette feltet er påkrevet."), whichever catalogue comes first.
    assert "eltet er påkrevet." in html
    assert "This field is required" not in html
    assert not ApiToken.objects.exists()


def test_a_malformed_date_is_a_norwegian_form_error(client_as: ClientAs, caseworker: User) -> None:
    html = client_as(caseworker).post(list_url(), {"name": "x", "expires_on": "i morgen"}).content.decode()
    assert "Oppgi en gyldig dato." in html
    assert not ApiToken.objects.exists()


def test_expiry_is_kept_until_the_end_of_that_day_in_oslo(client_as: ClientAs, caseworker: User) -> None:
    day = timezone.localdate() + dt.timedelta(days=30)
    client_as(caseworker).post(list_url(), {"name": "x", "expires_on": day.strftime("%d.%m.%Y")})
    token = ApiToken.objects.get(user=caseworker)
    assert token.expires_at is not None
    local = timezone.localtime(token.expires_at)
    assert (local.date(), local.hour, local.minute) == (day, 23, 59)


def test_a_token_expiring_today_is_accepted(client_as: ClientAs, caseworker: User) -> None:
    today = timezone.localdate().strftime("%d.%m.%Y")
    client_as(caseworker).post(list_url(), {"name": "x", "expires_on": today})
    assert ApiToken.objects.get(user=caseworker).is_usable


# --- List -------------------------------------------------------------------------------------


def test_list_shows_prefix_dates_and_status_of_own_tokens_only(
    persona: Persona, client_as: ClientAs, caseworker: User
) -> None:
    active = api_token_create(user=caseworker, name="aktiv-nøkkel").token
    used_at = timezone.now() - dt.timedelta(days=3)
    ApiToken.objects.filter(pk=active.pk).update(last_used_at=used_at)
    expired = api_token_create(
        user=caseworker, name="utløpt-nøkkel", expires_at=timezone.now() + dt.timedelta(hours=1)
    ).token
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    revoked = api_token_create(user=caseworker, name="gammel-nøkkel").token
    revoked.revoked_at = timezone.now()
    revoked.save()
    api_token_create(user=persona(Role.CASEWORKER), name="noen-andres")

    html = client_as(caseworker).get(list_url()).content.decode()
    rows = table_rows_by_name(html)
    assert set(rows) == {"aktiv-nøkkel", "utløpt-nøkkel", "gammel-nøkkel"}
    with translation.override("nb"):
        created = formats.date_format(timezone.localtime(active.created_at), "SHORT_DATETIME_FORMAT")
        last_used = formats.date_format(timezone.localtime(used_at), "SHORT_DATETIME_FORMAT")
    assert active.prefix in rows["aktiv-nøkkel"]
    assert created in rows["aktiv-nøkkel"]
    assert last_used in rows["aktiv-nøkkel"]
    assert "Aktiv" in rows["aktiv-nøkkel"]
    assert "Utløpt" in rows["utløpt-nøkkel"]
    assert "Trukket tilbake" in rows["gammel-nøkkel"]
    # Only usable tokens offer a revoke button.
    assert revoke_url(active) in rows["aktiv-nøkkel"]
    assert revoke_url(revoked) not in rows["gammel-nøkkel"]


# --- Revoke -----------------------------------------------------------------------------------


def test_revoke_own_token(client_as: ClientAs, caseworker: User) -> None:
    issued = api_token_create(user=caseworker, name="gammel")
    client = client_as(caseworker)
    response = client.post(revoke_url(issued.token))
    assert response.status_code == 302
    assert response["Location"] == list_url()
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="accounts.apitoken", detail="revoked"
    ).exists()
    assert "Nøkkelen «gammel» er trukket tilbake." in client.get(list_url()).content.decode()
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {issued.secret}"}).status_code == 401


def test_someone_elses_token_is_404_and_untouched(persona: Persona, client_as: ClientAs, caseworker: User) -> None:
    issued = api_token_create(user=caseworker, name="hers")
    intruder = client_as(persona(Role.SYSTEM_ADMIN))
    assert intruder.post(revoke_url(issued.token)).status_code == 404
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_an_unknown_token_is_404(client_as: ClientAs, caseworker: User) -> None:
    response = client_as(caseworker).post(reverse("accounts:apitoken-revoke", args=[999999]))
    assert response.status_code == 404


def test_revoke_needs_post(client_as: ClientAs, caseworker: User) -> None:
    issued = api_token_create(user=caseworker, name="x")
    assert client_as(caseworker).get(revoke_url(issued.token)).status_code == 405
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_revoke_needs_the_csrf_token(caseworker: User, client_as: ClientAs) -> None:
    issued = api_token_create(user=caseworker, name="x")
    client = client_as(caseworker)
    client.handler.enforce_csrf_checks = True
    assert client.post(revoke_url(issued.token)).status_code == 403
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_a_service_error_on_another_field_is_shown_above_the_form(
    client_as: ClientAs, caseworker: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: object) -> None:
        raise ValidationError({"digest": ["Prøv igjen."]})

    monkeypatch.setattr(services, "api_token_create", refuse)
    response = client_as(caseworker).post(list_url(), {"name": "x", "expires_on": ""})
    assert response.status_code == 200
    assert "Prøv igjen." in response.content.decode()


# --- Lifetime and who may still use a token ---------------------------------------------


def me(secret: str) -> int:
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code


def test_a_token_cannot_be_issued_beyond_the_maximum_lifetime(caseworker: User, settings: Any) -> None:
    settings.API_TOKEN_MAX_DAYS = 30
    with pytest.raises(ValidationError) as exc:
        api_token_create(user=caseworker, name="evig", expires_at=timezone.now() + dt.timedelta(days=40))
    assert exc.value.message_dict["expires_at"] == ["En API-nøkkel kan gjelde i høyst 30 dager."]
    assert not ApiToken.objects.exists()


def test_the_form_shows_the_maximum_lifetime_as_a_field_error(client_as: ClientAs, caseworker: User) -> None:
    too_late = timezone.localdate() + dt.timedelta(days=200)
    html = client_as(caseworker).post(list_url(), {"name": "x", "expires_on": too_late.strftime("%d.%m.%Y")})
    assert "En API-nøkkel kan gjelde i høyst 90 dager." in html.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_older_than_the_maximum_is_refused_even_without_an_expiry(caseworker: User) -> None:
    issued = api_token_create(user=caseworker, name="gammel")
    assert me(issued.secret) == 200
    # A token from before the maximum existed: no expiry, issued long ago.
    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=None, created_at=timezone.now() - dt.timedelta(days=92)
    )
    assert me(issued.secret) == 401


def test_a_token_stops_working_when_its_user_loses_the_role(caseworker: User) -> None:
    issued = api_token_create(user=caseworker, name="script")
    assert me(issued.secret) == 200
    RoleAssignment.objects.filter(user=caseworker).delete()
    assert me(issued.secret) == 401


def test_a_token_stops_working_when_the_role_no_longer_may_use_the_api(caseworker: User) -> None:
    issued = api_token_create(user=caseworker, name="script")
    RoleAssignment.objects.filter(user=caseworker).update(role=Role.CAREGIVER, scope_kind="home")
    assert me(issued.secret) == 401


def test_a_token_stops_working_without_a_second_factor(caseworker: User) -> None:
    issued = api_token_create(user=caseworker, name="script")
    AuthenticatorDevice.objects.filter(user=caseworker).delete()
    assert me(issued.secret) == 401


def test_a_token_of_a_deactivated_user_is_refused(caseworker: User) -> None:
    issued = api_token_create(user=caseworker, name="script")
    User.objects.filter(pk=caseworker.pk).update(is_active=False)
    assert me(issued.secret) == 401


def test_an_unverified_me_advisor_cannot_reach_the_token_page(client: Client, persona: Persona) -> None:
    client.force_login(persona(Role.ME_ADVISOR))
    response = client.get(list_url())
    assert response.status_code == 302
    assert response["Location"] == "/konto/tofaktor/"
