from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from barneby.accounts.models import User
from barneby.partners.models import Lead, Stage


class OwnerChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.email


class LeadForm(forms.ModelForm[Lead]):
    owner = OwnerChoiceField(label=_("Ansvarlig"), queryset=User.objects.none(), required=False)
    # Up to 11 characters so "923 456 783" can be typed with spaces; stored as nine digits.
    organisation_number = forms.CharField(
        label=_("Organisasjonsnummer"),
        max_length=11,
        required=False,
        help_text=_("Ni sifre, fra Enhetsregisteret."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = Lead
        fields = [
            "company_name",
            "organisation_number",
            "contact_name",
            "email",
            "phone",
            "message",
            "source",
            "owner",
            "expected_yearly_amount",
        ]
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]

    def clean_organisation_number(self) -> str:
        return str(self.cleaned_data.get("organisation_number") or "").replace(" ", "")


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Ny fase"), choices=Stage.choices)


class OwnerForm(forms.Form):
    owner = OwnerChoiceField(
        label=_("Ansvarlig"), queryset=User.objects.none(), required=False, empty_label=_("Ingen ansvarlig")
    )

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Nytt notat"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("Søk (firma, kontakt, e-post, org.nr.)"), required=False, max_length=100)
    stage = forms.ChoiceField(label=_("Fase"), required=False, choices=[("", _("Alle faser")), *Stage.choices])
    owner = forms.ChoiceField(label=_("Ansvarlig"), required=False)

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [("", str(_("Alle"))), ("none", str(_("Ingen ansvarlig")))]
        choices += [(str(u.pk), u.full_name or u.email) for u in owners]
        self.fields["owner"].choices = choices  # type: ignore[attr-defined]
