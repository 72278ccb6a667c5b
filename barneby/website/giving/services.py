"""The public sign-up ("Bli SOS-fadder") and one-off gift, written straight into the back office.

Nothing is saved while the visitor moves between the steps: what they have entered travels
with the form, encrypted (:func:`pack` / :func:`unpack`), and only the final confirmation
writes, in one transaction (:func:`complete_sponsorship`, :func:`complete_gift`). The writes
are the back office's own services: the duplicate check finds an existing supporter
(``fundraising.duplicates``), ``agreement_create`` allocates the KID, ``consent_record`` logs
each consent with its text version, ``sponsorship_create`` makes the pending sponsorship.

Each form carries a token; the first completion claims it (``WebSignup.token`` is unique), so
the same form sent twice makes one supporter, one agreement and one sponsorship.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_countries import countries

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.core.fields import DecryptionError, decrypt_value, encrypt_value
from barneby.core.mail import send_mail_later
from barneby.fundraising.duplicates import find_duplicates
from barneby.fundraising.models import (
    ConsentPurpose,
    ConsentSource,
    PaymentAgreement,
    PaymentMethod,
    Supporter,
    WebSignup,
    WebSignupKind,
)
from barneby.fundraising.services import (
    agreement_create,
    consent_record,
    supporter_create,
    supporter_gift_kid,
    vipps_agreement_attach,
)
from barneby.fundraising.vipps import FakeVippsProvider, VippsProvider, VippsStatus
from barneby.organisation.continents import continent_of
from barneby.organisation.models import Location, LocationKind, MemberAssociation
from barneby.sponsorships.models import Continent, Sponsorship, TargetKind
from barneby.sponsorships.services import sponsorship_create

# How long a half-filled form stays valid (the visitor may be away in the Vipps app meanwhile).
STATE_MAX_AGE = 2 * 3600
# The version of each consent text on the forms; a changed wording gets a new version.
CONSENT_VERSIONS: dict[str, str] = {
    ConsentPurpose.EMAIL: "nettsted-epost-2026-12",
    ConsentPurpose.SMS: "nettsted-sms-2026-12",
    ConsentPurpose.POST: "nettsted-post-2026-12",
    ConsentPurpose.TAX_DEDUCTION: "nettsted-skattefradrag-2026-12",
}
GIFT_MIN_DEFAULT = 50
GIFT_MAX_DEFAULT = 1_000_000
GIFT_PRESETS_DEFAULT = (300, 500, 1000)


class StateError(Exception):
    """The form's carried state is missing, forged or too old; the message is for the visitor."""


def pack(state: dict[str, Any]) -> str:
    """The visitor's answers so far, encrypted and authenticated, for a hidden field or a return address."""
    return encrypt_value(json.dumps({**state, "issued": int(time.time())}, separators=(",", ":")))


def unpack(blob: str) -> dict[str, Any]:
    if not blob:
        raise StateError(_("Skjemaet mangler det du fylte ut. Begynn på nytt."))
    try:
        state: dict[str, Any] = json.loads(decrypt_value(blob))
    except (DecryptionError, InvalidToken, ValueError, TypeError):
        raise StateError(_("Skjemaet kunne ikke leses. Begynn på nytt.")) from None
    if not isinstance(state, dict) or int(time.time()) - int(state.get("issued", 0)) > STATE_MAX_AGE:
        raise StateError(_("Skjemaet er for gammelt. Begynn på nytt."))
    return state


def new_token() -> str:
    return str(uuid.uuid4())


# --- settings and the register ---------------------------------------------------------------


def monthly_presets() -> list[int]:
    return [int(p) for p in settings.FUNDRAISING_MONTHLY_PRESETS]


def monthly_min() -> int:
    return int(settings.FUNDRAISING_MONTHLY_MIN)


def monthly_max() -> int:
    return int(settings.FUNDRAISING_MONTHLY_MAX)


def gift_presets() -> list[int]:
    return [int(p) for p in getattr(settings, "FUNDRAISING_GIFT_PRESETS", GIFT_PRESETS_DEFAULT)]


def gift_min() -> int:
    return int(getattr(settings, "FUNDRAISING_GIFT_MIN", GIFT_MIN_DEFAULT))


def gift_max() -> int:
    return int(getattr(settings, "FUNDRAISING_GIFT_MAX", GIFT_MAX_DEFAULT))


def website_association() -> MemberAssociation:
    """The member association the website signs supporters up for: the Norwegian one (the oldest active)."""
    active = MemberAssociation.objects.filter(is_active=True).order_by("pk")
    association = active.filter(country="NO").first() or active.first()
    if association is None:
        raise ValidationError(_("Nettstedet kan ikke ta imot registreringer nå. Prøv igjen senere."))
    return association


def open_villages() -> list[Location]:
    """Villages open for sponsorship: the register's active children's villages."""
    return list(Location.objects.filter(kind=LocationKind.VILLAGE, is_active=True).order_by("name", "pk"))


def country_choices() -> list[tuple[str, str]]:
    """Countries with a village open for sponsorship, by name in the current language."""
    codes = sorted({str(v.country) for v in open_villages()})
    names = dict(countries)
    return sorted(((code, str(names.get(code, code))) for code in codes), key=lambda pair: pair[1])


def continent_choices() -> list[tuple[str, str]]:
    """Continents (the sponsorship's groups) with a village open for sponsorship."""
    wanted = {str(group) for v in open_villages() if (group := continent_of(str(v.country))) is not None}
    return [(value, str(label)) for value, label in Continent.choices if value in wanted]


def place_label(state: dict[str, Any]) -> str:
    kind = state.get("place_kind")
    if kind == TargetKind.CONTINENT:
        return str(dict(Continent.choices).get(state.get("continent", ""), ""))
    if kind == TargetKind.COUNTRY:
        return str(dict(countries).get(state.get("country", ""), ""))
    if kind == TargetKind.VILLAGE:
        village = Location.objects.filter(pk=int(state.get("village") or 0)).first()
        return village.name if village is not None else ""
    return str(TargetKind.NEED.label)


# --- Vipps ---------------------------------------------------------------------------------------


@cache
def _fake_provider() -> FakeVippsProvider:
    return FakeVippsProvider()


def vipps_available() -> bool:
    """Whether the sign-up may offer Vipps: a real provider is configured, or the fake one is switched on
    (``WEBSITE_VIPPS_FAKE``, development and tests only: it approves without Vipps and moves no money)."""
    return bool(getattr(settings, "WEBSITE_VIPPS_PROVIDER", "")) or bool(getattr(settings, "WEBSITE_VIPPS_FAKE", False))


def vipps_provider() -> VippsProvider:
    """The configured Vipps provider (``WEBSITE_VIPPS_PROVIDER``, a dotted path), else the process's fake one
    where it is switched on. Never the fake by default: a visitor would get a sponsorship no bank pays."""
    dotted = getattr(settings, "WEBSITE_VIPPS_PROVIDER", "")
    if dotted:
        provider: VippsProvider = import_string(dotted)()
        return provider
    if not getattr(settings, "WEBSITE_VIPPS_FAKE", False):
        raise ImproperlyConfigured("No Vipps provider: set BARNEBY_VIPPS_PROVIDER (Vipps is not offered without it)")
    return _fake_provider()


def uses_fake_vipps(provider: VippsProvider) -> bool:
    return isinstance(provider, FakeVippsProvider)


@dataclass(frozen=True)
class VippsStart:
    agreement_id: str
    confirmation_url: str


def vipps_start(state: dict[str, Any]) -> VippsStart:
    """Ask Vipps for a recurring agreement for the amount; nothing of ours is saved until it is approved."""
    provider = vipps_provider()
    draft = provider.create_agreement(
        phone=state["phone"],
        amount_ore=int(Decimal(state["amount"]) * 100),
        product_name=str(_("Fadderskap")),
        reference=state["token"],
    )
    return VippsStart(draft.agreement_id, draft.confirmation_url)


def vipps_status(agreement_id: str) -> VippsStatus:
    if not vipps_available():
        return VippsStatus.EXPIRED
    try:
        return vipps_provider().agreement_status(agreement_id)
    except KeyError:
        return VippsStatus.EXPIRED


# --- completing ------------------------------------------------------------------------------


SUPPORTER_KEYS = ("first_name", "last_name", "email", "phone", "street_address", "postcode", "city")


def find_or_create_supporter(*, state: dict[str, Any], association: MemberAssociation) -> tuple[Supporter, bool]:
    """The back office's duplicate check first: an existing supporter is found, never made twice.

    Of the candidates, the one meeting most rules is taken (e-mail, phone, name and postcode). An
    identity number given for the tax deduction is added to a found supporter that has none.
    """
    fields = {key: str(state.get(key, "")).strip() for key in SUPPORTER_KEYS}
    candidates = find_duplicates(
        association=association,
        email=fields["email"],
        phone=fields["phone"],
        first_name=fields["first_name"],
        last_name=fields["last_name"],
        postcode=fields["postcode"],
    )
    national_id = str(state.get("national_id") or "") if state.get("tax_deduction") else ""
    if candidates:
        supporter = Supporter.objects.select_for_update().get(pk=candidates[0].supporter.pk)
        if national_id and not supporter.national_id:
            supporter.national_id = national_id
            supporter.full_clean()
            supporter.save(update_fields=["national_id", "updated_at"])
            audit_record(actor=None, action=AuditAction.UPDATE, obj=supporter, detail="national id from website")
        return supporter, False
    return supporter_create(actor=None, association=association, national_id=national_id, **fields), True


def _record_consents(supporter: Supporter, state: dict[str, Any]) -> None:
    granted = set(state.get("consents", []))
    if state.get("tax_deduction"):
        granted.add(ConsentPurpose.TAX_DEDUCTION.value)
    for purpose, version in CONSENT_VERSIONS.items():
        if purpose in granted:
            consent_record(
                actor=None,
                supporter=supporter,
                purpose=purpose,
                granted=True,
                source=ConsentSource.FORM,
                text_version=version,
            )


def _claim_token(token: str, kind: str) -> WebSignup | None:
    """The earlier completion of this form, or None after claiming the token for this one."""
    try:
        parsed = uuid.UUID(str(token))
    except ValueError:
        raise ValidationError(_("Skjemaet kunne ikke leses. Begynn på nytt.")) from None
    existing = WebSignup.objects.filter(token=parsed).first()
    if existing is not None:
        return existing
    WebSignup.objects.create(token=parsed, kind=kind)
    return None


def signup_for_token(token: str) -> WebSignup | None:
    try:
        return WebSignup.objects.select_related("supporter", "agreement").filter(token=uuid.UUID(str(token))).first()
    except ValueError:
        return None


def _complete(token: str, kind: str, write: Any) -> tuple[WebSignup, bool]:
    try:
        with transaction.atomic():
            existing = _claim_token(token, kind)
            if existing is not None:
                return existing, False
            signup = WebSignup.objects.select_for_update().get(token=uuid.UUID(str(token)))
            write(signup)
            signup.save()
            return signup, True
    except IntegrityError:
        # The same form completed at the same moment in another request: that one won.
        existing = signup_for_token(token)
        if existing is None or existing.supporter_id is None:
            raise
        return existing, False


def complete_sponsorship(*, state: dict[str, Any], request: Any = None) -> tuple[WebSignup, bool]:
    """Supporter (found or new), agreement with KID, pending sponsorship, consents and e-mail; all or nothing.

    Returns the sign-up and whether this call made it (False: the form had been completed before).
    """
    method = PaymentMethod(state["method"])

    def write(signup: WebSignup) -> None:
        association = website_association()
        supporter, _created = find_or_create_supporter(state=state, association=association)
        agreement = agreement_create(
            actor=None,
            supporter=supporter,
            method=method,
            monthly_amount=state["amount"],
            notify_by_bank=False,
        )
        if method == PaymentMethod.VIPPS:
            vipps_agreement_attach(
                actor=None,
                agreement=agreement,
                vipps_agreement_id=state["vipps_agreement_id"],
                provider=vipps_provider(),
            )
        kind = state["place_kind"]
        village = None
        if kind == TargetKind.VILLAGE:
            village = Location.objects.filter(pk=int(state.get("village") or 0)).first()
            if village is None or not village.is_active or village.kind != LocationKind.VILLAGE:
                raise ValidationError({"village": _("Barnebyen tar ikke imot nye faddere nå. Velg et annet sted.")})
        sponsorship = sponsorship_create(
            actor=None,
            supporter=supporter,
            target_kind=kind,
            monthly_amount=state["amount"],
            continent=state.get("continent", "") if kind == TargetKind.CONTINENT else "",
            country=state.get("country", "") if kind == TargetKind.COUNTRY else "",
            village=village,
            agreement=agreement,
        )
        _record_consents(supporter, state)
        signup.supporter, signup.agreement = supporter, agreement
        signup.purpose = sponsorship.target_label[:200]
        audit_record(actor=None, action=AuditAction.CREATE, obj=signup, request=request, detail=f"website {method}")
        _send_sponsorship_mail(supporter, agreement, sponsorship)

    return _complete(state["token"], WebSignupKind.SPONSORSHIP, write)


def complete_gift(*, state: dict[str, Any], request: Any = None) -> tuple[WebSignup, bool]:
    """A one-off gift by giro or online bank: the supporter (found or new), consents, and the donor's gift KID.

    The gift itself is registered when the money arrives with that KID (the OCR import), as the
    back office models a giro gift; the e-mail tells the donor the account and the KID.
    """

    def write(signup: WebSignup) -> None:
        association = website_association()
        supporter, _created = find_or_create_supporter(state=state, association=association)
        kid = supporter_gift_kid(supporter)
        if kid is None:
            raise ValidationError(_("Vi kunne ikke lage et KID-nummer for gaven. Ta kontakt med giverservice."))
        _record_consents(supporter, state)
        signup.supporter = supporter
        signup.purpose = str(state.get("purpose_label", ""))[:200]
        audit_record(actor=None, action=AuditAction.CREATE, obj=signup, request=request, detail="website gift")
        _send_gift_mail(supporter, kid, Decimal(state["amount"]), signup.purpose)

    return _complete(state["token"], WebSignupKind.GIFT, write)


def account_display() -> str:
    """The organisation's account for giro gifts, written 1234 56 78901."""
    number = str(settings.FUNDRAISING_NETS_ACCOUNT)
    return f"{number[:4]} {number[4:6]} {number[6:]}" if len(number) == 11 else number


def gift_kid(supporter: Supporter | None) -> str | None:
    return supporter_gift_kid(supporter) if supporter is not None else None


def _send_sponsorship_mail(supporter: Supporter, agreement: PaymentAgreement, sponsorship: Sponsorship) -> None:
    if not supporter.email:
        return
    body = render_to_string(
        "website/giving/email_sponsorship.txt",
        {
            "supporter": supporter,
            "agreement": agreement,
            "sponsorship": sponsorship,
            "account": account_display(),
            "today": timezone.localdate(),
        },
    )
    send_mail_later(subject=_("Takk for at du vil bli SOS-fadder"), body=body, to=[supporter.email])


def _send_gift_mail(supporter: Supporter, kid: str, amount: Decimal, purpose: str) -> None:
    if not supporter.email:
        return
    body = render_to_string(
        "website/giving/email_gift.txt",
        {"supporter": supporter, "kid": kid, "amount": amount, "purpose": purpose, "account": account_display()},
    )
    send_mail_later(subject=_("Takk for gaven din"), body=body, to=[supporter.email])
