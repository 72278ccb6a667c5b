"""The key figures of the year (seed 002), each a named indicator with a definition, computed live and cached.

The figures are counted from the register (countries, villages, programmes,
medical centres), care (children in SOS families and youth programmes),
family strengthening (people in supported households), the service returns
(kindergarten children, pupils, vocational trainees) and the annual accounts
(share of the funds to the purpose). The set is cached for
``KEY_FIGURES_CACHE_SECONDS``; each figure carries when it was computed and
its source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from barneby.care.models import SOS_FAMILY_AND_YOUTH_TYPES, Placement
from barneby.organisation.models import (
    Location,
    LocationKind,
    MemberAssociation,
    Programme,
    ProgrammeType,
)
from barneby.results.indicators import strengthening_people
from barneby.results.models import AnnualAccounts, ServiceReturn
from barneby.results.periods import Period

CACHE_SECONDS = 15 * 60
CACHE_VERSION = 1


@dataclass(frozen=True)
class KeyFigureDef:
    code: str
    name: Promise
    definition: Promise
    source: Promise
    unit: str
    compute: Callable[[Period, dt.date], Decimal | None]


def _running(period: Period) -> Q:
    """Programmes that ran at some time in the period and were not closed before it."""
    return Q(start_date__lte=period.end) & (Q(end_date__isnull=True) | Q(end_date__gte=period.start))


def countries(period: Period, ref: dt.date) -> Decimal:
    return Decimal(MemberAssociation.objects.filter(is_active=True).values("country").distinct().count())


def programme_countries(period: Period, ref: dt.date) -> Decimal:
    return Decimal(Programme.objects.filter(_running(period)).values("location__country").distinct().count())


def villages(period: Period, ref: dt.date) -> Decimal:
    return Decimal(Location.objects.filter(kind=LocationKind.VILLAGE, is_active=True).count())


def programmes(period: Period, ref: dt.date) -> Decimal:
    return Decimal(Programme.objects.filter(_running(period)).count())


def children_in_care(period: Period, ref: dt.date) -> Decimal:
    """I32a: children with an open placement in an SOS family or a youth programme (foster and transit care,
    I32b, is not in this key figure)."""
    open_on = Q(start_date__lte=ref) & (Q(end_date__isnull=True) | Q(end_date__gt=ref))
    placements = Placement.objects.filter(open_on, type__in=sorted(SOS_FAMILY_AND_YOUTH_TYPES))
    return Decimal(placements.values("child_id").distinct().count())


def people_in_strengthening(period: Period, ref: dt.date) -> Decimal:
    return Decimal(sum(strengthening_people(Q(), period).values()))


def _latest_participants(kind: ProgrammeType, period: Period) -> Decimal:
    """Each programme's figure for the latest month it reported in the period, summed."""
    rows = ServiceReturn.objects.filter(programme__type=kind, month__gte=period.start, month__lte=period.end)
    latest = rows.values("programme_id").annotate(last=Max("month"))
    wanted = Q(pk__in=[])
    months: dict[dt.date, list[int]] = {}
    for row in latest:
        months.setdefault(row["last"], []).append(row["programme_id"])
    for month, ids in months.items():
        wanted |= Q(month=month, programme_id__in=ids)
    total = rows.filter(wanted).aggregate(n=Sum("participants"))["n"] if months else 0
    return Decimal(total or 0)


def kindergarten(period: Period, ref: dt.date) -> Decimal:
    return _latest_participants(ProgrammeType.KINDERGARTEN, period)


def pupils(period: Period, ref: dt.date) -> Decimal:
    return _latest_participants(ProgrammeType.SCHOOL, period)


def trainees(period: Period, ref: dt.date) -> Decimal:
    return _latest_participants(ProgrammeType.VOCATIONAL, period)


def medical_centres(period: Period, ref: dt.date) -> Decimal:
    return Decimal(Programme.objects.filter(_running(period), type=ProgrammeType.MEDICAL).count())


def purpose_share(period: Period, ref: dt.date) -> Decimal | None:
    totals = AnnualAccounts.objects.filter(year=period.start.year).aggregate(
        purpose=Sum("programme_costs"), fundraising=Sum("fundraising_costs"), administration=Sum("administration_costs")
    )
    purpose = totals["purpose"] or Decimal(0)
    total = purpose + (totals["fundraising"] or 0) + (totals["administration"] or 0)
    if not total:
        return None
    return (100 * purpose / total).quantize(Decimal("1"))


KEY_FIGURES: tuple[KeyFigureDef, ...] = (
    KeyFigureDef(
        "countries",
        _("Land med medlemsorganisasjon"),
        _("Antall land med en aktiv nasjonal medlemsorganisasjon."),
        _("Organisasjonsregisteret"),
        "count",
        countries,
    ),
    KeyFigureDef(
        "programme_countries",
        _("Land med SOS-programmer"),
        _("Antall land der minst ett program var i drift i løpet av året."),
        _("Organisasjonsregisteret"),
        "count",
        programme_countries,
    ),
    KeyFigureDef(
        "villages",
        _("Barnebyer"),
        _("Antall aktive steder av typen barneby."),
        _("Organisasjonsregisteret"),
        "count",
        villages,
    ),
    KeyFigureDef(
        "programmes",
        _("SOS-programmer"),
        _("Antall programmer (omsorg, utdanning, helse og nødhjelp) i drift en eller flere dager i året."),
        _("Organisasjonsregisteret"),
        "count",
        programmes,
    ),
    KeyFigureDef(
        "children_in_care",
        _("Barn og unge i SOS-familier og ungdomstiltak"),
        _(
            "Antall barn og unge med en åpen plassering i SOS-familie (i barneby eller nærmiljøet), ungdomsbolig "
            "eller bo med oppfølging på telledagen (31.12, eller i dag mens året pågår) (I32a). Barn i fosterhjem "
            "og midlertidig omsorg (I32b) er ikke med."
        ),
        _("Omsorg og saksbehandling"),
        "count",
        children_in_care,
    ),
    KeyFigureDef(
        "people_in_strengthening",
        _("Barn og voksne i familiestyrking"),
        _("Antall personer i husstander som fikk familiestyrking en eller flere dager i året (I32c)."),
        _("Familiestyrking"),
        "count",
        people_in_strengthening,
    ),
    KeyFigureDef(
        "kindergarten_children",
        _("Barn i SOS-barnehager"),
        _("Barn i barnehagene ved slutten av årets siste rapporterte måned, summert over barnehagene."),
        _("Tjenesterapporter"),
        "count",
        kindergarten,
    ),
    KeyFigureDef(
        "pupils",
        _("Elever i SOS-skoler"),
        _("Elever ved slutten av årets siste rapporterte måned, summert over skolene."),
        _("Tjenesterapporter"),
        "count",
        pupils,
    ),
    KeyFigureDef(
        "vocational_trainees",
        _("Ungdom og voksne i yrkesopplæring"),
        _("Deltakere ved slutten av årets siste rapporterte måned, summert over yrkesopplæringssentrene."),
        _("Tjenesterapporter"),
        "count",
        trainees,
    ),
    KeyFigureDef(
        "medical_centres",
        _("Medisinske sentre"),
        _("Antall programmer av typen medisinsk senter i drift en eller flere dager i året."),
        _("Organisasjonsregisteret"),
        "count",
        medical_centres,
    ),
    KeyFigureDef(
        "purpose_share",
        _("Andel av midlene til formålet"),
        _(
            "Kostnader til programmene delt på alle kostnader (programmer, innsamling og administrasjon) i årsregnskapene, i prosent."
        ),
        _("Årsregnskap"),
        "percent",
        purpose_share,
    ),
)


@dataclass(frozen=True)
class KeyFigure:
    code: str
    name: str
    definition: str
    source: str
    unit: str
    value: Decimal | None
    as_of: dt.datetime
    reference_date: dt.date

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["value"] = None if self.value is None else (int(self.value) if self.unit == "count" else float(self.value))
        data["as_of"] = self.as_of.isoformat()
        data["reference_date"] = self.reference_date.isoformat()
        return data


def _key(year: int, language: str | None = None) -> str:
    """One entry per year and language (the names and definitions are translated)."""
    return f"results:key-figures:{year}:{language or get_language() or 'nb'}"


def compute_key_figures(year: int, *, today: dt.date | None = None) -> list[KeyFigure]:
    """Every key figure for ``year``, computed now from the records (no cache)."""
    period = Period.year(year)
    ref = period.reference(today or timezone.localdate())
    now = timezone.now()
    return [
        KeyFigure(d.code, str(d.name), str(d.definition), str(d.source), d.unit, d.compute(period, ref), now, ref)
        for d in KEY_FIGURES
    ]


def key_figures(year: int, *, refresh: bool = False) -> list[KeyFigure]:
    """The key figures for ``year`` from the cache, computed when missing (or when ``refresh``)."""
    if not refresh:
        cached = cache.get(_key(year), version=CACHE_VERSION)
        if cached is not None:
            return list(cached)
    figures = compute_key_figures(year)
    cache.set(_key(year), figures, CACHE_SECONDS, version=CACHE_VERSION)
    return figures


def forget(year: int) -> None:
    from django.conf import settings

    cache.delete_many([_key(year, code) for code, _name in settings.LANGUAGES], version=CACHE_VERSION)
