"""Pages of the programme review: rounds, their dashboard, assessments, decisions and transition plans (R28)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from barneby.accounts.scoping import scope_for
from barneby.care.services import record_views
from barneby.core.access import staff
from barneby.core.forms import add_service_errors
from barneby.core.htmx import render_page
from barneby.core.listing import paginate, parse_id
from barneby.programme_review import alerts, selectors, services
from barneby.programme_review.forms import (
    AssessmentFilterForm,
    AssessmentForm,
    DecisionForm,
    ProvisionForm,
    RoundForm,
)
from barneby.programme_review.models import ENDING, Decision
from barneby.programme_review.permissions import ASSESSORS, PLAN_ROLES, REVIEW_READERS, ROUND_MANAGERS
from barneby.programme_review.rules import R28_STATUSES

GET_POST = ["GET", "HEAD", "POST"]


@staff(REVIEW_READERS)
@require_safe
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = selectors.round_list_for(user=request.user).order_by("-year", "-pk")
    context = {
        "page_obj": paginate(request, rounds),
        "can_open": scope_for(request.user).has_any_role(ROUND_MANAGERS),
        "r28": selectors.r28_for(user=request.user),
        "plan_links": scope_for(request.user).has_any_role(PLAN_ROLES),
    }
    return render(request, "programme_review/round_list.html", context)


@staff(ROUND_MANAGERS)
@require_http_methods(GET_POST)
def round_create(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review_round = services.round_open(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Runden «{name}» er åpnet.").format(name=review_round.name))
            return redirect("programme_review:round-detail", pk=review_round.pk)
    context = {
        "form": form,
        "title": _("Ny gjennomgangsrunde"),
        "submit": _("Åpne runden"),
        "cancel": reverse("programme_review:round-list"),
        "intro": _("Alle programmer som ikke er avsluttet, i hele føderasjonen, blir med i runden."),
    }
    return render(request, "programme_review/form.html", context, status=400 if form.errors else 200)


@staff(REVIEW_READERS)
@require_safe
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's dashboard: progress per association (reviewed, decided, by decision)."""
    review_round = selectors.round_get_for(user=request.user, pk=pk)
    rows = selectors.round_progress(user=request.user, round=review_round)
    context = {
        "round": review_round,
        "page_obj": paginate(request, rows),  # type: ignore[arg-type]
        "totals": selectors.progress_totals(rows),
        "decisions": Decision.choices,
        "overdue": review_round.deadline < timezone.localdate(),
        "r28": selectors.r28_for(user=request.user),
        "plan_links": scope_for(request.user).has_any_role(PLAN_ROLES),
        "hx_target": "#results",
    }
    return render_page(request, "programme_review/round_detail.html", context, partial="results")


@staff(REVIEW_READERS)
@require_safe
def round_programmes(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = selectors.round_get_for(user=request.user, pk=pk)
    form = AssessmentFilterForm(
        request.GET or None, associations=selectors.association_choices(user=request.user, round=review_round)
    )
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    association = data.get("association")
    found = selectors.assessment_list_for(
        user=request.user,
        round=review_round,
        association_id=association.pk if association else None,
        state=data.get("state") or "",
        decision=data.get("decision") or "",
        search=(data.get("q") or "").strip(),
    ).order_by("programme__association__name", "programme__name", "pk")
    context = {"round": review_round, "form": form, "page_obj": paginate(request, found), "hx_target": "#results"}
    return render_page(request, "programme_review/round_programmes.html", context, partial="results")


@staff(REVIEW_READERS)
@require_safe
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_get_for(user=request.user, pk=pk)
    programme = assessment.programme
    can_assess = selectors.may_assess(user=request.user, assessment=assessment)
    finding = selectors.r28_finding(programme)
    context = {
        "assessment": assessment,
        "programme": programme,
        "results": selectors.results_against_targets(programme, assessment.round.year),
        "basis": selectors.cost_basis(programme, assessment.round.year),
        "can_assess": can_assess,
        "summary": selectors.plan_summary(programme),
        "finding": finding,
        "finding_text": alerts.message(finding) if finding else "",
        "plan_readable": scope_for(request.user).has_any_role(PLAN_ROLES) and can_assess,
    }
    return render(request, "programme_review/assessment_detail.html", context)


@staff(ASSESSORS)
@require_http_methods(GET_POST)
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_get_for(user=request.user, pk=pk, for_write=True)
    form = AssessmentForm(request.POST or None, instance=assessment)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.ASSESSMENT_FIELDS}
        try:
            services.assessment_save(actor=request.user, assessment=assessment, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Vurderingen er lagret."))
            return redirect("programme_review:assessment-detail", pk=pk)
    context = {
        "form": form,
        "fieldsets": form.fieldsets(),
        "title": _("Vurder {programme}").format(programme=assessment.programme.name),
        "submit": _("Lagre vurderingen"),
        "cancel": reverse("programme_review:assessment-detail", args=[pk]),
    }
    return render(request, "programme_review/form.html", context, status=400 if form.errors else 200)


@staff(ASSESSORS)
@require_http_methods(GET_POST)
def assessment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_get_for(user=request.user, pk=pk, for_write=True)
    initial = {
        "decision": assessment.decision,
        "receiving_party": assessment.receiving_party,
        "effective_on": assessment.effective_on,
        "decision_reason": assessment.decision_reason,
    }
    may_end = selectors.may_end(user=request.user, programme=assessment.programme)
    form = DecisionForm(request.POST or None, initial=initial, may_end=may_end)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_decide(actor=request.user, assessment=assessment, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("decision", str(exc))
        else:
            messages.success(
                request,
                _("Beslutningen er lagret, og programmet har nå status «{status}».").format(
                    status=assessment.programme.get_status_display()
                ),
            )
            if assessment.decision in ENDING:
                return redirect("programme_review:plan", programme_pk=assessment.programme_id)
            return redirect("programme_review:assessment-detail", pk=pk)
    intro = _("Videreføre og tilpasse lar programmet være aktivt.")
    if may_end:
        intro += " " + _(
            "Utfasing og overlevering endrer programmets status, og da må hver deltaker få et alternativt "
            "skole- og helsetilbud (R28)."
        )
    else:
        intro += " " + _("Bare nasjonal leder kan beslutte å fase ut eller overlevere programmet.")
    context = {
        "form": form,
        "title": _("Beslutning for {programme}").format(programme=assessment.programme.name),
        "intro": intro,
        "submit": _("Lagre beslutningen"),
        "cancel": reverse("programme_review:assessment-detail", args=[pk]),
        "missing": [] if assessment.is_assessed else [{"text": _("Programmet er ikke vurdert ennå.")}],
    }
    return render(request, "programme_review/form.html", context, status=400 if form.errors else 200)


@staff(PLAN_ROLES)
@require_safe
def plan(request: HttpRequest, programme_pk: int) -> HttpResponse:
    """The phase-out or handover plan: every participant with their alternative provider, and R28."""
    programme = selectors.plan_programme_get_for(user=request.user, pk=programme_pk)
    rows = selectors.plan_rows(programme)
    finding = selectors.r28_finding(programme)
    record_views(
        actor=request.user,
        child_ids=[row.child.pk for row in rows],
        request=request,
        detail="programme review: transition plan",
    )
    context = {
        "programme": programme,
        "rows": rows,
        "finding": finding,
        "finding_text": alerts.message(finding) if finding else "",
        "decision": selectors.latest_decision(programme),
        "in_transition": programme.status in R28_STATUSES,
    }
    return render(request, "programme_review/plan.html", context)


@staff(PLAN_ROLES)
@require_http_methods(GET_POST)
def provision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record where one participant gets schooling and health care (``?program=`` names the programme)."""
    child = selectors.plan_child_get_for(user=request.user, pk=pk)
    programmes = selectors.plan_programmes_for(user=request.user, child=child)
    wanted = parse_id(request.GET.get("program") or request.POST.get("program"))
    programme = (programmes.filter(pk=wanted).first() if wanted is not None else None) or (
        programmes.filter(pk=child.programme_id).first() or programmes.order_by("pk").first()
    )
    assert programme is not None  # plan_child_get_for found one
    existing = child.alternative_provisions.filter(programme=programme).first()
    initial = (
        {
            "schooling_provider": existing.schooling_provider,
            "health_provider": existing.health_provider,
            "starts_on": existing.starts_on,
            "note": existing.note,
        }
        if existing
        else {"starts_on": timezone.localdate()}
    )
    form = ProvisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.provision_save(actor=request.user, programme=programme, child=child, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Alternativt tilbud for {name} er lagret.").format(name=f"{child.first_name}"))
            return redirect(reverse("programme_review:plan", args=[programme.pk]) + f"#child-{child.pk}")
    record_views(actor=request.user, child_ids=[child.pk], request=request, detail="programme review: provision")
    context = {
        "form": form,
        "title": _("Alternativt tilbud for {name}").format(name=f"{child.first_name} {child.last_name}"),
        "intro": _(
            "Programmet {programme} fases ut eller overleveres: hvem gir skole og helsetilbud, og fra når?"
        ).format(programme=programme.name),
        "submit": _("Lagre"),
        "cancel": reverse("programme_review:plan", args=[programme.pk]),
        "hidden": {"program": programme.pk},
    }
    return render(request, "programme_review/form.html", context, status=400 if form.errors else 200)
