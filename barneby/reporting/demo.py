"""Demo IATI data: every association as reporting organisation and every programme as activity.

Sectors follow the programme's type; a budget per calendar year for last year and this year (the
programme's yearly budget in NOK), none for a closed programme's years after it ended. Idempotent:
programmes that already have IATI data keep it. Bulk inserts, so the global scale (2,317
programmes) takes seconds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from barneby.core.demo import DemoContext, register
from barneby.organisation.models import MemberAssociation, Programme, ProgrammeType
from barneby.reporting.models import IatiActivity, IatiBudget, IatiOrganisation, IatiSector, OrganisationType

# Programme type → (DAC 5 code, share) adding up to 100.
SECTORS: dict[str, tuple[tuple[str, int], ...]] = {
    ProgrammeType.FAMILY_VILLAGE: (("16015", 80), ("15160", 20)),
    ProgrammeType.FAMILY_COMMUNITY: (("16015", 80), ("15160", 20)),
    ProgrammeType.SIBLING_FOSTER: (("16015", 80), ("15160", 20)),
    ProgrammeType.UNACCOMPANIED: (("16015", 70), ("15160", 30)),
    ProgrammeType.YOUTH: (("16015", 50), ("11330", 30), ("16020", 20)),
    ProgrammeType.FAMILY_STRENGTHENING: (("16010", 70), ("16015", 30)),
    ProgrammeType.KINDERGARTEN: (("11240", 100),),
    ProgrammeType.SCHOOL: (("11220", 100),),
    ProgrammeType.VOCATIONAL: (("11330", 100),),
    ProgrammeType.MEDICAL: (("12220", 100),),
    ProgrammeType.EMERGENCY: (("72010", 70), ("72050", 30)),
}
TITLES_EN: dict[str, str] = {
    ProgrammeType.FAMILY_VILLAGE: "Family-based care in a children's village",
    ProgrammeType.FAMILY_COMMUNITY: "Family-based care in the community",
    ProgrammeType.SIBLING_FOSTER: "Foster homes for sibling groups",
    ProgrammeType.UNACCOMPANIED: "Family homes for unaccompanied minors",
    ProgrammeType.YOUTH: "Youth care",
    ProgrammeType.FAMILY_STRENGTHENING: "Family strengthening",
    ProgrammeType.KINDERGARTEN: "Kindergarten",
    ProgrammeType.SCHOOL: "School",
    ProgrammeType.VOCATIONAL: "Vocational training centre",
    ProgrammeType.MEDICAL: "Medical centre",
    ProgrammeType.EMERGENCY: "Emergency response",
}
NORWAY_ORG_NUMBER = "971277882"  # a nine-digit number of the Brønnøysund register's form (synthetic)


def organisation_identifier(association: MemberAssociation) -> str:
    """Norway: the Brønnøysund register (NO-BRC); elsewhere an identifier assigned by IATI (XI-IATI)."""
    if association.country.code == "NO":
        return f"NO-BRC-{NORWAY_ORG_NUMBER}"
    return f"XI-IATI-SOS{association.code.replace('-', '')}"


@register("reporting", order=400)
def seed_reporting(context: DemoContext) -> None:
    seed_iati(context)


def seed_iati(context: DemoContext, *, today: dt.date | None = None) -> int:
    """IATI data for every programme that has none; returns how many activities were added."""
    today = today or timezone.localdate()
    organisations = {o.association_id: o for o in IatiOrganisation.objects.all()}
    new_orgs = [
        IatiOrganisation(
            association=a,
            identifier=organisation_identifier(a),
            type=OrganisationType.NATIONAL_NGO if a.country.code == "NO" else OrganisationType.INTERNATIONAL_NGO,
            name_en=a.name.replace("SOS-barnebyer", "SOS Children's Villages"),
        )
        for a in MemberAssociation.objects.filter(programmes__isnull=False).distinct().order_by("pk")
        if a.pk not in organisations
    ]
    for organisation in IatiOrganisation.objects.bulk_create(new_orgs):
        organisations[organisation.association_id] = organisation
    programmes = list(
        Programme.objects.filter(iati__isnull=True)
        .order_by("pk")
        .only("pk", "code", "type", "status", "start_date", "end_date", "budget_nok", "association_id")
    )
    activities = IatiActivity.objects.bulk_create(
        [
            IatiActivity(
                programme=p,
                identifier=f"{organisations[p.association_id].identifier}-{p.code}",
                title_en=TITLES_EN[p.type],
                description_en=TITLES_EN[p.type],
            )
            for p in context.progress(programmes, desc="IATI-aktiviteter")
        ],
        batch_size=1000,
    )
    sectors: list[IatiSector] = []
    budgets: list[IatiBudget] = []
    for programme, activity in zip(programmes, activities, strict=True):
        for code, share in SECTORS[programme.type]:
            sectors.append(IatiSector(activity=activity, vocabulary="1", code=code, percentage=Decimal(share)))
        yearly = programme.budget_nok or Decimal(1_000_000)
        for year in (today.year - 1, today.year):
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            if programme.start_date > end or (programme.end_date is not None and programme.end_date < start):
                continue
            budgets.append(
                IatiBudget(
                    activity=activity,
                    period_start=start,
                    period_end=end,
                    value=yearly,
                    currency="NOK",
                    value_date=start,
                )
            )
    IatiSector.objects.bulk_create(sectors, batch_size=2000)
    IatiBudget.objects.bulk_create(budgets, batch_size=2000)
    context.counts["iati_activities"] = IatiActivity.objects.count()
    return len(activities)
