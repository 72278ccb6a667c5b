from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from barneby.accounts import selectors, services
from barneby.accounts.forms import ApiTokenForm, EnrolmentCodeForm, QueuedPasswordResetForm, SignInForm, TokenForm
from barneby.accounts.middleware import AUTH_AT_KEY
from barneby.accounts.models import AuthenticatorDevice, User
from barneby.accounts.roles import API_USERS
from barneby.core.access import needs_second_factor, public, signed_in, staff


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(reverse_lazy(settings.LOGIN_REDIRECT_URL))


def lockout_response(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """What django-axes answers while an account is locked out."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@public
@sensitive_post_parameters("password")
@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["username"]
        user = authenticate(request, username=email, password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            services.sign_in_failed(request=request, email=email, reason="locked-out")
            return lockout_response(request)
        if isinstance(user, User):
            login(request, user)
            request.session[AUTH_AT_KEY] = timezone.now().timestamp()
            services.sign_in_succeeded(request=request, user=user)
            if needs_second_factor(user):
                return redirect(f"{reverse_lazy('accounts:two-factor')}?next={_safe_next(request)}")
            return redirect(_safe_next(request))
        services.sign_in_failed(request=request, email=email, reason="bad-credentials")
        form.add_error(None, _("Feil e-post eller passord."))
    return render(request, "accounts/sign_in.html", {"form": form, "next": _safe_next(request)})


# Set once a one-time link or code has been redeemed in this session: the
# authenticator may be set up here, until it is or the grant's time is up.
ENROL_KEY = "barneby_enrol_granted"


def _may_enrol(request: HttpRequest, user: User) -> bool:
    granted = request.session.get(ENROL_KEY)
    if not isinstance(granted, list) or len(granted) != 2 or granted[0] != user.pk:
        return False
    return bool(timezone.now().timestamp() - float(granted[1]) < settings.BARNEBY_2FA_ENROLMENT_MINUTES * 60)


def _enrol_needed(request: HttpRequest, code_form: EnrolmentCodeForm | None = None) -> HttpResponse:
    """The page that tells a user without an authenticator how to get a one-time link or code."""
    context = {
        "code_form": code_form or EnrolmentCodeForm(),
        "next": _safe_next(request),
        "minutes": settings.BARNEBY_2FA_ENROLMENT_MINUTES,
    }
    return render(request, "accounts/two_factor_enrol_needed.html", context)


@signed_in()
@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enter the second factor, or set one up after a one-time link or code."""
    user = request.user
    assert isinstance(user, User)
    next_url = _safe_next(request)
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(next_url)
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if device is None:
        # Not on the password alone: whoever has it would pair their own phone.
        if not _may_enrol(request, user):
            return _enrol_needed(request)
        device = AuthenticatorDevice.objects.filter(
            user=user, confirmed=False
        ).first() or AuthenticatorDevice.objects.create(user=user, name="Autentiseringsapp", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                request.session.pop(ENROL_KEY, None)
                messages.success(request, _("Tofaktorinnlogging er satt opp."))
            otp_login(request, device)
            return redirect(next_url)
        if not allowed:
            form.add_error("token", _("For mange feil forsøk. Vent litt før du prøver igjen."))
        else:
            form.add_error("token", _("Koden stemmer ikke. Sjekk klokken på telefonen og prøv en ny kode."))
    context: dict[str, Any] = {
        "form": form,
        "setting_up": setting_up,
        "next": next_url,
        "code_form": EnrolmentCodeForm(),
    }
    if setting_up:
        qr = segno.make(device.config_url, error="m")
        context["qr_data_uri"] = "data:image/svg+xml;base64," + base64.b64encode(
            qr.svg_inline(scale=4).encode("utf-8")
        ).decode("ascii")
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return render(request, "accounts/two_factor.html", context)


def _grant_redeemed(request: HttpRequest, user: User) -> HttpResponse:
    request.session[ENROL_KEY] = [user.pk, timezone.now().timestamp()]
    return redirect(f"{reverse_lazy('accounts:two-factor')}?next={_safe_next(request)}")


@signed_in()
@require_POST
def two_factor_send_link(request: HttpRequest) -> HttpResponse:
    """E-mail the signed-in user a one-time link to set up their authenticator app."""
    user = request.user
    assert isinstance(user, User)
    if AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:two-factor")
    if services.enrolment_link_send(user=user, request=request):
        messages.success(
            request,
            _("Vi har sendt en lenke til {email}. Den virker i {minutes} minutter og kan brukes én gang.").format(
                email=user.email, minutes=settings.BARNEBY_2FA_ENROLMENT_MINUTES
            ),
        )
    else:
        messages.info(request, _("Vi sendte nettopp en lenke. Se i innboksen (og søppelposten) før du ber om en ny."))
    return redirect(f"{reverse_lazy('accounts:two-factor')}?next={_safe_next(request)}")


@signed_in()
@sensitive_post_parameters("code")
@never_cache
@require_POST
def two_factor_code(request: HttpRequest) -> HttpResponse:
    """Redeem a one-time code from an administrator."""
    user = request.user
    assert isinstance(user, User)
    form = EnrolmentCodeForm(request.POST)
    if form.is_valid():
        if services.enrolment_grant_redeem(user=user, secret=form.cleaned_data["code"], request=request):
            return _grant_redeemed(request, user)
        form.add_error("code", _("Koden er ugyldig, utløpt eller allerede brukt. Be administratoren om en ny."))
    return _enrol_needed(request, form)


@signed_in()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_enrol(request: HttpRequest, secret: str) -> HttpResponse:
    """The e-mailed link: a page with a button, so a mail scanner's GET uses nothing up."""
    user = request.user
    assert isinstance(user, User)
    if request.method == "POST":
        if services.enrolment_grant_redeem(user=user, secret=secret, request=request):
            return _grant_redeemed(request, user)
        messages.error(request, _("Lenken er ugyldig, utløpt eller allerede brukt. Be om en ny lenke."))
        return redirect("accounts:two-factor")
    return render(request, "accounts/two_factor_enrol.html", {"minutes": settings.BARNEBY_2FA_ENROLMENT_MINUTES})


@signed_in()
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("Du er logget ut."))
    return redirect("accounts:login")


def _service_errors_on_form(form: forms.Form, exc: ValidationError, *, aliases: dict[str, str]) -> None:
    """Put a service's errors on the matching fields; errors about other fields go on top of the form."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for field, texts in errors.items():
        target = aliases.get(field, field)
        form.add_error(target if target in form.fields else None, texts)


@staff(API_USERS)
@require_http_methods(["GET", "HEAD", "POST"])
def api_token_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        expires_on: dt.date | None = form.cleaned_data["expires_on"]
        expires_at = timezone.make_aware(dt.datetime.combine(expires_on, dt.time(23, 59, 59))) if expires_on else None
        try:
            issued = services.api_token_create(user=user, name=form.cleaned_data["name"], expires_at=expires_at)
        except ValidationError as exc:
            _service_errors_on_form(form, exc, aliases={"expires_at": "expires_on"})
        else:
            secret = issued.secret
            form = ApiTokenForm()
    tokens = selectors.api_token_list_for(user=user)
    return render(request, "accounts/apitoken_list.html", {"form": form, "tokens": tokens, "secret": secret})


@staff(API_USERS)
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    token = selectors.api_token_get_for(user=user, pk=pk)
    services.api_token_revoke(token=token, actor=user)
    messages.success(request, _("Nøkkelen «{name}» er trukket tilbake.").format(name=token.name))
    return redirect("accounts:apitoken-list")


password_reset = public(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        form_class=QueuedPasswordResetForm,
        email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password-reset-done"),
    )
)
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
# No sign-in after the reset: the user signs in again and passes the second factor.
password_reset_confirm = public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password-reset-complete"),
        post_reset_login=False,
    )
)
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)
