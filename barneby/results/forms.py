from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from barneby.results.indicators import INDICATORS
from barneby.results.models import IncomeSource
from barneby.results.periods import Period

MAX_UPLOAD = 2 * 1024 * 1024


def _period(value: str) -> str:
    try:
        return Period.parse(value).key
    except ValueError as error:
        raise forms.ValidationError(_("Skriv perioden som 2025, 2025-Q2 eller 2025-03.")) from error


class ClosePeriodForm(forms.Form):
    unit = forms.CharField(widget=forms.HiddenInput)
    period = forms.CharField(widget=forms.HiddenInput)

    def clean_period(self) -> str:
        return _period(self.cleaned_data["period"])


class TargetForm(forms.Form):
    code = forms.ChoiceField(label=_("Indikator"), choices=[(c, f"{c} {i.name}") for c, i in INDICATORS.items()])
    unit = forms.CharField(label=_("Enhet"), widget=forms.HiddenInput)
    period = forms.CharField(label=_("Periode"), max_length=7, help_text=_("2025, 2025-Q2 eller 2025-03"))
    value = forms.DecimalField(label=_("Mål"), max_digits=12, decimal_places=1, min_value=0)

    def clean_period(self) -> str:
        return _period(self.cleaned_data["period"])


class ServiceReturnForm(forms.Form):
    programme = forms.TypedChoiceField(label=_("Program"), coerce=int)
    month = forms.CharField(label=_("Måned"), help_text=_("For eksempel 2025-03"))
    participants = forms.IntegerField(label=_("Deltakere ved månedens slutt"), min_value=0)
    female = forms.IntegerField(label=_("Av dem jenter/kvinner"), min_value=0, required=False)
    with_disability = forms.IntegerField(label=_("Av dem med funksjonsnedsettelse"), min_value=0, required=False)
    new_participants = forms.IntegerField(label=_("Nye i måneden"), min_value=0, required=False)
    contacts = forms.IntegerField(label=_("Konsultasjoner/behandlinger"), min_value=0, required=False)
    comment = forms.CharField(label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, programmes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = programmes  # type: ignore[attr-defined]

    def clean_month(self) -> dt.date:
        try:
            period = Period.parse(self.cleaned_data["month"])
        except ValueError as error:
            raise forms.ValidationError(_("Skriv måneden som 2025-03.")) from error
        if period.kind != "month":
            raise forms.ValidationError(_("Skriv måneden som 2025-03."))
        return period.start


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Fil (CSV eller XLSX)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Filen er for stor (høyst 2 MB)."))
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Bruk en CSV- eller XLSX-fil."))
        return upload


class AccountsForm(forms.Form):
    association = forms.TypedChoiceField(label=_("Medlemsorganisasjon"), coerce=int)
    year = forms.IntegerField(label=_("År"), min_value=1949, max_value=2999)
    programme_costs = forms.DecimalField(
        label=_("Kostnader til formålet (programmer)"), min_value=0, max_digits=16, decimal_places=2
    )
    fundraising_costs = forms.DecimalField(
        label=_("Kostnader til innsamling"), min_value=0, max_digits=16, decimal_places=2
    )
    administration_costs = forms.DecimalField(
        label=_("Kostnader til administrasjon"), min_value=0, max_digits=16, decimal_places=2
    )

    def __init__(self, *args: Any, associations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["association"].choices = associations  # type: ignore[attr-defined]
        for source, label in IncomeSource.choices:
            self.fields[f"income_{source}"] = forms.DecimalField(
                label=_("Inntekt: {source}").format(source=label),
                min_value=0,
                max_digits=16,
                decimal_places=2,
                required=False,
            )


class ReportTextForm(forms.Form):
    text = forms.CharField(
        label=_("Kommentar til rapporten"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
