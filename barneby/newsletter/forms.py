from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from barneby.newsletter.models import SubscriberStatus
from barneby.organisation.models import MemberAssociation


class SubscriberForm(forms.Form):
    email = forms.EmailField(label=_("E-post"), max_length=254)
    name = forms.CharField(label=_("Navn"), max_length=200, required=False)
    text_version = forms.CharField(
        label=_("Versjon av samtykketeksten"),
        max_length=40,
        help_text=_("Teksten personen har sagt ja til. Personen får en e-post og må bekrefte påmeldingen selv."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text_version"].initial = settings.NEWSLETTER_CONSENT_TEXT_VERSION


class SubscriberFilterForm(forms.Form):
    q = forms.CharField(label=_("Søk (e-post eller navn)"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Alle")), *SubscriberStatus.choices])


class PublicSubscribeForm(forms.Form):
    """The public sign-up: an address, an optional name and a ticked consent; the e-mail link confirms it."""

    email = forms.EmailField(label=_("E-post"), max_length=254)
    name = forms.CharField(label=_("Navn"), max_length=200, required=False)
    association = forms.ModelChoiceField(
        label=_("Nyhetsbrev fra"), queryset=MemberAssociation.objects.none(), empty_label=None
    )
    consent = forms.BooleanField(
        label=_("Ja, jeg vil få nyhetsbrevet på e-post. Jeg kan melde meg av når som helst."),
        error_messages={"required": _("Kryss av for at du vil få nyhetsbrevet.")},
    )

    def __init__(self, *args: Any, associations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["association"]
        field.queryset = associations  # type: ignore[attr-defined]
        if len(associations) == 1:
            # One association: nothing to choose, so the field is not shown.
            field.initial = associations[0].pk
            field.widget = forms.HiddenInput()
