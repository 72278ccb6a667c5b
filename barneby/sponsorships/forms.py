"""Forms for profiles (caseworkers), sponsorships and transfers (donor service)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from barneby.care.models import Child
from barneby.core.formatting import format_amount
from barneby.fundraising.models import PaymentAgreement
from barneby.organisation.models import Location
from barneby.sponsorships.models import Continent, EndReason, SponsorshipProfile, TargetKind, TransferResolution
from barneby.sponsorships.services import photo_error

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OTHER = "other"


class ChildChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Child) -> str:
        return f"{obj.first_name} {obj.last_name} ({obj.programme.name})"


class ProfileChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Shows only what a profile shows: first name, age, village."""

    def label_from_instance(self, obj: SponsorshipProfile) -> str:
        return str(_("{name}, {age} år, {village}")).format(
            name=obj.first_name, age=obj.age(), village=obj.village.name
        )


def _photo_field() -> forms.FileField:
    return forms.FileField(
        label=_("Bilde (valgfritt)"),
        required=False,
        help_text=_("JPEG eller PNG, høyst 2 MB. Bildet må ikke vise hvor barnet bor."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )


class _PhotoMixin(forms.Form):
    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo and (error := photo_error(photo)):
            raise forms.ValidationError(error)
        return photo or None


class ProfileCreateForm(_PhotoMixin):
    child = ChildChoice(label=_("Barn"), queryset=Child.objects.none())
    first_name = forms.CharField(
        label=_("Fornavn som vises for fadderen"),
        max_length=100,
        required=False,
        help_text=_("Tomt: barnets fornavn kopieres. Etternavn vises aldri."),
    )
    village = forms.ModelChoiceField(label=_("Barneby"), queryset=Location.objects.none())
    photo = _photo_field()

    def __init__(self, *args: Any, children: QuerySet[Child], villages: QuerySet[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]


class ProfileEditForm(_PhotoMixin):
    first_name = forms.CharField(label=_("Fornavn som vises for fadderen"), max_length=100)
    village = forms.ModelChoiceField(label=_("Barneby"), queryset=Location.objects.none())
    photo = _photo_field()
    remove_photo = forms.BooleanField(label=_("Fjern bildet"), required=False)

    def __init__(self, *args: Any, villages: QuerySet[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]


class ConsentForm(forms.Form):
    child_consent = forms.BooleanField(label=_("Barnet samtykker"), required=False)
    child_consent_on = forms.DateField(label=_("Dato for barnets samtykke"), required=False, widget=DATE)
    guardian_consent = forms.BooleanField(label=_("Foresatte samtykker"), required=False)
    guardian_consent_on = forms.DateField(label=_("Dato for foresattes samtykke"), required=False, widget=DATE)


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("Ja, jeg er sikker"), required=True)


class EndForm(ConfirmForm):
    end_reason = forms.ChoiceField(label=_("Årsak"), choices=[("", "—"), *EndReason.choices])

    field_order = ["end_reason", "confirm"]


class AmountForm(forms.Form):
    monthly_amount = forms.DecimalField(label=_("Nytt månedlig beløp (kr)"), max_digits=10, decimal_places=2)


def amount_help() -> str:
    return str(_("Mellom {low} og {high} kroner i måneden.")).format(
        low=settings.FUNDRAISING_MONTHLY_MIN, high=settings.FUNDRAISING_MONTHLY_MAX
    )


class SponsorshipForm(forms.Form):
    target_kind = forms.ChoiceField(label=_("Fadderskap for"), choices=TargetKind.choices, widget=forms.RadioSelect)
    continent = forms.ChoiceField(label=_("Verdensdel"), choices=[("", "—"), *Continent.choices], required=False)
    country = forms.ChoiceField(label=_("Land"), required=False)
    village = forms.ModelChoiceField(label=_("Barneby"), queryset=Location.objects.none(), required=False)
    profile = ProfileChoice(
        label=_("Barn"),
        queryset=SponsorshipProfile.objects.none(),
        required=False,
        help_text=_("Bare barn med godkjent fadderprofil."),
    )
    amount_preset = forms.ChoiceField(label=_("Månedlig beløp"), widget=forms.RadioSelect)
    amount_other = forms.DecimalField(label=_("Annet beløp (kr)"), max_digits=10, decimal_places=2, required=False)
    start_date = forms.DateField(label=_("Startdato"), widget=DATE)
    agreement = forms.ModelChoiceField(
        label=_("Betalingsavtale (valgfritt)"), queryset=PaymentAgreement.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        villages: QuerySet[Location],
        profiles: QuerySet[SponsorshipProfile],
        agreements: QuerySet[PaymentAgreement],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("start_date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *countries]  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        self.fields["profile"].queryset = profiles  # type: ignore[attr-defined]
        self.fields["agreement"].queryset = agreements  # type: ignore[attr-defined]
        self.fields["agreement"].label_from_instance = lambda a: f"KID {a.kid} ({a.get_method_display()})"  # type: ignore[attr-defined]
        presets = [(str(p), format_amount(p, decimals=0)) for p in settings.FUNDRAISING_MONTHLY_PRESETS]
        self.fields["amount_preset"].choices = [*presets, (OTHER, _("Annet beløp"))]  # type: ignore[attr-defined]
        self.fields["amount_other"].help_text = amount_help()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        preset = data.get("amount_preset")
        if preset == OTHER:
            if data.get("amount_other") is None:
                self.add_error("amount_other", _("Oppgi beløpet."))
            data["monthly_amount"] = data.get("amount_other")
        elif preset:
            data["monthly_amount"] = Decimal(preset)
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "target_kind": data["target_kind"],
            "continent": data.get("continent") or "",
            "country": data.get("country") or "",
            "village": data.get("village"),
            "profile": data.get("profile"),
            "monthly_amount": data["monthly_amount"],
            "start_date": data.get("start_date"),
            "agreement": data.get("agreement"),
        }


class TransferResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Hva ønsker fadderen?"), choices=TransferResolution.choices, widget=forms.RadioSelect
    )
    new_profile = ProfileChoice(
        label=_("Nytt barn i samme barneby"), queryset=SponsorshipProfile.objects.none(), required=False
    )

    def __init__(self, *args: Any, candidates: QuerySet[SponsorshipProfile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_profile"].queryset = candidates  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("resolution") == TransferResolution.NEW_CHILD and not data.get("new_profile"):
            self.add_error("new_profile", _("Velg barnet fadderen vil følge."))
        if data.get("resolution") != TransferResolution.NEW_CHILD:
            data["new_profile"] = None
        return data


def today() -> dt.date:
    return timezone.localdate()
