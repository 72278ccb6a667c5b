"""Donor-service pages for the yearly tax-deduction report (RF-1310): figures, validation report, downloads."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.core.access import staff
from barneby.core.forms import add_service_errors
from barneby.core.listing import PER_PAGE, csv_response
from barneby.fundraising import selectors, services, taxreport
from barneby.fundraising.models import TaxReporter
from barneby.fundraising.permissions import FUNDRAISING_ROLES
from barneby.organisation.models import MemberAssociation

FORMATS = ("json", "xml", "csv")
# The files for Skatteetaten; CSV is streamed from the same report.
FILE_BUILDERS: dict[str, Callable[[taxreport.TaxReport], bytes]] = {
    "json": taxreport.report_json_bytes,
    "xml": taxreport.report_xml,
}


class TaxYearForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Inntektsår"),
        min_value=2000,
        max_value=2100,
        error_messages={"invalid": gettext_lazy("Oppgi inntektsåret med fire sifre.")},
    )


class TaxReporterForm(forms.Form):
    organisation_number = forms.CharField(
        label=gettext_lazy("Organisasjonsnummer"),
        max_length=20,
        help_text=gettext_lazy("Medlemsorganisasjonens organisasjonsnummer i Enhetsregisteret, ni sifre."),
    )


def _year_form(request: HttpRequest, association: MemberAssociation | None) -> TaxYearForm:
    wanted = request.GET.get("year", "").strip()[:10]
    return TaxYearForm({"year": wanted or str(taxreport.default_year(association))})


@staff(FUNDRAISING_ROLES, hidden=True)
@require_safe
def tax_report(request: HttpRequest) -> HttpResponse:
    association = selectors.association_of(user=request.user)
    form = _year_form(request, association)
    report: taxreport.TaxReport | None = None
    if association is not None and form.is_valid():
        try:
            report = taxreport.tax_report_cached(association=association, year=form.cleaned_data["year"])
        except ValidationError as exc:
            add_service_errors(form, exc)
    page = Paginator(report.validation_rows() if report else [], PER_PAGE).get_page(request.GET.get("page"))
    reporter_error = ""
    if association is not None:
        try:
            taxreport.reporter_number(association)
        except ValidationError as exc:
            reporter_error = " ".join(exc.messages)
    context = {
        "form": form,
        "association": association,
        "report": report,
        "left_out_by_reason": report.left_out_by_reason() if report else [],
        "page_obj": page,
        "known_years": taxreport.known_years(),
        "reporter_error": reporter_error,
        "formats": FORMATS,
    }
    return render(request, "fundraising/tax_report.html", context, status=400 if form.errors else 200)


@staff(FUNDRAISING_ROLES, hidden=True)
@require_safe
def tax_report_download(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """The report as Skatteetaten's JSON, the gavefrivilligorganisasjon XML or CSV; logged, since it holds fnr."""
    if fmt not in FORMATS:
        raise Http404
    association = selectors.association_of(user=request.user)
    if association is None:
        raise Http404
    form = _year_form(request, association)
    back = reverse("fundraising:tax-report")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("year", [])))
        return redirect(back)
    year = form.cleaned_data["year"]
    try:
        report = taxreport.build_tax_report(association=association, year=year)
        if not report.lines:
            raise ValidationError(
                _("Ingen givere kan rapporteres for {year}, så det er ingen fil å laste ned.").format(year=year)
            )
        content = FILE_BUILDERS[fmt](report) if fmt in FILE_BUILDERS else b""
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{back}?year={year}")
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=association,
        request=request,
        detail=f"tax report {year} {fmt}: {report.reported_count} donors, {report.total_amount} NOK",
    )
    filename = f"skattefradrag-{year}"
    if fmt == "csv":
        return csv_response(filename, taxreport.CSV_HEADERS, taxreport.report_csv_rows(report))
    content_type = "application/json" if fmt == "json" else "application/xml"
    response = HttpResponse(content, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@staff(FUNDRAISING_ROLES, hidden=True)
@require_http_methods(["GET", "HEAD", "POST"])
def tax_reporter(request: HttpRequest) -> HttpResponse:
    """Where the association's organisasjonsnummer (oppgavegiver) for the tax-deduction files is set."""
    association = selectors.association_of(user=request.user)
    if association is None:
        # The tax report page says the user is not linked to an association.
        return redirect("fundraising:tax-report")
    current = TaxReporter.objects.filter(association=association).first()
    initial = {"organisation_number": current.organisation_number if current else ""}
    form = TaxReporterForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            services.tax_reporter_set(
                actor=request.user,
                association=association,
                organisation_number=form.cleaned_data["organisation_number"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Organisasjonsnummeret for skattefradraget er lagret."))
            return redirect("fundraising:tax-report")
    context = {
        "form": form,
        "title": _("Oppgavegiver for skattefradrag"),
        "intro": _(
            "Organisasjonsnummeret til {name} står som oppgavegiver i filene til Skatteetaten (JSON og XML)."
        ).format(name=association.name),
        "cancel": reverse("fundraising:tax-report"),
    }
    return render(request, "fundraising/form.html", context, status=400 if form.errors else 200)
