"""Care pages: thin views over the selectors and services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from barneby.accounts.scoping import visible_to
from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.care import alerts as alert_rules
from barneby.care import selectors, services
from barneby.care.forms import (
    AftercareForm,
    AlertFilterForm,
    ChildFilterForm,
    ChildForm,
    ContactForm,
    DailyNoteForm,
    DecisionForm,
    FollowUpForm,
    GatekeepingForm,
    GoalForm,
    HouseholdForm,
    KeepApartForm,
    MemberForm,
    PlacementEndForm,
    PlacementForm,
    RestrictedForm,
    ReviewForm,
    ServiceForm,
    SiblingContactForm,
    SiblingForm,
)
from barneby.care.models import (
    STATUS_FLOW,
    Aftercare,
    Child,
    ChildStatus,
    DecisionKind,
    PlacementType,
    RiskFactor,
    SiblingRelation,
    age_on,
)
from barneby.care.permissions import CARE_READERS, CARE_WRITERS, CAREGIVERS, ME_ROLES
from barneby.core.access import staff
from barneby.core.forms import add_service_errors
from barneby.core.htmx import render_page
from barneby.core.listing import export_response, paginate, query_id, sort_by
from barneby.organisation.models import Programme
from barneby.placements import selectors as placement_selectors

CHILD_COLUMNS = {
    "name": ("last_name", "first_name"),
    "born": "birth_date",
    "status": ("status", "last_name"),
    "programme": ("programme__name", "last_name"),
}


def _form_page(
    request: HttpRequest,
    *,
    title: str,
    form: forms.BaseForm,
    cancel: str,
    child: Child | None = None,
    intro: str = "",
    fieldsets: Sequence[tuple[str, Sequence[str]]] = (),
    submit: str = "",
    missing: Sequence[selectors.Missing] = (),
) -> HttpResponse:
    sets = [(legend, [form[name] for name in names if name in form.fields]) for legend, names in fieldsets]
    context = {
        "title": title,
        "form": form,
        "cancel": cancel,
        "child": child,
        "intro": intro,
        "fieldsets": sets,
        "submit": submit or _("Lagre"),
        "missing": missing,
    }
    status = 409 if getattr(form, "stale", False) else 400 if form.is_bound and form.errors else 200
    return render(request, "care/form.html", context, status=status)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return _("tomt")
    if isinstance(value, bool):
        return _("ja") if value else _("nei")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def _service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """The service's errors on the form; after a stale edit, also what is stored now and the new version.

    Every field whose stored value differs from what the user sent says what is stored now; the
    hidden version moves on to the stored one, so saving again is a deliberate overwrite.
    """
    if not isinstance(exc, services.StaleEdit):
        add_service_errors(form, exc)
        return
    current = exc.current
    sent = dict(getattr(form, "cleaned_data", {}))
    form.add_error(None, exc.messages)
    for name, field in form.fields.items():
        if name == "version" or name not in sent or isinstance(field, forms.ModelMultipleChoiceField):
            continue
        if not hasattr(current, name):
            continue
        stored = getattr(current, name)
        if (stored or None) != (sent[name] or None):
            display = getattr(current, f"get_{name}_display", None)
            shown = display() if callable(display) and stored else _shown(stored)
            form.add_error(name, _("Lagret nå: «{value}».").format(value=shown))
    data: Any = form.data
    data = data.copy()
    data["version"] = str(getattr(current, "version"))  # noqa: B009 - every versioned model has it
    form.data = data
    form.stale = True  # type: ignore[attr-defined]


def _writable_programmes(request: HttpRequest) -> Any:
    return visible_to(
        Programme.objects.select_related("association").order_by("name"),
        user=request.user,
        paths=Programme.SCOPE_PATHS,
        roles=CARE_WRITERS,
    )


# --- children ------------------------------------------------------------------------------


@staff(CARE_READERS)
@require_safe
def child_list(request: HttpRequest) -> HttpResponse:
    form = ChildFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    children = selectors.child_list_for(
        user=request.user,
        search=(data.get("q") or "").strip(),
        status=data.get("status", ""),
        mine=bool(data.get("mine")),
    )
    children, sorting = sort_by(children, request, CHILD_COLUMNS, "name")
    page = paginate(request, children)
    statuses = dict(ChildStatus.choices)
    today = timezone.localdate()
    rows = [(c, statuses[c.status], age_on(c.birth_date, today)) for c in page.object_list]
    services.record_views(
        actor=request.user, child_ids=[c.pk for c, _status, _age in rows], request=request, detail="child list"
    )
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "sorting": sorting,
        "hx_target": "#results",
        "can_create": _writable_programmes(request).exists(),
    }
    return render_page(request, "care/child_list.html", context, partial="results")


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def child_create(request: HttpRequest) -> HttpResponse:
    programmes = _writable_programmes(request)
    form = ChildForm(request.POST or None)
    form.fields["programme"] = forms.ModelChoiceField(label=_("Ansvarlig program"), queryset=programmes)
    form.order_fields(["programme"])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        programme = data.pop("programme")
        try:
            child = services.child_create(actor=request.user, programme=programme, caseworker=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("{name} er registrert.").format(name=child))
            return redirect("care:child-detail", pk=child.pk)
    return _form_page(request, title=_("Registrer barn eller ungdom"), form=form, cancel=reverse("care:child-list"))


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def child_edit(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_get_for(user=request.user, pk=pk, for_write=True)
    form = ChildForm(request.POST or None, instance=selectors.child_get_for(user=request.user, pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.child_update(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("Opplysningene er lagret."))
            return redirect("care:child-detail", pk=pk)
    # The form shows the decrypted identity number: a read like the child page.
    services.record_view(actor=request.user, child=child, request=request, detail="edit form")
    return _form_page(
        request,
        title=_("Endre {name}").format(name=child),
        form=form,
        cancel=reverse("care:child-detail", args=[pk]),
        child=child,
    )


@staff(CARE_READERS)
@require_safe
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_get_for(user=request.user, pk=pk)
    services.record_view(actor=request.user, child=child, request=request)
    page = selectors.child_page(user=request.user, child=child)
    shown = [s.child.pk for s in page.siblings if s.child is not None]
    services.record_views(actor=request.user, child_ids=shown, request=request, detail=f"sibling of {child.pk}")
    today = timezone.localdate()
    can_write = selectors.can_write(user=request.user, child=child)
    contacts = paginate(request, selectors.sibling_contacts_of(child=child), per_page=SIBLING_CONTACTS_PER_PAGE)
    # A sibling is named in the log only when the user may read the sibling's case; each one named is logged.
    named = selectors.readable_child_ids(user=request.user, ids=[c.sibling_id for c in contacts.object_list])
    services.record_views(
        actor=request.user, child_ids=sorted(named), request=request, detail=f"sibling contact of {child.pk}"
    )
    context = {
        "page": page,
        "contacts": contacts,
        "contact_rows": [(c, c.sibling_id in named) for c in contacts.object_list],
        "has_separation": any(d.kind == DecisionKind.SIBLING_SEPARATION for d in page.decisions),
        "child": child,
        "age": age_on(child.birth_date, today),
        "can_write": can_write,
        "may_propose": can_write and placement_selectors.may_propose(user=request.user, child=child),
        # A municipality contact sees placement, plans and decisions, not the rest of the case file.
        "full_case": selectors.full_case_access(user=request.user, child=child),
        "may_see_restricted": selectors.may_see_restricted(user=request.user, child=child),
        "alerts": [
            (a, alert_rules.message(a, readable=set(shown)), alert_rules.fix_url(a) if can_write else "")
            for a in page.alerts
        ],
        "next_statuses": _next_statuses(child),
        "today": today,
    }
    return render(request, "care/child_detail.html", context)


SIBLING_CONTACTS_PER_PAGE = 10


def _next_statuses(child: Child) -> list[tuple[str, Any]]:
    if child.status == ChildStatus.ALTERNATIVE_CARE:
        return []  # ending the placement moves the status on, with its decision

    # Placement and its end set alternative care, reunification and aftercare themselves.
    automatic = {ChildStatus.ALTERNATIVE_CARE, ChildStatus.AFTERCARE}
    return [
        (s, ChildStatus(s).label) for s in ChildStatus.values if s in STATUS_FLOW[child.status] and s not in automatic
    ]


@staff(CARE_WRITERS)
@require_POST
def child_status(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_get_for(user=request.user, pk=pk, for_write=True)
    status = request.POST.get("status", "")
    if status not in ChildStatus.values:
        messages.error(request, _("Ukjent status."))
    else:
        try:
            services.child_set_status(actor=request.user, child=child, status=status)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Status er endret til «{status}».").format(status=ChildStatus(status).label))
    return redirect("care:child-detail", pk=pk)


@staff(CARE_READERS)
@require_http_methods(["GET", "HEAD", "POST"])
def child_restricted(request: HttpRequest, pk: int) -> HttpResponse:
    """Health, disability and HIV status: only with the extra permission; each view logged on its own."""
    child = selectors.child_get_for(user=request.user, pk=pk)
    if not selectors.may_see_restricted(user=request.user, child=child):
        raise PermissionDenied
    can_write = selectors.can_write(user=request.user, child=child)
    form = RestrictedForm(request.POST or None, instance=child) if can_write else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.child_update_restricted(
                    actor=request.user, child=selectors.child_get_for(user=request.user, pk=pk), **form.cleaned_data
                )
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(request, _("De skjermede opplysningene er lagret."))
                return redirect("care:child-restricted", pk=pk)
    services.record_view(actor=request.user, child=child, request=request, restricted=True)
    status = 409 if getattr(form, "stale", False) else 400 if form is not None and form.errors else 200
    return render(request, "care/child_restricted.html", {"child": child, "form": form}, status=status)


# --- siblings ------------------------------------------------------------------------------


def _child_label(child: Child) -> str:
    return f"{child.first_name} {child.last_name} ({child.birth_date:%d.%m.%Y})"


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def sibling_add(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_get_for(user=request.user, pk=pk, for_write=True)
    form = SiblingForm(request.POST or None)
    choice: Any = form.fields["other_choice"]
    choice.queryset = selectors.children_to_link(user=request.user, child=child)
    choice.label_from_instance = _child_label
    if request.method == "POST" and form.is_valid():
        try:
            link = services.sibling_link_group if form.cleaned_data["whole_group"] else services.sibling_link
            link(
                actor=request.user,
                child=child,
                other=form.cleaned_data["other_choice"],
                kind=form.cleaned_data["kind"],
                existing_bond=form.cleaned_data["existing_bond"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"other": "other_choice"})
        else:
            messages.success(request, _("Søskenrelasjonen er registrert."))
            return redirect(reverse("care:child-detail", args=[pk]) + "#siblings")
    return _form_page(
        request,
        title=_("Registrer søsken til {name}").format(name=child.first_name),
        form=form,
        cancel=reverse("care:child-detail", args=[pk]),
        child=child,
    )


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def keep_apart_add(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_get_for(user=request.user, pk=pk, for_write=True)
    form = KeepApartForm(request.POST or None)
    choice: Any = form.fields["other_choice"]
    choice.queryset = selectors.children_to_link(user=request.user, child=child)
    choice.label_from_instance = _child_label
    if request.method == "POST" and form.is_valid():
        try:
            services.keep_apart_record(
                actor=request.user,
                child=child,
                other=form.cleaned_data["other_choice"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"other": "other_choice"})
        else:
            messages.success(request, _("Registrert: barna skal ikke bo i samme hjem."))
            return redirect(reverse("care:child-detail", args=[pk]) + "#siblings")
    return _form_page(
        request,
        title=_("Skal ikke bo sammen med {name}").format(name=child.first_name),
        intro=_("Forslag til plassering vil aldri sette disse barna i samme hjem."),
        form=form,
        cancel=reverse("care:child-detail", args=[pk]),
        child=child,
    )


@staff(CARE_WRITERS)
@require_POST
def sibling_remove(request: HttpRequest, pk: int) -> HttpResponse:
    relation = SiblingRelation.objects.filter(pk=pk).first()
    if relation is None:
        raise Http404
    # Both children must be in the user's writable scope: the link belongs to both case files.
    child = selectors.child_get_for(user=request.user, pk=relation.child_a_id, for_write=True)
    selectors.child_get_for(user=request.user, pk=relation.child_b_id, for_write=True)
    services.sibling_unlink(actor=request.user, relation=relation)
    messages.success(request, _("Søskenrelasjonen er fjernet."))
    return redirect(reverse("care:child-detail", args=[child.pk]) + "#siblings")


# --- gatekeeping, decisions, placements ----------------------------------------------------


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def gatekeeping_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_get_for(user=request.user, pk=pk, for_write=True)
    form = GatekeepingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.gatekeeping_record(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Inntaksvurderingen er registrert."))
            return redirect("care:child-detail", pk=pk)
    return _form_page(
        request,
        title=_("Inntaksvurdering for {name}").format(name=child.first_name),
        intro=_("Før et barn tas inn i alternativ omsorg: er det nødvendig, og er dette tilbudet egnet?"),
        form=form,
        cancel=reverse("care:child-detail", args=[pk]),
        child=child,
    )


DECISION_SET = (
    "decided_on",
    "decided_by",
    "participants",
    "best_interest",
    "heard_how",
    "child_views",
    "not_heard_reason",
)


def _decision_data(form: forms.BaseForm) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in DECISION_SET}


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def placement_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_get_for(user=request.user, pk=pk, for_write=True)
    proposals = placement_selectors.open_proposals_for(user=request.user, child_id=child.pk)
    form = PlacementForm(request.POST or None, initial=_prefill(request, proposals))
    proposal_field: Any = form.fields["proposal"]
    proposal_field.queryset = proposals
    home: Any = form.fields["home"]
    home.queryset = selectors.homes_for_placement(user=request.user, child=child).order_by("programme__name", "name")
    home.label_from_instance = lambda h: _("{home} – {programme} ({occupied} av {capacity} plasser i bruk)").format(
        home=h.name, programme=h.programme.name, occupied=h.occupied, capacity=h.capacity
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.place_child(
                actor=request.user,
                child=child,
                home=data["home"],
                type=data["type"],
                start_date=data["start_date"],
                is_emergency=data["is_emergency"],
                child_prepared=data["child_prepared"],
                capacity_override=data["capacity_override"],
                end_reason=data["end_reason"] or "planned_move",
                decision=_decision_data(form),
                proposal=data.get("proposal"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc, prefix="decision_")
        else:
            if result.separated_from:
                names = ", ".join(c.first_name for c in result.separated_from)
                messages.warning(
                    request,
                    _(
                        "{name} bor nå ikke sammen med {siblings}. Registrer begrunnelsen, kontaktplanen og når "
                        "splitten skal vurderes på nytt."
                    ).format(name=child.first_name, siblings=names),
                )
                return redirect(reverse("care:decision-create", args=[pk]) + "?kind=sibling_separation")
            messages.success(request, _("Plasseringen er registrert."))
            return redirect(reverse("care:child-detail", args=[pk]) + "#placements")
    return _form_page(
        request,
        title=_("Ny plassering for {name}").format(name=child.first_name),
        intro=_("En plassering registreres alltid sammen med vedtaket og barnets syn."),
        form=form,
        cancel=reverse("care:child-detail", args=[pk]),
        child=child,
        missing=selectors.placement_missing(child=child),
        fieldsets=[
            (_("Plassering"), list(PlacementForm.field_order)),
            (_("Vedtak"), list(DECISION_SET)),
        ],
    )


def _prefill(request: HttpRequest, proposals: Any) -> dict[str, Any]:
    """Values a link may prefill; a matching proposal (one of ``proposals``) opens the form with its home."""
    initial: dict[str, Any] = {}
    if (home := query_id(request, "home")) is not None:
        initial["home"] = home
    if request.GET.get("type") in PlacementType.values:
        initial["type"] = request.GET["type"]
    proposal_id = query_id(request, "proposal")
    proposal = proposals.filter(pk=proposal_id).first() if proposal_id is not None else None
    if proposal is not None:
        initial.update(placement_selectors.placement_prefill(proposal))
    return initial


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def placement_end(request: HttpRequest, pk: int) -> HttpResponse:
    placement = selectors.placement_get_for(user=request.user, pk=pk)
    if placement.end_date is not None:
        messages.info(request, _("Plasseringen er allerede avsluttet."))
        return redirect("care:child-detail", pk=placement.child_id)
    form = PlacementEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_end(
                actor=request.user,
                placement=placement,
                end_date=form.cleaned_data["end_date"],
                end_reason=form.cleaned_data["end_reason"],
                decision=_decision_data(form),
            )
        except ValidationError as exc:
            add_service_errors(form, exc, prefix="decision_")
        else:
            messages.success(request, _("Plasseringen er avsluttet."))
            return redirect(reverse("care:child-detail", args=[placement.child_id]) + "#placements")
    return _form_page(
        request,
        title=_("Avslutt plasseringen i {home}").format(home=placement.home.name),
        form=form,
        cancel=reverse("care:child-detail", args=[placement.child_id]),
        child=placement.child,
        fieldsets=[(_("Avslutning"), ["end_date", "end_reason"]), (_("Vedtak"), list(DECISION_SET))],
    )


SEPARATION_SET = (
    "separation_reason",
    "relationship_assessment",
    "contact_plan",
    "contact_times",
    "contact_per",
    "reassess_on",
)


def _decision_fieldsets(kind: str) -> list[tuple[str, Sequence[str]]]:
    sets: list[tuple[str, Sequence[str]]] = [(_("Vedtak"), ("kind", *DECISION_SET))]
    if kind == DecisionKind.SIBLING_SEPARATION:
        sets.append((_("Søskensplitt"), SEPARATION_SET))
    if kind in {DecisionKind.AFTERCARE_DECLINE, DecisionKind.AFTERCARE_TERMINATION}:
        sets.append((_("Klageadgang"), ("complaint_info_given",)))
    return sets


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_get_for(user=request.user, pk=pk, for_write=True)
    kind = request.POST.get("kind") or request.GET.get("kind") or DecisionKind.PLACEMENT
    kind = kind if kind in DecisionKind.values else DecisionKind.PLACEMENT
    form = DecisionForm(request.POST or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_record(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Vedtaket er registrert."))
            return redirect(reverse("care:child-detail", args=[pk]) + "#decisions")
    return _form_page(
        request,
        title=_("Nytt vedtak for {name}").format(name=child.first_name),
        form=form,
        cancel=reverse("care:child-detail", args=[pk]),
        child=child,
        fieldsets=_decision_fieldsets(kind),
    )


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get_for(user=request.user, pk=pk)
    initial = {name: getattr(decision, name) for name in services.DECISION_FIELDS}
    initial["version"] = decision.version
    form = DecisionForm(request.POST or None, initial=initial)
    kind_field: Any = form.fields["kind"]
    kind_field.disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_update(actor=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("Vedtaket er oppdatert."))
            return redirect(reverse("care:child-detail", args=[decision.child_id]) + "#decisions")
    return _form_page(
        request,
        title=_("Endre vedtak"),
        form=form,
        cancel=reverse("care:child-detail", args=[decision.child_id]),
        child=decision.child,
        fieldsets=_decision_fieldsets(decision.kind),
    )


# --- plan, reviews, aftercare, follow-ups --------------------------------------------------


def _child_record_form(
    request: HttpRequest,
    *,
    child: Child,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], Any],
    title: str,
    done: str,
    anchor: str,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("care:child-detail", args=[child.pk]) + anchor)
    return _form_page(
        request, title=title, form=form, cancel=reverse("care:child-detail", args=[child.pk]), child=child
    )


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_get_for(user=request.user, pk=pk, for_write=True)
    return _child_record_form(
        request,
        child=child,
        form=GoalForm(request.POST or None),
        save=lambda data: services.goal_save(actor=request.user, child=child, **data),
        title=_("Nytt mål for {name}").format(name=child.first_name),
        done=_("Målet er lagt til i utviklingsplanen."),
        anchor="#plan",
    )


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = selectors.goal_get_for(user=request.user, pk=pk)
    return _child_record_form(
        request,
        child=goal.child,
        form=GoalForm(request.POST or None, instance=goal),
        save=lambda data: services.goal_save(actor=request.user, child=goal.child, goal=goal, **data),
        title=_("Endre mål"),
        done=_("Målet er oppdatert."),
        anchor="#plan",
    )


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def review_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_get_for(user=request.user, pk=pk, for_write=True)
    return _child_record_form(
        request,
        child=child,
        form=ReviewForm(request.POST or None, initial={"reviewed_on": timezone.localdate()}),
        save=lambda data: services.review_save(actor=request.user, child=child, **data),
        title=_("Gjennomgang av utviklingsplanen for {name}").format(name=child.first_name),
        done=_("Gjennomgangen er registrert."),
        anchor="#plan",
    )


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get_for(user=request.user, pk=pk)
    return _child_record_form(
        request,
        child=review.child,
        form=ReviewForm(request.POST or None, instance=review),
        save=lambda data: services.review_save(actor=request.user, child=review.child, review=review, **data),
        title=_("Endre gjennomgang"),
        done=_("Gjennomgangen er oppdatert."),
        anchor="#plan",
    )


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def aftercare_edit(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_get_for(user=request.user, pk=pk, for_write=True)
    form = AftercareForm(request.POST or None, instance=Aftercare.objects.filter(child=child).first())
    return _child_record_form(
        request,
        child=child,
        form=form,
        save=lambda data: services.aftercare_save(actor=request.user, child=child, **data),
        title=_("Ettervern for {name}").format(name=child.first_name),
        done=_("Ettervernet er lagret."),
        anchor="#aftercare",
    )


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_get_for(user=request.user, pk=pk, for_write=True)
    kind = "reunification" if child.status == ChildStatus.REUNIFIED else "aftercare"
    return _child_record_form(
        request,
        child=child,
        form=FollowUpForm(request.POST or None, initial={"kind": kind}),
        save=lambda data: services.follow_up_record(actor=request.user, child=child, **data),
        title=_("Oppfølgingsbesøk hos {name}").format(name=child.first_name),
        done=_("Besøket er registrert."),
        anchor="#aftercare",
    )


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def sibling_contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a contact between separated siblings that took place (counted against the contact plan, I13)."""
    child = selectors.child_get_for(user=request.user, pk=pk, for_write=True)
    decisions = services.separation_decisions(child)
    if not decisions.exists():
        messages.info(request, _("Registrer først vedtaket om søskensplitt med kontaktplan."))
        return redirect(reverse("care:child-detail", args=[pk]) + "#sibling-contacts")
    form = SiblingContactForm(request.POST or None, initial={"decision": decisions.first()})
    decision_field: Any = form.fields["decision"]
    decision_field.queryset = decisions
    decision_field.label_from_instance = lambda d: _("Vedtak {date}: {plan}").format(
        date=d.decided_on.strftime("%d.%m.%Y"), plan=(d.contact_plan or "–")[:60]
    )
    sibling_field: Any = form.fields["sibling"]
    # Only siblings the user may read are named (a sibling in another association stays out of the list).
    sibling_field.queryset = selectors.visible_children(selectors.siblings_of(child), user=request.user)
    sibling_field.label_from_instance = _child_label
    if request.method == "POST" and form.is_valid():
        try:
            services.sibling_contact_record(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Kontakten er registrert."))
            return redirect(reverse("care:child-detail", args=[pk]) + "#sibling-contacts")
    return _form_page(
        request,
        title=_("Søskenkontakt for {name}").format(name=child.first_name),
        intro=_("Registrer et møte, en samtale eller annen kontakt med et søsken som har funnet sted."),
        form=form,
        cancel=reverse("care:child-detail", args=[pk]) + "#sibling-contacts",
        child=child,
    )


# --- alerts --------------------------------------------------------------------------------


@staff(CARE_READERS)
@require_safe
def alert_list(request: HttpRequest) -> HttpResponse:
    form = AlertFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    found = selectors.alert_list_for(user=request.user, mine=bool(data.get("mine")), severity=data.get("severity", ""))
    rank = Case(When(severity="high", then=Value(0)), When(severity="medium", then=Value(1)), default=Value(2))
    found = found.order_by(rank, "raised_at", "child__last_name", "pk")
    page = paginate(request, found)
    alerts = list(page.object_list)
    children = [a.child_id for a in alerts]
    services.record_views(actor=request.user, child_ids=children, request=request, detail="alert list")
    writable = selectors.writable_child_ids(user=request.user, ids=children)
    readable = selectors.readable_child_ids(
        user=request.user, ids=[a.params["sibling_id"] for a in alerts if isinstance(a.params.get("sibling_id"), int)]
    )
    now = timezone.now()
    rows = [
        (
            a,
            alert_rules.RULE_TITLES.get(a.rule, a.rule),
            alert_rules.message(a, readable=readable),
            # Only a link the user may follow: to fix it, or else to read the case.
            alert_rules.fix_url(a) if a.child_id in writable else "",
            (now - a.raised_at).days,
        )
        for a in alerts
    ]
    per_programme = (
        selectors.alert_list_for(user=request.user, mine=bool(data.get("mine")))
        .values("child__programme__name")
        .annotate(
            high=Count("pk", filter=Q(severity="high")),
            medium=Count("pk", filter=Q(severity="medium")),
            low=Count("pk", filter=Q(severity="low")),
        )
        .order_by("child__programme__name")
    )
    context = {"form": form, "page_obj": page, "rows": rows, "per_programme": per_programme, "hx_target": "#results"}
    return render_page(request, "care/alert_list.html", context, partial="results")


# --- families ------------------------------------------------------------------------------


@staff(CARE_READERS)
@require_safe
def household_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    households = selectors.household_list_for(user=request.user, search=search).annotate(people=Count("members"))
    page = paginate(request, households.order_by("name", "pk"))
    context = {
        "page_obj": page,
        "search": search,
        "hx_target": "#results",
        "can_create": _writable_programmes(request).exists(),
    }
    return render_page(request, "care/household_list.html", context, partial="results")


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def household_create(request: HttpRequest) -> HttpResponse:
    form = HouseholdForm(request.POST or None)
    form.fields["programme"] = forms.ModelChoiceField(label=_("Program"), queryset=_writable_programmes(request))
    form.order_fields(["programme"])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        programme = data.pop("programme")
        try:
            household = services.household_save(actor=request.user, programme=programme, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Familien er registrert."))
            return redirect("care:household-detail", pk=household.pk)
    return _form_page(request, title=_("Ny familie"), form=form, cancel=reverse("care:household-list"))


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get_for(user=request.user, pk=pk, for_write=True)
    form = HouseholdForm(request.POST or None, instance=selectors.household_get_for(user=request.user, pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.household_save(
                actor=request.user, programme=household.programme, household=household, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Familien er oppdatert."))
            return redirect("care:household-detail", pk=pk)
    return _form_page(
        request,
        title=_("Endre {name}").format(name=household),
        form=form,
        cancel=reverse("care:household-detail", args=[pk]),
    )


HOUSEHOLD_PARTS: dict[str, type[forms.ModelForm[Any]]] = {
    "medlem": MemberForm,
    "nettverk": ContactForm,
    "tiltak": ServiceForm,
}


@staff(CARE_READERS)
@require_safe
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get_for(user=request.user, pk=pk)
    audit_record(actor=request.user, action=AuditAction.VIEW, obj=household, request=request)
    children = list(selectors.visible_children(household.children.all(), user=request.user))
    services.record_views(
        actor=request.user, child_ids=[c.pk for c in children], request=request, detail=f"household {household.pk}"
    )
    context = {
        "household": household,
        "members": list(household.members.all()),
        "network": list(household.network.all()),
        "services": list(household.services.all()),
        "children": children,
        "risk_labels": [label for value, label in RiskFactor.choices if value in (household.risk_factors or [])],
        "can_write": selectors.household_can_write(user=request.user, household=household),
    }
    return render(request, "care/household_detail.html", context)


@staff(CARE_WRITERS)
@require_http_methods(["GET", "HEAD", "POST"])
def household_add(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    household = selectors.household_get_for(user=request.user, pk=pk, for_write=True)
    if part not in HOUSEHOLD_PARTS:
        raise Http404
    form = HOUSEHOLD_PARTS[part](request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_add(actor=request.user, household=household, record=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Lagret."))
            return redirect("care:household-detail", pk=pk)
    titles = {
        "medlem": _("Nytt husstandsmedlem"),
        "nettverk": _("Ny nettverkskontakt"),
        "tiltak": _("Nytt støttetiltak"),
    }
    return _form_page(request, title=titles[part], form=form, cancel=reverse("care:household-detail", args=[pk]))


# --- the caregiver's home ------------------------------------------------------------------


@staff(CAREGIVERS)
@require_safe
def my_home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    children = list(selectors.caregiver_children(user=request.user, today=today))
    for child in children:
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="care.child",
            object_id=child.pk,
            request=request,
            detail="caregiver view",
        )
    rows = [(c, age_on(c.birth_date, today), list(c.goals.all()), list(c.daily_notes.all())[:10]) for c in children]
    return render(request, "care/my_home.html", {"rows": rows, "form": DailyNoteForm()})


@staff(CAREGIVERS)
@require_http_methods(["GET", "HEAD", "POST"])
def daily_note_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.caregiver_child_get(user=request.user, pk=pk)
    home_id = selectors.caregiver_home_of(user=request.user, child=child)
    form = DailyNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.daily_note_write(actor=request.user, child=child, home_id=home_id, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Dagboken er oppdatert."))
            return redirect("care:my-home")
    return _form_page(
        request, title=_("Dagbok for {name}").format(name=child.first_name), form=form, cancel=reverse("care:my-home")
    )


# --- M&E: figures and the aggregated export ------------------------------------------------


@staff(ME_ROLES, personal_data=False)
@require_safe
def figures(request: HttpRequest) -> HttpResponse:
    """Aggregated figures per programme; cells under the threshold are suppressed."""
    return render(request, "care/figures.html", selectors.me_figures(user=request.user))


@staff(ME_ROLES, personal_data=False)
@require_safe
def pseudonymised_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The M&E extract, aggregated: counts per programme and combination, none under the small-cell threshold.

    (The URL keeps its old name; there is no longer a row per child.)
    """
    fmt = request.GET.get("format", "csv")
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="care.child",
        request=request,
        detail=f"aggregated {fmt}",
    )
    headers = [
        _("Program"),
        _("Aldersgruppe"),
        _("Kjønn"),
        _("Status"),
        _("Plasseringstype"),
        _("Bor med søsken"),
        _("Antall barn"),
        _("Flyttinger i snitt"),
    ]
    rows = (
        [cell.programme, *cell.values, cell.count, cell.moves]
        for cell in selectors.aggregated_export(user=request.user)
    )
    return export_response(fmt, "barn-aggregert", headers, rows)
