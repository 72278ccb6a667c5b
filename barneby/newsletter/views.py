"""Newsletter pages: the public confirm and unsubscribe links, and donor service's subscriber pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record, client_ip
from barneby.core.access import staff
from barneby.core.forms import add_service_errors
from barneby.core.htmx import render_page
from barneby.core.listing import export_response, paginate
from barneby.fundraising.permissions import FUNDRAISING_ROLES
from barneby.fundraising.selectors import association_required
from barneby.newsletter import selectors, services
from barneby.newsletter.forms import PublicSubscribeForm, SubscriberFilterForm, SubscriberForm
from barneby.newsletter.models import ConsentSource, Subscriber, SubscriberStatus
from barneby.organisation.models import MemberAssociation

# --- Public: the links in the e-mails (no login) ------------------------------------------------


def _agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:300]


def _public(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """A page behind a link with a token in its URL.

    The token must not leak to other sites, and the page's own form must still pass the CSRF check. With
    ``Referrer-Policy: no-referrer`` a browser sends ``Origin: null`` on the form's POST, and Django's CSRF
    check refuses it (403 "Origin checking failed - null"), so nobody could confirm a subscription.
    ``same-origin`` sends the URL (and the token) only back to us, who issued it, and nothing to other
    sites; the POST then carries our real origin and passes the CSRF check. We keep the CSRF check on the
    confirmation rather than exempting it: the token proves the mailbox, and the CSRF check adds that the
    click came from our own page. (The unsubscribe link is exempt for RFC 8058 one-click, see below.)
    """
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"  # the token is in the URL: never sent to another site
    return response


# A pending address gets at most one confirmation e-mail this often from the public form.
PUBLIC_RESEND_AFTER = dt.timedelta(minutes=10)


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """The public sign-up form (double opt-in): the person gets an e-mail and confirms with its link.

    The answer is the same whether the address is new, pending or already subscribed, so the form does
    not tell a stranger who subscribes.
    """
    associations = MemberAssociation.objects.filter(is_active=True).order_by("name")
    form = PublicSubscribeForm(request.POST or None, associations=associations)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscribe(
                association=form.cleaned_data["association"],
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                source=ConsentSource.WEB,
                text_version=str(settings.NEWSLETTER_CONSENT_TEXT_VERSION),
                ip=client_ip(request),
                user_agent=_agent(request),
                resend_after=PUBLIC_RESEND_AFTER,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(f"{reverse('newsletter:subscribe')}?sendt=1")
    context = {"form": form, "sent": request.method != "POST" and request.GET.get("sendt") == "1"}
    response = render(request, "newsletter/subscribe.html", context, status=400 if form.errors else 200)
    response["X-Robots-Tag"] = "noindex"
    return response


def _token_page(
    request: HttpRequest, token: str, template: str, act: Callable[..., Any], check: Callable[[str], Any]
) -> HttpResponse:
    """GET shows what the link will do (one button); POST does it. A bad link is explained, not a crash."""
    context: dict[str, Any] = {"token": token}
    try:
        if request.method == "POST":
            context["subscriber"] = act(token, ip=client_ip(request), user_agent=_agent(request))
            context["done"] = True
        else:
            context["subscriber"] = check(token)
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
        # A GET of a bad link is an answer, not a failed request; a refused POST is a 400.
        return _public(request, template, context, status=400 if request.method == "POST" else 200)
    return _public(request, template, context)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button (link scanners must not confirm); POST confirms."""
    return _token_page(request, token, "newsletter/confirm.html", services.confirm, services.check_confirm_token)


@csrf_exempt  # RFC 8058 one-click POSTs come from mail providers with no CSRF token; the signature protects it
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button; POST (the button, or a mail client's one-click) unsubscribes at once."""
    return _token_page(
        request, token, "newsletter/unsubscribe.html", services.unsubscribe, services.check_unsubscribe_token
    )


# --- Donor service ------------------------------------------------------------------------------


def _association(request: HttpRequest) -> MemberAssociation:
    return association_required(user=request.user)


@staff(FUNDRAISING_ROLES, hidden=True)
@require_safe
def subscriber_list(request: HttpRequest) -> HttpResponse:
    form = SubscriberFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    subscribers = selectors.subscriber_list_for(
        user=request.user, status=data.get("status") or "", search=(data.get("q") or "").strip()
    ).order_by("email", "pk")
    context = {"form": form, "page_obj": paginate(request, subscribers), "hx_target": "#results"}
    return render_page(request, "newsletter/subscriber_list.html", context, partial="results")


@staff(FUNDRAISING_ROLES, hidden=True)
@require_http_methods(["GET", "HEAD", "POST"])
def subscriber_create(request: HttpRequest) -> HttpResponse:
    form = SubscriberForm(request.POST or None)
    if request.method == "POST":
        association = _association(request)
        if form.is_valid():
            try:
                subscriber = services.subscribe(
                    association=association,
                    email=form.cleaned_data["email"],
                    name=form.cleaned_data["name"],
                    source=ConsentSource.DONOR_SERVICE,
                    text_version=form.cleaned_data["text_version"],
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if subscriber.status == SubscriberStatus.CONFIRMED:
                    messages.info(request, _("{email} abonnerer allerede.").format(email=subscriber.email))
                else:
                    messages.success(
                        request,
                        _("Vi har sendt en e-post til {email}. Påmeldingen gjelder når den er bekreftet.").format(
                            email=subscriber.email
                        ),
                    )
                return redirect("newsletter:subscriber-detail", pk=subscriber.pk)
    context = {"form": form, "title": _("Ny abonnent"), "cancel": "/nyhetsbrev/"}
    return render(request, "fundraising/form.html", context, status=400 if form.is_bound and form.errors else 200)


@staff(FUNDRAISING_ROLES, hidden=True)
@require_safe
def subscriber_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subscriber = selectors.subscriber_get_for(user=request.user, pk=pk)
    context = {"subscriber": subscriber, "log": list(selectors.consent_log_for(subscriber))}
    return render(request, "newsletter/subscriber_detail.html", context)


@staff(FUNDRAISING_ROLES, hidden=True)
@require_http_methods(["GET", "HEAD", "POST"])
def subscriber_unsubscribe(request: HttpRequest, pk: int) -> HttpResponse:
    """Donor service ends a subscription on request; GET asks for confirmation, POST does it."""
    subscriber = selectors.subscriber_get_for(user=request.user, pk=pk)
    if request.method == "POST":
        services.unsubscribe_by_staff(actor=request.user, subscriber=subscriber)
        messages.success(request, _("{email} er meldt av nyhetsbrevet.").format(email=subscriber.email))
        return redirect("newsletter:subscriber-detail", pk=pk)
    return render(request, "newsletter/subscriber_unsubscribe.html", {"subscriber": subscriber})


@staff(FUNDRAISING_ROLES, hidden=True)
@require_safe
def subscriber_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Confirmed subscribers of the user's association (CSV, or Excel with ?format=xlsx); audited."""
    subscribers = selectors.confirmed_subscribers_for(user=request.user)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            object_type="newsletter.subscriber",
            request=request,
            detail=f"{fmt}; confirmed; {subscribers.count()} rows",
        )
    headers = [_("E-post"), _("Navn"), _("Bekreftet"), _("Givernummer")]

    def row(s: Subscriber) -> list[Any]:
        return [s.email, s.name, s.confirmed_at, s.supporter.donor_number if s.supporter else ""]

    return export_response(
        fmt, "nyhetsbrev-abonnenter", headers, (row(s) for s in subscribers.iterator(chunk_size=1000))
    )
