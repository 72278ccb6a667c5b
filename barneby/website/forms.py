"""The website's own forms: the partner form ("Bli en partner") and the newsletter sign-up."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from barneby.core.identity import organisation_number_error
from barneby.organisation.models import MemberAssociation
from barneby.website.abuse import GuardedForm

# The version of the partner form's consent text below; a new wording gets a new version.
PARTNER_CONSENT_TEXT_VERSION = "partner-2026-1"
PHONE = re.compile(r"^\+?[0-9 ()-]{8,20}$")


def site_association() -> MemberAssociation | None:
    """The member association the public website speaks for: ``WEBSITE_ASSOCIATION_CODE`` if set,
    otherwise the active association in Norway (the first made), otherwise none."""
    code = str(getattr(settings, "WEBSITE_ASSOCIATION_CODE", "") or "")
    active = MemberAssociation.objects.filter(is_active=True)
    if code:
        return active.filter(code=code).first()
    return active.filter(country="NO").order_by("pk").first()


def clean_phone(value: str) -> str:
    value = value.strip()
    digits = sum(ch.isdigit() for ch in value)
    if value and (not PHONE.match(value) or not 8 <= digits <= 15):
        raise forms.ValidationError(_("Skriv et gyldig telefonnummer, for eksempel 912 34 567 eller +47 912 34 567."))
    return value


class PartnerForm(GuardedForm):
    company_name = forms.CharField(label=_("Bedriftens navn"), max_length=200)
    organisation_number = forms.CharField(
        label=_("Organisasjonsnummer"),
        max_length=11,
        required=False,
        help_text=_("Ni sifre, fra Enhetsregisteret."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    contact_name = forms.CharField(
        label=_("Ditt navn"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-post"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Telefon"), max_length=30, required=False, widget=forms.TextInput(attrs={"autocomplete": "tel"})
    )
    message = forms.CharField(
        label=_("Hva vil dere gjerne samarbeide om?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    consent = forms.BooleanField(
        label=_(
            "Jeg samtykker i at Barneby lagrer opplysningene over og bruker dem til å kontakte meg om et "
            "partnerskap. Jeg kan trekke samtykket når som helst."
        ),
        error_messages={"required": _("Kryss av for at vi kan lagre opplysningene og kontakte deg.")},
    )

    def clean_organisation_number(self) -> str:
        value = str(self.cleaned_data.get("organisation_number") or "").replace(" ", "")
        if value:
            message = organisation_number_error(value)
            if message:
                raise forms.ValidationError(message)
        return value

    def clean_phone(self) -> str:
        return clean_phone(str(self.cleaned_data.get("phone") or ""))


class NewsletterForm(GuardedForm):
    email = forms.EmailField(
        label=_("E-postadressen din"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    consent = forms.BooleanField(
        label=_("Ja, send meg nyhetsbrevet på e-post. Jeg kan melde meg av når som helst."),
        error_messages={"required": _("Kryss av for at du vil få nyhetsbrevet.")},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Ids of their own: the footer's form sits on pages that may have another form with an e-mail field.
        self.auto_id = "nyhetsbrev_%s"
