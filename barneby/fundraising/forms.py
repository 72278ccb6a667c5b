from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barneby.fundraising.models import ConsentPurpose, ConsentSource, GiftChannel, PaymentMethod, Supporter

MAX_UPLOAD_BYTES = 64 * 1024 * 1024


class SupporterForm(forms.ModelForm[Supporter]):
    class Meta:
        model = Supporter
        fields = [
            "kind",
            "first_name",
            "last_name",
            "company_name",
            "organisation_number",
            "national_id",
            "email",
            "phone",
            "street_address",
            "postcode",
            "city",
        ]
        widgets = {"national_id": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"})}
        help_texts = {"national_id": _("Bare når giveren ønsker skattefradrag. Lagres kryptert.")}


class AgreementForm(forms.Form):
    method = forms.ChoiceField(label=_("Betalingsmåte"), choices=PaymentMethod.choices)
    monthly_amount = forms.DecimalField(label=_("Månedlig beløp (kr)"), max_digits=9, decimal_places=2)
    start_date = forms.DateField(label=_("Fra"), initial=timezone.localdate)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        presets = ", ".join(str(p) for p in settings.FUNDRAISING_MONTHLY_PRESETS)
        self.fields["monthly_amount"].help_text = _("Vanlige beløp: {presets} kr.").format(presets=presets)


class GiftForm(forms.Form):
    amount = forms.DecimalField(label=_("Beløp (kr)"), max_digits=11, decimal_places=2)
    date = forms.DateField(label=_("Dato"), initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("Kanal"), choices=GiftChannel.choices)


class NetsFileForm(forms.Form):
    KINDS = [("ocr", _("OCR-innbetalinger")), ("agreements", _("AvtaleGiro-avtaler"))]
    kind = forms.ChoiceField(label=_("Filtype"), choices=KINDS)
    file = forms.FileField(label=_("Fil fra Nets"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Filen er større enn 64 MB."))
        return upload


class MatchForm(forms.Form):
    kid = forms.CharField(label=_("KID for avtalen"), required=False, max_length=25)
    donor_number = forms.IntegerField(label=_("… eller givernummer (gave)"), required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("kid")) == bool(data.get("donor_number")):
            raise forms.ValidationError(_("Oppgi enten KID for en avtale eller et givernummer."))
        return data


class ClaimRunForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Betalingsmåte"),
        choices=[
            (PaymentMethod.AVTALEGIRO.value, _("AvtaleGiro: trekkfil til Nets")),
            (PaymentMethod.GIRO.value, _("Giro: fakturaer med KID i PDF for utsending")),
        ],
        initial=PaymentMethod.AVTALEGIRO.value,
    )
    period = forms.DateField(
        label=_("Måned"), help_text=_("En dato i måneden det skal trekkes for, for eksempel 01.01.2027.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        nxt = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        self.fields["period"].initial = nxt


class SupporterCreateForm(SupporterForm):
    """The new-supporter form; ``create_anyway`` confirms a record despite possible duplicates."""

    create_anyway = forms.BooleanField(
        label=_("Opprett likevel: dette er ikke noen av giverne over"),
        required=False,
    )

    def supporter_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "create_anyway"}


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Formål"), choices=ConsentPurpose.choices)
    granted = forms.TypedChoiceField(
        label=_("Svar"),
        choices=[("1", _("Samtykker")), ("0", _("Trekker samtykket tilbake"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    source = forms.ChoiceField(label=_("Kilde"), choices=ConsentSource.choices, initial=ConsentSource.DONOR_SERVICE)
    text_version = forms.CharField(
        label=_("Versjon av samtykketeksten"),
        max_length=100,
        required=False,
        help_text=_("For eksempel «nyhetsbrev-2026-01». Må oppgis når giveren samtykker."),
    )


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(label=_("Givernummeret til dubletten"), min_value=1)
    confirm = forms.BooleanField(
        label=_("Jeg har sammenlignet postene og vil slå dem sammen"),
        required=True,
        error_messages={"required": _("Bekreft at postene skal slås sammen.")},
    )


class EraseForm(forms.Form):
    confirm = forms.CharField(
        label=_("Skriv givernummeret for å bekrefte"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
