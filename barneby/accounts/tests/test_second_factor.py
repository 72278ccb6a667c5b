"""The second factor: secrets encrypted at rest, and set-up only through a second channel."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp

from barneby.accounts import services
from barneby.accounts.models import AuthenticatorDevice, EnrolmentGrant, User
from barneby.accounts.roles import Role
from barneby.core.tests.personas import PASSWORD, make_persona

pytestmark = pytest.mark.django_db
TWO_FACTOR = "/konto/tofaktor/"
DASHBOARD = "/ansatt/"


def raw_key(device: AuthenticatorDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute('SELECT "key" FROM accounts_authenticatordevice WHERE id = %s', [device.pk])
        value: str = cursor.fetchone()[0]
    return value


def code_for(device: AuthenticatorDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def signed_in_with_password(user: User) -> Client:
    client = Client()
    response = client.post("/konto/logg-inn/", {"username": user.email, "password": PASSWORD})
    assert response["Location"].startswith(TWO_FACTOR)
    return client


# --- The secret at rest -------------------------------------------------------------------


def test_the_stored_secret_is_not_the_hex_key_and_codes_still_verify() -> None:
    device = AuthenticatorDevice.objects.get(user=make_persona(Role.CASEWORKER))
    hex_key = device.key
    assert re.fullmatch(r"[0-9a-f]{40}", hex_key)
    stored = raw_key(device)
    assert hex_key not in stored
    assert bytes.fromhex(hex_key).hex() not in stored.lower()
    fresh = AuthenticatorDevice.objects.get(pk=device.pk)
    assert fresh.key == hex_key
    assert fresh.verify_token(code_for(fresh))
    # A time step is used once.
    assert not AuthenticatorDevice.objects.get(pk=device.pk).verify_token(code_for(fresh))


def test_rotating_the_field_keys_reencrypts_the_secret(settings: Any) -> None:
    device = AuthenticatorDevice.objects.get(user=make_persona(Role.CASEWORKER))
    before = raw_key(device)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_field_keys", verbosity=0)
    after = raw_key(device)
    assert after != before
    Fernet(new_key.encode()).decrypt(after.encode())  # now under the newest key
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key can go
    fresh = AuthenticatorDevice.objects.get(pk=device.pk)
    assert fresh.key == device.key
    assert fresh.verify_token(code_for(fresh))


class SchemaEditorStub:
    """What the migration uses of a schema editor (SQLite's refuses to open inside a test's transaction)."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    def quote_name(self, name: str) -> str:
        return str(connection.ops.quote_name(name))


def test_the_migration_encrypts_secrets_left_in_django_otps_plain_table() -> None:
    user = make_persona(Role.CASEWORKER, authenticator=False)
    hex_key = "3132333435363738393031323334353637383930"
    migration = importlib.import_module("barneby.accounts.migrations.0003_encrypt_totp_secrets")
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE otp_totp_totpdevice (id integer PRIMARY KEY, user_id bigint, name varchar(64), "
            "confirmed boolean, key varchar(80), step smallint, t0 bigint, digits smallint, tolerance smallint, "
            "drift smallint, last_t bigint, throttling_failure_timestamp timestamp with time zone NULL, "
            "throttling_failure_count integer, created_at timestamp with time zone NULL, "
            "last_used_at timestamp with time zone NULL)"
        )
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice VALUES (7, %s, 'app', %s, %s, 30, 0, 6, 1, 0, 41, NULL, 0, %s, NULL)",
            [user.pk, True, hex_key, now],
        )
    migration.encrypt_legacy_secrets(apps, SchemaEditorStub())
    assert "otp_totp_totpdevice" not in connection.introspection.table_names()
    device = AuthenticatorDevice.objects.get(user=user)
    assert device.confirmed
    assert device.last_t == 41
    assert device.key == hex_key
    assert hex_key not in raw_key(device)


# --- Setting up only through a second channel -----------------------------------------------


def test_the_password_alone_cannot_set_up_an_authenticator() -> None:
    user = make_persona(Role.CASEWORKER, authenticator=False)
    client = signed_in_with_password(user)
    page = client.get(TWO_FACTOR)
    html = page.content.decode()
    assert page.status_code == 200
    assert "engangslenke på e-post eller en engangskode fra en administrator" in html
    assert "data:image/svg+xml" not in html
    assert not AuthenticatorDevice.objects.filter(user=user).exists()
    # Posting a code does not pair anything either.
    client.post(TWO_FACTOR, {"token": "123456"})
    assert not AuthenticatorDevice.objects.filter(user=user).exists()
    assert client.get(DASHBOARD)["Location"] == TWO_FACTOR


def test_an_emailed_link_lets_the_user_set_up_once(django_capture_on_commit_callbacks: Any) -> None:
    user = make_persona(Role.CASEWORKER, authenticator=False)
    client = signed_in_with_password(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:two-factor-send-link"))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    match = re.search(r"https?://[^/\s]+(/konto/tofaktor/oppsett/[^/\s]+/)", str(mail.outbox[0].body))
    assert match is not None
    link = match.group(1)
    # Opening the link uses nothing up (mail scanners follow links); the button does.
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    page = client.get(TWO_FACTOR).content.decode()
    assert "data:image/svg+xml" in page
    device = AuthenticatorDevice.objects.get(user=user, confirmed=False)
    assert client.post(TWO_FACTOR, {"token": code_for(device), "next": DASHBOARD})["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200
    # Single use: the same link in another session of the same user does nothing.
    other = signed_in_with_password(user)
    other.post(link)
    assert "data:image/svg+xml" not in other.get(TWO_FACTOR).content.decode()


def test_an_expired_link_is_refused_with_a_norwegian_message(django_capture_on_commit_callbacks: Any) -> None:
    user = make_persona(Role.CASEWORKER, authenticator=False)
    client = signed_in_with_password(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:two-factor-send-link"))
    match = re.search(r"(/konto/tofaktor/oppsett/[^/\s]+/)", str(mail.outbox[0].body))
    assert match is not None
    EnrolmentGrant.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(match.group(1), follow=True)
    html = response.content.decode()
    assert "Lenken er ugyldig, utløpt eller allerede brukt" in html
    assert "data:image/svg+xml" not in html


def test_someone_elses_link_does_not_work(django_capture_on_commit_callbacks: Any) -> None:
    victim, attacker = (
        make_persona(Role.CASEWORKER, authenticator=False),
        make_persona(Role.CASEWORKER, authenticator=False),
    )
    with django_capture_on_commit_callbacks(execute=True):
        signed_in_with_password(victim).post(reverse("accounts:two-factor-send-link"))
    match = re.search(r"(/konto/tofaktor/oppsett/[^/\s]+/)", str(mail.outbox[0].body))
    assert match is not None
    client = signed_in_with_password(attacker)
    client.post(match.group(1))
    assert "data:image/svg+xml" not in client.get(TWO_FACTOR).content.decode()
    assert EnrolmentGrant.objects.get(user=victim).used_at is None


def test_an_administrators_code_works_once_in_any_case_and_grouping() -> None:
    user = make_persona(Role.AUDITOR, authenticator=False)
    admin = make_persona(Role.SYSTEM_ADMIN)
    code = services.enrolment_code_issue(user=user, actor=admin).secret
    assert EnrolmentGrant.objects.get(user=user).digest not in code
    client = signed_in_with_password(user)
    wrong = client.post(reverse("accounts:two-factor-code"), {"code": "AAAAA-AAAAA"})
    assert "Koden er ugyldig, utløpt eller allerede brukt" in wrong.content.decode()
    typed = code.lower().replace("-", " ")
    assert client.post(reverse("accounts:two-factor-code"), {"code": typed}).status_code == 302
    assert "data:image/svg+xml" in client.get(TWO_FACTOR).content.decode()
    again = signed_in_with_password(user).post(reverse("accounts:two-factor-code"), {"code": code})
    assert "Koden er ugyldig, utløpt eller allerede brukt" in again.content.decode()


def test_an_emailed_link_never_replaces_a_confirmed_authenticator(django_capture_on_commit_callbacks: Any) -> None:
    user = make_persona(Role.CASEWORKER)
    client = signed_in_with_password(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:two-factor-send-link"))
    assert mail.outbox == []
    # Even a link issued by other means does not pair a second phone.
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_link_send(user=user, request=client.get(TWO_FACTOR).wsgi_request)
    match = re.search(r"(/konto/tofaktor/oppsett/[^/\s]+/)", str(mail.outbox[0].body))
    assert match is not None
    client.post(match.group(1))
    assert EnrolmentGrant.objects.get(user=user).used_at is not None
    assert "Bekreft at det er deg" in client.get(TWO_FACTOR).content.decode()
    assert AuthenticatorDevice.objects.filter(user=user, confirmed=True).count() == 1


def test_an_administrators_code_replaces_a_lost_phone() -> None:
    user = make_persona(Role.CASEWORKER)
    lost = AuthenticatorDevice.objects.get(user=user)
    code = services.enrolment_code_issue(user=user, actor=make_persona(Role.SYSTEM_ADMIN)).secret
    client = signed_in_with_password(user)
    assert "Mistet telefonen med appen?" in client.get(TWO_FACTOR).content.decode()
    client.post(reverse("accounts:two-factor-code"), {"code": code})
    assert not AuthenticatorDevice.objects.filter(pk=lost.pk).exists()
    assert "data:image/svg+xml" in client.get(TWO_FACTOR).content.decode()
