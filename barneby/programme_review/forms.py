from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barneby.organisation.models import MemberAssociation
from barneby.programme_review.models import ENDING, HAND_OVER, Assessment, Decision, ReviewRound
from barneby.programme_review.selectors import ASSESSED, DECIDED, NOT_STARTED

SCORE_CHOICES = [("", "–"), *((str(n), str(n)) for n in range(1, 6))]
DATE_INPUT = {"placeholder": "dd.mm.åååå"}


class RoundForm(forms.ModelForm[ReviewRound]):
    class Meta:
        model = ReviewRound
        fields = ["name", "year", "deadline", "run_by"]
        help_texts = {"run_by": _("For eksempel en person, en enhet eller en arbeidsgruppe.")}
        widgets = {"deadline": forms.DateInput(attrs=DATE_INPUT)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)


class AssessmentForm(forms.ModelForm[Assessment]):
    class Meta:
        model = Assessment
        fields = [
            "relevance_score",
            "relevance_comment",
            "results_score",
            "results_comment",
            "cost_score",
            "cost_per_participant",
            "cost_comment",
            "capacity_score",
            "capacity_comment",
            "sustainability_score",
            "sustainability_comment",
        ]
        widgets = {
            **{name: forms.Select(choices=SCORE_CHOICES) for name in fields if name.endswith("_score")},
            **{name: forms.Textarea(attrs={"rows": 2}) for name in fields if name.endswith("_comment")},
        }
        help_texts = {
            "cost_per_participant": _(
                "La stå tom for å beregne den fra årsregnskapet eller budsjettet og tjenesterapportene eller registeret."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("relevance_score", "results_score", "cost_score", "capacity_score", "sustainability_score"):
            self.fields[name].required = True
            self.fields[name].help_text = _("1 er svakest, 5 er best.")

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        groups = [
            (_("Relevans"), ["relevance_score", "relevance_comment"]),
            (_("Resultater mot mål"), ["results_score", "results_comment"]),
            (_("Kostnad per deltaker"), ["cost_score", "cost_per_participant", "cost_comment"]),
            (_("Lokal kapasitet"), ["capacity_score", "capacity_comment"]),
            (_("Bærekraft"), ["sustainability_score", "sustainability_comment"]),
        ]
        return [(legend, [self[name] for name in names]) for legend, names in groups]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Beslutning"), choices=[("", "–"), *Decision.choices])
    receiving_party = forms.CharField(
        label=_("Mottaker"),
        required=False,
        max_length=200,
        help_text=_("Ved overlevering: myndigheten eller aktøren som tar over programmet."),
    )
    effective_on = forms.DateField(
        label=_("Gjelder fra"),
        required=False,
        widget=forms.DateInput(attrs=DATE_INPUT),
        help_text=_("Påkrevd ved utfasing og overlevering."),
    )
    decision_reason = forms.CharField(label=_("Begrunnelse"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, may_end: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_end:
            # Phase-out and handover are a national director's decisions: not offered to anyone else.
            self.fields["decision"].choices = [  # type: ignore[attr-defined]
                ("", "–"),
                *((value, label) for value, label in Decision.choices if value not in ENDING),
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision in HAND_OVER and not (data.get("receiving_party") or "").strip():
            self.add_error("receiving_party", _("Oppgi hvem programmet overleveres til."))
        if decision in ENDING and not data.get("effective_on"):
            self.add_error("effective_on", _("Oppgi fra hvilken dato beslutningen gjelder."))
        return data


class ProvisionForm(forms.Form):
    schooling_provider = forms.CharField(label=_("Skole eller barnehage etterpå"), max_length=200)
    health_provider = forms.CharField(label=_("Helsetilbud etterpå"), max_length=200)
    starts_on = forms.DateField(label=_("Fra dato"), widget=forms.DateInput(attrs=DATE_INPUT))
    note = forms.CharField(label=_("Merknad"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


STATE_CHOICES = [
    ("", _("Alle")),
    (NOT_STARTED, _("Ikke påbegynt")),
    (ASSESSED, _("Vurdert, ikke besluttet")),
    (DECIDED, _("Besluttet")),
]


class AssessmentFilterForm(forms.Form):
    q = forms.CharField(label=_("Søk (program eller kode)"), required=False, max_length=100)
    association = forms.ModelChoiceField(
        label=_("Medlemsorganisasjon"),
        queryset=MemberAssociation.objects.none(),
        required=False,
        empty_label=_("Alle"),
    )
    state = forms.ChoiceField(label=_("Status i gjennomgangen"), required=False, choices=STATE_CHOICES)
    decision = forms.ChoiceField(label=_("Beslutning"), required=False, choices=[("", _("Alle")), *Decision.choices])

    def __init__(self, *args: Any, associations: QuerySet[MemberAssociation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["association"].queryset = associations  # type: ignore[attr-defined]
