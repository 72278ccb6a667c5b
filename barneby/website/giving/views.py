"""The sponsor sign-up and the gift form: plain HTML forms, one step per page, no JavaScript needed.

Each step posts everything entered so far in one encrypted hidden field (``state``); the
server keeps nothing between the steps and no session cookie is set. "Tilbake" on a step
shows the step before it with the answers kept.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from barneby.core.access import public
from barneby.fundraising.models import PaymentMethod, WebSignupKind
from barneby.fundraising.vipps import FakeVippsProvider, VippsStatus
from barneby.sponsorships.models import TargetKind
from barneby.website import abuse
from barneby.website.giving import forms, services

SPONSOR_STEPS = (gettext_lazy("Beløp og sted"), gettext_lazy("Om deg"), gettext_lazy("Betaling"))
GIFT_STEPS = (gettext_lazy("Beløp og formål"), gettext_lazy("Om deg"), gettext_lazy("Betaling"))


def _error_list(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _amount_initial(state: dict[str, Any], presets: list[int]) -> dict[str, Any]:
    if "amount" not in state:
        return {}
    amount = Decimal(state["amount"])
    if amount == amount.to_integral_value() and int(amount) in presets:
        return {"amount_choice": str(int(amount))}
    return {"amount_choice": forms.OTHER, "other_amount": str(amount).replace(".", ",")}


def _place_initial(state: dict[str, Any]) -> dict[str, Any]:
    initial = {key: state.get(key) for key in ("place_kind", "continent", "country") if state.get(key)}
    if state.get("village"):
        initial["village"] = str(state["village"])
    return initial


def _details_initial(state: dict[str, Any]) -> dict[str, Any]:
    keys = (*services.SUPPORTER_KEYS, "tax_deduction", "national_id", "consents")
    return {key: state[key] for key in keys if key in state}


class _Flow:
    """What differs between the sponsor sign-up and the gift form."""

    kind: str
    template: str
    steps: tuple[Any, ...]

    def amount_form(self, data: Any = None, initial: dict[str, Any] | None = None) -> forms.AmountForm:
        raise NotImplementedError

    def payment_form(self, data: Any = None, state: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError

    def complete(self, request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
        raise NotImplementedError


class _SponsorFlow(_Flow):
    kind = WebSignupKind.SPONSORSHIP
    template = "website/giving/sponsor.html"
    steps = SPONSOR_STEPS

    def amount_form(self, data: Any = None, initial: dict[str, Any] | None = None) -> forms.AmountForm:
        return forms.AmountForm(
            data,
            initial=initial,
            presets=services.monthly_presets(),
            low=services.monthly_min(),
            high=services.monthly_max(),
            prefix="a",
        )

    def payment_form(self, data: Any = None, state: dict[str, Any] | None = None) -> Any:
        state = state or {}
        initial = {"method": state["method"]} if state.get("method") else None
        return forms.SponsorPaymentForm(data, initial=initial, phone=state.get("phone", ""))

    def complete(self, request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
        if state["method"] == PaymentMethod.VIPPS:
            start = services.vipps_start(state)
            state["vipps_agreement_id"] = start.agreement_id
            back = f"{reverse('website:sponsor-vipps')}?{urlencode({'s': services.pack(state)})}"
            if services.uses_fake_vipps(services.vipps_provider()):
                fake = reverse("website:vipps-test", args=[start.agreement_id])
                return redirect(f"{fake}?{urlencode({'neste': back})}")
            return redirect(start.confirmation_url)
        signup, _created = services.complete_sponsorship(state=state, request=request)
        return redirect("website:sponsor-thanks", token=str(signup.token))


class _GiftFlow(_Flow):
    kind = WebSignupKind.GIFT
    template = "website/giving/gift.html"
    steps = GIFT_STEPS

    def amount_form(self, data: Any = None, initial: dict[str, Any] | None = None) -> forms.AmountForm:
        return forms.AmountForm(
            data,
            initial=initial,
            presets=services.gift_presets(),
            low=services.gift_min(),
            high=services.gift_max(),
            prefix="a",
        )

    def payment_form(self, data: Any = None, state: dict[str, Any] | None = None) -> Any:
        return forms.GiftPaymentForm(data, initial={"method": "giro"})

    def complete(self, request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
        state["purpose_label"] = services.place_label(state)
        signup, _created = services.complete_gift(state=state, request=request)
        return redirect("website:gift-thanks", token=str(signup.token))


def _render(
    request: HttpRequest, flow: _Flow, step: int, state: dict[str, Any], status: int = 200, **context: Any
) -> HttpResponse:
    if step == 1:
        context.setdefault("amount_form", flow.amount_form(initial=_amount_initial(state, _presets(flow))))
        context.setdefault("place_form", forms.PlaceForm(initial=_place_initial(state) or {"place_kind": "need"}))
    elif step == 2:
        context.setdefault("details_form", forms.DetailsForm(initial=_details_initial(state)))
    else:
        context.setdefault("payment_form", flow.payment_form(state=state))
        context["place"] = services.place_label(state)
        context["amount"] = Decimal(state["amount"])
    context["forms_with_errors"] = [
        form
        for key in ("amount_form", "place_form", "details_form", "payment_form")
        if (form := context.get(key)) is not None and form.is_bound and form.errors
    ]
    return render(
        request,
        flow.template,
        {
            "step": step,
            "steps": flow.steps,
            "state": services.pack(state),
            "summary": state,
            "hide_cookie_banner": step > 1,
            **context,
        },
        status=status,
    )


def _presets(flow: _Flow) -> list[int]:
    return services.monthly_presets() if flow.kind == WebSignupKind.SPONSORSHIP else services.gift_presets()


def _flow_view(request: HttpRequest, flow: _Flow) -> HttpResponse:
    if request.method != "POST":
        return _render(request, flow, 1, {"token": services.new_token(), "started": time.time()})
    step_raw = request.POST.get("step", "1")
    step = int(step_raw) if step_raw in {"1", "2", "3"} else 1
    blob = request.POST.get("state", "")
    try:
        state = services.unpack(blob) if blob else {"token": services.new_token(), "started": time.time()}
    except services.StateError as error:
        fresh = {"token": services.new_token(), "started": time.time()}
        return _render(request, flow, 1, fresh, status=400, problem=str(error))
    if request.POST.get(abuse.HONEYPOT):  # a field no person sees was filled in
        return _render(request, flow, 1, state, status=400, problem=str(abuse.BOT))
    state.pop("issued", None)
    if (step > 1 and "amount" not in state) or (step > 2 and "email" not in state):
        return _render(request, flow, 1, state, status=400, problem=_("Skjemaet mangler noe. Begynn på nytt."))
    shown = request.POST.get("show", "")
    if shown in {"1", "2", "3"}:  # "Tilbake", or back from Vipps: that step again, answers kept
        shown_step = int(shown)
        if (shown_step == 3 and "email" not in state) or (shown_step == 2 and "amount" not in state):
            shown_step = 1
        return _render(request, flow, shown_step, state)

    if step == 1:
        amount_form = flow.amount_form(request.POST)
        place_form = forms.PlaceForm(request.POST)
        amount_ok, place_ok = amount_form.is_valid(), place_form.is_valid()
        if not (amount_ok and place_ok):
            return _render(request, flow, 1, state, status=400, amount_form=amount_form, place_form=place_form)
        state.update(amount=str(amount_form.cleaned_data["amount"]), **place_form.place_state())
        return _render(request, flow, 2, state)

    if step == 2:
        details_form = forms.DetailsForm(request.POST)
        if not details_form.is_valid():
            return _render(request, flow, 2, state, status=400, details_form=details_form)
        state.update(details_form.details_state())
        return _render(request, flow, 3, state)

    # Step 3: the final confirmation; a form completed before (a double submit) goes to its receipt.
    earlier = services.signup_for_token(state["token"])
    if earlier is not None and earlier.supporter_id is not None:
        name = "website:sponsor-thanks" if flow.kind == WebSignupKind.SPONSORSHIP else "website:gift-thanks"
        return redirect(name, token=str(earlier.token))
    payment_form = flow.payment_form(request.POST, state=state)
    if not payment_form.is_valid():
        return _render(request, flow, 3, state, status=400, payment_form=payment_form)
    # Bots: three steps in less time than a person needs, or too many sign-ups from one address.
    if time.time() - float(state.get("started", 0)) < abuse.MIN_SECONDS:
        return _render(request, flow, 3, state, status=400, problem=str(abuse.BOT))
    if abuse.rate_limited(request, f"giving-{flow.kind}"):
        return _render(request, flow, 3, state, status=429, problem=str(abuse.TOO_MANY))
    state["method"] = payment_form.cleaned_data["method"]
    try:
        return flow.complete(request, state)
    except ValidationError as error:
        return _render(request, flow, 3, state, status=400, problems=_error_list(error))


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sponsor(request: HttpRequest) -> HttpResponse:
    """Bli SOS-fadder: amount and place, your details and consents, payment."""
    return _flow_view(request, _SponsorFlow())


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def gift(request: HttpRequest) -> HttpResponse:
    """A one-off gift: amount and purpose, your details and consents, payment by giro or online bank with KID."""
    return _flow_view(request, _GiftFlow())


@public
@never_cache
@require_safe
def sponsor_vipps(request: HttpRequest) -> HttpResponse:
    """Back from Vipps: approved → the sign-up is completed; stopped or cancelled → nothing saved, a way back.

    Opened without the sign-up's answers (a bookmark, a shared link): the sign-up from its start.
    """
    if "s" not in request.GET:
        return redirect("website:sponsor")
    try:
        state = services.unpack(request.GET.get("s", ""))
    except services.StateError as error:
        return render(request, "website/giving/vipps_result.html", {"problem": str(error)}, status=400)
    state.pop("issued", None)
    earlier = services.signup_for_token(state.get("token", ""))
    if earlier is not None and earlier.supporter_id is not None:
        return redirect("website:sponsor-thanks", token=str(earlier.token))
    agreement_id = str(state.get("vipps_agreement_id", ""))
    status = services.vipps_status(agreement_id) if agreement_id else VippsStatus.EXPIRED
    if status == VippsStatus.ACTIVE:
        try:
            signup, _created = services.complete_sponsorship(state=state, request=request)
        except ValidationError as error:
            status, problems = VippsStatus.STOPPED, _error_list(error)
        else:
            return redirect("website:sponsor-thanks", token=str(signup.token))
    else:
        problems = []
    retry = {key: value for key, value in state.items() if key not in {"vipps_agreement_id", "method"}}
    return render(
        request,
        "website/giving/vipps_result.html",
        {"status": str(status), "state": services.pack(retry), "problems": problems, "steps": SPONSOR_STEPS},
        status=200 if status == VippsStatus.PENDING else 409,
    )


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def vipps_test(request: HttpRequest, agreement_id: str) -> HttpResponse:
    """The fake Vipps' approval page (tests and demo): approve or cancel, then back to the sign-up."""
    provider = services.vipps_provider() if services.vipps_available() else None
    if not isinstance(provider, FakeVippsProvider) or agreement_id not in provider.agreements:
        raise Http404
    target = request.POST.get("neste") or request.GET.get("neste") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        raise Http404
    if request.method == "POST":
        if request.POST.get("answer") == "approve":
            provider.approve(agreement_id)
        else:
            provider.stop(agreement_id)
        return redirect(target)
    details = provider.agreements[agreement_id]
    return render(
        request,
        "website/giving/vipps_test.html",
        {"amount": Decimal(details["amount_ore"]) / 100, "neste": target, "hide_cookie_banner": True},
    )


def _thanks(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    signup = services.signup_for_token(token)
    if signup is None or signup.kind != kind or signup.supporter is None:
        raise Http404
    sponsorship = signup.agreement.sponsorships.first() if signup.agreement is not None else None
    return render(
        request,
        "website/giving/thanks.html",
        {
            "signup": signup,
            "agreement": signup.agreement,
            "sponsorship": sponsorship,
            "gift_kid": services.gift_kid(signup.supporter) if kind == WebSignupKind.GIFT else None,
            "account": services.account_display(),
            "is_gift": kind == WebSignupKind.GIFT,
            "need": sponsorship is not None and sponsorship.target_kind == TargetKind.NEED,
        },
    )


@public
@never_cache
@require_safe
def sponsor_thanks(request: HttpRequest, token: str) -> HttpResponse:
    return _thanks(request, token, WebSignupKind.SPONSORSHIP)


@public
@never_cache
@require_safe
def gift_thanks(request: HttpRequest, token: str) -> HttpResponse:
    return _thanks(request, token, WebSignupKind.GIFT)
