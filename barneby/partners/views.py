"""Donor-service pages for the corporate partner pipeline."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from barneby.accounts.models import User
from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.core.access import staff
from barneby.core.forms import add_service_errors
from barneby.core.htmx import render_page
from barneby.core.listing import export_response, paginate
from barneby.fundraising.permissions import FUNDRAISING_ROLES
from barneby.fundraising.selectors import association_of
from barneby.organisation.models import MemberAssociation
from barneby.partners import selectors, services
from barneby.partners.forms import LeadFilterForm, LeadForm, NoteForm, OwnerForm, StageForm
from barneby.partners.models import Lead, Stage


def _association_or_none(request: HttpRequest) -> MemberAssociation | None:
    return association_of(user=request.user)


def _association(request: HttpRequest) -> MemberAssociation:
    """The association the donor-service user works for; a change without one is refused (404)."""
    association = _association_or_none(request)
    if association is None:
        raise Http404
    return association


def _owners(association: MemberAssociation | None) -> QuerySet[User]:
    return services.eligible_owners(association) if association is not None else User.objects.none()


def _filtered(request: HttpRequest) -> tuple[LeadFilterForm, QuerySet[Lead]]:
    form = LeadFilterForm(request.GET or None, owners=_owners(_association_or_none(request)))
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    leads = selectors.lead_list_for(
        user=request.user,
        stage=data.get("stage") or "",
        owner=data.get("owner") or "",
        search=(data.get("q") or "").strip(),
    )
    return form, leads.order_by("-created_at", "-pk")


@staff(FUNDRAISING_ROLES, hidden=True)
@require_safe
def lead_list(request: HttpRequest) -> HttpResponse:
    form, leads = _filtered(request)
    context = {
        "form": form,
        "page_obj": paginate(request, leads),
        "counts": selectors.stage_counts_for(user=request.user),
        "current_stage": request.GET.get("stage", ""),
        "hx_target": "#results",
    }
    return render_page(request, "partners/lead_list.html", context, partial="results")


@staff(FUNDRAISING_ROLES, hidden=True)
@require_http_methods(["GET", "HEAD", "POST"])
def lead_create(request: HttpRequest) -> HttpResponse:
    association = _association(request) if request.method == "POST" else _association_or_none(request)
    form = LeadForm(request.POST or None, owners=_owners(association))
    if request.method == "POST" and association is not None and form.is_valid():
        try:
            lead = services.lead_create(actor=request.user, association=association, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Emnet «{name}» er registrert.").format(name=lead.company_name))
            return redirect("partners:lead-detail", pk=lead.pk)
    context = {"form": form, "title": _("Nytt partneremne"), "cancel": "/partnere/"}
    return render(request, "fundraising/form.html", context, status=400 if form.is_bound and form.errors else 200)


def _detail(
    request: HttpRequest, lead: Lead, *, note_form: forms.Form | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "lead": lead,
        "stage_choices": lead.next_stages,
        "owner_form": OwnerForm(initial={"owner": lead.owner_id}, owners=_owners(lead.association)),
        "note_form": note_form or NoteForm(),
        "notes": list(selectors.notes_for(lead)),
        "events": list(selectors.events_for(lead)),
    }
    return render(request, "partners/lead_detail.html", context, status=status)


@staff(FUNDRAISING_ROLES, hidden=True)
@require_safe
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.lead_get_for(user=request.user, pk=pk))


@staff(FUNDRAISING_ROLES, hidden=True)
@require_POST
def lead_stage(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get_for(user=request.user, pk=pk)
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Velg en gyldig fase."))
    else:
        try:
            lead = services.lead_change_stage(actor=request.user, lead=lead, stage=form.cleaned_data["stage"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Emnet er flyttet til «{stage}».").format(stage=Stage(lead.stage).label))
    return redirect("partners:lead-detail", pk=pk)


@staff(FUNDRAISING_ROLES, hidden=True)
@require_POST
def lead_owner(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get_for(user=request.user, pk=pk)
    # Any user id is looked up (not just eligible ones) so the service can say why it is refused.
    form = OwnerForm(request.POST, owners=User.objects.filter(is_active=True))
    if not form.is_valid():
        messages.error(request, _("Velg en ansvarlig fra listen."))
    else:
        try:
            services.lead_assign_owner(actor=request.user, lead=lead, owner=form.cleaned_data["owner"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Ansvarlig er oppdatert."))
    return redirect("partners:lead-detail", pk=pk)


@staff(FUNDRAISING_ROLES, hidden=True)
@require_POST
def lead_note(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get_for(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.lead_add_note(actor=request.user, lead=lead, text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Notatet er lagret."))
            return redirect("partners:lead-detail", pk=pk)
    return _detail(request, lead, note_form=form, status=400)


@staff(FUNDRAISING_ROLES, hidden=True)
@require_safe
def lead_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered list as CSV or Excel; every export is audited."""
    _form, leads = _filtered(request)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            object_type="partners.lead",
            request=request,
            detail=f"{fmt}; {leads.count()} rows; {request.GET.urlencode()}"[:500],
        )
    headers = [
        _("Firma"),
        _("Organisasjonsnummer"),
        _("Kontaktperson"),
        _("E-post"),
        _("Telefon"),
        _("Kilde"),
        _("Fase"),
        _("Ansvarlig"),
        _("Forventet per år (kr)"),
        _("Registrert"),
    ]

    def row(lead: Lead) -> list[Any]:
        return [
            lead.company_name,
            lead.organisation_number,
            lead.contact_name,
            lead.email,
            lead.phone,
            lead.get_source_display(),
            lead.get_stage_display(),
            lead.owner.full_name if lead.owner else "",
            lead.expected_yearly_amount,
            lead.created_at,
        ]

    return export_response(fmt, "partneremner", headers, (row(lead) for lead in leads.iterator(chunk_size=1000)))
