"""The IATI export from the database: the demo's programmes validate, broken ones are named, downloads audited."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import etree  # type: ignore[import-untyped]

from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.services import api_token_create
from barneby.audit.models import AuditAction, AuditEvent
from barneby.core.demo import DemoContext
from barneby.core.tests.personas import make_persona, verified_client
from barneby.organisation.demo import seed_organisation
from barneby.organisation.models import MemberAssociation, Programme
from barneby.organisation.tests import factories as org
from barneby.reporting import iati, selectors
from barneby.reporting.demo import seed_iati
from barneby.reporting.models import IatiActivity, IatiBudget, IatiOrganisation, IatiSector

pytestmark = pytest.mark.django_db
T = TypeVar("T")


def _quiet(items: Iterable[T], *, desc: str, total: int | None = None) -> Iterator[T]:
    yield from items


def _context() -> DemoContext:
    return DemoContext(scale="national", seed=7, progress=_quiet)


@pytest.fixture
def national() -> MemberAssociation:
    seed_organisation(_context())
    assert seed_iati(_context()) == Programme.objects.count()
    return MemberAssociation.objects.get(code="NO-SOS")


def _export(programmes: Any) -> iati.Export:
    today = timezone.localdate()
    return selectors.export_for(programmes, today=today, now=timezone.now(), year=today.year)


def test_the_national_demo_exports_and_validates(national: MemberAssociation) -> None:
    """Every programme of the national demo (Norway and ten associations abroad) in one valid file."""
    result = _export(Programme.objects.all())
    assert result.problems == []
    assert result.schema_errors == []
    assert result.activities == Programme.objects.count() >= 16
    document = etree.fromstring(result.xml)
    assert iati.schema().validate(document)
    identifiers = document.findall("iati-activity/iati-identifier")
    org_refs = document.findall("iati-activity/reporting-org")
    assert all(i.text.startswith(o.get("ref") + "-") for i, o in zip(identifiers, org_refs, strict=True))
    # Seeding again adds nothing and changes nothing.
    assert seed_iati(_context()) == 0
    assert _export(Programme.objects.all()).xml.count(b"<iati-activity ") == result.activities


def test_a_broken_programme_is_named_not_exported(national: MemberAssociation) -> None:
    no_sector = Programme.objects.get(code="NO-SIB-TRD")
    IatiSector.objects.filter(activity__programme=no_sector).delete()
    long_budget = Programme.objects.get(code="NO-SIB-KRS")
    IatiBudget.objects.filter(activity__programme=long_budget).update(
        period_start=dt.date(2025, 1, 1), period_end=dt.date(2026, 6, 30)
    )
    result = _export(Programme.objects.filter(association=national))
    problems = {(p.programme_code, p.message) for p in result.problems}
    assert ("NO-SIB-TRD", "Programmet har ingen DAC-sektor.") in problems
    assert any(code == "NO-SIB-KRS" and "lengre enn ett år" in message for code, message in problems)
    assert b"NO-SIB-TRD" not in result.xml
    assert b"NO-SIB-KRS" not in result.xml
    assert result.activities == Programme.objects.filter(association=national).count() - 2


def test_pages_download_and_api_are_scoped_and_audited(national: MemberAssociation) -> None:
    director = make_persona(Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(national.pk))
    client = verified_client(director)
    page = client.get(reverse("reporting:iati-association", args=[national.pk]))
    assert page.status_code == 200
    assert "aktiviteter er klare" in page.content.decode()
    response = client.get(reverse("reporting:iati-download", args=[national.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert iati.schema().validate(etree.fromstring(response.content))
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=director).get()
    assert event.object_type == "organisation.memberassociation"
    assert "IATI" in event.detail
    # Another association is out of the national director's scope.
    kenya = MemberAssociation.objects.get(code="KE-SOS")
    assert client.get(reverse("reporting:iati-association", args=[kenya.pk])).status_code == 404
    assert client.get(reverse("reporting:iati-download", args=[kenya.pk])).status_code == 404
    # The API: the same export, and audited.
    token = api_token_create(user=director, name="iati").secret
    api = Client(headers={"Authorization": f"Bearer {token}"})
    answer = api.get(f"/api/v1/reporting/associations/{national.pk}/iati")
    assert answer.status_code == 200
    body = json.loads(answer.content)
    assert body["ok"] is True
    assert body["activities"] == Programme.objects.filter(association=national).count()
    assert iati.schema().validate(etree.fromstring(body["xml"].encode()))
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=director).count() == 2
    assert api.get(f"/api/v1/reporting/associations/{kenya.pk}/iati").status_code == 404


def test_download_with_a_broken_programme_needs_an_explicit_choice(national: MemberAssociation) -> None:
    IatiSector.objects.filter(activity__programme__code="NO-SIB-TRD").delete()
    advisor = make_persona(Role.ME_ADVISOR)
    client = verified_client(advisor)
    url = reverse("reporting:iati-download", args=[national.pk])
    refused = client.get(url)
    assert refused.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    page = client.get(refused["Location"])
    assert "Programmet har ingen DAC-sektor." in page.content.decode()
    assert "programmer har feil" in page.content.decode()
    partial = client.get(url + "?utelat=1")
    assert partial.status_code == 200
    assert b"NO-SIB-TRD" not in partial.content
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=advisor).count() == 1


def test_a_programme_director_keeps_the_iati_data_of_their_programme() -> None:
    association = org.association(code="NO-T1")
    IatiOrganisation.objects.create(association=association, identifier="NO-BRC-912345678")
    programme = org.programme(association, code="NO-T1-A")
    other = org.programme(association, code="NO-T1-B")
    director = make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(programme.pk))
    client = verified_client(director)
    url = reverse("reporting:iati-programme", args=[programme.pk])
    assert client.get(url).status_code == 200
    assert client.get(reverse("reporting:iati-programme", args=[other.pk])).status_code == 404
    form = {
        "identifier": "NO-BRC-912345678-NO-T1-A",
        "title_en": "Foster homes for sibling groups",
        "description_nb": "",
        "description_en": "",
        "sektor-TOTAL_FORMS": "2",
        "sektor-INITIAL_FORMS": "0",
        "sektor-0-code": "16015",
        "sektor-0-percentage": "80",
        "sektor-1-code": "15160",
        "sektor-1-percentage": "30",
        "budsjett-TOTAL_FORMS": "1",
        "budsjett-INITIAL_FORMS": "0",
        "budsjett-0-period_start": "2026-01-01",
        "budsjett-0-period_end": "2027-03-31",
        "budsjett-0-value": "1000000",
        "budsjett-0-currency": "nok",
        "budsjett-0-type": "1",
        "budsjett-0-status": "1",
    }
    refused = client.post(url, form)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "er til sammen 110 %, ikke 100 %" in text
    assert "lengre enn ett år" in text
    assert not IatiActivity.objects.exists()
    form["sektor-1-percentage"] = "20"
    form["budsjett-0-period_end"] = "2026-12-31"
    assert client.post(url, form).status_code == 302
    activity = IatiActivity.objects.get(programme=programme)
    assert sorted((s.code, s.percentage) for s in activity.sectors.all()) == [
        ("15160", Decimal(20)),
        ("16015", Decimal(80)),
    ]
    assert [(b.period_end, b.currency) for b in activity.budgets.all()] == [(dt.date(2026, 12, 31), "NOK")]
    assert AuditEvent.objects.filter(object_type="reporting.iatiactivity", actor=director).exists()
    result = _export(Programme.objects.filter(pk=programme.pk))
    assert result.ok, result.problems
    # The reporting organisation is the national director's, not the programme director's.
    assert client.get(reverse("reporting:iati-organisation", args=[association.pk])).status_code == 403
