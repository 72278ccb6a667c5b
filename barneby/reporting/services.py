"""Writes of the IATI data, each atomic and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypedDict

from django.db import transaction

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.organisation.models import MemberAssociation, Programme
from barneby.reporting.models import IatiActivity, IatiBudget, IatiOrganisation, IatiSector


class SectorData(TypedDict):
    vocabulary: str
    code: str
    percentage: Decimal


class BudgetData(TypedDict):
    type: str
    status: str
    period_start: dt.date
    period_end: dt.date
    value: Decimal
    currency: str
    value_date: dt.date


@transaction.atomic
def iati_organisation_save(
    *, actor: Any, association: MemberAssociation, identifier: str, type: str, name_en: str = ""
) -> IatiOrganisation:
    organisation = IatiOrganisation.objects.filter(association=association).first()
    created = organisation is None
    if organisation is None:
        organisation = IatiOrganisation(association=association)
    organisation.identifier = identifier
    organisation.type = type
    organisation.name_en = name_en
    organisation.full_clean()
    organisation.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=organisation,
        detail=f"IATI reporting organisation {identifier}",
    )
    return organisation


@transaction.atomic
def iati_activity_save(
    *,
    actor: Any,
    programme: Programme,
    identifier: str,
    title_en: str,
    description_nb: str = "",
    description_en: str = "",
    sectors: Sequence[SectorData] = (),
    budgets: Sequence[BudgetData] = (),
) -> IatiActivity:
    """Set the programme's IATI data; its sectors and budgets become exactly those given."""
    activity = IatiActivity.objects.select_for_update().filter(programme=programme).first()
    created = activity is None
    if activity is None:
        activity = IatiActivity(programme=programme)
    activity.identifier = identifier
    activity.title_en = title_en
    activity.description_nb = description_nb
    activity.description_en = description_en
    activity.full_clean()
    activity.save()
    activity.sectors.all().delete()
    activity.budgets.all().delete()
    new_sectors = [IatiSector(activity=activity, **sector) for sector in sectors]
    new_budgets = [IatiBudget(activity=activity, **budget) for budget in budgets]
    for row in (*new_sectors, *new_budgets):
        row.full_clean(exclude=["activity"])
    IatiSector.objects.bulk_create(new_sectors)
    IatiBudget.objects.bulk_create(new_budgets)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=activity,
        detail=f"IATI data of {programme.code}: {len(new_sectors)} sectors, {len(new_budgets)} budgets",
    )
    return activity
