"""Demo data for the organisation register (synthetic people; real places and public figures).

``--scale national``: the Norwegian association with its village in Bergen,
foster-home programmes for sibling groups in three partner municipalities,
a family-home programme for unaccompanied minors, a youth programme, and
ten programmes abroad. Idempotent: everything is keyed by stable codes.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.management.base import CommandError
from faker import Faker

from barneby.accounts.roles import Role, ScopeKind
from barneby.core.demo import DemoContext, register
from barneby.organisation.models import (
    Competence,
    Home,
    HomeKind,
    Location,
    LocationKind,
    MemberAssociation,
    Municipality,
    Programme,
    ProgrammeType,
    StaffMember,
    StaffRole,
    Training,
)

NORWAY_CODE = "NO-SOS"

# (code, name, type, location key, partner municipality, start year, capacity)
NORWEGIAN_PROGRAMMES = [
    ("NO-BGO-VILLAGE", "SOS-barnebyen Bergen", ProgrammeType.FAMILY_VILLAGE, "bergen", "4601", 2008, 24),
    ("NO-SIB-BGO", "Fosterhjem for søsken – Bergen", ProgrammeType.SIBLING_FOSTER, "bergen", "4601", 2015, 20),
    ("NO-SIB-TRD", "Fosterhjem for søsken – Trondheim", ProgrammeType.SIBLING_FOSTER, "trondheim", "5001", 2018, 16),
    (
        "NO-SIB-KRS",
        "Fosterhjem for søsken – Kristiansand",
        ProgrammeType.SIBLING_FOSTER,
        "kristiansand",
        "4204",
        2019,
        12,
    ),
    ("NO-EMA-BGO", "Familiehjem for enslige mindreårige", ProgrammeType.UNACCOMPANIED, "bergen", "4601", 2016, 18),
    ("NO-YOUTH-BGO", "Ungdomstiltak Bergen", ProgrammeType.YOUTH, "bergen", "4601", 2020, 15),
]
NORWEGIAN_LOCATIONS = {
    "bergen": ("SOS-barnebyen Bergen", LocationKind.VILLAGE, "4601", "60.391263", "5.322054"),
    "trondheim": ("Trondheim", LocationKind.COMMUNITY, "5001", "63.430515", "10.395053"),
    "kristiansand": ("Kristiansand", LocationKind.COMMUNITY, "4204", "58.146911", "7.995815"),
}
# (country, association code, village, latitude, longitude, programme type, currency)
ABROAD = [
    ("KE", "KE-SOS", "Nairobi", "-1.292066", "36.821946", ProgrammeType.FAMILY_VILLAGE, "KES"),
    ("ET", "ET-SOS", "Hawassa", "7.062123", "38.476524", ProgrammeType.FAMILY_STRENGTHENING, "ETB"),
    ("MW", "MW-SOS", "Lilongwe", "-13.962612", "33.774119", ProgrammeType.SCHOOL, "MWK"),
    ("SO", "SO-SOS", "Mogadishu", "2.046934", "45.318162", ProgrammeType.MEDICAL, "SOS"),
    ("NP", "NP-SOS", "Kavre", "27.631500", "85.552200", ProgrammeType.VOCATIONAL, "NPR"),
    ("BD", "BD-SOS", "Dhaka", "23.810332", "90.412518", ProgrammeType.KINDERGARTEN, "BDT"),
    ("SY", "SY-SOS", "Damaskus", "33.513807", "36.276528", ProgrammeType.EMERGENCY, "SYP"),
    ("GT", "GT-SOS", "San Cristóbal", "14.917000", "-90.483000", ProgrammeType.FAMILY_COMMUNITY, "GTQ"),
    ("PE", "PE-SOS", "Callao", "-12.056591", "-77.118481", ProgrammeType.YOUTH, "PEN"),
    ("UA", "UA-SOS", "Brovary", "50.511081", "30.790899", ProgrammeType.EMERGENCY, "UAH"),
]
HOME_KIND = {
    ProgrammeType.FAMILY_VILLAGE: HomeKind.SOS_FAMILY_VILLAGE,
    ProgrammeType.FAMILY_COMMUNITY: HomeKind.SOS_FAMILY_COMMUNITY,
    ProgrammeType.SIBLING_FOSTER: HomeKind.FOSTER_HOME,
    ProgrammeType.UNACCOMPANIED: HomeKind.FAMILY_HOME,
    ProgrammeType.YOUTH: HomeKind.YOUTH_HOUSE,
}


@register("organisation", order=100)
def seed_organisation(context: DemoContext) -> None:
    if context.scale != "national":
        raise CommandError("The global organisation dataset is not built yet; use --scale national.")
    rng = random.Random(context.seed)
    fake = Faker("no_NO")  # Faker names its Norwegian (bokmål) locale no_NO
    fake.seed_instance(context.seed)
    municipalities = {m.number: m for m in Municipality.objects.filter(number__in=["4601", "5001", "4204"])}
    competences = list(Competence.objects.all())

    norway, _ = MemberAssociation.objects.update_or_create(
        code=NORWAY_CODE, defaults={"name": "SOS-barnebyer Norge", "country": "NO"}
    )
    locations = {}
    for key, (name, kind, number, lat, lon) in NORWEGIAN_LOCATIONS.items():
        locations[key], _ = Location.objects.update_or_create(
            association=norway,
            name=name,
            defaults={
                "kind": kind,
                "country": "NO",
                "municipality": municipalities[number],
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
            },
        )
    programmes: list[Programme] = []
    for code, name, type_, loc, partner, year, capacity in context.progress(
        NORWEGIAN_PROGRAMMES, desc="programmer i Norge"
    ):
        programme, _ = Programme.objects.update_or_create(
            code=code,
            defaults={
                "association": norway,
                "location": locations[loc],
                "name": name,
                "type": type_,
                "start_date": dt.date(year, 1, 1),
                "capacity": capacity,
                "currency": "NOK",
                "budget_local": Decimal(capacity * 650_000),
                "budget_nok": Decimal(capacity * 650_000),
                "partner_municipality": municipalities[partner],
            },
        )
        programmes.append(programme)
    for country, assoc_code, village, lat, lon, type_, currency in context.progress(
        ABROAD, desc="programmer i utlandet"
    ):
        assoc, _ = MemberAssociation.objects.update_or_create(
            code=assoc_code, defaults={"name": f"SOS Children's Villages {country}", "country": country}
        )
        location, _ = Location.objects.update_or_create(
            association=assoc,
            name=f"SOS Children's Village {village}",
            defaults={
                "kind": LocationKind.VILLAGE,
                "country": country,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
            },
        )
        budget = Decimal(rng.randrange(2_000_000, 12_000_000, 50_000))
        programme, _ = Programme.objects.update_or_create(
            code=f"{country}-{type_.upper()[:6]}-1".replace("_", ""),
            defaults={
                "association": assoc,
                "location": location,
                "name": f"{village}: {type_.label}",
                "type": type_,
                "start_date": dt.date(rng.randint(1975, 2015), 1, 1),
                "capacity": rng.randint(40, 400),
                "currency": currency,
                "budget_local": budget * 10,
                "budget_nok": budget,
            },
        )
        programmes.append(programme)

    homes_made = 0
    for programme in programmes:
        if programme.type not in HOME_KIND or programme.homes.exists():
            continue
        count = max(1, (programme.capacity or 8) // 4)
        for i in range(count):
            takes_siblings = programme.type in {ProgrammeType.SIBLING_FOSTER, ProgrammeType.FAMILY_VILLAGE}
            capacity = rng.choice([3, 4, 5]) if takes_siblings else rng.choice([2, 3, 4])
            home = Home.objects.create(
                programme=programme,
                name=f"{programme.location.name} – hjem {i + 1}",
                kind=HOME_KIND[ProgrammeType(programme.type)],
                capacity=capacity,
                occupied=rng.randint(0, capacity),
                takes_sibling_groups=takes_siblings,
                max_sibling_group_size=capacity if takes_siblings else None,
                min_age=13 if programme.type in {ProgrammeType.YOUTH, ProgrammeType.UNACCOMPANIED} else 0,
                max_age=18 if programme.type != ProgrammeType.YOUTH else 23,
                street_address=fake.street_address() if programme.location.country == "NO" else "",
                postcode=fake.postcode() if programme.location.country == "NO" else "",
                municipality=programme.location.municipality,
            )
            home.competences.set(rng.sample(competences, k=min(2, len(competences))))
            parent = StaffMember.objects.create(
                association=programme.association,
                programme=programme,
                home=home,
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                role=StaffRole.SOS_PARENT
                if programme.type == ProgrammeType.FAMILY_VILLAGE
                else StaffRole.FOSTER_PARENT,
            )
            completed = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 600))
            Training.objects.create(
                staff=parent,
                title="Traumebevisst omsorg",
                completed_on=completed,
                expires_on=completed + dt.timedelta(days=730),
            )
            homes_made += 1

    bergen_village = Programme.objects.get(code="NO-BGO-VILLAGE")
    first_home = bergen_village.homes.order_by("pk").first()
    context.demo_scopes.update(
        {
            Role.NATIONAL_DIRECTOR.value: (ScopeKind.ASSOCIATION, str(norway.pk)),
            Role.PROGRAMME_DIRECTOR.value: (ScopeKind.PROGRAMME, str(bergen_village.pk)),
            Role.CASEWORKER.value: (ScopeKind.PROGRAMME, str(bergen_village.pk)),
            Role.MUNICIPALITY_CONTACT.value: (ScopeKind.MUNICIPALITY, "4601"),
            Role.DONOR_SERVICE.value: (ScopeKind.ASSOCIATION, str(norway.pk)),
            Role.ME_ADVISOR.value: (ScopeKind.GLOBAL, ""),
            Role.AUDITOR.value: (ScopeKind.GLOBAL, ""),
            Role.SAFEGUARDING_FOCAL_POINT.value: (ScopeKind.ASSOCIATION, str(norway.pk)),
        }
    )
    if first_home is not None:
        context.demo_scopes[Role.CAREGIVER.value] = (ScopeKind.HOME, str(first_home.pk))
    context.counts.update(
        {
            "medlemsorganisasjoner": MemberAssociation.objects.count(),
            "steder": Location.objects.count(),
            "programmer": Programme.objects.count(),
            "hjem": Home.objects.count(),
            "ansatte": StaffMember.objects.count(),
        }
    )
