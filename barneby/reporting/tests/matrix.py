"""The reporting app's part of the URL allow list and the persona matrix (see core/tests/app_matrix.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from barneby.core.access import AccessRule
from barneby.core.tests.app_matrix import WorldContext
from barneby.reporting.permissions import IATI_ORGANISATION_WRITERS, IATI_WRITERS, REPORT_READERS

EXPECTED: dict[str, AccessRule] = {
    "reporting:index": AccessRule(roles=REPORT_READERS, personal_data=False),
    "reporting:advocacy": AccessRule(roles=REPORT_READERS, personal_data=False),
    "reporting:advocacy-download": AccessRule(roles=REPORT_READERS, personal_data=False),
    "reporting:iati-list": AccessRule(roles=REPORT_READERS, personal_data=False),
    "reporting:iati-association": AccessRule(roles=REPORT_READERS, personal_data=False),
    "reporting:iati-download": AccessRule(roles=REPORT_READERS, personal_data=False),
    "reporting:iati-organisation": AccessRule(roles=IATI_ORGANISATION_WRITERS, personal_data=False),
    "reporting:iati-programme": AccessRule(roles=IATI_WRITERS, personal_data=False),
}

PARAM_VALUES: dict[str, dict[str, str | int]] = {"reporting:advocacy-download": {"table": "sosken-kommune"}}

API_READERS = {"/reporting/": REPORT_READERS}


def build(context: WorldContext) -> None:
    """IATI data for both associations and every programme, so the export pages have activities in and out
    of scope (the association and programme pages take the world's own association and programme ids)."""
    from barneby.reporting.models import IatiActivity, IatiBudget, IatiOrganisation, IatiSector

    organisations = {
        association.pk: IatiOrganisation.objects.create(
            association=association, identifier=f"XI-IATI-MATRISE{association.pk}"
        )
        for association in {a.pk: a for a in context.associations.values()}.values()
    }
    year = dt.date.today().year
    for programme in context.programmes.values():
        activity = IatiActivity.objects.create(
            programme=programme,
            identifier=f"{organisations[programme.association_id].identifier}-{programme.code}",
            title_en="Matrix programme",
        )
        IatiSector.objects.create(activity=activity, code="16015", percentage=Decimal(100))
        IatiBudget.objects.create(
            activity=activity,
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            value=Decimal(1000),
            value_date=dt.date(year, 1, 1),
        )
