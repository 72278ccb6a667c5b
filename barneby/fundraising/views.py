"""Donor-service pages: supporters, agreements, Nets files, unmatched payments, monthly claim runs.

Supporter-side pages too: consents, duplicates and merge, GDPR export and erasure, gift receipts.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from barneby.core.access import staff
from barneby.core.forms import add_service_errors
from barneby.core.htmx import render_page
from barneby.core.listing import PER_PAGE, paginate
from barneby.fundraising import (
    claims,
    duplicates,
    gdpr,
    invoices,
    merge,
    payments,
    receipts,
    selectors,
    services,
    tasks,
)
from barneby.fundraising.forms import (
    AgreementForm,
    ClaimRunForm,
    ConsentForm,
    EraseForm,
    GiftForm,
    MatchForm,
    MergeForm,
    NetsFileForm,
    SupporterCreateForm,
)
from barneby.fundraising.models import (
    ClaimRunStatus,
    ConsentPurpose,
    Gift,
    NetsUpload,
    NetsUploadStatus,
    PaymentMethod,
    PaymentStatus,
    Supporter,
)
from barneby.fundraising.permissions import FUNDRAISING_ROLES
from barneby.organisation.models import MemberAssociation


def _association(request: HttpRequest) -> MemberAssociation:
    """The member association the donor-service user works for; a POST without one is refused (404)."""
    return selectors.association_required(user=request.user)


def _association_for_post(request: HttpRequest) -> MemberAssociation | None:
    """Pages render for any donor-service user; only a submitted form needs the association."""
    return _association(request) if request.method == "POST" else None


def _form_page(request: HttpRequest, form: forms.BaseForm, title: str, cancel: str, **extra: Any) -> HttpResponse:
    context = {"form": form, "title": title, "cancel": cancel, **extra}
    return render(request, "fundraising/form.html", context, status=400 if form.is_bound and form.errors else 200)


@staff(FUNDRAISING_ROLES, hidden=True)
@require_safe
def supporter_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    page = paginate(request, selectors.supporter_list_for(user=request.user, search=search).order_by("donor_number"))
    context = {"page_obj": page, "search": search, "hx_target": "#results"}
    return render_page(request, "fundraising/supporter_list.html", context, partial="results")


@staff(FUNDRAISING_ROLES, hidden=True)
@require_http_methods(["GET", "HEAD", "POST"])
def supporter_create(request: HttpRequest) -> HttpResponse:
    """New supporter; possible duplicates are shown and must be confirmed with "create anyway"."""
    association = _association_for_post(request)
    form = SupporterCreateForm(request.POST or None)
    candidates: list[duplicates.Candidate] = []
    if association is not None and form.is_valid():
        fields = form.supporter_fields()
        candidates = duplicates.find_duplicates(
            association=association,
            kind=fields.get("kind") or "",
            email=fields.get("email") or "",
            phone=fields.get("phone") or "",
            first_name=fields.get("first_name") or "",
            last_name=fields.get("last_name") or "",
            company_name=fields.get("company_name") or "",
            postcode=fields.get("postcode") or "",
        )
        if candidates and not form.cleaned_data["create_anyway"]:
            form.add_error(
                None,
                _(
                    "Det finnes givere som kan være den samme. Åpne en av dem, eller kryss av for "
                    "«Opprett likevel» hvis dette er en ny giver."
                ),
            )
        else:
            try:
                supporter = services.supporter_create(actor=request.user, association=association, **fields)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Giveren er registrert med givernummer {number}.").format(number=supporter.donor_number)
                )
                return redirect("fundraising:supporter-detail", pk=supporter.pk)
    return render(
        request,
        "fundraising/supporter_form.html",
        {"form": form, "candidates": candidates, "title": _("Ny giver"), "cancel": "/innsamling/givere/"},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff(FUNDRAISING_ROLES, hidden=True)
@require_safe
def supporter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = selectors.supporter_get_for(user=request.user, pk=pk)
    if supporter.merged_into_id is not None:
        messages.info(
            request,
            _("Giver {number} er slått sammen med denne giveren.").format(number=supporter.donor_number),
        )
        return redirect("fundraising:supporter-detail", pk=supporter.merged_into_id)
    agreements = list(selectors.agreement_list_for(user=request.user, supporter=supporter).order_by("sequence"))
    current = services.consent_current(supporter)
    context = {
        "supporter": supporter,
        "agreements": agreements,
        "payments": list(
            selectors.payment_list_for(user=request.user).filter(supporter=supporter).order_by("-paid_date", "-pk")[:50]
        ),
        "gifts": list(selectors.gift_list_for(user=request.user, supporter=supporter).order_by("-date", "-pk")[:50]),
        "gift_kid": services.supporter_gift_kid(supporter),
        "consents": [
            (label, current[value], services.consent_granted(supporter, value))
            for value, label in ConsentPurpose.choices
        ],
        "consent_log": list(supporter.consents.select_related("recorded_by").order_by("-recorded_at", "-id")[:20]),
        "can_receive_receipts": receipts.can_receive(supporter),
        "merged_from": list(supporter.merged_from.order_by("donor_number")),
    }
    return render(request, "fundraising/supporter_detail.html", context)


@staff(FUNDRAISING_ROLES, hidden=True)
@require_http_methods(["GET", "HEAD", "POST"])
def consent_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Donor service records a grant or a withdrawal (a new entry in the log; nothing is edited)."""
    supporter = selectors.supporter_get_for(user=request.user, pk=pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(actor=request.user, supporter=supporter, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Samtykket er registrert."))
            return redirect("fundraising:supporter-detail", pk=pk)
    return _form_page(
        request,
        form,
        _("Samtykke for {name}").format(name=supporter),
        f"/innsamling/givere/{pk}/",
        intro=_(
            "Hver registrering legges til i loggen; den siste per formål gjelder. E-post, SMS og telefon krever "
            "samtykke. Post er tillatt til giveren reserverer seg."
        ),
    )


@staff(FUNDRAISING_ROLES, hidden=True)
@require_safe
def supporter_duplicates(request: HttpRequest) -> HttpResponse:
    """Pairs of records that may be one supporter (same e-mail, phone, or name and postcode)."""
    pairs = duplicates.duplicate_pairs(selectors.supporter_list_for(user=request.user))
    paginator = Paginator(pairs, PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return render(request, "fundraising/supporter_duplicates.html", {"page_obj": page})


def _merge_rows(survivor: Supporter, duplicate: Supporter) -> list[tuple[str, str, str, str]]:
    """(label, survivor's value, duplicate's value, value after the merge) for the comparison table."""
    preview = Supporter(**{f.attname: getattr(survivor, f.attname) for f in Supporter._meta.concrete_fields})
    merge.fill_empty_fields(preview, duplicate)

    def shown(obj: Supporter, name: str) -> str:
        value = getattr(obj, name)
        if name == "national_id":
            return gdpr.mask_identity_number(value) or "–"
        return str(value) if value not in (None, "") else "–"

    rows = []
    for name in ("donor_number", *merge.FILL_FIELDS, *merge.ADDRESS_FIELDS):
        field = Supporter._meta.get_field(name)
        assert isinstance(field, models.Field)
        label = str(field.verbose_name).capitalize()
        rows.append((label, shown(survivor, name), shown(duplicate, name), shown(preview, name)))
    counts = (
        (_("Betalingsavtaler"), "agreements"),
        (_("Innbetalinger"), "payments"),
        (_("Gaver"), "gifts"),
        (_("Samtykker"), "consents"),
    )
    for label, related in counts:
        mine, theirs = getattr(survivor, related).count(), getattr(duplicate, related).count()
        rows.append((label, str(mine), str(theirs), str(mine + theirs)))
    return rows


@staff(FUNDRAISING_ROLES, hidden=True)
@require_http_methods(["GET", "HEAD", "POST"])
def supporter_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge another record (the duplicate) into this one (the survivor): compare side by side, then confirm."""
    survivor = selectors.supporter_get_for(user=request.user, pk=pk)
    if survivor.merged_into_id is not None:
        return redirect("fundraising:supporter-merge", pk=survivor.merged_into_id)
    posted = request.method == "POST"
    number = (request.POST.get("duplicate", "") if posted else request.GET.get("duplikat", "")).strip()
    form = MergeForm(request.POST if posted else None, initial={"duplicate": number})
    duplicate = None
    if number:
        duplicate = (
            selectors.supporter_list_for(user=request.user)
            .filter(donor_number=selectors.search_number(number) or 0, association_id=survivor.association_id)
            .exclude(pk=survivor.pk)
            .first()
        )
    if posted and form.is_valid():
        if duplicate is None:
            form.add_error("duplicate", _("Fant ingen annen aktiv giver med dette givernummeret."))
        else:
            _association(request)
            try:
                merge.merge_supporters(actor=request.user, survivor=survivor, duplicate=duplicate)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Giver {duplicate} er slått sammen med {survivor}.").format(
                        duplicate=duplicate.donor_number, survivor=survivor.donor_number
                    ),
                )
                return redirect("fundraising:supporter-detail", pk=survivor.pk)
    context = {
        "supporter": survivor,
        "duplicate": duplicate,
        "number": number,
        "form": form,
        "rows": _merge_rows(survivor, duplicate) if duplicate is not None else [],
        "candidates": duplicates.find_duplicates_of(survivor) if duplicate is None else [],
    }
    return render(
        request,
        "fundraising/supporter_merge.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@staff(FUNDRAISING_ROLES, hidden=True)
@require_safe
def supporter_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about the supporter as JSON (GDPR art. 15/20); audited."""
    supporter = selectors.supporter_get_for(user=request.user, pk=pk)
    content = gdpr.supporter_export_json(actor=request.user, supporter=supporter, request=request)
    return _download(content, "application/json; charset=utf-8", f"giver-{supporter.donor_number}.json")


@staff(FUNDRAISING_ROLES, hidden=True)
@require_safe
def supporter_export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about the supporter as PDF (GDPR art. 15); audited."""
    supporter = selectors.supporter_get_for(user=request.user, pk=pk)
    content = gdpr.supporter_export_pdf(actor=request.user, supporter=supporter, request=request)
    return _download(content, "application/pdf", f"giver-{supporter.donor_number}.pdf")


@staff(FUNDRAISING_ROLES, hidden=True)
@require_http_methods(["GET", "HEAD", "POST"])
def supporter_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Anonymise the supporter (GDPR art. 17) after typing the donor number; accounting records are kept."""
    supporter = selectors.supporter_get_for(user=request.user, pk=pk)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _association(request)
        try:
            gdpr.supporter_erase(
                actor=request.user,
                supporter=supporter,
                confirm_donor_number=form.cleaned_data["confirm"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Giveren er anonymisert. Regnskapsopplysningene er beholdt."))
            return redirect("fundraising:supporter-detail", pk=pk)
    context = {"supporter": supporter, "form": form, "problems": gdpr.erasure_problems(supporter)}
    return render(
        request, "fundraising/supporter_erase.html", context, status=400 if form.is_bound and form.errors else 200
    )


@staff(FUNDRAISING_ROLES, hidden=True)
@require_POST
def gift_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the e-mail receipt for a gift again."""
    gift = selectors.gift_list_for(user=request.user).filter(pk=pk).first()
    if gift is None:
        raise Http404
    try:
        receipts.gift_receipt_resend(actor=request.user, gift=gift)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Kvitteringen sendes til {email}.").format(email=gift.supporter.email))
    return redirect("fundraising:supporter-detail", pk=gift.supporter_id)


@staff(FUNDRAISING_ROLES, hidden=True)
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


@staff(FUNDRAISING_ROLES, hidden=True)
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


@staff(FUNDRAISING_ROLES, hidden=True)
@require_http_methods(["GET", "HEAD", "POST"])
def nets_import(request: HttpRequest) -> HttpResponse:
    association = _association_for_post(request)
    form = NetsFileForm(request.POST or None, request.FILES or None)
    if association is not None and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            if form.cleaned_data["kind"] == "ocr":
                # Checked now (a bad file is refused on the form, nothing stored); imported by the task.
                pending = payments.ocr_upload(
                    actor=request.user, association=association, data=data, file_name=upload.name
                )
                tasks.import_ocr_upload.enqueue(pending.pk)
                return _after_upload(request, selectors.nets_upload_get_for(user=request.user, pk=pending.pk))
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
                if result.problems:
                    # The deviations are stored with the import; open its list straight away.
                    return redirect(
                        f"{reverse('fundraising:nets-import')}?vis={result.record.pk}#import-{result.record.pk}"
                    )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            return redirect("fundraising:nets-import")
    imports = paginate(request, selectors.nets_import_list_for(user=request.user).order_by("-imported_at", "-pk"))
    payments.ocr_uploads_interrupted()  # an upload whose worker was lost is shown as failed, not as running
    uploads = list(selectors.nets_upload_open_for(user=request.user)[:PER_PAGE])
    context = {
        "form": form,
        "page_obj": imports,
        "uploads": uploads,
        "waiting": any(u.status in NetsUpload.PENDING for u in uploads),
        "opened": selectors.search_number(request.GET.get("vis", "")),
    }
    if form.is_bound and form.errors:
        return render(request, "fundraising/nets_import.html", context, status=400)
    return render_page(request, "fundraising/nets_import.html", context, partial="files")


def _after_upload(request: HttpRequest, pending: NetsUpload) -> HttpResponse:
    """Say how an upload stands: imported already (the embedded default), refused, or waiting for the worker."""
    record = pending.result
    if pending.status == NetsUploadStatus.FAILED:
        messages.error(
            request,
            _("Filen {file} ble ikke lest inn: {error}").format(file=pending.file_name or "-", error=pending.error),
        )
    elif record is None:
        messages.success(request, _("Filen er lastet opp og leses inn i bakgrunnen. Siden viser framdriften."))
    else:
        messages.success(
            request,
            _("Importert: {count} innbetalinger, {unmatched} ikke avstemt.").format(
                count=record.transaction_count, unmatched=record.unmatched_count
            ),
        )
        if record.problems:
            messages.warning(
                request,
                _(
                    "{held} innbetalinger er holdt tilbake som mulige dubletter av innbetalinger som "
                    "allerede er lest inn. Vurder dem under «Ikke avstemte innbetalinger»."
                ).format(held=len(record.problems)),
            )
            return redirect(f"{reverse('fundraising:nets-import')}?vis={record.pk}#import-{record.pk}")
    return redirect("fundraising:nets-import")


@staff(FUNDRAISING_ROLES, hidden=True)
@require_http_methods(["GET", "HEAD", "POST"])
def unmatched(request: HttpRequest) -> HttpResponse:
    association = _association_for_post(request)
    held_action = request.POST.get("held", "")
    if association is not None and held_action:
        return _held_decide(request, held_action)
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
                    matched = payments.payment_match(
                        actor=request.user, payment=payment, agreement=agreement, supporter=supporter
                    )
                    gift = Gift.objects.select_related("supporter").filter(payment=matched).first()
                    if gift is not None:
                        receipts.gift_receipt_schedule(gift)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("Innbetalingen er avstemt."))
                    return redirect("fundraising:unmatched")
    page = paginate(request, selectors.unmatched_payments_for(user=request.user).order_by("paid_date", "pk"))
    context = {
        "page_obj": page,
        "form": form,
        "failed": request.POST.get("payment", ""),
        "held": selectors.held_payments_for(user=request.user)[:HELD_SHOWN],
    }
    return render(request, "fundraising/unmatched.html", context, status=400 if form.is_bound and form.errors else 200)


HELD_SHOWN = 200  # a file sent twice holds its duplicates together; they are decided from the top


def _held_decide(request: HttpRequest, action: str) -> HttpResponse:
    """ "Import anyway" or "discard" for a payment held as a possible duplicate; audited by the services."""
    decide = {"importer": payments.payment_release_held, "forkast": payments.payment_discard_held}.get(action)
    number = selectors.search_number(request.POST.get("payment", ""))
    if decide is None or number is None:
        messages.error(request, _("Velg en innbetaling og hva som skal skje med den."))
        return redirect("fundraising:unmatched")
    payment = selectors.payment_get_for(user=request.user, pk=number)
    try:
        decided = decide(actor=request.user, payment=payment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("fundraising:unmatched")
    if action == "forkast":
        messages.success(request, _("Innbetalingen er forkastet som dublett og teller ikke som penger inn."))
    elif decided.status == PaymentStatus.UNMATCHED:
        messages.success(request, _("Innbetalingen er lest inn, men KID-en er ukjent: avstem den under."))
    else:
        gift = Gift.objects.select_related("supporter").filter(payment=decided).first()
        if gift is not None:
            receipts.gift_receipt_schedule(gift)
        messages.success(request, _("Innbetalingen er lest inn og avstemt."))
    return redirect("fundraising:unmatched")


@staff(FUNDRAISING_ROLES, hidden=True)
@require_http_methods(["GET", "HEAD", "POST"])
def claim_runs(request: HttpRequest) -> HttpResponse:
    association = _association_for_post(request)
    form = ClaimRunForm(request.POST or None)
    if association is not None and form.is_valid():
        try:
            run, created = claims.claim_run_begin(
                actor=request.user,
                association=association,
                method=form.cleaned_data["method"],
                period=form.cleaned_data["period"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if run.status == ClaimRunStatus.COMPLETE:
                messages.info(
                    request,
                    _("Måneden er allerede kjørt: {count} trekk. Ingen blir trukket to ganger.").format(
                        count=run.claim_count
                    ),
                )
            else:
                # Resuming a run someone else started is safe: claims are made once per agreement and month.
                tasks.run_claims.enqueue(run.pk, request.user.pk)
                if created:
                    messages.success(request, _("Kjøringen er startet. Siden viser framdriften."))
                else:
                    messages.info(
                        request,
                        _(
                            "Kjøringen for denne måneden var allerede startet; den fortsetter der den er kommet. "
                            "Ingen blir trukket to ganger. Siden viser framdriften."
                        ),
                    )
            return redirect("fundraising:claim-runs")
    runs = selectors.claim_run_list_for(user=request.user).order_by("-period", "-pk")
    page = paginate(request, runs)
    context = {
        "form": form,
        "page_obj": page,
        "running": any(r.status == ClaimRunStatus.RUNNING for r in page.object_list),
        "hx_target": "#runs",
    }
    if form.is_bound and form.errors:
        return render(request, "fundraising/claim_runs.html", context, status=400)
    return render_page(request, "fundraising/claim_runs.html", context, partial="runs")


@staff(FUNDRAISING_ROLES, hidden=True)
@require_safe
def claim_file(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.claim_run_get_for(user=request.user, pk=pk)
    giro = run.method == PaymentMethod.GIRO
    try:
        content = invoices.invoices_read(run) if giro else claims.claim_file_read(run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("fundraising:claim-runs")
    from barneby.audit.models import AuditAction
    from barneby.audit.services import audit_record

    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=run, request=request, detail="claim file")
    if giro:
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="giro-{run.period:%Y-%m}.pdf"'
        return response
    response = HttpResponse(content, content_type="text/plain; charset=iso-8859-1")
    response["Content-Disposition"] = f'attachment; filename="avtalegiro-{run.period:%Y-%m}.txt"'
    return response
