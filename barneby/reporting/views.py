"""Statistics and IATI pages: thin views over the selectors, services and the pure export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.core.access import staff
from barneby.core.forms import add_service_errors
from barneby.core.listing import export_response
from barneby.reporting import advocacy as advocacy_tables
from barneby.reporting import selectors, services
from barneby.reporting.forms import (
    BudgetFormSet,
    IatiActivityForm,
    IatiOrganisationForm,
    SectorFormSet,
)
from barneby.reporting.models import IatiOrganisation
from barneby.reporting.permissions import IATI_ORGANISATION_WRITERS, IATI_WRITERS, REPORT_READERS
from barneby.reporting.suppression import threshold

# --- advocacy statistics ------------------------------------------------------------------------


@staff(REPORT_READERS, personal_data=False)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The associations whose figures the user sees: advocacy statistics and IATI export for each."""
    return render(request, "reporting/index.html", {"associations": selectors.associations_for(user=request.user)})


@staff(REPORT_READERS, personal_data=False)
@require_safe
def advocacy(request: HttpRequest, association_pk: int) -> HttpResponse:
    association = selectors.association_get_for(user=request.user, pk=association_pk)
    programmes = selectors.association_programmes_for(user=request.user, association=association)
    year = _year(request)
    context = {
        "association": association,
        "year": year,
        "tables": advocacy_tables.tables(programmes, year=year, today=timezone.localdate()),
        "small": threshold(),
        "hidden": advocacy_tables.HIDDEN,
    }
    return render(request, "reporting/advocacy.html", context)


@staff(REPORT_READERS, personal_data=False)
@require_safe
def advocacy_download(request: HttpRequest, association_pk: int, table: str) -> HttpResponse | StreamingHttpResponse:
    """One table as CSV or XLSX, suppressed like the page; audited."""
    if table not in advocacy_tables.slugs():
        raise Http404
    association = selectors.association_get_for(user=request.user, pk=association_pk)
    programmes = selectors.association_programmes_for(user=request.user, association=association)
    year = _year(request)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    (found,) = advocacy_tables.tables(programmes, year=year, today=timezone.localdate(), only=table)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=association,
        request=request,
        detail=f"advocacy statistics {table} {year} ({fmt})",
    )
    headers, rows = found.export_rows()
    return export_response(fmt, f"statistikk-{table}-{year}", headers, rows)


# --- IATI ---------------------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("ar", today.year))
    except ValueError:
        return today.year
    return year if 1950 <= year <= today.year + 1 else today.year


@staff(REPORT_READERS, personal_data=False)
@require_safe
def iati_list(request: HttpRequest) -> HttpResponse:
    """The associations whose programmes the user may export, with how many have IATI data."""
    return render(request, "reporting/iati_list.html", {"associations": selectors.associations_for(user=request.user)})


@staff(REPORT_READERS, personal_data=False)
@require_safe
def iati_association(request: HttpRequest, association_pk: int) -> HttpResponse:
    """The export checked: what would be exported, and each programme left out with the reason."""
    association = selectors.association_get_for(user=request.user, pk=association_pk)
    programmes = selectors.association_programmes_for(user=request.user, association=association)
    year = _year(request)
    result = selectors.export_for(programmes, today=timezone.localdate(), now=timezone.now(), year=year)
    context = {
        "association": association,
        "organisation": IatiOrganisation.objects.filter(association=association).first(),
        "can_edit_organisation": selectors.can_edit_organisation(user=request.user, association=association),
        "result": result,
        "programmes": programmes.select_related("iati"),
        "year": year,
    }
    return render(request, "reporting/iati_association.html", context)


@staff(REPORT_READERS, personal_data=False)
@require_safe
def iati_download(request: HttpRequest, association_pk: int) -> HttpResponse:
    """The IATI XML file. With programmes that fail a rule, only on explicit request (``utelat=1``)."""
    association = selectors.association_get_for(user=request.user, pk=association_pk)
    programmes = selectors.association_programmes_for(user=request.user, association=association)
    year = _year(request)
    result = selectors.export_for(programmes, today=timezone.localdate(), now=timezone.now(), year=year)
    back = reverse("reporting:iati-association", args=[association.pk])
    if result.schema_errors or not result.activities:
        messages.error(request, _("Eksporten kan ikke lastes ned: den har ingen gyldige aktiviteter."))
        return redirect(back)
    if result.problems and request.GET.get("utelat") != "1":
        messages.error(
            request,
            _("{count} programmer har feil og ville blitt utelatt. Rett dem, eller last ned uten dem.").format(
                count=len({p.programme_code for p in result.problems})
            ),
        )
        return redirect(back)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=association,
        request=request,
        detail=f"IATI {year}: {result.activities} activities, {len(result.problems)} problems left out",
    )
    response = HttpResponse(result.xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="iati-{association.code.lower()}-{year}.xml"'
    return response


@staff(IATI_ORGANISATION_WRITERS, personal_data=False)
@require_http_methods(["GET", "HEAD", "POST"])
def iati_organisation(request: HttpRequest, association_pk: int) -> HttpResponse:
    association = selectors.association_get_for_organisation_edit(user=request.user, pk=association_pk)
    instance = IatiOrganisation.objects.filter(association=association).first()
    form = IatiOrganisationForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.iati_organisation_save(actor=request.user, association=association, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("IATI-rapportøren er lagret."))
            return redirect("reporting:iati-association", association.pk)
    context = {
        "title": _("IATI-rapportør: {name}").format(name=association.name),
        "form": form,
        "cancel": reverse("reporting:iati-association", args=[association.pk]),
    }
    return render(request, "reporting/form.html", context, status=400 if form.is_bound and form.errors else 200)


@staff(IATI_WRITERS, personal_data=False)
@require_http_methods(["GET", "HEAD", "POST"])
def iati_programme(request: HttpRequest, programme_pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_iati(user=request.user, pk=programme_pk)
    activity = selectors.activity_of(programme)
    data = request.POST if request.method == "POST" else None
    form = IatiActivityForm(data, instance=activity)
    sectors = SectorFormSet(
        data,
        prefix="sektor",
        initial=[{"code": s.code, "percentage": s.percentage} for s in activity.sectors.all()] if activity else None,
    )
    budgets = BudgetFormSet(
        data,
        prefix="budsjett",
        initial=[
            {
                "period_start": b.period_start,
                "period_end": b.period_end,
                "value": b.value,
                "currency": b.currency,
                "type": b.type,
                "status": b.status,
            }
            for b in activity.budgets.all()
        ]
        if activity
        else None,
    )
    if request.method == "POST" and form.is_valid() and sectors.is_valid() and budgets.is_valid():
        try:
            services.iati_activity_save(
                actor=request.user,
                programme=programme,
                **form.cleaned_data,
                sectors=sectors.sector_rows(),
                budgets=budgets.budget_rows(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("IATI-opplysningene for {name} er lagret.").format(name=programme.name))
            return redirect("reporting:iati-association", programme.association_id)
    context: dict[str, Any] = {
        "programme": programme,
        "form": form,
        "sectors": sectors,
        "budgets": budgets,
        "cancel": reverse("reporting:iati-association", args=[programme.association_id]),
    }
    invalid = request.method == "POST" and (form.errors or sectors.total_error_count() or budgets.total_error_count())
    return render(request, "reporting/iati_programme.html", context, status=400 if invalid else 200)
