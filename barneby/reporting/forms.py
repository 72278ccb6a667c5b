"""Staff forms for the IATI data: the reporting organisation, and a programme with its sectors and budgets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from barneby.reporting import iati
from barneby.reporting.models import BudgetStatus, BudgetType, IatiActivity, IatiOrganisation, SectorVocabulary
from barneby.reporting.services import BudgetData, SectorData

# The OECD DAC CRS purpose codes (five digits) an SOS programme is usually reported under.
DAC_SECTORS: list[tuple[str, Any]] = [
    ("11220", _("11220 Grunnskole")),
    ("11231", _("11231 Livsmestring for ungdom")),
    ("11240", _("11240 Barnehage og tidlig læring")),
    ("11330", _("11330 Yrkesopplæring")),
    ("12220", _("12220 Grunnleggende helsetjenester")),
    ("12240", _("12240 Ernæring")),
    ("15160", _("15160 Menneskerettigheter")),
    ("15180", _("15180 Vold mot kvinner og jenter")),
    ("16010", _("16010 Sosial beskyttelse")),
    ("16015", _("16015 Sosiale tjenester for barn og unge")),
    ("16020", _("16020 Arbeid og sysselsetting")),
    ("72010", _("72010 Nødhjelp: materiell hjelp og tjenester")),
    ("72050", _("72050 Nødhjelp: koordinering og støtte")),
]


class IatiOrganisationForm(forms.ModelForm[IatiOrganisation]):
    class Meta:
        model = IatiOrganisation
        fields = ["identifier", "type", "name_en"]


class IatiActivityForm(forms.ModelForm[IatiActivity]):
    class Meta:
        model = IatiActivity
        fields = ["identifier", "title_en", "description_nb", "description_en"]
        widgets = {
            "description_nb": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }


class SectorForm(forms.Form):
    code = forms.ChoiceField(label=_("DAC-sektor"), choices=[("", "—"), *DAC_SECTORS], required=False)
    percentage = forms.DecimalField(
        label=_("Andel (%)"), min_value=Decimal(0), max_value=Decimal(100), decimal_places=2, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("code") and data.get("percentage") is None:
            self.add_error("percentage", _("Oppgi hvor stor andel av programmet sektoren utgjør."))
        return data


class BudgetForm(forms.Form):
    period_start = forms.DateField(label=_("Periode fra"), required=False)
    period_end = forms.DateField(label=_("Periode til"), required=False)
    value = forms.DecimalField(label=_("Beløp"), min_value=Decimal(0), decimal_places=2, required=False)
    currency = forms.CharField(label=_("Valuta"), max_length=3, initial="NOK", required=False)
    type = forms.ChoiceField(label=_("Type"), choices=BudgetType.choices, initial=BudgetType.ORIGINAL)
    status = forms.ChoiceField(label=_("Status"), choices=BudgetStatus.choices, initial=BudgetStatus.INDICATIVE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [data.get(name) not in (None, "") for name in ("period_start", "period_end", "value")]
        if any(given) and not all(given):
            raise forms.ValidationError(_("Et budsjett trenger periode fra, periode til og beløp."))
        data["currency"] = str(data.get("currency") or "NOK").upper()
        return data


class _Rows(forms.BaseFormSet):  # type: ignore[type-arg]
    def rows(self) -> list[dict[str, Any]]:
        """The filled-in rows (a row left empty is ignored)."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


class BaseSectorFormSet(_Rows):
    def clean(self) -> None:
        if any(self.errors):
            return
        rows = [r for r in self.rows() if r.get("code")]
        codes = [r["code"] for r in rows]
        if len(codes) != len(set(codes)):
            raise forms.ValidationError(_("En sektor er oppgitt to ganger."))
        sectors = [iati.Sector(SectorVocabulary.DAC_5, r["code"], r["percentage"]) for r in rows]
        problems = iati.check_sectors(sectors)
        if problems:
            raise forms.ValidationError(problems)

    def sector_rows(self) -> list[SectorData]:
        return [
            {"vocabulary": SectorVocabulary.DAC_5.value, "code": r["code"], "percentage": r["percentage"]}
            for r in self.rows()
            if r.get("code")
        ]


class BaseBudgetFormSet(_Rows):
    def clean(self) -> None:
        if any(self.errors):
            return
        budgets = [
            iati.Budget(
                r["type"], r["status"], r["period_start"], r["period_end"], r["value"], r["currency"], r["period_start"]
            )
            for r in self.rows()
            if r.get("period_start")
        ]
        problems = iati.check_budgets(budgets, closed=True)  # no budget at all is the export's business
        if problems:
            raise forms.ValidationError(problems)

    def budget_rows(self) -> list[BudgetData]:
        return [
            {
                "type": r["type"],
                "status": r["status"],
                "period_start": r["period_start"],
                "period_end": r["period_end"],
                "value": r["value"],
                "currency": r["currency"],
                "value_date": r["period_start"],
            }
            for r in self.rows()
            if r.get("period_start")
        ]


SectorFormSet: type[BaseSectorFormSet] = forms.formset_factory(  # type: ignore[assignment]
    SectorForm, formset=BaseSectorFormSet, extra=2, can_delete=True
)
BudgetFormSet: type[BaseBudgetFormSet] = forms.formset_factory(  # type: ignore[assignment]
    BudgetForm, formset=BaseBudgetFormSet, extra=2, can_delete=True
)
