"""The organisation register: reference data, validation, scoping and guards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AuditAction, AuditEvent
from barneby.core.tests.personas import make_persona, make_user
from barneby.organisation import selectors, services
from barneby.organisation.continents import Continent, continent_of, countries_in
from barneby.organisation.models import Home, Location, MemberAssociation, Municipality, Programme, ProgrammeStatus
from barneby.organisation.tests import factories as f

pytestmark = pytest.mark.django_db


# --- reference data --------------------------------------------------------------------------


def test_all_357_municipalities_with_official_numbers() -> None:
    assert Municipality.objects.count() == 357
    assert Municipality.objects.values("county_number").distinct().count() == 15
    assert Municipality.objects.get(number="0301").short_name == "Oslo"
    assert Municipality.objects.get(number="4601").name == "Bergen"
    assert Municipality.objects.get(number="3203").name == "Asker"


@pytest.mark.parametrize(
    ("code", "continent"),
    [
        ("NO", Continent.EUROPE),
        ("KE", Continent.AFRICA),
        ("NP", Continent.ASIA),
        ("MX", Continent.LATIN_AMERICA),
        ("HT", Continent.LATIN_AMERICA),
        ("US", Continent.NORTH_AMERICA),
        ("PG", Continent.OCEANIA),
        ("no", Continent.EUROPE),
    ],
)
def test_continent_groups(code: str, continent: Continent) -> None:
    assert continent_of(code) == continent


def test_continent_groups_cover_the_world_but_antarctica() -> None:
    assert continent_of("AQ") is None
    assert sum(len(countries_in(c)) for c in Continent) >= 240


# --- validation --------------------------------------------------------------------------------


def director(assoc: MemberAssociation) -> User:
    return make_persona(Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(assoc.pk))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"latitude": Decimal("91")}, "latitude", "mindre enn eller lik 90"),
        ({"longitude": Decimal("-181")}, "longitude", "større enn eller lik -180"),
    ],
)
def test_coordinates_out_of_range_are_refused(fields: dict[str, object], field: str, message: str) -> None:
    assoc = f.association()
    base = {"kind": "village", "name": "X", "country": "NO", "latitude": Decimal("60"), "longitude": Decimal("5")}
    with pytest.raises(ValidationError) as excinfo:
        services.location_create(actor=director(assoc), association=assoc, **{**base, **fields})
    assert field in excinfo.value.message_dict
    assert message in " ".join(excinfo.value.message_dict[field])
    assert not Location.objects.exists()


def test_programme_end_before_start_is_refused_and_capacity_is_not_typed_in() -> None:
    assoc = f.association()
    loc = f.location(assoc)
    with pytest.raises(ValidationError) as excinfo:
        services.programme_create(
            actor=director(assoc),
            association=assoc,
            location=loc,
            name="Søsken",
            code="SOSKEN-1",
            type="sibling_foster",
            start_date=dt.date(2024, 1, 1),
            end_date=dt.date(2023, 1, 1),
        )
    errors = excinfo.value.message_dict
    assert errors["end_date"] == ["Sluttdatoen kan ikke være før startdatoen."]
    with pytest.raises(ValidationError) as typed:
        services.programme_create(
            actor=director(assoc), association=assoc, location=loc, name="S", code="S-1", type="youth", capacity=4
        )
    assert typed.value.message_dict == {"capacity": ["Feltet kan ikke endres her."]}  # its homes' places
    assert not Programme.objects.exists()
    assert not AuditEvent.objects.filter(object_type="organisation.programme").exists()


def test_duplicate_codes_are_refused_in_norwegian() -> None:
    assoc = f.association(code="NO-SOS")
    with pytest.raises(ValidationError) as excinfo:
        services.association_create(actor=None, name="Annen", code="NO-SOS", country="SE")
    assert excinfo.value.message_dict["code"] == ["Det finnes allerede en medlemsorganisasjon med denne koden."]
    assert MemberAssociation.objects.count() == 1
    assert assoc.pk


def test_unknown_municipality_number_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.municipality_by_number("9999")
    assert excinfo.value.message_dict["municipality"] == ["Ukjent kommunenummer: 9999."]
    assert services.municipality_by_number("4601") == f.bergen()


def test_partner_municipality_only_for_norwegian_programmes() -> None:
    assoc = f.association(country="KE")
    loc = f.location(assoc, country="KE")
    with pytest.raises(ValidationError) as excinfo:
        services.programme_create(
            actor=director(assoc),
            association=assoc,
            location=loc,
            name="Nairobi",
            code="KE-1",
            type="family_village",
            start_date=dt.date(2020, 1, 1),
            partner_municipality=f.bergen(),
        )
    assert "partner_municipality" in excinfo.value.message_dict


def test_home_rules() -> None:
    prog = f.programme(f.association())
    with pytest.raises(ValidationError) as excinfo:
        services.home_create(
            actor=None,
            programme=prog,
            name="H",
            kind="foster_home",
            capacity=3,
            min_age=12,
            max_age=6,
            takes_sibling_groups=True,
        )
    errors = excinfo.value.message_dict
    assert "max_sibling_group_size" in errors
    assert any("Laveste alder" in m for m in errors["__all__"])
    assert not Home.objects.exists()
    with pytest.raises(ValidationError) as typed:
        services.home_create(actor=None, programme=prog, name="H", kind="foster_home", capacity=3, occupied=1)
    assert typed.value.message_dict == {"occupied": ["Feltet kan ikke endres her."]}  # open placements decide it


def test_create_and_update_are_audited() -> None:
    assoc = f.association()
    actor = director(assoc)
    prog = services.programme_create(
        actor=actor,
        association=assoc,
        location=f.location(assoc),
        name="Bergen",
        code="BGO-1",
        type="family_village",
        start_date=dt.date(2008, 1, 1),
    )
    services.programme_update(actor=actor, programme=prog, name="Bergen barneby")
    events = AuditEvent.objects.filter(object_type="organisation.programme", object_id=str(prog.pk))
    assert {e.action for e in events} == {AuditAction.CREATE, AuditAction.UPDATE}
    assert events.get(action=AuditAction.UPDATE).detail == "name"


def test_closing_and_deactivating_keep_history() -> None:
    prog = f.programme(f.association())
    h = f.home(prog)
    services.programme_close(actor=None, programme=prog, end_date=dt.date(2026, 6, 30))
    services.deactivate(actor=None, obj=h)
    prog.refresh_from_db()
    h.refresh_from_db()
    assert prog.status == ProgrammeStatus.CLOSED
    assert not h.is_active
    assert Home.objects.filter(pk=h.pk).exists()


def test_fields_outside_the_form_cannot_be_set() -> None:
    prog = f.programme(f.association())
    with pytest.raises(ValidationError):
        services.programme_update(actor=None, programme=prog, association=f.association())


# --- scoping -----------------------------------------------------------------------------------


@dataclass
class World:
    norway: MemberAssociation
    kenya: MemberAssociation
    p_bergen: Programme
    p_oslo: Programme
    p_kenya: Programme
    h_bergen: Home
    h_oslo: Home


@pytest.fixture
def world() -> World:
    norway = f.association(country="NO")
    kenya = f.association(country="KE", code="KE-SOS")
    bergen_village = f.location(norway, municipality=f.bergen())
    p_bergen = f.programme(norway, bergen_village, partner_municipality=f.bergen(), name="Bergen søsken")
    p_oslo = f.programme(norway, name="Oslo ungdom", type="youth")
    p_kenya = f.programme(kenya, f.location(kenya, country="KE", latitude=Decimal("-1.28")), name="Nairobi")
    h_bergen = f.home(p_bergen)
    h_oslo = f.home(p_oslo)
    return World(norway, kenya, p_bergen, p_oslo, p_kenya, h_bergen, h_oslo)


def names(queryset: Iterable[object]) -> set[str]:
    return {str(o) for o in queryset}


def test_each_role_sees_exactly_its_scope(world: World) -> None:
    norway, p_bergen, h_bergen = world.norway, world.p_bergen, world.h_bergen
    cases = {
        Role.NATIONAL_DIRECTOR: (ScopeKind.ASSOCIATION, str(norway.pk), {"Bergen søsken", "Oslo ungdom"}),
        Role.PROGRAMME_DIRECTOR: (ScopeKind.PROGRAMME, str(p_bergen.pk), {"Bergen søsken"}),
        Role.CASEWORKER: (ScopeKind.PROGRAMME, str(p_bergen.pk), {"Bergen søsken"}),
        # Caregivers work in their own home's pages, not in the register.
        Role.CAREGIVER: (ScopeKind.HOME, str(h_bergen.pk), set()),
        Role.MUNICIPALITY_CONTACT: (ScopeKind.MUNICIPALITY, "4601", {"Bergen søsken"}),
        Role.AUDITOR: (ScopeKind.GLOBAL, "", {"Bergen søsken", "Oslo ungdom", "Nairobi"}),
        Role.DONOR_SERVICE: (ScopeKind.ASSOCIATION, str(norway.pk), set()),
        Role.SAFEGUARDING_FOCAL_POINT: (ScopeKind.GLOBAL, "", set()),
    }
    for role, (kind, key, expected) in cases.items():
        user = make_persona(role, scope_kind=kind, scope_key=key)
        assert names(selectors.programme_list_for(user=user)) == expected, role
    assert names(selectors.programme_list_for(user=make_user())) == set()


def test_homes_and_locations_follow_the_same_scopes(world: World) -> None:
    caseworker = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(world.p_bergen.pk))
    assert list(selectors.home_list_for(user=caseworker)) == [world.h_bergen]
    assert selectors.location_list_for(user=caseworker).count() == 1
    director_ = make_persona(Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(world.norway.pk))
    assert selectors.home_list_for(user=director_).count() == 2
    assert selectors.association_list_for(user=director_).get() == world.norway


def test_guards_answer_404_outside_scope_and_403_to_readers(world: World) -> None:
    p_bergen, p_kenya = world.p_bergen, world.p_kenya
    caseworker = make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(p_bergen.pk))
    assert selectors.programme_get_for(user=caseworker, pk=p_bergen.pk) == p_bergen
    with pytest.raises(Http404):
        selectors.programme_get_for(user=caseworker, pk=p_kenya.pk)
    with pytest.raises(PermissionDenied):
        selectors.programme_get_for(user=caseworker, pk=p_bergen.pk, for_write=True)
    boss = make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(p_bergen.pk))
    assert selectors.programme_get_for(user=boss, pk=p_bergen.pk, for_write=True) == p_bergen


def test_only_national_directors_create_programmes(world: World) -> None:
    norway, p_bergen = world.norway, world.p_bergen
    boss = make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(p_bergen.pk))
    with pytest.raises(PermissionDenied):
        services.programme_create(
            actor=boss,
            association=norway,
            location=f.location(norway),
            name="Ny",
            code="NY-1",
            type="youth",
            start_date=dt.date(2026, 1, 1),
        )


def test_home_address_only_for_those_who_visit(world: World) -> None:
    h_bergen, p_bergen, norway = world.h_bergen, world.p_bergen, world.norway
    visits = [
        make_persona(Role.CAREGIVER, scope_kind=ScopeKind.HOME, scope_key=str(h_bergen.pk)),
        make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(p_bergen.pk)),
    ]
    does_not = [
        make_persona(Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(norway.pk)),
        make_persona(Role.ME_ADVISOR, scope_kind=ScopeKind.GLOBAL),
        make_persona(Role.MUNICIPALITY_CONTACT, scope_kind=ScopeKind.MUNICIPALITY, scope_key="4601"),
    ]
    assert all(selectors.home_address_visible_to(user=u, home=h_bergen) for u in visits)
    assert not any(selectors.home_address_visible_to(user=u, home=h_bergen) for u in does_not)


def test_filters_and_search(world: World) -> None:
    auditor = make_persona(Role.AUDITOR)
    assert names(selectors.programme_list_for(user=auditor, country="ke")) == {"Nairobi"}
    assert names(selectors.programme_list_for(user=auditor, type="youth")) == {"Oslo ungdom"}
    assert names(selectors.programme_list_for(user=auditor, search="søsken")) == {"Bergen søsken"}


def test_programme_list_query_count_does_not_grow_with_rows() -> None:
    auditor = make_persona(Role.AUDITOR)
    assoc = f.association()
    loc = f.location(assoc)
    for _ in range(10):
        f.programme(assoc, loc)
    list(selectors.programme_list_for(user=auditor))  # the user's scope is read once per request
    with CaptureQueriesContext(connection) as ten:
        [(p.location.name, p.association.name) for p in selectors.programme_list_for(user=auditor)]
    for _ in range(190):
        f.programme(assoc, f.location(assoc))
    with CaptureQueriesContext(connection) as two_hundred:
        rows = [(p.location.name, p.association.name) for p in selectors.programme_list_for(user=auditor)]
    assert len(rows) == 200
    assert len(ten) == len(two_hundred)


def test_trainings_about_to_expire(world: World) -> None:
    norway, p_bergen = world.norway, world.p_bergen
    person = f.staff(norway, programme=p_bergen)
    today = dt.date(2026, 11, 22)
    services.training_add(
        actor=None,
        staff=person,
        title="Førstehjelp",
        completed_on=dt.date(2024, 12, 1),
        expires_on=dt.date(2026, 12, 1),
    )
    services.training_add(
        actor=None,
        staff=person,
        title="Traumebevisst omsorg",
        completed_on=dt.date(2025, 1, 1),
        expires_on=dt.date(2028, 1, 1),
    )
    boss = make_persona(Role.PROGRAMME_DIRECTOR, scope_kind=ScopeKind.PROGRAMME, scope_key=str(p_bergen.pk))
    expiring = selectors.training_expiring_list_for(user=boss, within_days=60, today=today)
    assert [t.title for t in expiring] == ["Førstehjelp"]
    with pytest.raises(ValidationError):
        services.training_add(
            actor=None, staff=person, title="X", completed_on=dt.date(2025, 1, 1), expires_on=dt.date(2024, 1, 1)
        )
