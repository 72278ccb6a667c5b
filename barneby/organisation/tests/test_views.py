"""Programme pages: scoped lists with filters, HTMX, sorting, export; detail; edit with validation."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AuditAction, AuditEvent
from barneby.core.tests.personas import make_persona, verified_client
from barneby.organisation.models import Programme
from barneby.organisation.tests import factories as f

pytestmark = pytest.mark.django_db
LIST = "/organisasjon/programmer/"


@pytest.fixture
def two_associations() -> tuple[Programme, Programme]:
    norway = f.association(country="NO")
    kenya = f.association(country="KE")
    ours = f.programme(
        norway, f.location(norway, municipality=f.bergen()), name="Bergen søsken", partner_municipality=f.bergen()
    )
    theirs = f.programme(kenya, f.location(kenya, country="KE"), name="Nairobi familie", type="family_village")
    return ours, theirs


def director_of(programme: Programme) -> User:
    return make_persona(
        Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(programme.association_id)
    )


def test_list_shows_only_the_users_scope(two_associations: tuple[Programme, Programme]) -> None:
    ours, _theirs = two_associations
    html = verified_client(director_of(ours)).get(LIST).content.decode()
    assert "Bergen søsken" in html
    assert "Nairobi familie" not in html


def test_filters_search_and_sorting(two_associations: tuple[Programme, Programme]) -> None:
    client = verified_client(make_persona(Role.AUDITOR))
    assert "Bergen søsken" not in client.get(LIST, {"country": "KE"}).content.decode()
    assert "Nairobi familie" not in client.get(LIST, {"q": "bergen"}).content.decode()
    assert "Bergen søsken" not in client.get(LIST, {"type": "family_village"}).content.decode()
    html = client.get(LIST, {"sort": "-name"}).content.decode()
    assert html.index("Nairobi familie") < html.index("Bergen søsken")


def test_htmx_gets_the_fragment(two_associations: tuple[Programme, Programme]) -> None:
    html = (
        verified_client(make_persona(Role.AUDITOR)).get(LIST, {"q": "nairobi"}, HTTP_HX_REQUEST="true").content.decode()
    )
    assert html.lstrip().startswith('<div id="results"')
    assert "Nairobi familie" in html


def test_empty_state() -> None:
    html = verified_client(make_persona(Role.AUDITOR)).get(LIST).content.decode()
    assert "Ingen programmer passer til filteret." in html


def test_list_query_count_is_the_same_for_10_and_200_rows() -> None:
    client = verified_client(make_persona(Role.AUDITOR))
    assoc = f.association()
    for _ in range(10):
        f.programme(assoc, f.location(assoc))
    client.get(LIST)
    with CaptureQueriesContext(connection) as ten:
        client.get(LIST, {"sort": "name"})
    for _ in range(190):
        f.programme(assoc, f.location(assoc))
    with CaptureQueriesContext(connection) as two_hundred:
        response = client.get(LIST, {"sort": "name"})
    assert "Side 1 av 8" in response.content.decode()
    assert len(ten) == len(two_hundred)


def test_export_is_scoped_and_audited(two_associations: tuple[Programme, Programme]) -> None:
    ours, _theirs = two_associations
    user = director_of(ours)
    response = verified_client(user).get("/organisasjon/programmer/eksport/")
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["Bergen søsken"]
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, actor=user, object_type="organisation.programme"
    ).exists()
    xlsx = verified_client(user).get("/organisasjon/programmer/eksport/", {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_detail_outsider_404_and_reader_sees_no_edit_button(two_associations: tuple[Programme, Programme]) -> None:
    ours, theirs = two_associations
    client = verified_client(director_of(ours))
    assert client.get(f"/organisasjon/programmer/{theirs.pk}/").status_code == 404
    page = client.get(f"/organisasjon/programmer/{ours.pk}/").content.decode()
    assert "Bergen søsken" in page
    assert f"/organisasjon/programmer/{ours.pk}/endre/" in page
    caseworker = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(ours.pk))
    reader_page = verified_client(caseworker).get(f"/organisasjon/programmer/{ours.pk}/").content.decode()
    assert "/endre/" not in reader_page


def test_read_only_roles_get_403_on_edit(two_associations: tuple[Programme, Programme]) -> None:
    ours, _theirs = two_associations
    caseworker = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(ours.pk))
    assert verified_client(caseworker).post(f"/organisasjon/programmer/{ours.pk}/endre/", {}).status_code == 403


def test_edit_saves_and_refuses_bad_input_in_norwegian(two_associations: tuple[Programme, Programme]) -> None:
    ours, theirs = two_associations
    client = verified_client(director_of(ours))
    url = f"/organisasjon/programmer/{ours.pk}/endre/"
    form = {
        "location": ours.location_id,
        "name": "Bergen søsken",
        "code": ours.code,
        "type": "sibling_foster",
        "status": "active",
        "start_date": "01.01.2020",
        "end_date": "",
        "budget_local": "",
        "currency": "",
        "budget_nok": "22",
        "partner_municipality_number": "4601",
    }
    assert client.post(url, form).status_code == 302
    ours.refresh_from_db()
    assert ours.budget_nok == 22
    bad = client.post(
        url, {**form, "budget_nok": "-3", "end_date": "01.01.2019", "partner_municipality_number": "9999"}
    ).content.decode()
    assert "Sluttdatoen kan ikke være før startdatoen." in bad
    assert "Verdien må være større enn eller lik 0." in bad
    duplicate = client.post(url, {**form, "code": theirs.code}).content.decode()
    assert "Det finnes allerede et program med denne koden." in duplicate
    ours.refresh_from_db()
    assert ours.budget_nok == 22
    assert client.post(f"/organisasjon/programmer/{theirs.pk}/endre/", form).status_code == 404


def test_home_list_filters_and_hides_other_scopes(two_associations: tuple[Programme, Programme]) -> None:
    ours, theirs = two_associations
    f.home(ours, name="Søskenhjemmet", takes_sibling_groups=True, max_sibling_group_size=4, capacity=4)
    f.home(ours, name="Småbarnshjemmet", capacity=3)
    f.home(theirs, name="Nairobi-hjemmet")
    client = verified_client(director_of(ours))
    html = client.get("/organisasjon/hjem/").content.decode()
    assert "Søskenhjemmet" in html
    assert "Småbarnshjemmet" in html
    assert "Nairobi-hjemmet" not in html
    assert "Småbarnshjemmet" not in client.get("/organisasjon/hjem/", {"siblings": "on"}).content.decode()
    fragment = client.get("/organisasjon/hjem/", {"q": "små"}, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="results"')
    assert "Søskenhjemmet" not in fragment


def test_expiring_trainings_page(two_associations: tuple[Programme, Programme]) -> None:
    import datetime as dt

    from django.utils import timezone

    from barneby.organisation import services

    ours, theirs = two_associations
    today = timezone.localdate()
    ours_person = f.staff(ours.association, programme=ours, first_name="Kari", last_name="Nær")
    theirs_person = f.staff(theirs.association, programme=theirs, first_name="Juma", last_name="Fjern")
    services.training_add(
        actor=None,
        staff=ours_person,
        title="Førstehjelp",
        completed_on=today - dt.timedelta(days=700),
        expires_on=today + dt.timedelta(days=45),
    )
    services.training_add(
        actor=None,
        staff=theirs_person,
        title="Barnevern",
        completed_on=today - dt.timedelta(days=700),
        expires_on=today + dt.timedelta(days=10),
    )
    client = verified_client(director_of(ours))
    html = client.get("/organisasjon/opplaering/utloper/").content.decode()
    assert "Førstehjelp" in html
    assert "Kari Nær" in html
    assert "Barnevern" not in html
    within_30 = client.get("/organisasjon/opplaering/utloper/", {"within_days": "30"}).content.decode()
    assert "Ingen opplæring utløper de neste 30 dagene." in within_30


HOME_FORM = {
    "name": "Nytt søskenhjem",
    "kind": "foster_home",
    "capacity": "5",
    "takes_sibling_groups": "on",
    "max_sibling_group_size": "4",
    "min_age": "0",
    "max_age": "18",
    "street_address": "Fjellveien 2",
    "postcode": "5019",
    "latitude": "",
    "longitude": "",
    "municipality_number": "4601",
}


def test_home_create_edit_and_deactivate(two_associations: tuple[Programme, Programme]) -> None:
    from barneby.organisation.models import Competence, Home

    ours, theirs = two_associations
    client = verified_client(director_of(ours))
    trauma = Competence.objects.get(code="trauma")
    response = client.post(f"/organisasjon/programmer/{ours.pk}/hjem/nytt/", {**HOME_FORM, "competences": [trauma.pk]})
    assert response.status_code == 302
    home = Home.objects.get(name="Nytt søskenhjem")
    assert home.programme == ours
    assert home.municipality is not None
    assert home.municipality.number == "4601"
    assert list(home.competences.all()) == [trauma]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="organisation.home").exists()

    edit = client.post(f"/organisasjon/hjem/{home.pk}/endre/", {**HOME_FORM, "capacity": "6"})
    assert edit.status_code == 302
    home.refresh_from_db()
    assert home.capacity == 6

    assert client.post(f"/organisasjon/hjem/{home.pk}/deaktiver/").status_code == 302
    home.refresh_from_db()
    assert not home.is_active
    assert client.post(f"/organisasjon/programmer/{theirs.pk}/hjem/nytt/", HOME_FORM).status_code == 404


def test_home_form_errors_are_norwegian_and_save_nothing(two_associations: tuple[Programme, Programme]) -> None:
    from barneby.organisation.models import Home

    ours, _theirs = two_associations
    client = verified_client(director_of(ours))
    bad = {
        **HOME_FORM,
        "capacity": "2",
        "min_age": "15",
        "max_age": "5",
        "latitude": "95",
        "municipality_number": "9999",
    }
    html = client.post(f"/organisasjon/programmer/{ours.pk}/hjem/nytt/", bad).content.decode()
    assert "Skjemaet har feil som må rettes" in html
    assert 'name="occupied"' not in html  # open placements decide it, nobody types it
    assert "Laveste alder kan ikke være høyere enn høyeste alder." in html
    assert "Verdien må være mindre enn eller lik 90." in html
    assert not Home.objects.filter(name="Nytt søskenhjem").exists()
    unknown = client.post(
        f"/organisasjon/programmer/{ours.pk}/hjem/nytt/", {**HOME_FORM, "municipality_number": "9999"}
    ).content.decode()
    assert "Ukjent kommunenummer: 9999." in unknown
    assert not Home.objects.filter(name="Nytt søskenhjem").exists()


def test_caseworkers_cannot_change_homes(two_associations: tuple[Programme, Programme]) -> None:
    ours, _theirs = two_associations
    home = f.home(ours)
    caseworker = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(ours.pk))
    client = verified_client(caseworker)
    assert client.post(f"/organisasjon/hjem/{home.pk}/deaktiver/").status_code == 403
    assert client.get(f"/organisasjon/hjem/{home.pk}/endre/").status_code == 403


def test_national_director_creates_a_programme(two_associations: tuple[Programme, Programme]) -> None:
    ours, theirs = two_associations
    client = verified_client(director_of(ours))
    assert "/organisasjon/programmer/nytt/" in client.get(LIST).content.decode()
    form = {
        "association": ours.association_id,
        "location": ours.location_id,
        "name": "Ungdom i Bergen",
        "code": "NO-UNG-BGO",
        "type": "youth",
        "status": "active",
        "start_date": "01.01.2026",
        "end_date": "",
        "capacity": "10",
        "budget_local": "",
        "currency": "",
        "budget_nok": "",
        "partner_municipality_number": "4601",
    }
    response = client.post("/organisasjon/programmer/nytt/", form)
    assert response.status_code == 302
    created = Programme.objects.get(code="NO-UNG-BGO")
    assert created.association_id == ours.association_id
    # Another association's location or association is not offered.
    bad = client.post(
        "/organisasjon/programmer/nytt/", {**form, "code": "NO-X", "association": theirs.association_id}
    ).content.decode()
    assert "Skjemaet har feil som må rettes" in bad
    assert not Programme.objects.filter(code="NO-X").exists()


def test_programme_directors_cannot_create_programmes(two_associations: tuple[Programme, Programme]) -> None:
    ours, _theirs = two_associations
    boss = make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(ours.pk))
    client = verified_client(boss)
    assert client.get("/organisasjon/programmer/nytt/").status_code == 403
    assert "/organisasjon/programmer/nytt/" not in client.get(LIST).content.decode()


def test_staff_list_detail_and_training(two_associations: tuple[Programme, Programme]) -> None:
    from barneby.organisation.models import Training

    ours, theirs = two_associations
    kari = f.staff(ours.association, programme=ours, first_name="Kari", last_name="Omsorg")
    f.staff(theirs.association, programme=theirs, first_name="Juma", last_name="Annen")
    f.staff(ours.association, programme=ours, first_name="Ola", last_name="Sluttet", is_active=False)
    client = verified_client(director_of(ours))
    html = client.get("/organisasjon/ansatte/").content.decode()
    assert "Kari Omsorg" in html
    assert "Juma Annen" not in html
    assert "Ola Sluttet" not in html
    assert "Ola Sluttet" in client.get("/organisasjon/ansatte/", {"active": "0"}).content.decode()
    assert client.get(f"/organisasjon/ansatte/{kari.pk}/").status_code == 200
    bad = client.post(
        f"/organisasjon/ansatte/{kari.pk}/",
        {"kind": "training", "title": "Førstehjelp", "completed_on": "01.06.2026", "expires_on": "01.01.2026"},
    ).content.decode()
    assert "Utløpsdatoen kan ikke være før datoen opplæringen ble fullført." in bad
    assert not Training.objects.exists()
    ok = client.post(
        f"/organisasjon/ansatte/{kari.pk}/",
        {"kind": "training", "title": "Førstehjelp", "completed_on": "01.06.2026", "expires_on": "01.06.2028"},
    )
    assert ok.status_code == 302
    assert Training.objects.get().staff == kari
    other = f.staff(theirs.association, programme=theirs)
    assert client.get(f"/organisasjon/ansatte/{other.pk}/").status_code == 404


def test_readers_see_staff_but_cannot_register_training(two_associations: tuple[Programme, Programme]) -> None:
    ours, _theirs = two_associations
    kari = f.staff(ours.association, programme=ours, first_name="Kari", last_name="Omsorg")
    caseworker = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(ours.pk))
    client = verified_client(caseworker)
    page = client.get(f"/organisasjon/ansatte/{kari.pk}/").content.decode()
    assert "Registrer opplæring" not in page
    assert client.post(f"/organisasjon/ansatte/{kari.pk}/", {"title": "x"}).status_code == 403


def test_associations_and_locations_are_scoped(two_associations: tuple[Programme, Programme]) -> None:
    ours, theirs = two_associations
    client = verified_client(director_of(ours))
    associations = client.get("/organisasjon/medlemsorganisasjoner/").content.decode()
    assert ours.association.name in associations
    assert theirs.association.name not in associations
    locations = client.get("/organisasjon/steder/").content.decode()
    assert ours.location.name in locations
    assert theirs.location.name not in locations
    everyone = verified_client(make_persona(Role.AUDITOR))
    kenya = everyone.get("/organisasjon/steder/", {"country": "KE"}, HTTP_HX_REQUEST="true").content.decode()
    assert theirs.location.name in kenya
    assert ours.location.name not in kenya


def test_home_and_staff_exports_are_scoped_and_audited(two_associations: tuple[Programme, Programme]) -> None:
    ours, theirs = two_associations
    f.home(ours, name="Vårt hjem")
    f.home(theirs, name="Deres hjem")
    f.staff(ours.association, programme=ours, first_name="Kari", last_name="Vår")
    f.staff(theirs.association, programme=theirs, first_name="Juma", last_name="Deres")
    user = director_of(ours)
    client = verified_client(user)
    homes = b"".join(client.get("/organisasjon/hjem/eksport/").streaming_content).decode()  # type: ignore[attr-defined]
    assert "Vårt hjem" in homes
    assert "Deres hjem" not in homes
    people = b"".join(client.get("/organisasjon/ansatte/eksport/").streaming_content).decode()  # type: ignore[attr-defined]
    assert "Kari" in people
    assert "Juma" not in people
    xlsx = client.get("/organisasjon/ansatte/eksport/", {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=user).count() == 3


def test_staff_create_edit_deactivate(two_associations: tuple[Programme, Programme]) -> None:
    from barneby.organisation.models import StaffMember

    ours, theirs = two_associations
    client = verified_client(director_of(ours))
    form = {
        "programme": ours.pk,
        "home": "",
        "first_name": "Nina",
        "last_name": "Ny",
        "role": "family_assistant",
        "email": "",
        "phone": "",
    }
    created = client.post(f"/organisasjon/medlemsorganisasjoner/{ours.association_id}/ansatte/ny/", form)
    assert created.status_code == 302
    nina = StaffMember.objects.get(first_name="Nina")
    assert nina.association_id == ours.association_id
    # A programme of another association is not a valid choice.
    bad = client.post(f"/organisasjon/ansatte/{nina.pk}/endre/", {**form, "programme": theirs.pk}).content.decode()
    assert "Skjemaet har feil som må rettes" in bad
    assert client.post(f"/organisasjon/ansatte/{nina.pk}/endre/", {**form, "phone": "55 00 00 00"}).status_code == 302
    nina.refresh_from_db()
    assert nina.phone == "55 00 00 00"
    assert client.post(f"/organisasjon/ansatte/{nina.pk}/deaktiver/").status_code == 302
    nina.refresh_from_db()
    assert not nina.is_active
    assert client.get(f"/organisasjon/medlemsorganisasjoner/{theirs.association_id}/ansatte/ny/").status_code == 404


def test_location_edit_validates(two_associations: tuple[Programme, Programme]) -> None:
    ours, _theirs = two_associations
    client = verified_client(director_of(ours))
    url = f"/organisasjon/steder/{ours.location_id}/endre/"
    form = {
        "kind": "village",
        "name": "Ny navn",
        "country": "NO",
        "latitude": "60.39",
        "longitude": "5.32",
        "municipality_number": "4601",
    }
    assert client.post(url, form).status_code == 302
    ours.location.refresh_from_db()
    assert ours.location.name == "Ny navn"
    html = client.post(url, {**form, "longitude": "200", "name": "Feil"}).content.decode()
    assert "Verdien må være mindre enn eller lik 180." in html
    unknown = client.post(url, {**form, "municipality_number": "0000", "name": "Feil"}).content.decode()
    assert "Ukjent kommunenummer: 0000." in unknown
    ours.location.refresh_from_db()
    assert ours.location.name == "Ny navn"


def test_association_edit_and_location_create(two_associations: tuple[Programme, Programme]) -> None:
    from barneby.organisation.models import Location, MemberAssociation

    ours, theirs = two_associations
    client = verified_client(director_of(ours))
    listing = client.get("/organisasjon/medlemsorganisasjoner/").content.decode()
    assert f"/organisasjon/medlemsorganisasjoner/{ours.association_id}/endre/" in listing
    url = f"/organisasjon/medlemsorganisasjoner/{ours.association_id}/endre/"
    duplicate = client.post(
        url, {"name": "SOS Norge", "code": theirs.association.code, "country": "NO"}
    ).content.decode()
    assert "Det finnes allerede en medlemsorganisasjon med denne koden." in duplicate
    assert (
        client.post(url, {"name": "SOS-barnebyer Norge", "code": ours.association.code, "country": "NO"}).status_code
        == 302
    )
    assert MemberAssociation.objects.get(pk=ours.association_id).name == "SOS-barnebyer Norge"
    assert client.get(f"/organisasjon/medlemsorganisasjoner/{theirs.association_id}/endre/").status_code == 404

    new = {
        "kind": "community",
        "name": "Trondheim",
        "country": "NO",
        "latitude": "63.43",
        "longitude": "10.39",
        "municipality_number": "5001",
    }
    created = client.post(f"/organisasjon/medlemsorganisasjoner/{ours.association_id}/steder/nytt/", new)
    assert created.status_code == 302
    assert Location.objects.get(name="Trondheim").municipality.number == "5001"  # type: ignore[union-attr]
    abroad = client.post(
        f"/organisasjon/medlemsorganisasjoner/{ours.association_id}/steder/nytt/",
        {**new, "name": "Utland", "country": "SE"},
    ).content.decode()
    assert "Kommune kan bare oppgis for steder i Norge." in abroad
    assert not Location.objects.filter(name="Utland").exists()


def test_location_and_association_exports_and_deactivation(two_associations: tuple[Programme, Programme]) -> None:
    ours, theirs = two_associations
    user = director_of(ours)
    client = verified_client(user)
    places = b"".join(client.get("/organisasjon/steder/eksport/").streaming_content).decode()  # type: ignore[attr-defined]
    assert ours.location.name in places
    assert theirs.location.name not in places
    orgs = b"".join(client.get("/organisasjon/medlemsorganisasjoner/eksport/").streaming_content).decode()  # type: ignore[attr-defined]
    assert ours.association.code in orgs
    assert theirs.association.code not in orgs
    assert client.post(f"/organisasjon/steder/{ours.location_id}/deaktiver/").status_code == 302
    ours.location.refresh_from_db()
    assert not ours.location.is_active
    assert client.post(f"/organisasjon/steder/{theirs.location_id}/deaktiver/").status_code == 404
    assert AuditEvent.objects.filter(actor=user, action=AuditAction.EXPORT).count() == 2


def test_home_form_shows_addresses_only_to_those_who_visit(two_associations: tuple[Programme, Programme]) -> None:
    ours, _theirs = two_associations
    home = f.home(ours, street_address="Hemmelig gate 7")
    director_page = verified_client(director_of(ours)).get(f"/organisasjon/hjem/{home.pk}/endre/").content.decode()
    assert "Hemmelig gate 7" not in director_page
    assert 'name="street_address"' not in director_page
    boss = make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(ours.pk))
    assert "Hemmelig gate 7" in verified_client(boss).get(f"/organisasjon/hjem/{home.pk}/endre/").content.decode()
    # Saving without the address fields keeps the address.
    verified_client(director_of(ours)).post(
        f"/organisasjon/hjem/{home.pk}/endre/", {**HOME_FORM, "municipality_number": ""}
    )
    home.refresh_from_db()
    assert home.street_address == "Hemmelig gate 7"
