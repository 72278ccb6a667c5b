"""Sponsorship pages.

Caseworkers and programme directors: profiles of the children in their
programmes (create, edit, consents, approve, withdraw). Donor service:
sponsorships, approved profiles (profile fields only), transfer tasks and
letters. Every object is fetched through the scoped selectors (404 outside
scope); the access rule on each view refuses other roles (403).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.care import selectors as care_selectors
from barneby.core.access import staff
from barneby.core.forms import add_service_errors
from barneby.core.htmx import render_page
from barneby.core.listing import paginate
from barneby.fundraising import selectors as fundraising_selectors
from barneby.fundraising.selectors import association_required
from barneby.organisation.models import Location, MemberAssociation
from barneby.sponsorships import letters, selectors, services
from barneby.sponsorships.forms import (
    AmountForm,
    ConfirmForm,
    ConsentForm,
    EndForm,
    ProfileCreateForm,
    ProfileEditForm,
    SponsorshipForm,
    TransferResolveForm,
)
from barneby.sponsorships.models import (
    LIVE_STATES,
    STATE_FLOW,
    ProfileStatus,
    SponsorshipState,
    TargetKind,
    TransferStatus,
)
from barneby.sponsorships.permissions import PHOTO_READERS, PROFILE_WRITERS, SPONSORSHIP_ROLES

GET_POST = ["GET", "HEAD", "POST"]
# State actions donor service can take from the detail page: URL word → (target state, button label).
ACTIONS: dict[str, tuple[str, Any]] = {
    "aktiver": (SponsorshipState.ACTIVE, gettext_lazy("Aktiver")),
    "pause": (SponsorshipState.PAUSED, gettext_lazy("Sett på pause")),
    "gjenoppta": (SponsorshipState.ACTIVE, gettext_lazy("Gjenoppta")),
    "avslutt": (SponsorshipState.ENDED, gettext_lazy("Avslutt")),
}


def _association_for_post(request: HttpRequest) -> MemberAssociation | None:
    """Pages render for any donor-service user; only a submitted form needs the association (else 404)."""
    return association_required(user=request.user) if request.method == "POST" else None


def _posted(request: HttpRequest) -> Any:
    """The submitted data, even when empty (an unticked confirmation is still a submission)."""
    return request.POST if request.method == "POST" else None


def _form_page(request: HttpRequest, form: forms.BaseForm, title: str, cancel: str, **extra: Any) -> HttpResponse:
    context = {"form": form, "title": title, "cancel": cancel, **extra}
    return render(request, "sponsorships/form.html", context, status=400 if form.is_bound and form.errors else 200)


def _villages_in_scope(request: HttpRequest) -> Any:
    """Villages of the associations whose children the user may write."""
    associations = selectors.children_for_profile(user=request.user).values("programme__association_id")
    return Location.objects.filter(kind="village", is_active=True, association_id__in=associations).order_by("name")


# --- caseworkers: profiles ----------------------------------------------------------------------


@staff(PROFILE_WRITERS)
@require_safe
def profile_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ProfileStatus.values else ""
    search = request.GET.get("q", "").strip()[:100]
    profiles = selectors.profile_list_for_care(user=request.user, status=status, search=search)
    page = paginate(request, profiles.order_by("first_name", "pk"))
    context = {
        "page_obj": page,
        "status": status,
        "search": search,
        "statuses": ProfileStatus.choices,
        "hx_target": "#results",
    }
    return render_page(request, "sponsorships/profile_list.html", context, partial="results")


@staff(PROFILE_WRITERS)
@require_http_methods(GET_POST)
def profile_create(request: HttpRequest) -> HttpResponse:
    children = selectors.children_for_profile(user=request.user).order_by("first_name", "last_name", "pk")
    initial: dict[str, Any] = {}
    wanted = request.GET.get("barn", "")
    if wanted.isascii() and wanted.isdigit():
        child = children.filter(pk=int(wanted)).first()
        if child is not None:
            initial = {"child": child, "first_name": child.first_name, "village": child.programme.location_id}
    form = ProfileCreateForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        initial=initial,
        children=children,
        villages=_villages_in_scope(request),
    )
    if request.method == "POST" and form.is_valid():
        child = care_selectors.child_get_for(user=request.user, pk=form.cleaned_data["child"].pk, for_write=True)
        try:
            profile = services.profile_create(
                actor=request.user,
                child=child,
                village=form.cleaned_data["village"],
                first_name=form.cleaned_data["first_name"],
                photo=form.cleaned_data["photo"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Fadderprofilen er laget som utkast. Registrer samtykkene og godkjenn den."))
            return redirect("sponsorships:profile-detail", pk=profile.pk)
    return _form_page(request, form, _("Ny fadderprofil"), reverse("sponsorships:profile-list"), multipart=True)


@staff(PROFILE_WRITERS)
@require_safe
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get_for_care(user=request.user, pk=pk)
    context = {
        "profile": profile,
        "needs_child_consent": services.needs_child_consent(profile),
        "sponsor_count": profile.sponsorships.filter(state__in=LIVE_STATES).count(),
    }
    return render(request, "sponsorships/profile_detail.html", context)


@staff(PROFILE_WRITERS)
@require_http_methods(GET_POST)
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get_for_care(user=request.user, pk=pk)
    form = ProfileEditForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        initial={"first_name": profile.first_name, "village": profile.village_id},
        villages=selectors.villages_for(child=profile.child),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(actor=request.user, profile=profile, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Fadderprofilen er endret."))
            return redirect("sponsorships:profile-detail", pk=pk)
    note = (
        _("Endringer i en godkjent profil må godkjennes på nytt.") if profile.status == ProfileStatus.APPROVED else ""
    )
    return _form_page(
        request,
        form,
        _("Endre fadderprofilen til {name}").format(name=profile.first_name),
        reverse("sponsorships:profile-detail", args=[pk]),
        multipart=True,
        note=note,
    )


@staff(PROFILE_WRITERS)
@require_http_methods(GET_POST)
def profile_consents(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get_for_care(user=request.user, pk=pk)
    form = ConsentForm(
        _posted(request),
        initial={
            "child_consent": profile.child_consent,
            "child_consent_on": profile.child_consent_on,
            "guardian_consent": profile.guardian_consent,
            "guardian_consent_on": profile.guardian_consent_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_record_consents(actor=request.user, profile=profile, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Samtykkene er registrert."))
            return redirect("sponsorships:profile-detail", pk=pk)
    note = _(
        "Et samtykke som trekkes, trekker også tilbake en godkjent profil, og fadderne får tilbud om et annet barn."
    )
    return _form_page(
        request,
        form,
        _("Samtykker for {name}").format(name=profile.first_name),
        reverse("sponsorships:profile-detail", args=[pk]),
        note=note,
    )


@staff(PROFILE_WRITERS)
@require_http_methods(GET_POST)
def profile_approve(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get_for_care(user=request.user, pk=pk)
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_approve(actor=request.user, profile=profile)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Fadderprofilen er godkjent og kan nå tilbys faddere."))
            return redirect("sponsorships:profile-detail", pk=pk)
    return _form_page(
        request,
        form,
        _("Godkjenne fadderprofilen til {name}?").format(name=profile.first_name),
        reverse("sponsorships:profile-detail", args=[pk]),
        note=_("Giverservice vil se fornavn, alder, barneby og bilde, og kan knytte faddere til barnet."),
    )


@staff(PROFILE_WRITERS)
@require_http_methods(GET_POST)
def profile_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get_for_care(user=request.user, pk=pk)
    if profile.status == ProfileStatus.WITHDRAWN:
        messages.info(request, _("Profilen er allerede trukket tilbake."))
        return redirect("sponsorships:profile-detail", pk=pk)
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        tasks = services.profile_withdraw(actor=request.user, profile=profile)
        messages.success(
            request,
            _("Fadderprofilen er trukket tilbake. Giverservice har fått {count} overføringsoppgaver.").format(
                count=len(tasks)
            ),
        )
        return redirect("sponsorships:profile-detail", pk=pk)
    return _form_page(
        request,
        form,
        _("Trekke tilbake fadderprofilen til {name}?").format(name=profile.first_name),
        reverse("sponsorships:profile-detail", args=[pk]),
        note=_("Fadderne til barnet får tilbud om et annet barn i barnebyen eller barnebyen selv."),
    )


@staff(PHOTO_READERS)
@require_safe
def profile_photo(request: HttpRequest, pk: int) -> FileResponse:
    profile = selectors.photo_profile_get(user=request.user, pk=pk)
    # A child's picture is personal data: who looked at it is recorded like any other read of the child's data.
    audit_record(actor=request.user, action=AuditAction.VIEW, obj=profile, request=request, detail="photo")
    content_type = "image/png" if profile.photo.name.lower().endswith(".png") else "image/jpeg"
    response = FileResponse(profile.photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- donor service: sponsorships ----------------------------------------------------------------


@staff(SPONSORSHIP_ROLES, hidden=True)
@require_safe
def sponsorship_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in SponsorshipState.values else ""
    kind = request.GET.get("target", "")
    kind = kind if kind in TargetKind.values else ""
    search = request.GET.get("q", "").strip()[:100]
    sponsorships = selectors.sponsorship_list_for(user=request.user, state=state, target_kind=kind, search=search)
    page = paginate(request, sponsorships.order_by("-start_date", "-pk"))
    context = {
        "page_obj": page,
        "state": state,
        "target": kind,
        "search": search,
        "states": SponsorshipState.choices,
        "targets": TargetKind.choices,
        "hx_target": "#results",
    }
    return render_page(request, "sponsorships/sponsorship_list.html", context, partial="results")


@staff(SPONSORSHIP_ROLES, hidden=True)
@require_http_methods(GET_POST)
def sponsorship_create(request: HttpRequest, supporter_pk: int) -> HttpResponse:
    _association_for_post(request)
    supporter = fundraising_selectors.supporter_get_for(user=request.user, pk=supporter_pk)
    initial: dict[str, Any] = {}
    wanted = request.GET.get("barn", "")
    if wanted.isascii() and wanted.isdigit():
        initial = {"target_kind": TargetKind.CHILD, "profile": int(wanted)}
    form = SponsorshipForm(
        _posted(request),
        initial=initial,
        villages=selectors.donor_villages_for(user=request.user),
        profiles=selectors.approved_profiles_for(user=request.user).order_by("village__name", "first_name", "pk"),
        agreements=fundraising_selectors.agreement_list_for(user=request.user, supporter=supporter),
    )
    if request.method == "POST" and form.is_valid():
        try:
            sponsorship = services.sponsorship_create(actor=request.user, supporter=supporter, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"monthly_amount": "amount_other"})
        else:
            messages.success(request, _("Fadderskapet er registrert og venter på aktivering."))
            return redirect("sponsorships:sponsorship-detail", pk=sponsorship.pk)
    return _form_page(
        request,
        form,
        _("Nytt fadderskap for {name}").format(name=supporter),
        reverse("fundraising:supporter-detail", args=[supporter.pk]),
    )


@staff(SPONSORSHIP_ROLES, hidden=True)
@require_safe
def sponsorship_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sponsorship = selectors.sponsorship_get_for(user=request.user, pk=pk)
    actions = [
        (word, label)
        for word, (target, label) in ACTIONS.items()
        if target in STATE_FLOW[sponsorship.state] and _fits(word, sponsorship.state)
    ]
    context = {
        "sponsorship": sponsorship,
        "events": list(selectors.events_for(user=request.user, sponsorship=sponsorship)),
        "actions": actions,
        "tasks": list(selectors.transfer_list_for(user=request.user).filter(sponsorship=sponsorship)),
        "amount_form": AmountForm(initial={"monthly_amount": sponsorship.monthly_amount}),
    }
    return render(request, "sponsorships/sponsorship_detail.html", context)


def _fits(word: str, state: str) -> bool:
    """ "Aktiver" is for a pending sponsorship, "gjenoppta" for a paused one."""
    if word == "aktiver":
        return state == SponsorshipState.PENDING
    if word == "gjenoppta":
        return state == SponsorshipState.PAUSED
    return True


@staff(SPONSORSHIP_ROLES, hidden=True)
@require_http_methods(GET_POST)
def sponsorship_state(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _association_for_post(request)
    sponsorship = selectors.sponsorship_get_for(user=request.user, pk=pk)
    if action not in ACTIONS:
        raise Http404
    to_state, label = ACTIONS[action]
    form: ConfirmForm = (
        EndForm(_posted(request)) if to_state == SponsorshipState.ENDED else ConfirmForm(_posted(request))
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.sponsorship_transition(
                actor=request.user,
                sponsorship=sponsorship,
                to_state=to_state,
                end_reason=form.cleaned_data.get("end_reason", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Fadderskapet har nå status «{state}».").format(state=SponsorshipState(to_state).label)
            )
            return redirect("sponsorships:sponsorship-detail", pk=pk)
    return _form_page(
        request,
        form,
        _("{action}: fadderskapet til {name}?").format(action=label, name=sponsorship.supporter),
        reverse("sponsorships:sponsorship-detail", args=[pk]),
        note=_("Nå: {state}. Endringen føres i historikken.").format(state=sponsorship.get_state_display()),
    )


@staff(SPONSORSHIP_ROLES, hidden=True)
@require_http_methods(GET_POST)
def sponsorship_amount(request: HttpRequest, pk: int) -> HttpResponse:
    _association_for_post(request)
    sponsorship = selectors.sponsorship_get_for(user=request.user, pk=pk)
    form = AmountForm(_posted(request), initial={"monthly_amount": sponsorship.monthly_amount})
    if request.method == "POST" and form.is_valid():
        try:
            services.sponsorship_change_amount(
                actor=request.user, sponsorship=sponsorship, monthly_amount=form.cleaned_data["monthly_amount"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Beløpet er endret."))
            return redirect("sponsorships:sponsorship-detail", pk=pk)
    return _form_page(
        request,
        form,
        _("Endre månedlig beløp"),
        reverse("sponsorships:sponsorship-detail", args=[pk]),
    )


@staff(SPONSORSHIP_ROLES, hidden=True)
@require_safe
def approved_profiles(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    village = None
    wanted = request.GET.get("village", "")
    villages = selectors.donor_villages_for(user=request.user)
    if wanted.isascii() and wanted.isdigit():
        village = villages.filter(pk=int(wanted)).first()
    profiles = selectors.approved_profiles_for(user=request.user, village=village, search=search)
    page = paginate(request, profiles.order_by("village__name", "first_name", "pk"))
    context = {
        "page_obj": page,
        "search": search,
        "villages": villages,
        "village": village,
        "hx_target": "#results",
    }
    return render_page(request, "sponsorships/approved_profiles.html", context, partial="results")


# --- donor service: transfers -------------------------------------------------------------------


@staff(SPONSORSHIP_ROLES, hidden=True)
@require_safe
def transfer_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", TransferStatus.OPEN)
    status = status if status in TransferStatus.values else ""
    tasks = selectors.transfer_list_for(user=request.user, status=status)
    page = paginate(request, tasks.order_by("created_at", "pk"))
    context = {"page_obj": page, "status": status, "statuses": TransferStatus.choices}
    return render(request, "sponsorships/transfer_list.html", context)


@staff(SPONSORSHIP_ROLES, hidden=True)
@require_http_methods(GET_POST)
def transfer_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    _association_for_post(request)
    task = selectors.transfer_get_for(user=request.user, pk=pk)
    candidates = selectors.transfer_candidates(user=request.user, task=task).order_by("first_name", "pk")
    form = TransferResolveForm(_posted(request), candidates=candidates)
    if task.status == TransferStatus.OPEN and request.method == "POST" and form.is_valid():
        try:
            services.transfer_resolve(
                actor=request.user,
                task=task,
                resolution=form.cleaned_data["resolution"],
                new_profile=form.cleaned_data["new_profile"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Overføringen er registrert. Last ned brevet til fadderen."))
            return redirect("sponsorships:transfer-resolve", pk=pk)
    context = {"task": task, "form": form, "candidates": list(candidates)}
    return render(
        request, "sponsorships/transfer_resolve.html", context, status=400 if form.is_bound and form.errors else 200
    )


@staff(SPONSORSHIP_ROLES, hidden=True)
@require_safe
def transfer_letter(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.transfer_get_for(user=request.user, pk=pk)
    content = letters.transfer_letter_pdf(task)
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=task, request=request, detail="transfer letter")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="fadderbrev-{task.pk}.pdf"'
    return response
