"""The reporting API: the same scoped selectors as the pages, every export audited."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.reporting import advocacy, selectors

router = Router(tags=["statistikk"])


class ProblemOut(Schema):
    programme_code: str
    programme_name: str
    message: str


class IatiExportOut(Schema):
    association_id: int
    year: int
    ok: bool
    activities: int
    problems: list[ProblemOut]
    schema_errors: list[str]
    xml: str | None


@router.get("/associations/{pk}/iati", response=IatiExportOut)
def iati_export(request: HttpRequest, pk: int, year: int | None = None, skip_invalid: bool = False) -> IatiExportOut:
    """The association's programmes (those the caller sees) as IATI 2.03 XML, with every problem.

    ``xml`` is given when every programme passes the rules and the schema; with ``skip_invalid``
    also when some fail (they are listed in ``problems`` and left out of the XML).
    """
    association = selectors.association_get_for(user=request.user, pk=pk)
    programmes = selectors.association_programmes_for(user=request.user, association=association)
    year = year or timezone.localdate().year
    result = selectors.export_for(programmes, today=timezone.localdate(), now=timezone.now(), year=year)
    give = result.activities > 0 and not result.schema_errors and (skip_invalid or not result.problems)
    if give:
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            obj=association,
            request=request,
            detail=f"IATI {year} (API): {result.activities} activities, {len(result.problems)} problems left out",
        )
    return IatiExportOut(
        association_id=association.pk,
        year=year,
        ok=result.ok,
        activities=result.activities,
        problems=[ProblemOut(**p.__dict__) for p in result.problems],
        schema_errors=result.schema_errors,
        xml=result.xml.decode() if give else None,
    )


class TableOut(Schema):
    slug: str
    title: str
    indicator: str
    definition: str
    row_heading: str
    rows: list[str]
    columns: list[str]
    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None
    medians: list[Decimal | None] | None
    threshold: int


@router.get("/associations/{pk}/advocacy", response=list[TableOut])
def advocacy_tables(request: HttpRequest, pk: int, year: int | None = None) -> list[TableOut]:
    """The advocacy tables of the association's programmes (those the caller sees) for ``year``, every
    count under the small-cell threshold and enough others hidden (``null``) that none can be worked out."""
    association = selectors.association_get_for(user=request.user, pk=pk)
    programmes = selectors.association_programmes_for(user=request.user, association=association)
    year = year or timezone.localdate().year
    found = advocacy.tables(programmes, year=year, today=timezone.localdate())
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=association,
        request=request,
        detail=f"advocacy statistics {year} (API)",
    )
    return [
        TableOut(
            slug=t.slug,
            title=t.title,
            indicator=t.indicator_name,
            definition=t.definition,
            row_heading=str(t.row_heading),
            rows=t.rows,
            columns=t.columns,
            cells=t.published.cells,
            row_totals=t.published.row_totals,
            column_totals=t.published.column_totals,
            total=t.published.total,
            medians=t.medians,
            threshold=t.published.threshold,
        )
        for t in found
    ]
