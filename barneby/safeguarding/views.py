"""Safeguarding pages: the anonymous form and follow-up, the staff report, the focal points' cases, figures.

The public pages open no session and set no cookie of their own: the form is protected by Django's CSRF
cookie (strictly necessary, no identity in it) plus a signed timestamp, a honeypot and a rate limit by a
salted hash of the address; the reporter's follow-up carries a short-lived signed token in the page,
never a session. Nothing of the visitor's address or browser is stored with a case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from barneby.accounts.roles import ALL_ROLES
from barneby.accounts.scoping import visible_to
from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record, client_ip
from barneby.core.access import public, signed_in, staff
from barneby.core.forms import add_service_errors
from barneby.core.listing import paginate
from barneby.organisation.models import MemberAssociation, Programme
from barneby.safeguarding import deadlines, figures, forms, selectors, services
from barneby.safeguarding.models import Attachment, Channel, Concern, EventKind, Status
from barneby.safeguarding.permissions import FIGURE_READERS, FOCAL_POINTS

TOKEN_SALT = "safeguarding.reporter"  # noqa: S105  (a signing namespace, not a secret)
TOKEN_SECONDS = 3600

focal_point = staff(FOCAL_POINTS, hidden=True)


# --- the anonymous reporter ------------------------------------------------------------------------


@public
@never_cache
@require_http_methods(["GET", "POST"])
def report_public(request: HttpRequest) -> HttpResponse:
    form = forms.PublicReportForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
    )
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        if services.rate_limited(address=client_ip(request)):
            form.add_error(None, _("Det er sendt for mange meldinger herfra den siste timen. Prøv igjen senere."))
            status = 429
        elif form.is_bot():
            form.add_error(None, _("Skjemaet kunne ikke sendes. Last siden på nytt og prøv igjen."))
            status = 400
        elif valid:
            data = form.cleaned_data
            concern, secret = services.concern_report_public(
                association=data["association"],
                category=data["category"],
                details=data["details"],
                place=data["place"],
                concerns_child=data["concerns_child"],
                immediate_risk=data["immediate_risk"],
                attachment=data["attachment"],
            )
            return render(request, "safeguarding/public_receipt.html", {"code": concern.code, "secret": secret})
        else:
            status = 400
        # A fresh stamp, so the time check counts from this answer.
        fresh = request.POST.copy()
        fresh["stamp"] = forms.form_stamp()
        form.data = fresh
    return render(request, "safeguarding/public_report.html", {"form": form}, status=status)


def _token(concern: Concern) -> str:
    return signing.dumps({"c": concern.pk}, salt=TOKEN_SALT)


def _from_token(token: str) -> Concern | None:
    try:
        value = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_SECONDS)
    except signing.BadSignature:
        return None
    pk = value.get("c") if isinstance(value, dict) else None
    return Concern.objects.filter(pk=pk, channel=Channel.PUBLIC).first() if isinstance(pk, int) else None


def _thread(
    request: HttpRequest,
    concern: Concern,
    reply: forms.ReporterReplyForm | None = None,
    *,
    status: int = 200,
    sent: bool = False,
) -> HttpResponse:
    """What the reporter sees: their case's state and the messages shared with them, and a reply form."""
    reply = reply or forms.ReporterReplyForm(initial={"token": _token(concern)})
    context = {
        "concern": concern,
        "events": services.reporter_thread(concern),
        "closed": concern.status == Status.CLOSED,
        "form": reply,
        "sent": sent,
    }
    return render(request, "safeguarding/public_thread.html", context, status=status)


@public
@never_cache
@require_http_methods(["GET", "POST"])
def reporter_access(request: HttpRequest) -> HttpResponse:
    form = forms.ReporterAccessForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.reporter_open(code=form.cleaned_data["code"], secret=form.cleaned_data["secret"])
        except services.ReporterLocked:
            form.add_error(
                None, _("Saksnummeret er midlertidig sperret etter for mange feil forsøk. Prøv igjen senere.")
            )
            status = 429
        except services.ReporterDenied:
            form.add_error(None, _("Saksnummeret og den hemmelige koden passer ikke sammen."))
            status = 400
        else:
            return _thread(request, concern)
    elif request.method == "POST":
        status = 400
    return render(request, "safeguarding/public_access.html", {"form": form}, status=status)


@public
@never_cache
@require_POST
def reporter_reply(request: HttpRequest) -> HttpResponse:
    form = forms.ReporterReplyForm(request.POST, request.FILES)
    concern = _from_token(request.POST.get("token", ""))
    if concern is None:
        context = {"form": forms.ReporterAccessForm(), "expired": True}
        return render(request, "safeguarding/public_access.html", context, status=400)
    if form.is_valid():
        try:
            services.reporter_add(
                concern=concern, text=form.cleaned_data["text"], attachment=form.cleaned_data["attachment"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _thread(request, concern, sent=True)
    fresh = request.POST.copy()
    fresh["token"] = _token(concern)
    form.data = fresh
    return _thread(request, concern, form, status=400)


# --- staff reports -----------------------------------------------------------------------------------


def _report_choices(user: Any) -> tuple[QuerySet[MemberAssociation], QuerySet[Programme]]:
    """The associations and programmes the reporter works in (an association directly, or through its
    programmes); a user without any may pick any association."""
    programmes = visible_to(Programme.objects.all(), user=user, paths=Programme.SCOPE_PATHS, roles=ALL_ROLES)
    direct = visible_to(
        MemberAssociation.objects.all(), user=user, paths=MemberAssociation.SCOPE_PATHS, roles=ALL_ROLES
    )
    ids = set(direct.values_list("pk", flat=True)) | set(programmes.values_list("association_id", flat=True))
    associations = MemberAssociation.objects.filter(is_active=True)
    if ids:
        associations = associations.filter(pk__in=ids)
    return associations.order_by("name"), programmes.order_by("name")


@signed_in()
@require_http_methods(["GET", "POST"])
def report_staff(request: HttpRequest) -> HttpResponse:
    associations, programmes = _report_choices(request.user)
    posted = request.method == "POST"
    form = forms.StaffReportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        associations=associations,
        programmes=programmes,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        people = []
        if data["person_role"]:
            people.append(services.Person(role=data["person_role"], description=data["person_description"]))
        try:
            concern = services.concern_report_staff(
                actor=request.user,
                association=data["association"],
                programme=data["programme"],
                category=data["category"],
                details=data["details"],
                place=data["place"],
                concerns_child=data["concerns_child"],
                immediate_risk=data["immediate_risk"],
                severity=data["severity"],
                people=people,
                attachment=data["attachment"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Takk. Varselet er mottatt med saksnummer {code}.").format(code=concern.code))
            return redirect("safeguarding:my-reports")
    return render(request, "safeguarding/staff_report.html", {"form": form}, status=400 if form.errors else 200)


@signed_in()
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.own_reports(user=request.user).order_by("-reported_at", "-pk"))
    return render(request, "safeguarding/my_reports.html", {"page": page})


# --- the focal points' cases -------------------------------------------------------------------------


@focal_point
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("vis", "open")
    found = selectors.concern_list_for(user=request.user).select_related("association", "programme")
    if show != "alle":
        found = found.exclude(status=Status.CLOSED)
    page = paginate(request, found.order_by("-reported_at", "-pk"))
    rows = list(page.object_list)
    overdue: dict[int, list[str]] = {}
    for alert in selectors.alerts_for(user=request.user).filter(concern__in=[c.pk for c in rows]):
        overdue.setdefault(alert.concern_id, []).append(str(Status(alert.step).label))
    for concern in rows:
        audit_record(actor=request.user, action=AuditAction.VIEW, obj=concern, request=request, detail="case list")
    alerts = list(selectors.alerts_for(user=request.user).order_by("due_at", "pk"))
    context = {
        "page": page,
        "rows": [(c, overdue.get(c.pk, [])) for c in rows],
        "alerts": alerts,
        "show": show,
    }
    return render(request, "safeguarding/case_list.html", context)


def _detail_context(request: HttpRequest, concern: Concern, **forms_given: Any) -> dict[str, Any]:
    step_forms: dict[str, Any] = {
        Status.RECEIVED: ("acknowledge", forms.AcknowledgeForm),
        Status.ACKNOWLEDGED: ("assess", forms.AssessForm),
        Status.ASSESSED: ("investigate", forms.InvestigateForm),
        Status.INVESTIGATED: ("conclude", forms.ConcludeForm),
        Status.CONCLUDED: ("close", forms.CloseForm),
    }
    next_step = step_forms.get(Status(concern.status))
    step_name, step_form = (
        (next_step[0], forms_given.get("step") or next_step[1](prefix="step")) if next_step else ("", None)
    )
    return {
        "concern": concern,
        "people": concern.people.select_related("child", "staff_member", "user"),
        "events": selectors.history_for(concern),
        "alerts": concern.deadline_alerts.all(),
        "due": [(Status(d.step).label, d.due_at) for d in deadlines.due_steps(concern)],
        "now": timezone.now(),
        "step_name": step_name,
        "step_form": step_form,
        "note_form": forms_given.get("note") or forms.NoteForm(prefix="note"),
        "message_form": forms_given.get("message") or forms.MessageForm(prefix="message"),
        "person_form": forms_given.get("person")
        or forms.PersonForm(association_id=concern.association_id, prefix="person"),
        "escalate_form": forms_given.get("escalate") or forms.EscalateForm(prefix="escalate"),
        "public": concern.channel == Channel.PUBLIC,
        "error": forms_given.get("error", ""),
    }


@focal_point
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    concern = selectors.concern_get_for(user=request.user, pk=pk, request=request)
    return render(request, "safeguarding/case_detail.html", _detail_context(request, concern))


def _case_post(
    request: HttpRequest,
    pk: int,
    slot: str,
    form_factory: Callable[[HttpRequest, Concern], Any],
    act: Callable[[Concern, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """Check access, validate, call one service, then back to the case; errors shown on the case page."""
    concern = selectors.concern_get_for(user=request.user, pk=pk, request=request, detail=f"case {slot}")
    form = form_factory(request, concern)
    if form.is_valid():
        try:
            act(concern, form.cleaned_data)
        except ValidationError as exc:
            if getattr(exc, "code", "") == "wrong_step":
                context = _detail_context(request, concern, error=exc.messages[0])
                return render(request, "safeguarding/case_detail.html", context, status=409)
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("safeguarding:case-detail", pk=concern.pk)
    return render(
        request, "safeguarding/case_detail.html", _detail_context(request, concern, **{slot: form}), status=400
    )


@focal_point
@require_POST
def case_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_post(
        request,
        pk,
        "step",
        lambda r, c: forms.AcknowledgeForm(r.POST, prefix="step"),
        lambda c, d: services.concern_acknowledge(actor=request.user, concern=c, note=d["note"]),
        _("Mottaket er bekreftet."),
    )


@focal_point
@require_POST
def case_assess(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_post(
        request,
        pk,
        "step",
        lambda r, c: forms.AssessForm(r.POST, prefix="step"),
        lambda c, d: services.concern_assess(actor=request.user, concern=c, **d),
        _("Vurderingen er lagret."),
    )


@focal_point
@require_POST
def case_investigate(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_post(
        request,
        pk,
        "step",
        lambda r, c: forms.InvestigateForm(r.POST, prefix="step"),
        lambda c, d: services.concern_investigate(
            actor=request.user, concern=c, investigator=d["investigator_email"], plan=d["plan"], summary=d["summary"]
        ),
        _("Undersøkelsen er lagret."),
    )


@focal_point
@require_POST
def case_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_post(
        request,
        pk,
        "step",
        lambda r, c: forms.ConcludeForm(r.POST, prefix="step"),
        lambda c, d: services.concern_conclude(actor=request.user, concern=c, **d),
        _("Konklusjonen er lagret."),
    )


@focal_point
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_post(
        request,
        pk,
        "step",
        lambda r, c: forms.CloseForm(r.POST, prefix="step"),
        lambda c, d: services.concern_close(actor=request.user, concern=c, actions=d["actions"], lessons=d["lessons"]),
        _("Saken er avsluttet."),
    )


@focal_point
@require_POST
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_post(
        request,
        pk,
        "note",
        lambda r, c: forms.NoteForm(r.POST, prefix="note"),
        lambda c, d: services.concern_note(actor=request.user, concern=c, text=d["text"], kind=EventKind(d["kind"])),
        _("Notatet er lagret."),
    )


@focal_point
@require_POST
def case_message(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_post(
        request,
        pk,
        "message",
        lambda r, c: forms.MessageForm(r.POST, prefix="message"),
        lambda c, d: services.concern_ask_reporter(actor=request.user, concern=c, text=d["text"]),
        _("Meldingen er sendt. Den som varslet ser den med saksnummeret sitt."),
    )


@focal_point
@require_POST
def case_person(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_post(
        request,
        pk,
        "person",
        lambda r, c: forms.PersonForm(r.POST, association_id=c.association_id, prefix="person"),
        lambda c, d: services.involved_add(
            actor=request.user,
            concern=c,
            person=services.Person(
                role=d["role"],
                description=d["description"],
                child=d["child_record"],
                staff_member=d["staff_member"],
                user=d["user_email"],
            ),
        ),
        _("Personen er lagt til."),
    )


@focal_point
@require_POST
def case_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_post(
        request,
        pk,
        "escalate",
        lambda r, c: forms.EscalateForm(r.POST, prefix="escalate"),
        lambda c, d: services.concern_escalate(actor=request.user, concern=c, reason=d["reason"]),
        _("Saken er løftet til sentral varslingsansvarlig."),
    )


@focal_point
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(Attachment.objects.only("pk", "concern_id"), pk=pk)
    concern = selectors.concern_get_for(
        user=request.user, pk=attachment.concern_id, request=request, detail=f"attachment {attachment.pk}"
    )
    attachment = Attachment.objects.get(pk=pk, concern=concern)
    if attachment.concern_id != concern.pk:
        raise Http404
    response = HttpResponse(services.attachment_bytes(attachment), content_type=attachment.content_type)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[attachment.content_type]
    response["Content-Disposition"] = f'attachment; filename="vedlegg-{attachment.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- figures (I33) -------------------------------------------------------------------------------------


@staff(FIGURE_READERS)
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    year_text = request.GET.get("ar", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else timezone.localdate().year
    result = figures.for_user(user=request.user, year=year)
    return render(request, "safeguarding/statistics.html", {"figures": result, "year": year})
