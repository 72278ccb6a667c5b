"""Results pages: indicators with targets, closed periods, key figures, service returns, accounts, status reports."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from barneby.accounts.scoping import scope_for
from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.core.access import staff
from barneby.core.forms import add_service_errors
from barneby.core.listing import export_response, paginate, query_id
from barneby.results import keyfigures, selectors, services, snapshots, statusreport
from barneby.results.forms import (
    AccountsForm,
    ClosePeriodForm,
    ImportForm,
    ReportTextForm,
    ServiceReturnForm,
    TargetForm,
)
from barneby.results.indicators import DISAGGREGATION_LABELS, DISAGGREGATIONS, INDICATORS, compute
from barneby.results.models import IncomeSource
from barneby.results.periods import OrgUnit, Period
from barneby.results.permissions import (
    ACCOUNTS_READERS,
    KEY_FIGURE_READERS,
    PERIOD_CLOSERS,
    REPORT_READERS,
    RESULTS_READERS,
    RETURN_WRITERS,
    TARGET_SETTERS,
)

IMPORT_SESSION_KEY = "results_import"


def _unit_and_period(request: HttpRequest) -> tuple[OrgUnit, Period]:
    token = request.GET.get("unit") or ""
    if token:
        unit = selectors.unit_for(user=request.user, token=token)
    else:
        found = selectors.default_unit(user=request.user)
        if found is None:
            raise Http404
        unit = found
    return unit, selectors.parse_period(request.GET.get("period"))


@staff(RESULTS_READERS, personal_data=False)
@require_safe
def indicators(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Every indicator for a unit and period, with its definition and target; CSV/XLSX on request."""
    unit, period = _unit_and_period(request)
    figures, closing = selectors.reported(unit, period)
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            object_type="results.indicators",
            object_id=unit.token,
            request=request,
            detail=f"{period.key} {fmt}",
        )
        headers = [_("Kode"), _("Indikator"), _("Verdi"), _("Teller"), _("Nevner"), _("Mål"), _("Definisjon")]
        rows = ([f.code, f.name, f.value, f.numerator, f.denominator, f.target, f.definition] for f in figures)
        return export_response(fmt, f"indikatorer-{period.key}", headers, rows)
    today = timezone.localdate()
    context = {
        "unit": unit,
        "unit_label": unit.label(),
        "period": period,
        "figures": figures,
        "closing": closing,
        "units": selectors.unit_choices(user=request.user),
        "can_close": closing is None and period.end < today and selectors.may_close(user=request.user, unit=unit),
        "can_target": selectors.may_see_unit(user=request.user, unit=unit, roles=TARGET_SETTERS),
        "small": selectors.small_cell(),
        "target_form": TargetForm(initial={"unit": unit.token, "period": period.key}),
    }
    return render(request, "results/indicators.html", context)


@staff(RESULTS_READERS, personal_data=False)
@require_safe
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator with its breakdown by sex, age band, disability and programme type (small cells hidden)."""
    if code not in INDICATORS:
        raise Http404
    unit, period = _unit_and_period(request)
    indicator = INDICATORS[code]
    result = compute(code, unit=unit, period=period, disaggregate_by=list(indicator.disaggregations))
    small = selectors.small_cell()
    cuts = []
    for cut in DISAGGREGATIONS:
        rows = result.breakdown.get(cut)
        if not rows:
            continue
        shown = []
        for key, figure in rows.items():
            base = figure.denominator if indicator.unit != "count" else figure.numerator
            hidden = base is not None and 0 < base < small
            shown.append((key, None if hidden else figure.value, None if hidden else base, hidden))
        cuts.append((DISAGGREGATION_LABELS[cut], shown))
    context = {
        "indicator": indicator,
        "figure": selectors.publish(result),
        "cuts": cuts,
        "unit": unit,
        "unit_label": unit.label(),
        "period": period,
        "small": small,
    }
    return render(request, "results/indicator_detail.html", context)


@staff(TARGET_SETTERS, personal_data=False)
@require_POST
def target_set(request: HttpRequest) -> HttpResponse:
    form = TargetForm(request.POST)
    if form.is_valid():
        unit = selectors.unit_for(user=request.user, token=form.cleaned_data["unit"], roles=TARGET_SETTERS)
        services.target_save(
            actor=request.user,
            code=form.cleaned_data["code"],
            unit=unit.token,
            period=form.cleaned_data["period"],
            value=form.cleaned_data["value"],
        )
        messages.success(request, _("Målet er lagret."))
        return redirect(f"{reverse('results:indicators')}?unit={unit.token}&period={form.cleaned_data['period']}")
    messages.error(
        request, _("Målet ble ikke lagret: {errors}").format(errors=" ".join(str(e) for e in form.errors.values()))
    )
    return redirect("results:indicators")


@staff(RESULTS_READERS, personal_data=False)
@require_http_methods(["GET", "POST"])
def periods(request: HttpRequest) -> HttpResponse:
    """Closed periods; a POST closes one (national director, M&E advisor)."""
    if request.method == "POST":
        form = ClosePeriodForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Ugyldig periode."))
            return redirect("results:periods")
        unit = selectors.unit_for(user=request.user, token=form.cleaned_data["unit"], roles=PERIOD_CLOSERS)
        try:
            closing = snapshots.close_period(
                unit=unit, period=Period.parse(form.cleaned_data["period"]), user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(f"{reverse('results:indicators')}?unit={unit.token}&period={form.cleaned_data['period']}")
        audit_record(
            actor=request.user, action=AuditAction.CREATE, obj=closing, request=request, detail="period closed"
        )
        messages.success(request, _("Perioden er lukket, og tallene er låst."))
        return redirect("results:period-detail", pk=closing.pk)
    rows = [(c, OrgUnit.parse(c.unit).label()) for c in selectors.closings_for(user=request.user)]
    return render(request, "results/periods.html", {"rows": rows})


@staff(RESULTS_READERS, personal_data=False)
@require_safe
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A closed period's frozen figures beside a recomputation from today's records."""
    closing = selectors.closing_get_for(user=request.user, pk=pk)
    rows = snapshots.compare(closing)
    small = selectors.small_cell()

    def hide(value: Any, base: int | None) -> Any:
        return None if base is not None and 0 < base < small else value

    shown = [
        {
            "row": r,
            "reported": hide(r.reported, r.reported_denominator if r.unit != "count" else r.reported_numerator),
            "current": hide(r.current, r.current_denominator if r.unit != "count" else r.current_numerator),
        }
        for r in rows
    ]
    context = {
        "closing": closing,
        "unit_label": OrgUnit.parse(closing.unit).label(),
        "period": Period.parse(closing.period),
        "rows": shown,
        "changed": sum(1 for r in rows if r.changed),
    }
    return render(request, "results/period_detail.html", context)


@staff(KEY_FIGURE_READERS, personal_data=False)
@require_http_methods(["GET", "POST"])
def key_figures(request: HttpRequest) -> HttpResponse:
    """The year's key figures (seed 002), cached; a POST recomputes them."""
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError as error:
        raise Http404 from error
    if not 1949 <= year <= timezone.localdate().year:
        raise Http404
    if request.method == "POST":
        keyfigures.key_figures(year, refresh=True)
        messages.success(request, _("Nøkkeltallene er beregnet på nytt."))
        return redirect(f"{reverse('results:key-figures')}?year={year}")
    figures = keyfigures.key_figures(year)
    return render(
        request,
        "results/key_figures.html",
        {"figures": figures, "year": year, "as_of": figures[0].as_of if figures else None},
    )


def _programme_choices(request: HttpRequest) -> list[tuple[int, str]]:
    return [(p.pk, f"{p.name} ({p.code})") for p in selectors.return_programmes(user=request.user)[:500]]


@staff(RETURN_WRITERS | RESULTS_READERS, personal_data=False)
@require_http_methods(["GET", "POST"])
def service_returns(request: HttpRequest) -> HttpResponse:
    """Monthly figures of kindergartens, schools, vocational and medical centres; entered by programme staff."""
    choices = _programme_choices(request)
    form = ServiceReturnForm(request.POST or None, programmes=choices)
    if request.method == "POST":
        if not scope_for(request.user).has_any_role(RETURN_WRITERS):
            raise Http404
        if not choices:
            messages.error(
                request,
                _("Du har ingen barnehager, skoler, yrkesopplæringssentre eller medisinske sentre å rapportere for."),
            )
        elif form.is_valid():
            data = form.cleaned_data
            programme = selectors.return_programme_get(user=request.user, pk=data["programme"])
            try:
                services.service_return_save(actor=request.user, programme=programme, month=data["month"], values=data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Månedstallene er lagret."))
                return redirect("results:service-returns")
    rows = selectors.service_returns_for(user=request.user, programme_id=query_id(request, "programme"))
    page = paginate(request, rows)
    return render(
        request,
        "results/service_returns.html",
        {"form": form if choices else None, "page_obj": page, "rows": page.object_list},
        status=200,
    )


@staff(RETURN_WRITERS, personal_data=False)
@require_http_methods(["GET", "POST"])
def service_return_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV/XLSX file, see every row checked, then save all rows or none."""
    programmes = {p.code: p for p in selectors.return_programmes(user=request.user)}
    preview = None
    form = ImportForm()
    if request.method == "POST" and request.POST.get("confirm"):
        stored = request.session.get(IMPORT_SESSION_KEY)
        if not stored:
            messages.error(request, _("Last opp filen på nytt."))
            return redirect("results:service-return-import")
        content, name = base64.b64decode(stored["content"]), stored["name"]
        preview = services.preview_import(content=content, name=name, programmes=programmes)
        try:
            count = services.import_service_returns(actor=request.user, preview=preview)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            del request.session[IMPORT_SESSION_KEY]
            messages.success(request, _("{count} rader er lagret.").format(count=count))
            return redirect("results:service-returns")
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            preview = services.preview_import(content=content, name=upload.name, programmes=programmes)
            if preview.valid:
                request.session[IMPORT_SESSION_KEY] = {
                    "content": base64.b64encode(content).decode(),
                    "name": upload.name,
                }
    return render(request, "results/service_return_import.html", {"form": form, "preview": preview})


@staff(ACCOUNTS_READERS, personal_data=False)
@require_http_methods(["GET", "POST"])
def accounts(request: HttpRequest) -> HttpResponse:
    """Annual accounts per association: costs by purpose, income by source, and the computed share to the purpose."""
    associations = [(a.pk, a.name) for a in selectors.accounts_associations(user=request.user)[:300]]
    form = AccountsForm(request.POST or None, associations=associations)
    if request.method == "POST":
        if not associations:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            association = selectors.accounts_associations(user=request.user).filter(pk=data["association"]).first()
            if association is None:
                raise Http404
            try:
                services.accounts_save(
                    actor=request.user,
                    association=association,
                    year=data["year"],
                    costs={k: data[k] for k in ("programme_costs", "fundraising_costs", "administration_costs")},
                    income={s: data.get(f"income_{s}") or Decimal(0) for s in IncomeSource.values},
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                keyfigures.forget(data["year"])
                messages.success(request, _("Årsregnskapet er lagret."))
                return redirect("results:accounts")
    page = paginate(request, selectors.accounts_for(user=request.user))
    return render(
        request,
        "results/accounts.html",
        {"form": form if associations else None, "page_obj": page, "rows": page.object_list},
    )


@staff(REPORT_READERS, personal_data=False)
@require_safe
def status_reports(request: HttpRequest) -> HttpResponse:
    municipalities = selectors.report_municipalities(user=request.user)
    year = timezone.localdate().year - 1
    return render(request, "results/status_reports.html", {"municipalities": municipalities, "year": year})


def _report_year(year: int) -> int:
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    return year


@staff(REPORT_READERS, personal_data=False)
@require_http_methods(["GET", "POST"])
def status_report(request: HttpRequest, number: str, year: int) -> HttpResponse:
    """The status report page; the municipality contact or national director writes its text here."""
    year = _report_year(year)
    municipality = selectors.report_municipality_get(user=request.user, number=number)
    may_write = selectors.may_write_report(user=request.user, municipality=municipality)
    text = selectors.report_text(municipality, year)
    form = ReportTextForm(request.POST or None, initial={"text": text.text if text else ""})
    if request.method == "POST":
        if not may_write:
            raise Http404
        if form.is_valid():
            services.report_text_save(
                actor=request.user, municipality=municipality, year=year, text=form.cleaned_data["text"]
            )
            messages.success(request, _("Teksten er lagret."))
            return redirect("results:status-report", number=number, year=year)
    report = statusreport.build(municipality, year)
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="results.statusreport",
        object_id=municipality.number,
        request=request,
        detail=str(year),
    )
    context = {
        "report": report,
        "body": statusreport.render_body(report),
        "form": form if may_write else None,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
    }
    return render(request, "results/status_report.html", context)


@staff(REPORT_READERS, personal_data=False)
@require_safe
def status_report_pdf(request: HttpRequest, number: str, year: int) -> HttpResponse:
    """The same report as a tagged PDF; every download is audited."""
    year = _report_year(year)
    municipality = selectors.report_municipality_get(user=request.user, number=number)
    content = statusreport.pdf(statusreport.build(municipality, year))
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="results.statusreport",
        object_id=municipality.number,
        request=request,
        detail=f"{year} pdf",
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tilstandsrapport-{municipality.number}-{year}.pdf"'
    return response
