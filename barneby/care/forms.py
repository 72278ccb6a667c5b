from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barneby.care.models import (
    Aftercare,
    AftercareResponse,
    Child,
    ChildStatus,
    ContactInterval,
    ContactMode,
    Decision,
    DecisionKind,
    EndReason,
    ExitOutcome,
    FollowUpKind,
    GatekeepingOutcome,
    GatekeepingReason,
    HeardHow,
    Household,
    HouseholdMember,
    KeepApartReason,
    PlacementType,
    PlanGoal,
    PlanReview,
    RiskFactor,
    SeparationReason,
    SiblingKind,
    SupportContact,
    SupportService,
)
from barneby.organisation.models import Home, Municipality

ALL = [("", _("Alle"))]


class ChildFilterForm(forms.Form):
    q = forms.CharField(label=_("Søk (starten av fornavn eller etternavn)"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ALL + list(ChildStatus.choices))
    mine = forms.BooleanField(label=_("Bare mine saker"), required=False)


class AlertFilterForm(forms.Form):
    severity = forms.ChoiceField(
        label=_("Alvorlighet"),
        required=False,
        choices=[*ALL, ("high", _("Høy")), ("medium", _("Middels")), ("low", _("Lav"))],
    )
    mine = forms.BooleanField(label=_("Bare mine saker"), required=False)


class MunicipalityNumberField(forms.CharField):
    """A Norwegian municipality by its four-digit number."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 4)
        kwargs.setdefault("help_text", _("Fire siffer, for eksempel 4601 for Bergen."))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Municipality | None:
        number = (super().clean(value) or "").strip()
        if not number:
            return None
        found = Municipality.objects.filter(number=number).first()
        if found is None:
            raise forms.ValidationError(_("Ukjent kommunenummer: {number}.").format(number=number))
        return found


class VersionedForm(forms.ModelForm[Any]):
    """A model form that carries the version of the record it was opened with (optimistic locking).

    The service compares it with the stored version when saving (services.claim_version).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("version", self.instance.version)


def version_field() -> forms.IntegerField:
    """The same hidden field for a plain form; the view puts the record's version in ``initial``."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class ChildForm(VersionedForm):
    origin_municipality = MunicipalityNumberField(label=_("Hjemkommune (kommunenummer)"))
    settlement_municipality = MunicipalityNumberField(label=_("Bosettingskommune (kommunenummer)"))

    class Meta:
        model = Child
        fields = [
            "first_name",
            "last_name",
            "birth_date",
            "sex",
            "nationality",
            "languages",
            "religion",
            "national_id",
            "target_group",
            "origin_municipality",
            "is_unaccompanied",
            "arrival_date",
            "residence_decision_date",
            "settlement_date",
            "settlement_municipality",
            "needs",
        ]
        widgets = {
            "national_id": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
            "needs": forms.CheckboxSelectMultiple,
        }
        help_texts = {"national_id": _("11 sifre. Lagres kryptert.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("origin_municipality", "settlement_municipality"):
                municipality = getattr(self.instance, name)
                self.initial[name] = municipality.number if municipality else ""


class KeepApartForm(forms.Form):
    other_choice = forms.ModelChoiceField(label=_("Barn"), queryset=Child.objects.none())
    reason = forms.ChoiceField(label=_("Grunn"), choices=KeepApartReason.choices)
    note = forms.CharField(label=_("Merknad"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RestrictedForm(VersionedForm):
    class Meta:
        model = Child
        fields = ["health", "disability", "hiv_status"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}


class SiblingForm(forms.Form):
    other = forms.IntegerField(widget=forms.HiddenInput, required=False)
    other_choice = forms.ModelChoiceField(label=_("Søsken"), queryset=Child.objects.none(), required=True)
    kind = forms.ChoiceField(label=_("Type søskenforhold"), choices=SiblingKind.choices)
    existing_bond = forms.BooleanField(label=_("Søsknene har et etablert bånd"), required=False, initial=True)
    whole_group = forms.BooleanField(
        label=_("Registrer også som søsken til resten av søskenflokken"), required=False, initial=True
    )


class GatekeepingForm(forms.Form):
    assessed_on = forms.DateField(label=_("Vurdert"), initial=timezone.localdate)
    reasons = forms.MultipleChoiceField(
        label=_("Grunner til henvisningen"), choices=GatekeepingReason.choices, widget=forms.CheckboxSelectMultiple
    )
    necessity = forms.CharField(
        label=_("Er alternativ omsorg nødvendig?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Hvilke tiltak i familien er prøvd eller vurdert, og hvorfor er de ikke nok?"),
    )
    suitability = forms.CharField(
        label=_("Er dette tilbudet egnet for barnet?"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    outcome = forms.ChoiceField(label=_("Konklusjon"), choices=GatekeepingOutcome.choices)


class DecisionFields(forms.Form):
    """The decision every placement change carries: best interests and the child's voice."""

    decided_on = forms.DateField(label=_("Vedtaksdato"), initial=timezone.localdate)
    decided_by = forms.CharField(label=_("Vedtatt av"), max_length=200)
    participants = forms.CharField(label=_("Deltakere"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    best_interest = forms.CharField(label=_("Vurdering av barnets beste"), widget=forms.Textarea(attrs={"rows": 4}))
    heard_how = forms.ChoiceField(
        label=_("Hvordan barnet ble hørt"), choices=[("", "—"), *HeardHow.choices], required=False
    )
    child_views = forms.CharField(label=_("Barnets syn"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    not_heard_reason = forms.CharField(
        label=_("Hvorfor barnet ikke kunne bli hørt"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DecisionForm(DecisionFields):
    kind = forms.ChoiceField(label=_("Type vedtak"), choices=DecisionKind.choices)
    separation_reason = forms.ChoiceField(
        label=_("Begrunnelse for at søsknene ikke bor sammen"),
        choices=[("", "—"), *SeparationReason.choices],
        required=False,
    )
    relationship_assessment = forms.CharField(
        label=_("Vurdering av søskenrelasjonen"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    contact_plan = forms.CharField(
        label=_("Kontaktplan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Hvor ofte og hvordan søsknene skal møtes."),
    )
    contact_times = forms.IntegerField(
        label=_("Planlagte kontakter"),
        min_value=1,
        max_value=99,
        required=False,
        help_text=_("Antall møter eller samtaler planen sier, for eksempel 2 i måneden. Brukes til indikator I13."),
    )
    contact_per = forms.ChoiceField(label=_("Per"), choices=[("", "—"), *ContactInterval.choices], required=False)
    reassess_on = forms.DateField(label=_("Ny vurdering innen"), required=False)
    complaint_info_given = forms.BooleanField(label=_("Den unge er opplyst om klageadgang"), required=False)
    version = version_field()

    field_order = ["kind"]


class PlacementForm(DecisionFields):
    home: forms.ModelChoiceField[Home] = forms.ModelChoiceField(label=_("Hjem"), queryset=Home.objects.none())
    type = forms.ChoiceField(label=_("Type plassering"), choices=PlacementType.choices)
    start_date = forms.DateField(label=_("Fra"), initial=timezone.localdate)
    is_emergency = forms.BooleanField(label=_("Akuttplassering"), required=False)
    child_prepared = forms.BooleanField(label=_("Barnet er forberedt på flyttingen"), required=False)
    end_reason = forms.ChoiceField(
        label=_("Sluttårsak for nåværende plassering"),
        choices=EndReason.choices,
        initial=EndReason.PLANNED_MOVE,
        required=False,
    )
    capacity_override = forms.CharField(
        label=_("Begrunnelse for overbelegg"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Bare når hjemmet er fullt og barnet likevel må bo der."),
    )

    # The matching proposal the form was opened from (its queryset is set by the view: the child's open proposals).
    proposal: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Forslag"),
        queryset=Home.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _(
                "Forslaget kan ikke brukes: det gjelder et annet barn, er allerede brukt til en plassering, eller du "
                "har ikke tilgang til det."
            )
        },
    )

    field_order = ["home", "type", "start_date", "is_emergency", "child_prepared", "end_reason", "capacity_override"]


class PlacementEndForm(DecisionFields):
    end_date = forms.DateField(label=_("Sluttdato"), initial=timezone.localdate)
    end_reason = forms.ChoiceField(
        label=_("Sluttårsak"),
        choices=[
            (EndReason.REUNIFICATION, EndReason.REUNIFICATION.label),
            (EndReason.AGED_OUT, EndReason.AGED_OUT.label),
            (EndReason.ADOPTION, EndReason.ADOPTION.label),
            (EndReason.OTHER, EndReason.OTHER.label),
        ],
    )
    field_order = ["end_date", "end_reason"]


class GoalForm(VersionedForm):
    class Meta:
        model = PlanGoal
        fields = ["domain", "description", "status", "target_date"]


class ReviewForm(VersionedForm):
    class Meta:
        model = PlanReview
        fields = ["reviewed_on", "summary", "child_took_part", "child_views", "not_heard_reason"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "child_views": forms.Textarea(attrs={"rows": 3}),
            "not_heard_reason": forms.Textarea(attrs={"rows": 2}),
        }


class AftercareForm(VersionedForm):
    class Meta:
        model = Aftercare
        fields = [
            "assessed_on",
            "plan",
            "support_person",
            "housing",
            "education",
            "work",
            "finances",
            "offered_on",
            "response",
            "responded_on",
            "decline_reason",
            "recontacted_on",
            "closed_on",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("plan", "housing", "education", "work", "finances", "decline_reason")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        response: Any = self.fields["response"]
        response.choices = list(AftercareResponse.choices)


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=FollowUpKind.choices)
    visited_on = forms.DateField(label=_("Dato"), initial=timezone.localdate)
    notes = forms.CharField(label=_("Notat"), widget=forms.Textarea(attrs={"rows": 3}))


class SiblingContactForm(forms.Form):
    """One contact between separated siblings that took place (the view sets the decisions and siblings)."""

    decision: forms.ModelChoiceField[Decision] = forms.ModelChoiceField(
        label=_("Vedtak om søskensplitt"), queryset=Decision.objects.none()
    )
    sibling: forms.ModelChoiceField[Child] = forms.ModelChoiceField(label=_("Søsken"), queryset=Child.objects.none())
    contact_on = forms.DateField(label=_("Dato"), initial=timezone.localdate)
    form = forms.ChoiceField(label=_("Form"), choices=ContactMode.choices)
    note = forms.CharField(
        label=_("Merknad"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class DailyNoteForm(forms.Form):
    written_on = forms.DateField(label=_("Dato"), initial=timezone.localdate)
    text = forms.CharField(label=_("Hvordan var dagen?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class HouseholdForm(forms.ModelForm[Household]):
    municipality = MunicipalityNumberField(label=_("Kommune (kommunenummer)"))
    risk_factors = forms.MultipleChoiceField(
        label=_("Risikofaktorer"), choices=RiskFactor.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    exit_outcome = forms.ChoiceField(
        label=_("Utfall ved avslutning"), choices=[("", "—"), *ExitOutcome.choices], required=False
    )

    class Meta:
        model = Household
        fields = [
            "name",
            "municipality",
            "risk_factors",
            "in_family_strengthening",
            "entered_on",
            "exited_on",
            "exit_outcome",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.municipality:
            self.initial["municipality"] = self.instance.municipality.number


class MemberForm(forms.ModelForm[HouseholdMember]):
    class Meta:
        model = HouseholdMember
        fields = ["first_name", "last_name", "relation", "birth_year"]


class ContactForm(forms.ModelForm[SupportContact]):
    class Meta:
        model = SupportContact
        fields = ["kind", "name", "role"]


class ServiceForm(forms.ModelForm[SupportService]):
    class Meta:
        model = SupportService
        fields = ["description", "provider", "start_date", "end_date"]
