from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from barneby.audit.models import AuditAction
from barneby.audit.selectors import AuditFilter, audit_object_types


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Utført av (navn eller e-post)"), required=False, max_length=254)
    action = forms.ChoiceField(label=_("Handling"), required=False, choices=[("", _("Alle"))])
    object_type = forms.ChoiceField(label=_("Objekttype"), required=False, choices=[("", _("Alle"))])
    object_id = forms.CharField(label=_("Objekt-ID"), required=False, max_length=64)
    date_from = forms.DateField(label=_("Fra dato"), required=False, help_text=_("dd.mm.åååå"))
    date_to = forms.DateField(label=_("Til dato"), required=False, help_text=_("dd.mm.åååå"))
    text = forms.CharField(label=_("Søk i objekt, detaljer og IP"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action: Any = self.fields["action"]
        action.choices = [("", _("Alle")), *AuditAction.choices]
        object_type: Any = self.fields["object_type"]
        object_type.choices = [("", _("Alle")), *((t, t) for t in audit_object_types())]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Til-datoen kan ikke være før fra-datoen."))
        return cleaned

    def to_filter(self) -> AuditFilter:
        if not self.is_valid():
            return AuditFilter()
        data = self.cleaned_data
        return AuditFilter(
            actor=data["actor"].strip(),
            action=data["action"],
            object_type=data["object_type"],
            object_id=data["object_id"].strip(),
            date_from=data["date_from"],
            date_to=data["date_to"],
            text=data["text"].strip(),
        )
