"""The steps of the sponsor sign-up and the gift form. Every field has a length limit and a Norwegian message."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from barneby.core.identity import person_number_error
from barneby.fundraising.models import ConsentPurpose, PaymentMethod, normalise_phone
from barneby.organisation.models import Location, LocationKind
from barneby.sponsorships.models import TargetKind
from barneby.website.giving import services

OTHER = "annet"
PLACE_KINDS = [
    (TargetKind.NEED.value, _("Der behovet er størst")),
    (TargetKind.CONTINENT.value, _("En verdensdel")),
    (TargetKind.COUNTRY.value, _("Et land")),
    (TargetKind.VILLAGE.value, _("En bestemt barneby")),
]
CONSENT_CHOICES = [
    (ConsentPurpose.EMAIL.value, _("Ja, jeg vil gjerne få nyheter og historier fra Barneby på e-post.")),
    (ConsentPurpose.SMS.value, _("Ja, dere kan sende meg korte meldinger på SMS.")),
]


def parse_amount(raw: str) -> Decimal | None:
    """``"400"``, ``"1 000"``, ``"400,50"`` → Decimal; None when it is not an amount in kroner."""
    text = re.sub(r"[\s\u00a0]", "", raw or "").removesuffix("kr").replace(",", ".")
    if not re.fullmatch(r"\d{1,9}(\.\d{1,2})?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _kr(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


class AmountForm(forms.Form):
    """An amount: one of the presets from the settings, or the visitor's own at or above the minimum."""

    amount_choice = forms.ChoiceField(
        label=_("Beløp"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Velg et beløp, eller skriv ditt eget.")},
    )
    other_amount = forms.CharField(
        label=_("Eget beløp i kroner"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, presets: list[int], low: int, high: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.low, self.high = low, high
        _choices(self, "amount_choice", [(str(p), f"{_kr(p)} kr") for p in presets] + [(OTHER, _("Eget beløp"))])
        self.fields["other_amount"].help_text = _("Minst {low} kr.").format(low=_kr(low))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = data.get("amount_choice")
        if choice is None or "other_amount" in self.errors:
            return data
        raw = data.get("other_amount", "") if choice == OTHER else choice
        if choice == OTHER and not raw:
            self.add_error("other_amount", _("Skriv beløpet du vil gi."))
            return data
        amount = parse_amount(raw)
        if amount is None:
            self.add_error("other_amount", _("Skriv beløpet i hele kroner, for eksempel 400."))
        elif amount < self.low:
            self.add_error("other_amount", _("Beløpet må være minst {low} kr.").format(low=_kr(self.low)))
        elif amount > self.high:
            self.add_error("other_amount", _("Beløpet kan være høyst {high} kr.").format(high=_kr(self.high)))
        else:
            data["amount"] = amount
        return data


class PlaceForm(forms.Form):
    """Where the money goes: where the need is greatest, a continent, a country or a village open for sponsorship."""

    place_kind = forms.ChoiceField(
        label=_("Hvor vil du støtte?"),
        choices=PLACE_KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Velg hvor du vil støtte.")},
    )
    continent = forms.ChoiceField(label=_("Verdensdel"), required=False)
    country = forms.ChoiceField(label=_("Land"), required=False)
    village = forms.CharField(label=_("Barneby"), required=False, max_length=12, widget=forms.Select)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose = [("", _("Velg …"))]
        _choices(self, "continent", choose + services.continent_choices())
        _choices(self, "country", choose + services.country_choices())
        villages = [(str(v.pk), f"{v.name} ({v.country.name})") for v in services.open_villages()]
        self.fields["village"].widget.choices = choose + villages

    def clean_village(self) -> int | None:
        raw = self.cleaned_data.get("village") or ""
        if not raw:
            return None
        if not raw.isdigit() or len(raw) > 10:
            raise forms.ValidationError(_("Velg en barneby fra listen."))
        village = Location.objects.filter(pk=int(raw), kind=LocationKind.VILLAGE).first()
        if village is None:
            raise forms.ValidationError(_("Velg en barneby fra listen."))
        if not village.is_active:
            raise forms.ValidationError(
                _("{name} tar ikke imot nye faddere nå. Velg en annen barneby, eller «der behovet er størst».").format(
                    name=village.name
                )
            )
        return village.pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("place_kind")
        needed = {
            TargetKind.CONTINENT: ("continent", _("Velg en verdensdel.")),
            TargetKind.COUNTRY: ("country", _("Velg et land.")),
            TargetKind.VILLAGE: ("village", _("Velg en barneby.")),
        }
        if kind in needed:
            field, message = needed[TargetKind(kind)]
            if not data.get(field) and field not in self.errors:
                self.add_error(field, message)
        return data

    def place_state(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["place_kind"]
        return {
            "place_kind": kind,
            "continent": data.get("continent", "") if kind == TargetKind.CONTINENT else "",
            "country": data.get("country", "") if kind == TargetKind.COUNTRY else "",
            "village": data.get("village") if kind == TargetKind.VILLAGE else None,
        }


REQUIRED_MESSAGES = {
    "first_name": _("Skriv fornavnet ditt."),
    "last_name": _("Skriv etternavnet ditt."),
    "email": _("Skriv e-postadressen din."),
    "phone": _("Skriv mobilnummeret ditt."),
    "street_address": _("Skriv adressen din."),
    "postcode": _("Skriv postnummeret ditt."),
    "city": _("Skriv poststedet ditt."),
}


class DetailsForm(forms.Form):
    first_name = forms.CharField(
        label=_("Fornavn"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Etternavn"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label=_("E-post"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Mobilnummer"),
        max_length=20,
        help_text=_("Åtte sifre, for eksempel 912 34 567."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    street_address = forms.CharField(
        label=_("Adresse"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "street-address"})
    )
    postcode = forms.CharField(
        label=_("Postnummer"),
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    city = forms.CharField(
        label=_("Poststed"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    tax_deduction = forms.BooleanField(
        label=_("Jeg vil ha skattefradrag for gavene mine"),
        required=False,
        help_text=_("Da rapporterer vi gavene til Skatteetaten, og trenger fødselsnummeret ditt."),
    )
    national_id = forms.CharField(
        label=_("Fødselsnummer (11 sifre)"),
        required=False,
        max_length=14,
        help_text=_("Bare for skattefradrag. Lagres kryptert og vises aldri i brev eller e-post."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    consents = forms.MultipleChoiceField(
        label=_("Samtykker (frivillig)"),
        required=False,
        choices=CONSENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, message in REQUIRED_MESSAGES.items():
            self.fields[name].error_messages["required"] = message
        self.fields["email"].error_messages["invalid"] = _(
            "Skriv en gyldig e-postadresse, for eksempel navn@eksempel.no."
        )

    def clean_phone(self) -> str:
        raw = str(self.cleaned_data["phone"]).strip()
        if not re.fullmatch(r"\+?[\d\s]+", raw):
            raise forms.ValidationError(_("Et telefonnummer har bare sifre, for eksempel 912 34 567."))
        compact = "".join(raw.split())
        digits = normalise_phone(compact)
        if compact.startswith(("+47", "0047")) or not compact.startswith(("+", "00")):
            if len(digits) != 8:
                raise forms.ValidationError(_("Et norsk telefonnummer har åtte sifre, for eksempel 912 34 567."))
        elif not 7 <= len(digits) <= 15:
            raise forms.ValidationError(_("Et utenlandsk nummer har landskode og 7 til 15 sifre."))
        return raw

    def clean_postcode(self) -> str:
        value = str(self.cleaned_data["postcode"]).strip()
        if not re.fullmatch(r"\d{4}", value):
            raise forms.ValidationError(_("Postnummeret har fire sifre, for eksempel 0150."))
        return value

    def clean_national_id(self) -> str:
        value = "".join(self.cleaned_data.get("national_id", "").split())
        if value and (error := person_number_error(value)):
            raise forms.ValidationError(error)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("tax_deduction") and not data.get("national_id") and "national_id" not in self.errors:
            self.add_error("national_id", _("Skriv fødselsnummeret ditt for å få skattefradrag."))
        return data

    def details_state(self) -> dict[str, Any]:
        data = self.cleaned_data
        state = {key: data[key] for key in services.SUPPORTER_KEYS}
        state["tax_deduction"] = bool(data.get("tax_deduction"))
        state["national_id"] = data.get("national_id", "") if state["tax_deduction"] else ""
        state["consents"] = list(data.get("consents", []))
        return state


SPONSOR_METHODS = [
    (PaymentMethod.AVTALEGIRO.value, _("AvtaleGiro: trekkes fra kontoen din hver måned")),
    (PaymentMethod.VIPPS.value, _("Vipps: fast betaling som du godkjenner i appen")),
    (PaymentMethod.GIRO.value, _("Giro: faktura med KID hver måned")),
]


class SponsorPaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Hvordan vil du betale?"),
        choices=SPONSOR_METHODS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Velg hvordan du vil betale.")},
    )

    def __init__(self, *args: Any, phone: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phone = phone
        if not services.vipps_available():
            field = self.fields["method"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [choice for choice in SPONSOR_METHODS if choice[0] != PaymentMethod.VIPPS]

    def clean_method(self) -> str:
        method = str(self.cleaned_data["method"])
        if method == PaymentMethod.VIPPS and len(normalise_phone(self.phone)) != 8:
            raise forms.ValidationError(
                _(
                    "Vipps trenger et norsk mobilnummer. Gå tilbake og endre nummeret, eller velg en annen betalingsmåte."
                )
            )
        return method


GIFT_METHODS = [("giro", _("Giro eller nettbank med KID"))]


class GiftPaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("Hvordan vil du betale?"), choices=GIFT_METHODS, widget=forms.RadioSelect)
