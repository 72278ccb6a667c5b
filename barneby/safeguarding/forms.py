"""Forms for reporting and for the steps of a case."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barneby.organisation.models import MemberAssociation, Programme, StaffMember
from barneby.safeguarding import services
from barneby.safeguarding.models import (
    Action,
    Category,
    ConcernsChild,
    InvolvedRole,
    Outcome,
    Perpetrator,
    Severity,
)

# The time check against bots: a person takes longer than this to fill in the form,
# and the form is stale after a day.
MIN_SECONDS = 3
MAX_SECONDS = 24 * 3600
FORM_SALT = "safeguarding.public-form"


def form_stamp() -> str:
    """A signed timestamp of when the form was shown (no cookie, no session)."""
    return signing.dumps(timezone.now().timestamp(), salt=FORM_SALT)


class AttachmentField(forms.FileField):
    """An optional file, checked by its content (PDF, JPEG, PNG) and size."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Vedlegg"))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png")

    def help_now(self) -> str:
        """The help text with the size limit in force (settings are read per form, never at import)."""
        return str(_("PDF, JPEG eller PNG, høyst {limit} MB.")).format(
            limit=services.attachment_max_bytes() // 1_048_576
        )

    def clean(self, data: Any, initial: Any = None) -> services.CheckedFile | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        return services.check_attachment(upload)


class ReportFields(forms.Form):
    """What every report asks."""

    category = forms.ChoiceField(label=_("Hva gjelder det?"), choices=Category.choices)
    details = forms.CharField(
        label=_("Hva skjedde?"),
        help_text=_("Skriv hva som skjedde, når og hvem som var involvert, så godt du kan."),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    place = forms.CharField(label=_("Hvor skjedde det?"), max_length=300, required=False)
    concerns_child = forms.ChoiceField(
        label=_("Gjelder det et barn?"), choices=ConcernsChild.choices, initial=ConcernsChild.UNKNOWN
    )
    immediate_risk = forms.BooleanField(label=_("Noen er i fare akkurat nå"), required=False)
    attachment = AttachmentField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attachment"]
        assert isinstance(field, AttachmentField)
        field.help_text = field.help_now()


class PublicReportForm(ReportFields):
    """The anonymous form: no name, no contact details; a honeypot and a time check against bots."""

    association = forms.ModelChoiceField(
        label=_("Hvilket land eller hvilken organisasjon gjelder det?"),
        queryset=MemberAssociation.objects.none(),
        empty_label=None,
    )
    # Hidden from people (and from assistive technology); bots fill it in.
    website = forms.CharField(label=_("Nettsted"), required=False)
    stamp = forms.CharField(widget=forms.HiddenInput)

    field_order = ["association", "category", "details", "place", "concerns_child", "immediate_risk", "attachment"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        associations: QuerySet[MemberAssociation] = MemberAssociation.objects.filter(is_active=True).order_by("name")
        self.fields["association"].queryset = associations  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial["stamp"] = form_stamp()

    def is_bot(self) -> bool:
        """Filled in the honeypot, or too fast, or with a forged or stale stamp."""
        if self.data.get("website"):
            return True
        try:
            shown = float(signing.loads(self.data.get("stamp", ""), salt=FORM_SALT, max_age=MAX_SECONDS))
        except (signing.BadSignature, TypeError, ValueError):
            return True
        return timezone.now().timestamp() - shown < MIN_SECONDS


class StaffReportForm(ReportFields):
    association = forms.ModelChoiceField(
        label=_("Medlemsorganisasjon"), queryset=MemberAssociation.objects.none(), empty_label=None
    )
    programme = forms.ModelChoiceField(label=_("Program"), queryset=Programme.objects.none(), required=False)
    severity = forms.ChoiceField(label=_("Alvorlighet"), choices=Severity.choices, initial=Severity.MEDIUM)
    person_role = forms.ChoiceField(
        label=_("Involvert person (rolle)"),
        choices=[("", "—"), *InvolvedRole.choices],
        required=False,
    )
    person_description = forms.CharField(
        label=_("Involvert person (navn eller beskrivelse)"), max_length=500, required=False
    )

    field_order = [
        "association",
        "programme",
        "category",
        "details",
        "place",
        "concerns_child",
        "immediate_risk",
        "severity",
        "person_role",
        "person_description",
        "attachment",
    ]

    def __init__(
        self,
        *args: Any,
        associations: QuerySet[MemberAssociation],
        programmes: QuerySet[Programme],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["association"].queryset = associations  # type: ignore[attr-defined]
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("person_description") and not data.get("person_role"):
            self.add_error("person_role", _("Velg rollen til personen."))
        return data


class ReporterAccessForm(forms.Form):
    code = forms.CharField(label=_("Saksnummer"), max_length=40)
    secret = forms.CharField(label=_("Hemmelig kode"), max_length=60, widget=forms.PasswordInput(render_value=False))


class ReporterReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Din melding"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachment = AttachmentField()
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attachment"]
        assert isinstance(field, AttachmentField)
        field.help_text = field.help_now()


class NoteForm(forms.Form):
    KINDS = [("note", _("Notat")), ("interview", _("Samtale"))]
    kind = forms.ChoiceField(label=_("Type"), choices=KINDS, initial="note")
    text = forms.CharField(label=_("Tekst"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Melding til den som varslet"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("Notat (valgfritt)"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssessForm(forms.Form):
    risk_level = forms.ChoiceField(label=_("Risiko"), choices=Severity.choices)
    child_at_risk = forms.TypedChoiceField(
        label=_("Er et barn i fare?"),
        choices=[("yes", _("Ja")), ("no", _("Nei"))],
        coerce=lambda v: v == "yes",
    )
    referred_police_on = forms.DateField(label=_("Meldt til politiet (dato)"), required=False)
    referred_child_welfare_on = forms.DateField(label=_("Meldt til barnevernet (dato)"), required=False)
    note = forms.CharField(
        label=_("Vurdering"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class InvestigateForm(forms.Form):
    investigator_email = forms.EmailField(label=_("Undersøker (e-post til brukerkontoen)"))
    plan = forms.CharField(label=_("Plan"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3}))
    summary = forms.CharField(
        label=_("Funn"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_investigator_email(self) -> Any:
        from barneby.accounts.models import User

        user = User.objects.filter(email__iexact=self.cleaned_data["investigator_email"], is_active=True).first()
        if user is None:
            raise ValidationError(_("Ingen aktiv bruker har denne e-postadressen."))
        return user


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Konklusjon"), choices=Outcome.choices)
    perpetrator = forms.ChoiceField(label=_("Utøver"), choices=[("", "—"), *Perpetrator.choices], required=False)
    note = forms.CharField(
        label=_("Begrunnelse"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(forms.Form):
    actions = forms.MultipleChoiceField(
        label=_("Tiltak"), choices=Action.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    lessons = forms.CharField(label=_("Læring"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3}))


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("Hvorfor løftes saken?"), max_length=20000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PersonForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=InvolvedRole.choices)
    description = forms.CharField(label=_("Navn eller beskrivelse"), max_length=500, required=False)
    child_record = forms.IntegerField(
        label=_("Barnets nummer i registeret"), required=False, min_value=1, max_value=2**63 - 1
    )
    staff_member = forms.ModelChoiceField(label=_("Ansatt"), queryset=StaffMember.objects.none(), required=False)
    user_email = forms.EmailField(label=_("Brukerkonto (e-post)"), required=False)

    def __init__(self, *args: Any, association_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.association_id = association_id
        self.fields["staff_member"].queryset = StaffMember.objects.filter(  # type: ignore[attr-defined]
            association_id=association_id, is_active=True
        ).order_by("last_name", "first_name")

    def clean_child_record(self) -> Any:
        from barneby.care.models import Child

        pk = self.cleaned_data.get("child_record")
        if pk is None:
            return None
        child = Child.objects.filter(pk=pk, programme__association_id=self.association_id).first()
        if child is None:
            raise ValidationError(_("Ingen barn med dette nummeret i saken sin medlemsorganisasjon."))
        return child

    def clean_user_email(self) -> Any:
        from barneby.accounts.models import User

        email = self.cleaned_data.get("user_email")
        if not email:
            return None
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise ValidationError(_("Ingen bruker har denne e-postadressen."))
        return user
