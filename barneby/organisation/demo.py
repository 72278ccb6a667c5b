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

from django.db import models
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
    ProgrammeStatus,
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
    # Planned places per programme: they size its homes; the programme's capacity is then its homes' places.
    planned: dict[int, int] = {}
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
                "currency": "NOK",
                "budget_local": Decimal(capacity * 650_000),
                "budget_nok": Decimal(capacity * 650_000),
                "partner_municipality": municipalities[partner],
            },
        )
        programmes.append(programme)
        planned[programme.pk] = capacity
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
                "currency": currency,
                "budget_local": budget * 10,
                "budget_nok": budget,
            },
        )
        programmes.append(programme)
        planned[programme.pk] = rng.randint(40, 400)

    homes_made = 0
    for programme in programmes:
        if programme.type not in HOME_KIND or programme.homes.exists():
            continue
        count = max(1, planned.get(programme.pk, 8) // 4)
        for i in range(count):
            takes_siblings = programme.type in {ProgrammeType.SIBLING_FOSTER, ProgrammeType.FAMILY_VILLAGE}
            capacity = rng.choice([3, 4, 5]) if takes_siblings else rng.choice([2, 3, 4])
            home = Home.objects.create(
                programme=programme,
                # Several programmes share a village: the programme's name keeps home names apart.
                name=f"{programme.name} – hjem {i + 1}",
                kind=HOME_KIND[ProgrammeType(programme.type)],
                capacity=capacity,
                # Occupied places come from placements (the care demo's), never a made-up number.
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
    if context.scale == "global":
        seed_global(context, rng, competences)
    context.counts.update(
        {
            "medlemsorganisasjoner": MemberAssociation.objects.count(),
            "steder": Location.objects.count(),
            "programmer": Programme.objects.count(),
            "hjem": Home.objects.count(),
            "ansatte": StaffMember.objects.count(),
            "opplæringer": Training.objects.count(),
        }
    )


# The key figures of the federation (seed 002): associations, countries with
# programmes, villages, programmes, medical centres, and children in SOS families and youth programmes.
GLOBAL_ASSOCIATIONS = 134
GLOBAL_PROGRAMME_COUNTRIES = 128
GLOBAL_VILLAGES = 573
GLOBAL_PROGRAMMES = 2317
GLOBAL_CHILDREN_IN_FAMILY_CARE = 82_300
GLOBAL_MEDICAL_CENTRES = 75
# Programmes by type abroad; family-based care in villages is one per village. Medical centres are
# topped up to the key figure (the national demo has one abroad); family strengthening absorbs the rest.
GLOBAL_PROGRAMME_MIX = {
    ProgrammeType.FAMILY_COMMUNITY: 310,
    ProgrammeType.YOUTH: 380,
    ProgrammeType.FAMILY_STRENGTHENING: 520,
    ProgrammeType.KINDERGARTEN: 190,
    ProgrammeType.SCHOOL: 170,
    ProgrammeType.VOCATIONAL: 60,
    ProgrammeType.MEDICAL: GLOBAL_MEDICAL_CENTRES,
    ProgrammeType.EMERGENCY: 23,
}
GLOBAL_PREFIX = "G-"
BATCH = 2000


def seed_global(context: DemoContext, rng: random.Random, competences: list[Competence]) -> None:
    """The federation at full size, built with bulk inserts; skipped if it is already there."""
    from barneby.organisation.continents import _table

    if MemberAssociation.objects.filter(code__startswith=GLOBAL_PREFIX).exists():
        return
    fake = Faker("no_NO")
    fake.seed_instance(context.seed + 1)
    new_villages = GLOBAL_VILLAGES - Location.objects.filter(kind=LocationKind.VILLAGE).count()
    mix = dict(GLOBAL_PROGRAMME_MIX)
    # Medical centres already in the register (the national demo's) count towards the key figure.
    mix[ProgrammeType.MEDICAL] = max(
        0, GLOBAL_MEDICAL_CENTRES - Programme.objects.filter(type=ProgrammeType.MEDICAL, end_date__isnull=True).count()
    )
    # Family strengthening takes whatever makes the total come out at the key figure.
    mix[ProgrammeType.FAMILY_STRENGTHENING] += (
        GLOBAL_PROGRAMMES - Programme.objects.count() - new_villages - sum(mix.values())
    )

    existing_countries = set(MemberAssociation.objects.values_list("country", flat=True))
    candidates = sorted(code for code in _table() if code not in existing_countries)
    rng.shuffle(candidates)
    new_countries = candidates[: GLOBAL_ASSOCIATIONS - len(existing_countries)]
    associations = MemberAssociation.objects.bulk_create(
        [
            MemberAssociation(name=f"SOS Children's Villages {code}", code=f"{GLOBAL_PREFIX}{code}", country=code)
            for code in context.progress(new_countries, desc="medlemsorganisasjoner")
        ]
    )
    # Some associations only raise funds; the rest run programmes in their own country.
    with_programmes = list(associations)[: GLOBAL_PROGRAMME_COUNTRIES - len(existing_countries)]

    villages = []
    for i in context.progress(range(new_villages), desc="barnebyer"):
        assoc = with_programmes[i % len(with_programmes)]
        villages.append(
            Location(
                association=assoc,
                kind=LocationKind.VILLAGE,
                name=f"SOS Children's Village {assoc.country.code}-{i + 1:03d}",
                country=assoc.country,
                latitude=Decimal(rng.uniform(-40, 60)).quantize(Decimal("0.000001")),
                longitude=Decimal(rng.uniform(-120, 150)).quantize(Decimal("0.000001")),
            )
        )
    villages = Location.objects.bulk_create(villages, batch_size=BATCH)
    sites = Location.objects.bulk_create(
        [
            Location(
                association=assoc,
                kind=LocationKind.COMMUNITY,
                name=f"Community site {assoc.country.code}",
                country=assoc.country,
                latitude=Decimal(rng.uniform(-40, 60)).quantize(Decimal("0.000001")),
                longitude=Decimal(rng.uniform(-120, 150)).quantize(Decimal("0.000001")),
            )
            for assoc in with_programmes
        ]
    )

    programmes = []
    for n, village in enumerate(villages):
        programmes.append(_global_programme(rng, village, ProgrammeType.FAMILY_VILLAGE, n))
    n = len(programmes)
    for type_, count in mix.items():
        for _ in range(count):
            location = rng.choice(sites) if rng.random() < 0.5 else rng.choice(villages)
            programmes.append(_global_programme(rng, location, type_, n))
            n += 1
    programmes = Programme.objects.bulk_create(list(context.progress(programmes, desc="programmer")), batch_size=BATCH)

    # Homes sized for the children in family-based care: SOS families hold about six children.
    care = [p for p in programmes if p.type in HOME_KIND]
    homes: list[Home] = []
    already = Home.objects.aggregate(children=models.Sum("occupied"))["children"] or 0
    children_left = GLOBAL_CHILDREN_IN_FAMILY_CARE - already
    i = 0
    while children_left > 0:
        programme = care[i % len(care)]
        kind = HOME_KIND[ProgrammeType(programme.type)]
        capacity = 4 if kind == HomeKind.YOUTH_HOUSE else rng.choice([5, 6, 7, 8])
        occupied = min(capacity, children_left, rng.randint(capacity - 2, capacity))
        homes.append(
            Home(
                programme=programme,
                name=f"{programme.code} hjem {i // len(care) + 1}",
                kind=kind,
                capacity=capacity,
                occupied=occupied,
                takes_sibling_groups=kind != HomeKind.YOUTH_HOUSE,
                max_sibling_group_size=capacity if kind != HomeKind.YOUTH_HOUSE else None,
                min_age=14 if kind == HomeKind.YOUTH_HOUSE else 0,
                max_age=21 if kind == HomeKind.YOUTH_HOUSE else 18,
            )
        )
        children_left -= occupied
        i += 1
    homes = Home.objects.bulk_create(list(context.progress(homes, desc="hjem")), batch_size=BATCH)
    Through = Home.competences.through
    Through.objects.bulk_create(
        [Through(home_id=h.pk, competence_id=rng.choice(competences).pk) for h in homes], batch_size=BATCH
    )
    staff = StaffMember.objects.bulk_create(
        [
            StaffMember(
                association_id=h.programme.association_id,
                programme_id=h.programme_id,
                home_id=h.pk,
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                role=StaffRole.SOS_PARENT,
            )
            for h in context.progress(homes, desc="omsorgspersoner")
        ],
        batch_size=BATCH,
    )
    Training.objects.bulk_create(
        [
            Training(
                staff_id=s.pk,
                title="Omsorgspolicy og barnevern",
                completed_on=dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 700)),
                expires_on=dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 900)),
            )
            for s in staff
        ],
        batch_size=BATCH,
    )


def _global_programme(rng: random.Random, location: Location, type_: ProgrammeType, n: int) -> Programme:
    budget = Decimal(rng.randrange(500_000, 20_000_000, 10_000))
    return Programme(
        association_id=location.association_id,
        location=location,
        name=f"{location.name}: {type_.label}",
        code=f"{GLOBAL_PREFIX}{n + 1:05d}",
        type=type_,
        status=rng.choices(
            [ProgrammeStatus.ACTIVE, ProgrammeStatus.PHASING_OUT, ProgrammeStatus.HANDED_OVER], weights=[90, 7, 3]
        )[0],
        start_date=dt.date(rng.randint(1960, 2024), 1, 1),
        currency="USD",
        budget_local=budget / 10,
        budget_nok=budget,
    )
