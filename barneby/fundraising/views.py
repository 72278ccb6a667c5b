"""Donor-service pages: supporters, agreements, Nets files, unmatched payments, monthly claim runs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from barneby.accounts.roles import ScopeKind
from barneby.accounts.scoping import scope_for
from barneby.core.access import staff
from barneby.core.forms import add_service_errors
from barneby.core.htmx import render_page
from barneby.core.listing import paginate
from barneby.fundraising import claims, payments, selectors, services
from barneby.fundraising.forms import AgreementForm, ClaimRunForm, GiftForm, MatchForm, NetsFileForm, SupporterForm
from barneby.fundraising.permissions import FUNDRAISING_ROLES
from barneby.organisation.models import MemberAssociation


def _association(request: HttpRequest) -> MemberAssociation:
    """The member association the donor-service user works for; a POST without one is refused (404)."""
    keys = sorted(scope_for(request.user).keys(ScopeKind.ASSOCIATION, FUNDRAISING_ROLES))
    association = MemberAssociation.objects.filter(pk__in=[int(k) for k in keys if k.isdigit()]).order_by("pk").first()
    if association is None:
        raise Http404
    return association


def _association_for_post(request: HttpRequest) -> MemberAssociation | None:
    """Pages render for any donor-service user; only a submitted form needs the association."""
    return _association(request) if request.method == "POST" else None


def _form_page(request: HttpRequest, form: forms.BaseForm, title: str, cancel: str, **extra: Any) -> HttpResponse:
    context = {"form": form, "title": title, "cancel": cancel, **extra}
    return render(request, "fundraising/form.html", context, status=400 if form.is_bound and form.errors else 200)


@staff(FUNDRAISING_ROLES)
@require_safe
def supporter_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    page = paginate(request, selectors.supporter_list_for(user=request.user, search=search).order_by("donor_number"))
    context = {"page_obj": page, "search": search, "hx_target": "#results"}
    return render_page(request, "fundraising/supporter_list.html", context, partial="results")


@staff(FUNDRAISING_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def supporter_create(request: HttpRequest) -> HttpResponse:
    association = _association_for_post(request)
    form = SupporterForm(request.POST or None)
    if association is not None and form.is_valid():
        try:
            supporter = services.supporter_create(actor=request.user, association=association, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Giveren er registrert med givernummer {number}.").format(number=supporter.donor_number)
            )
            return redirect("fundraising:supporter-detail", pk=supporter.pk)
    return _form_page(request, form, _("Ny giver"), "/innsamling/givere/")


@staff(FUNDRAISING_ROLES)
@require_safe
def supporter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = selectors.supporter_get_for(user=request.user, pk=pk)
    agreements = list(selectors.agreement_list_for(user=request.user, supporter=supporter).order_by("sequence"))
    context = {
        "supporter": supporter,
        "agreements": agreements,
        "payments": list(
            selectors.payment_list_for(user=request.user).filter(supporter=supporter).order_by("-paid_date", "-pk")[:50]
        ),
        "gifts": list(selectors.gift_list_for(user=request.user, supporter=supporter).order_by("-date", "-pk")[:50]),
        "gift_kid": services.supporter_gift_kid(supporter),
    }
    return render(request, "fundraising/supporter_detail.html", context)


@staff(FUNDRAISING_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def agreement_create(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = selectors.supporter_get_for(user=request.user, pk=pk)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(actor=request.user, supporter=supporter, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Avtalen er opprettet med KID {kid}.").format(kid=agreement.kid))
            return redirect("fundraising:supporter-detail", pk=pk)
    return _form_page(
        request, form, _("Ny betalingsavtale for {name}").format(name=supporter), f"/innsamling/givere/{pk}/"
    )


@staff(FUNDRAISING_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def gift_create(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = selectors.supporter_get_for(user=request.user, pk=pk)
    form = GiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.gift_create(actor=request.user, supporter=supporter, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Gaven er registrert."))
            return redirect("fundraising:supporter-detail", pk=pk)
    return _form_page(request, form, _("Ny gave fra {name}").format(name=supporter), f"/innsamling/givere/{pk}/")


@staff(FUNDRAISING_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def nets_import(request: HttpRequest) -> HttpResponse:
    association = _association_for_post(request)
    form = NetsFileForm(request.POST or None, request.FILES or None)
    if association is not None and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            if form.cleaned_data["kind"] == "ocr":
                record = payments.ocr_import(
                    actor=request.user, association=association, data=data, file_name=upload.name
                )
                messages.success(
                    request,
                    _("Importert: {count} innbetalinger, {unmatched} ikke avstemt.").format(
                        count=record.transaction_count, unmatched=record.unmatched_count
                    ),
                )
            else:
                result = payments.agreements_file_import(
                    actor=request.user, association=association, data=data, file_name=upload.name
                )
                messages.success(
                    request,
                    _("Avtalefilen er lest inn: {activated} aktivert, {cancelled} avsluttet, {problems} avvik.").format(
                        activated=result.activated, cancelled=result.cancelled, problems=len(result.problems)
                    ),
                )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            return redirect("fundraising:nets-import")
    imports = paginate(request, selectors.nets_import_list_for(user=request.user).order_by("-imported_at", "-pk"))
    return render(
        request,
        "fundraising/nets_import.html",
        {"form": form, "page_obj": imports},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff(FUNDRAISING_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def unmatched(request: HttpRequest) -> HttpResponse:
    association = _association_for_post(request)
    form = MatchForm(request.POST or None)
    if association is not None:
        payment = selectors.payment_get_for(user=request.user, pk=int(request.POST.get("payment", "0") or 0))
        if form.is_valid():
            agreement = supporter = None
            if form.cleaned_data["kid"]:
                agreement = (
                    selectors.agreement_list_for(user=request.user)
                    .filter(kid=form.cleaned_data["kid"].strip(), supporter__association=association)
                    .first()
                )
                if agreement is None:
                    form.add_error("kid", _("Ingen avtale har denne KID-en."))
            else:
                supporter = (
                    selectors.supporter_list_for(user=request.user)
                    .filter(donor_number=form.cleaned_data["donor_number"], association=association)
                    .first()
                )
                if supporter is None:
                    form.add_error("donor_number", _("Ingen giver har dette givernummeret."))
            if not form.errors:
                try:
                    payments.payment_match(
                        actor=request.user, payment=payment, agreement=agreement, supporter=supporter
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("Innbetalingen er avstemt."))
                    return redirect("fundraising:unmatched")
    page = paginate(request, selectors.unmatched_payments_for(user=request.user).order_by("paid_date", "pk"))
    return render(
        request,
        "fundraising/unmatched.html",
        {"page_obj": page, "form": form, "failed": request.POST.get("payment", "")},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff(FUNDRAISING_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def claim_runs(request: HttpRequest) -> HttpResponse:
    association = _association_for_post(request)
    form = ClaimRunForm(request.POST or None)
    if association is not None and form.is_valid():
        try:
            run = claims.claim_run_start(
                actor=request.user, association=association, period=form.cleaned_data["period"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Trekkfilen for {month} har {count} trekk.").format(
                    month=run.period.strftime("%m.%Y"), count=run.claim_count
                ),
            )
            return redirect("fundraising:claim-runs")
    page = paginate(request, selectors.claim_run_list_for(user=request.user).order_by("-period", "-pk"))
    return render(
        request,
        "fundraising/claim_runs.html",
        {"form": form, "page_obj": page},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff(FUNDRAISING_ROLES)
@require_safe
def claim_file(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.claim_run_get_for(user=request.user, pk=pk)
    try:
        content = claims.claim_file_read(run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("fundraising:claim-runs")
    from barneby.audit.models import AuditAction
    from barneby.audit.services import audit_record

    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=run, request=request, detail="claim file")
    response = HttpResponse(content, content_type="text/plain; charset=iso-8859-1")
    response["Content-Disposition"] = f'attachment; filename="avtalegiro-{run.period:%Y-%m}.txt"'
    return response
