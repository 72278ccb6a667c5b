"""Corporate partner pipeline: stage transitions, owners, notes, pages and who may reach them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from stdnum.no import orgnr

from barneby.accounts.models import RoleAssignment, User
from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AuditEvent
from barneby.core.tests.personas import make_persona, verified_client
from barneby.organisation.models import MemberAssociation
from barneby.partners import services
from barneby.partners.models import Lead, LeadEvent, LeadNote, Stage

pytestmark = pytest.mark.django_db


def valid_orgnr(base: str = "92345678") -> str:
    """A made-up organisasjonsnummer with a correct check digit."""
    for digit in "0123456789":
        if orgnr.is_valid(base + digit):
            return base + digit
    raise AssertionError("no check digit fits")


def make_lead(association: MemberAssociation, actor: User, **kw: Any) -> Lead:
    data: dict[str, Any] = {
        "company_name": "Fjordkraft Testselskap AS",
        "contact_name": "Kari Nordmann",
        "email": "kari@fjord.example",
        **kw,
    }
    return services.lead_create(actor=actor, association=association, **data)


# --- Services ------------------------------------------------------------------------------------


def test_create_validates_organisation_number_and_contact(association: MemberAssociation, donor_service: User) -> None:
    with pytest.raises(ValidationError) as bad_number:
        make_lead(association, donor_service, organisation_number="123456789")
    assert "organisation_number" in bad_number.value.message_dict
    with pytest.raises(ValidationError) as no_contact:
        make_lead(association, donor_service, email="", phone="")
    assert "email" in no_contact.value.message_dict
    assert Lead.objects.count() == 0
    lead = make_lead(association, donor_service, organisation_number=valid_orgnr(), phone="+47 400 00 000")
    assert lead.stage == Stage.NEW
    assert list(lead.events.values_list("kind", "to_stage")) == [("created", "new")]


def test_allowed_transitions_are_recorded(association: MemberAssociation, donor_service: User) -> None:
    lead = make_lead(association, donor_service)
    for stage in (Stage.CONTACTED, Stage.MEETING, Stage.AGREEMENT):
        lead = services.lead_change_stage(actor=donor_service, lead=lead, stage=stage)
    lead.refresh_from_db()
    assert lead.stage == Stage.AGREEMENT
    history = list(
        LeadEvent.objects.filter(lead=lead, kind="stage").order_by("pk").values_list("from_stage", "to_stage")
    )
    assert history == [("new", "contacted"), ("contacted", "meeting"), ("meeting", "agreement")]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Stage.NEW, Stage.MEETING),
        (Stage.NEW, Stage.AGREEMENT),
        (Stage.CONTACTED, Stage.AGREEMENT),
        (Stage.AGREEMENT, Stage.DECLINED),
        (Stage.AGREEMENT, Stage.NEW),
        (Stage.DECLINED, Stage.AGREEMENT),
        (Stage.NEW, Stage.NEW),
        (Stage.NEW, "won"),
    ],
)
def test_refused_transitions_change_nothing(
    association: MemberAssociation, donor_service: User, start: str, target: str
) -> None:
    lead = make_lead(association, donor_service)
    Lead.objects.filter(pk=lead.pk).update(stage=start)
    events_before = LeadEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.lead_change_stage(actor=donor_service, lead=lead, stage=target)
    assert "stage" in refused.value.message_dict
    lead.refresh_from_db()
    assert lead.stage == start
    assert LeadEvent.objects.count() == events_before


def test_declined_can_be_reopened(association: MemberAssociation, donor_service: User) -> None:
    lead = make_lead(association, donor_service)
    services.lead_change_stage(actor=donor_service, lead=lead, stage=Stage.DECLINED)
    lead = services.lead_change_stage(actor=donor_service, lead=lead, stage=Stage.NEW)
    assert lead.stage == Stage.NEW


def test_owner_must_work_in_donor_service_of_the_same_association(
    association: MemberAssociation, donor_service: User, other_donor_service: User
) -> None:
    lead = make_lead(association, donor_service)
    caseworker = make_persona(Role.CASEWORKER)
    expired = make_persona(Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(association.pk))
    RoleAssignment.objects.filter(user=expired).update(valid_until=dt.date(2020, 1, 1))
    for wrong in (other_donor_service, caseworker, expired):
        with pytest.raises(ValidationError) as refused:
            services.lead_assign_owner(actor=donor_service, lead=lead, owner=wrong)
        assert "owner" in refused.value.message_dict
    lead.refresh_from_db()
    assert lead.owner is None
    with pytest.raises(ValidationError):
        make_lead(association, donor_service, owner=other_donor_service)
    colleague = make_persona(Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(association.pk))
    services.lead_assign_owner(actor=donor_service, lead=lead, owner=colleague)
    lead.refresh_from_db()
    assert lead.owner == colleague
    assert LeadEvent.objects.filter(lead=lead, kind="owner", owner=colleague).count() == 1
    assert set(services.eligible_owners(association)) == {donor_service, colleague}


def test_notes(association: MemberAssociation, donor_service: User) -> None:
    lead = make_lead(association, donor_service)
    with pytest.raises(ValidationError):
        services.lead_add_note(actor=donor_service, lead=lead, text="   ")
    note = services.lead_add_note(actor=donor_service, lead=lead, text="Ringte, møte neste uke.")
    assert note.author == donor_service
    assert list(LeadNote.objects.filter(lead=lead).values_list("text", flat=True)) == ["Ringte, møte neste uke."]


# --- Pages ---------------------------------------------------------------------------------------


def test_create_detail_stage_owner_and_note_pages(association: MemberAssociation, donor_service: User) -> None:
    client = verified_client(donor_service)
    assert client.get("/partnere/ny/").status_code == 200
    bad = client.post("/partnere/ny/", {"company_name": "Havbris AS", "organisation_number": "123", "source": "web"})
    assert bad.status_code == 400
    assert "Organisasjonsnummer har 9 sifre." in bad.content.decode()
    number = valid_orgnr()
    response = client.post(
        "/partnere/ny/",
        {
            "company_name": "Havbris AS",
            "organisation_number": f"{number[:3]} {number[3:6]} {number[6:]}",
            "contact_name": "Ola Nordmann",
            "email": "ola@havbris.example",
            "source": "web",
            "expected_yearly_amount": "50000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lead = Lead.objects.get()
    assert lead.organisation_number == number
    assert lead.expected_yearly_amount == Decimal("50000")
    page = client.get(f"/partnere/{lead.pk}/").content.decode()
    assert "Havbris AS" in page
    assert "kr\xa050\xa0000,00" in page

    refused = client.post(f"/partnere/{lead.pk}/fase/", {"stage": "agreement"}, follow=True)
    assert "kan ikke flyttes" in refused.content.decode()
    assert Lead.objects.get().stage == Stage.NEW
    client.post(f"/partnere/{lead.pk}/fase/", {"stage": "contacted"})
    assert Lead.objects.get().stage == Stage.CONTACTED

    outsider_owner = make_persona(Role.CASEWORKER)
    wrong = client.post(f"/partnere/{lead.pk}/ansvarlig/", {"owner": outsider_owner.pk}, follow=True)
    assert "samme medlemsorganisasjon" in wrong.content.decode()
    client.post(f"/partnere/{lead.pk}/ansvarlig/", {"owner": donor_service.pk})
    assert Lead.objects.get().owner == donor_service

    empty = client.post(f"/partnere/{lead.pk}/notat/", {"text": ""})
    assert empty.status_code == 400
    client.post(f"/partnere/{lead.pk}/notat/", {"text": "Sendte presentasjon."})
    detail = client.get(f"/partnere/{lead.pk}/").content.decode()
    assert "Sendte presentasjon." in detail
    assert "Kontaktet" in detail


def test_list_counts_filters_search_and_htmx(
    association: MemberAssociation, other_association: MemberAssociation, donor_service: User, other_donor_service: User
) -> None:
    a = make_lead(association, donor_service, company_name="Alfa Bygg AS")
    make_lead(association, donor_service, company_name="Beta Fisk AS", owner=donor_service)
    services.lead_change_stage(actor=donor_service, lead=a, stage=Stage.CONTACTED)
    make_lead(other_association, other_donor_service, company_name="Svensk AB")
    client = verified_client(donor_service)
    page = client.get("/partnere/").content.decode()
    assert "Alfa Bygg AS" in page
    assert "Beta Fisk AS" in page
    assert "Svensk AB" not in page
    assert "Kontaktet</a>: <strong>1</strong>" in page
    assert "Ny</a>: <strong>1</strong>" in page
    contacted = client.get("/partnere/", {"stage": "contacted"}).content.decode()
    assert "Alfa Bygg AS" in contacted
    assert "Beta Fisk AS" not in contacted
    owned = client.get("/partnere/", {"owner": str(donor_service.pk)}).content.decode()
    assert "Beta Fisk AS" in owned
    assert "Alfa Bygg AS" not in owned
    unowned = client.get("/partnere/", {"owner": "none"}).content.decode()
    assert "Alfa Bygg AS" in unowned
    assert "Beta Fisk AS" not in unowned
    fragment = client.get("/partnere/", {"q": "fisk"}, headers={"HX-Request": "true"}).content.decode()
    assert "Beta Fisk AS" in fragment
    assert "Alfa Bygg AS" not in fragment
    assert "<html" not in fragment


def test_list_paginates(association: MemberAssociation, donor_service: User) -> None:
    for n in range(30):
        make_lead(association, donor_service, company_name=f"Firma {n:02d} AS")
    page = verified_client(donor_service).get("/partnere/").content.decode()
    assert "Side 1 av 2" in page
    assert "30 treff" in page


def test_other_association_lead_is_404(
    association: MemberAssociation, other_association: MemberAssociation, donor_service: User, other_donor_service: User
) -> None:
    lead = make_lead(other_association, other_donor_service)
    client = verified_client(donor_service)
    assert client.get(f"/partnere/{lead.pk}/").status_code == 404
    assert client.post(f"/partnere/{lead.pk}/fase/", {"stage": "contacted"}).status_code == 404
    assert client.post(f"/partnere/{lead.pk}/notat/", {"text": "x"}).status_code == 404
    lead.refresh_from_db()
    assert lead.stage == Stage.NEW


def test_export_csv_and_xlsx_are_audited(
    association: MemberAssociation, other_association: MemberAssociation, donor_service: User, other_donor_service: User
) -> None:
    make_lead(association, donor_service, company_name="Alfa Bygg AS", expected_yearly_amount=Decimal("1234.5"))
    make_lead(other_association, other_donor_service, company_name="Svensk AB")
    client = verified_client(donor_service)
    response = client.get("/partnere/eksport/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "Alfa Bygg AS" in body
    assert "1234,50" in body
    assert "Svensk AB" not in body
    xlsx = client.get("/partnere/eksport/", {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export", object_type="partners.lead").count() == 2


PAGES = ["/partnere/", "/partnere/ny/", "/partnere/eksport/"]


def test_personas(association: MemberAssociation, donor_service: User, client: Client) -> None:
    lead = make_lead(association, donor_service)
    pages = [*PAGES, f"/partnere/{lead.pk}/"]
    allowed = verified_client(donor_service)
    for url in pages:
        assert allowed.get(url).status_code == 200, url
    for role in Role:
        if role == Role.DONOR_SERVICE:
            continue
        other = verified_client(make_persona(role))
        for url in pages:
            assert other.get(url).status_code == 404, (role, url)
        assert other.post(f"/partnere/{lead.pk}/fase/", {"stage": "contacted"}).status_code == 404
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/konto/logg-inn/")
    assert client.post(f"/partnere/{lead.pk}/notat/", {"text": "x"}).status_code == 302
    assert Lead.objects.get().stage == Stage.NEW
    assert LeadNote.objects.count() == 0
