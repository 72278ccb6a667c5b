"""Sign-in security: credentials, lockout, the second factor, timeouts, password reset."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from barneby.accounts.middleware import AUTH_AT_KEY, SEEN_AT_KEY
from barneby.accounts.models import AuthenticatorDevice, User
from barneby.accounts.roles import Role
from barneby.accounts.services import enrolment_code_issue
from barneby.audit.models import AuditAction, AuditEvent
from barneby.core.tests.personas import PASSWORD, make_persona, verified_client

LOGIN = "/konto/logg-inn/"
TWO_FACTOR = "/konto/tofaktor/"
DASHBOARD = "/ansatt/"

pytestmark = pytest.mark.django_db


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post(LOGIN, {"username": email, "password": password, **extra})


def current_code(device: AuthenticatorDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_sign_in_page_is_norwegian_with_one_h1_and_skip_link(client: Client) -> None:
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nb"' in html
    assert html.count("<h1") == 1
    assert 'href="#main"' in html
    assert "Logg inn" in html
    assert 'autocomplete="current-password"' in html


def test_good_credentials_lead_to_second_factor_and_are_audited(client: Client) -> None:
    user = make_persona(Role.CASEWORKER)
    response = sign_in(client, user.email.upper())
    assert response.status_code == 302
    assert response["Location"].startswith(TWO_FACTOR)
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=user).count() == 1


def test_bad_password_shows_norwegian_error_and_is_audited(client: Client) -> None:
    user = make_persona(Role.CASEWORKER)
    response = sign_in(client, user.email, "wrong-password")
    assert response.status_code == 200
    assert "Feil e-post eller passord." in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor is None
    assert user.email in event.detail
    assert event.ip_address == "127.0.0.1"


def test_repeated_failures_lock_out_even_the_right_password(client: Client, settings: object) -> None:
    user = make_persona(Role.CASEWORKER)
    for _ in range(5):
        sign_in(client, user.email, "wrong-password")
    response = sign_in(client, user.email)
    assert response.status_code == 429
    assert "midlertidig sperret" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, detail__startswith="locked-out").exists()


def test_lockout_ends_after_the_configured_time(client: Client) -> None:
    user = make_persona(Role.CASEWORKER)
    for _ in range(5):
        sign_in(client, user.email, "wrong-password")
    assert sign_in(client, user.email).status_code == 429
    # Move the recorded failures back past the 15-minute cool-off.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response["Location"].startswith(TWO_FACTOR)


def test_failures_from_a_shared_address_do_not_lock_out_other_staff(client: Client) -> None:
    # Behind a load balancer or an office NAT everyone shares one address.
    for i in range(5):
        sign_in(client, f"nobody{i}@test.barneby.example", "wrong-password")
    colleague = make_persona(Role.AUDITOR)
    assert sign_in(client, colleague.email).status_code == 302


def test_nobody_can_lock_a_named_account_from_another_address() -> None:
    user = make_persona(Role.CASEWORKER)
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(5):
        sign_in(attacker, user.email, "wrong-password")
    assert sign_in(attacker, user.email).status_code == 429
    assert sign_in(Client(REMOTE_ADDR="198.51.100.7"), user.email).status_code == 302


def forwarded(client: Client, email: str, password: str, forwarded_for: str) -> Any:
    return client.post(
        LOGIN,
        {"username": email, "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_trusted_proxy_lockout_and_audit_use_the_forwarded_client(client: Client, settings: Any) -> None:
    settings.BARNEBY_TRUSTED_PROXY_COUNT = 1
    user = make_persona(Role.CASEWORKER)
    for _ in range(5):
        # The client forges a left-hand entry; only the proxy's own (rightmost) entry counts.
        forwarded(client, user.email, "wrong-password", f"198.51.100.{_}, 203.0.113.66")
    assert forwarded(client, user.email, PASSWORD, "203.0.113.66").status_code == 429
    # Another member of staff behind the same load balancer is not locked out.
    assert forwarded(Client(), user.email, PASSWORD, "192.0.2.10").status_code == 302
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).values_list("ip_address", flat=True)
    assert set(failed) == {"203.0.113.66"}
    login = AuditEvent.objects.get(action=AuditAction.LOGIN, actor=user)
    assert login.ip_address == "192.0.2.10"


def test_forwarded_for_is_ignored_unless_proxies_are_trusted(client: Client, settings: Any) -> None:
    assert settings.BARNEBY_TRUSTED_PROXY_COUNT == 0
    user = make_persona(Role.CASEWORKER)
    for i in range(5):
        # A client rotating a forged header gains nothing: the lock is on its real address.
        forwarded(client, user.email, "wrong-password", f"198.51.100.{i}")
    assert forwarded(client, user.email, PASSWORD, "192.0.2.10").status_code == 429
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).first()
    assert event is not None
    assert event.ip_address == "10.0.0.2"


def test_open_redirect_is_refused(client: Client, settings: Any) -> None:
    settings.BARNEBY_REQUIRE_2FA = False
    user = make_persona(Role.ME_ADVISOR)
    response = sign_in(client, user.email, next="https://evil.example/steal")
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD


def test_staff_without_second_factor_cannot_open_personal_data_pages(client: Client) -> None:
    user = make_persona(Role.AUDITOR)
    client.force_login(user)
    for url in (DASHBOARD, reverse("audit:event-list"), reverse("accounts:apitoken-list")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == TWO_FACTOR


@pytest.mark.parametrize("role", sorted(Role), ids=lambda r: r.value)
def test_every_role_needs_the_second_factor(client: Client, role: Role) -> None:
    # The M&E advisor too: the staff register, API tokens and exports are personal data.
    user = make_persona(role)
    response = sign_in(client, user.email)
    assert response["Location"].startswith(TWO_FACTOR)
    for url in (DASHBOARD, reverse("accounts:apitoken-list")):
        response = client.get(url)
        assert response.status_code in {302, 403}, url
        if response.status_code == 302:
            assert response["Location"] == TWO_FACTOR, url


def test_second_factor_is_not_required_when_relaxed_and_banner_says_so(client: Client, settings: object) -> None:
    settings.BARNEBY_REQUIRE_2FA = False  # type: ignore[attr-defined]
    client.force_login(make_persona(Role.AUDITOR))
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert "tofaktorinnlogging er slått av" in response.content.decode()


def test_first_sign_in_sets_up_totp_and_then_opens_the_page(client: Client) -> None:
    user = make_persona(Role.CASEWORKER, authenticator=False)
    sign_in(client, user.email)
    code = enrolment_code_issue(user=user, actor=make_persona(Role.SYSTEM_ADMIN)).secret
    assert client.post(reverse("accounts:two-factor-code"), {"code": code}).status_code == 302
    page = client.get(TWO_FACTOR)
    html = page.content.decode()
    assert "Sett opp tofaktorinnlogging" in html
    assert 'src="data:image/svg+xml;base64,' in html
    device = AuthenticatorDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(TWO_FACTOR, {"token": "000000" if current_code(device) != "000000" else "111111"})
    assert "Koden stemmer ikke" in wrong.content.decode()
    assert client.get(DASHBOARD).status_code == 302

    # Throttled: even the right code is refused straight after a wrong one.
    throttled = client.post(TWO_FACTOR, {"token": current_code(device)})
    assert "For mange feil forsøk" in throttled.content.decode()
    device.refresh_from_db()
    device.throttle_reset()

    response = client.post(TWO_FACTOR, {"token": current_code(device), "next": DASHBOARD})
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(DASHBOARD).status_code == 200


def test_later_sign_in_asks_for_the_code_of_the_existing_device(client: Client) -> None:
    user = make_persona(Role.CASEWORKER)
    device = AuthenticatorDevice.objects.get(user=user)
    sign_in(client, user.email)
    html = client.get(TWO_FACTOR).content.decode()
    assert "Bekreft at det er deg" in html
    assert "data:image/svg+xml" not in html
    response = client.post(TWO_FACTOR, {"token": current_code(device)})
    assert response.status_code == 302
    assert client.get(DASHBOARD).status_code == 200


def test_malformed_code_gets_a_norwegian_error(client: Client) -> None:
    user = make_persona(Role.CASEWORKER)
    sign_in(client, user.email)
    response = client.post(TWO_FACTOR, {"token": "abc"})
    assert "Skriv inn de seks sifrene" in response.content.decode()


def test_sign_out_needs_post() -> None:
    client = verified_client(make_persona(Role.ME_ADVISOR))
    assert client.get("/konto/logg-ut/").status_code == 405
    response = client.post("/konto/logg-ut/")
    assert response.status_code == 302
    assert client.get(DASHBOARD).status_code == 302


def test_idle_session_is_signed_out() -> None:
    client = verified_client(make_persona(Role.ME_ADVISOR))
    assert client.get(DASHBOARD).status_code == 200
    session = client.session
    session[SEEN_AT_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_absolute_session_lifetime_ends_even_an_active_session() -> None:
    client = verified_client(make_persona(Role.ME_ADVISOR))
    client.get(DASHBOARD)
    session = client.session
    session[AUTH_AT_KEY] = time.time() - 11 * 3600
    session[SEEN_AT_KEY] = time.time()
    session.save()
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_password_reset_does_not_bypass_second_factor(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    user = make_persona(Role.CASEWORKER)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post("/konto/glemt-passord/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/konto/glemt-passord/[^/\s]+/[^/\s]+/)", str(mail.outbox[0].body))
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    new_password = "a-brand-new-password-2026"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    # The reset signs nobody in ...
    assert client.get(DASHBOARD).status_code == 302
    # ... and signing in with the new password still asks for the code.
    response = sign_in(client, user.email, new_password)
    assert response["Location"].startswith(TWO_FACTOR)
    assert client.get(DASHBOARD)["Location"] == TWO_FACTOR
    assert AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def test_password_reset_for_unknown_address_reveals_nothing(client: Client) -> None:
    response = client.post("/konto/glemt-passord/", {"email": "nobody@test.barneby.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


def test_inactive_user_cannot_sign_in(client: Client) -> None:
    user = make_persona(Role.CASEWORKER)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = sign_in(client, user.email)
    assert response.status_code == 200
    assert "Feil e-post eller passord." in response.content.decode()


def test_security_headers_on_pages(client: Client) -> None:
    response = client.get(LOGIN)
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_for_signed_in_users_are_not_cached() -> None:
    client = verified_client(make_persona(Role.ME_ADVISOR))
    assert client.get(DASHBOARD)["Cache-Control"] == "no-store"


def test_csrf_is_enforced_on_sign_in() -> None:
    client = Client(enforce_csrf_checks=True)
    user = make_persona(Role.CASEWORKER)
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 403
