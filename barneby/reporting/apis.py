"""The reporting API: the same scoped selectors as the pages, every export audited."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.reporting import selectors

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
