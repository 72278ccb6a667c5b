"""Where we work, for the public site: continents → countries → villages and programmes, from the register.

Only the register's public facts: places (children's villages and community
sites) and programmes with their type, and counts of them. Nothing about homes,
staff or children. A country counts as one where we work when it has an active
children's village or a programme running today; the same rule decides what the
map highlights and what the list shows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django_countries import countries as iso

from barneby.organisation.continents import Continent, continent_of
from barneby.organisation.models import Location, LocationKind, Programme, ProgrammeStatus, ProgrammeType

CACHE_SECONDS = 10 * 60
CACHE_KEY = "website:places:v1:{day}"

# The continents' addresses on the site (Norwegian, as the pages' own slugs are, in both languages).
CONTINENT_SLUGS: dict[str, str] = {
    Continent.AFRICA: "afrika",
    Continent.ASIA: "asia",
    Continent.EUROPE: "europa",
    Continent.LATIN_AMERICA: "latin-amerika",
    Continent.NORTH_AMERICA: "nord-amerika",
    Continent.OCEANIA: "oseania",
}
SLUG_CONTINENTS = {slug: Continent(code) for code, slug in CONTINENT_SLUGS.items()}
RUNNING_STATUSES = (ProgrammeStatus.ACTIVE, ProgrammeStatus.PHASING_OUT)


def running(today: dt.date) -> Q:
    """Programmes running on ``today``: active or being phased out, started and not yet ended."""
    return (
        Q(status__in=RUNNING_STATUSES) & Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))
    )


@dataclass
class Place:
    pk: int
    name: str
    kind: str
    programmes: list[tuple[str, str]] = field(default_factory=list)  # (name, type)

    @property
    def kind_label(self) -> str:
        return str(LocationKind(self.kind).label)

    @property
    def programme_count(self) -> int:
        return len(self.programmes)

    def programme_rows(self) -> list[tuple[str, str]]:
        return [(name, str(ProgrammeType(kind).label)) for name, kind in self.programmes]


@dataclass
class CountryPresence:
    code: str
    places: list[Place]
    longitude: float
    latitude: float

    @property
    def name(self) -> str:
        return str(iso.name(self.code)) or self.code

    @property
    def continent(self) -> Continent | None:
        return continent_of(self.code)

    @property
    def villages(self) -> int:
        return sum(1 for p in self.places if p.kind == LocationKind.VILLAGE)

    @property
    def programmes(self) -> int:
        return sum(p.programme_count for p in self.places)

    def programme_types(self) -> list[tuple[str, int]]:
        counts = Counter(kind for p in self.places for _name, kind in p.programmes)
        return [(str(ProgrammeType(kind).label), n) for kind, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]


def _load(today: dt.date) -> dict[str, CountryPresence]:
    places: dict[int, Place] = {}
    positions: dict[int, tuple[str, Decimal, Decimal]] = {}
    for row in Location.objects.filter(is_active=True).values("pk", "name", "kind", "country", "longitude", "latitude"):
        places[row["pk"]] = Place(row["pk"], row["name"], row["kind"])
        positions[row["pk"]] = (str(row["country"]), row["longitude"], row["latitude"])
    for programme in (
        Programme.objects.filter(running(today), location__is_active=True)
        .order_by("name", "pk")
        .values("location_id", "name", "type")
    ):
        places[programme["location_id"]].programmes.append((programme["name"], programme["type"]))
    by_country: dict[str, list[Place]] = defaultdict(list)
    for pk, place in places.items():
        if place.kind == LocationKind.VILLAGE or place.programmes:
            by_country[positions[pk][0]].append(place)
    found: dict[str, CountryPresence] = {}
    for code, shown in by_country.items():
        shown.sort(key=lambda p: (p.name.casefold(), p.pk))
        longitude = sum(float(positions[p.pk][1]) for p in shown) / len(shown)
        latitude = sum(float(positions[p.pk][2]) for p in shown) / len(shown)
        found[code] = CountryPresence(code, shown, longitude, latitude)
    return found


def presence(*, today: dt.date | None = None, fresh: bool = False) -> dict[str, CountryPresence]:
    """Every country where we work, by ISO code; cached for a few minutes (the register changes seldom)."""
    today = today or timezone.localdate()
    key = CACHE_KEY.format(day=today.isoformat())
    if not fresh:
        cached = cache.get(key)
        if cached is not None:
            return dict(cached)
    found = _load(today)
    cache.set(key, found, CACHE_SECONDS)
    return found


@dataclass
class ContinentGroup:
    continent: Continent
    countries: list[CountryPresence]

    @property
    def slug(self) -> str:
        return CONTINENT_SLUGS[self.continent]

    @property
    def label(self) -> str:
        return str(self.continent.label)

    @property
    def villages(self) -> int:
        return sum(c.villages for c in self.countries)

    @property
    def programmes(self) -> int:
        return sum(c.programmes for c in self.countries)


def by_continent(found: dict[str, CountryPresence]) -> list[ContinentGroup]:
    """The countries grouped by continent (in the register's continent order), by name within each."""
    groups: dict[Continent, list[CountryPresence]] = defaultdict(list)
    for country in found.values():
        if country.continent is not None:
            groups[country.continent].append(country)
    return [
        ContinentGroup(continent, sorted(groups[continent], key=lambda c: c.name.casefold()))
        for continent in Continent
        if groups.get(continent)
    ]
