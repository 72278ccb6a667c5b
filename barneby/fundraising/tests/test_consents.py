"""Consents: an append-only log per supporter; the latest entry per purpose is what holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from barneby.accounts.models import User
from barneby.accounts.roles import Role
from barneby.audit.models import AuditEvent
from barneby.core.tests.personas import make_persona, verified_client
from barneby.fundraising import services
from barneby.fundraising.models import AppendOnlyConsentError, Consent, ConsentPurpose, Supporter
from barneby.fundraising.tests import factories as ff
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db


def _record(actor: User, supporter: Supporter, purpose: str, granted: bool, minutes_ago: int = 0) -> Consent:
    return services.consent_record(
        actor=actor,
        supporter=supporter,
        purpose=purpose,
        granted=granted,
        source="phone",
        text_version="epost-2026-01" if granted else "",
        recorded_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )


def test_the_latest_entry_wins(association: MemberAssociation, donor_service: User) -> None:
    supporter = ff.supporter(association)
    _record(donor_service, supporter, "email", True, minutes_ago=30)
    _record(donor_service, supporter, "email", False, minutes_ago=20)
    assert services.consent_granted(supporter, "email") is False
    _record(donor_service, supporter, "email", True, minutes_ago=10)
    assert services.consent_granted(supporter, "email") is True
    # Entered later but dated earlier (e.g. a letter typed in today): it does not override.
    _record(donor_service, supporter, "email", False, minutes_ago=60)
    assert services.consent_granted(supporter, "email") is True
    assert Consent.objects.filter(supporter=supporter).count() == 4
    assert services.communication_preferences(supporter) == {"email": True, "sms": False, "phone": False, "post": True}
    assert AuditEvent.objects.filter(object_type="fundraising.consent").count() == 4


def test_defaults_without_entries_post_allowed_others_not(association: MemberAssociation, donor_service: User) -> None:
    supporter = ff.supporter(association)
    assert services.communication_preferences(supporter) == {"email": False, "sms": False, "phone": False, "post": True}
    _record(donor_service, supporter, "post", False)
    assert services.communication_preferences(supporter)["post"] is False
    assert services.consent_granted(supporter, ConsentPurpose.TAX_DEDUCTION) is False


def test_the_log_is_append_only(association: MemberAssociation, donor_service: User) -> None:
    supporter = ff.supporter(association)
    consent = _record(donor_service, supporter, "newsletter", True)
    consent.granted = False
    with pytest.raises(AppendOnlyConsentError):
        consent.save()
    with pytest.raises(AppendOnlyConsentError):
        consent.delete()
    with pytest.raises(AppendOnlyConsentError):
        Consent.objects.filter(pk=consent.pk).update(granted=False)
    with pytest.raises(AppendOnlyConsentError):
        Consent.objects.filter(pk=consent.pk).delete()
    assert Consent.objects.get(pk=consent.pk).granted is True


def test_a_grant_needs_the_text_version(association: MemberAssociation, donor_service: User) -> None:
    supporter = ff.supporter(association)
    with pytest.raises(ValidationError) as caught:
        services.consent_record(
            actor=donor_service, supporter=supporter, purpose="sms", granted=True, source="form", text_version=" "
        )
    assert "text_version" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.consent_record(actor=donor_service, supporter=supporter, purpose="fax", granted=False, source="form")
    assert not Consent.objects.exists()


def test_supporters_with_consent_in_one_query(association: MemberAssociation, donor_service: User) -> None:
    yes, no, silent = (ff.supporter(association) for _ in range(3))
    _record(donor_service, yes, "email", True)
    _record(donor_service, no, "email", True, minutes_ago=5)
    _record(donor_service, no, "email", False)
    _record(donor_service, no, "post", False)
    everyone = Supporter.objects.filter(association=association)
    assert set(services.supporters_with_consent(everyone, "email")) == {yes}
    assert set(services.supporters_with_consent(everyone, "post")) == {yes, silent}


def test_donor_service_records_a_consent_on_the_page(association: MemberAssociation, donor_service: User) -> None:
    supporter = ff.supporter(association)
    client = verified_client(donor_service)
    url = f"/innsamling/givere/{supporter.pk}/samtykke/"
    assert client.get(url).status_code == 200
    missing = client.post(url, {"purpose": "email", "granted": "1", "source": "phone", "text_version": ""})
    assert missing.status_code == 400
    assert "versjon av samtykketeksten" in missing.content.decode()
    ok = client.post(url, {"purpose": "email", "granted": "1", "source": "phone", "text_version": "epost-v2"})
    assert ok.status_code == 302
    consent = Consent.objects.get()
    assert (consent.purpose, consent.granted, consent.recorded_by) == ("email", True, donor_service)
    page = client.get(f"/innsamling/givere/{supporter.pk}/").content.decode()
    assert "Samtykkelogg" in page
    assert "epost-v2" in page


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PROGRAMME_DIRECTOR])
def test_other_roles_cannot_record_consents(role: Role, association: MemberAssociation, client: Client) -> None:
    supporter = ff.supporter(association)
    url = f"/innsamling/givere/{supporter.pk}/samtykke/"
    other = verified_client(make_persona(role))
    assert other.get(url).status_code == 404
    data = {"purpose": "email", "granted": "1", "source": "phone", "text_version": "v1"}
    assert other.post(url, data).status_code == 404
    anonymous = client.get(url)
    assert anonymous.status_code == 404 or anonymous["Location"].startswith("/konto/logg-inn/")
    assert not Consent.objects.exists()
