from __future__ import annotations

from functools import cache
from typing import Any

from django import forms
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from barneby.core.widgets import FastSelect
from barneby.organisation.models import (
    Home,
    HomeKind,
    Location,
    LocationKind,
    MemberAssociation,
    Programme,
    ProgrammeStatus,
    ProgrammeType,
    StaffMember,
    StaffRole,
    Training,
)


@cache
def country_choices(language: str) -> list[tuple[str, str]]:
    """Every country, named and sorted in ``language``; computed once per language."""
    with override(language):
        return [(code, str(name)) for code, name in countries]


class ProgrammeFilterForm(forms.Form):
    q = forms.CharField(label=_("Søk (navn, kode, sted)"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Land"), required=False, widget=FastSelect)
    type = forms.ChoiceField(label=_("Type"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("Alle"))]
        country: Any = self.fields["country"]
        country.choices = everything + country_choices(get_language() or "nb")
        type_: Any = self.fields["type"]
        type_.choices = everything + list(ProgrammeType.choices)
        status: Any = self.fields["status"]
        status.choices = everything + list(ProgrammeStatus.choices)

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"country": data["country"], "type": data["type"], "status": data["status"], "search": data["q"].strip()}


class ProgrammeForm(forms.ModelForm[Programme]):
    partner_municipality_number = forms.CharField(
        label=_("Samarbeidskommune (kommunenummer)"),
        required=False,
        max_length=4,
        help_text=_("Fire siffer, f.eks. 4601."),
    )

    class Meta:
        model = Programme
        fields = [
            "location",
            "name",
            "code",
            "type",
            "status",
            "start_date",
            "end_date",
            "budget_local",
            "currency",
            "budget_nok",
        ]


class HomeFilterForm(forms.Form):
    q = forms.CharField(label=_("Søk (navn, program)"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    siblings = forms.BooleanField(label=_("Bare hjem som tar imot søskenflokker"), required=False)
    free = forms.BooleanField(label=_("Bare hjem med ledige plasser"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind: Any = self.fields["kind"]
        kind.choices = [("", _("Alle")), *HomeKind.choices]


class TrainingFilterForm(forms.Form):
    within_days = forms.TypedChoiceField(
        label=_("Utløper innen"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(30, _("30 dager")), (60, _("60 dager")), (90, _("90 dager")), (180, _("180 dager"))],
    )


class HomeForm(forms.ModelForm[Home]):
    municipality_number = forms.CharField(
        label=_("Kommune (kommunenummer)"), required=False, max_length=4, help_text=_("Fire siffer, for hjem i Norge.")
    )

    class Meta:
        model = Home
        fields = [
            "name",
            "kind",
            "capacity",
            "takes_sibling_groups",
            "max_sibling_group_size",
            "min_age",
            "max_age",
            "competences",
            "street_address",
            "postcode",
            "latitude",
            "longitude",
        ]
        widgets = {"competences": forms.CheckboxSelectMultiple}


class ProgrammeCreateForm(ProgrammeForm):
    association = forms.ModelChoiceField(label=_("Medlemsorganisasjon"), queryset=MemberAssociation.objects.none())

    def __init__(self, *args: Any, associations: list[MemberAssociation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["association"]
        field.queryset = MemberAssociation.objects.filter(pk__in=[a.pk for a in associations])
        if len(associations) == 1:
            field.initial = associations[0].pk
        self.order_fields(["association"])

    def _post_clean(self) -> None:
        # The association is set on the instance before the model is validated.
        if self.cleaned_data.get("association") is not None:
            self.instance.association = self.cleaned_data["association"]
        super()._post_clean()  # type: ignore[misc]


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("Søk (navn, e-post)"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Rolle"), required=False)
    active = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("1", _("Aktive")), ("0", _("Deaktiverte")), ("", _("Alle"))]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role: Any = self.fields["role"]
        role.choices = [("", _("Alle")), *StaffRole.choices]


class TrainingForm(forms.ModelForm[Training]):
    class Meta:
        model = Training
        fields = ["kind", "title", "completed_on", "expires_on"]


class LocationFilterForm(forms.Form):
    q = forms.CharField(label=_("Søk (navn)"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Land"), required=False, widget=FastSelect)
    kind = forms.ChoiceField(label=_("Type"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country: Any = self.fields["country"]
        country.choices = [("", _("Alle")), *country_choices(get_language() or "nb")]
        kind: Any = self.fields["kind"]
        kind.choices = [("", _("Alle")), *LocationKind.choices]


class StaffForm(forms.ModelForm[StaffMember]):
    class Meta:
        model = StaffMember
        fields = ["programme", "home", "first_name", "last_name", "role", "email", "phone"]


class LocationForm(forms.ModelForm[Location]):
    municipality_number = forms.CharField(
        label=_("Kommune (kommunenummer)"),
        required=False,
        max_length=4,
        help_text=_("Fire siffer, bare for steder i Norge."),
    )

    class Meta:
        model = Location
        fields = ["kind", "name", "country", "latitude", "longitude"]


class AssociationForm(forms.ModelForm[MemberAssociation]):
    class Meta:
        model = MemberAssociation
        fields = ["name", "code", "country"]
