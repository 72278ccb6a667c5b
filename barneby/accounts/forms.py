from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils.translation import gettext_lazy as _

from barneby.accounts.models import RoleAssignment
from barneby.accounts.roles import ScopeKind
from barneby.core.mail import send_mail_later


class SignInForm(forms.Form):
    # Named "username" because django-axes reads the attempted account from it.
    username = forms.EmailField(
        label=_("E-post"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Passord"),
        strip=False,
        max_length=512,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_username(self) -> str:
        value: str = self.cleaned_data["username"]
        return value.strip().lower()


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Engangskode"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Skriv inn de seks sifrene fra autentiseringsappen.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self) -> str:
        value: str = self.cleaned_data["token"]
        return value.strip()


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Engangskode fra administrator"),
        max_length=40,
        help_text=_("Ti tegn, for eksempel ABCDE-23456."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Navn på nøkkelen"), max_length=100)
    expires_on = forms.DateField(
        label=_("Utløper (valgfritt)"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        # Formatted here, not at import: the maximum is a setting.
        self.fields["expires_on"].help_text = _(
            "Format dd.mm.åååå. Tom betyr høyst tillatte tid: {days} dager."
        ).format(days=settings.API_TOKEN_MAX_DAYS)


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the e-mail sent by a background task."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Rendered here, as Django would, so the e-mail is in the visitor's language.
        subject = loader.render_to_string(subject_template_name, context)
        body = loader.render_to_string(email_template_name, context)
        html_body = (
            loader.render_to_string(html_email_template_name, context) if html_email_template_name is not None else None
        )
        send_mail_later(subject=subject, body=body, to=[to_email], from_email=from_email, html_body=html_body)


def scope_choices() -> list[tuple[Any, Any]]:
    """Every scope an assignment can name, grouped by kind: ``"kind:key"`` and a readable label.

    Read when the form is built, so a new programme or home appears at once.
    """
    association = apps.get_model("organisation", "MemberAssociation")
    programme = apps.get_model("organisation", "Programme")
    home = apps.get_model("organisation", "Home")
    municipality = apps.get_model("organisation", "Municipality")
    return [
        ("", "---------"),
        (ScopeKind.GLOBAL.label, [(f"{ScopeKind.GLOBAL}:", ScopeKind.GLOBAL.label)]),
        (
            ScopeKind.ASSOCIATION.label,
            [(f"{ScopeKind.ASSOCIATION}:{a.pk}", a.name) for a in association.objects.order_by("name")],
        ),
        (
            ScopeKind.PROGRAMME.label,
            [
                (f"{ScopeKind.PROGRAMME}:{p.pk}", f"{p.association.name} – {p.name}")
                for p in programme.objects.select_related("association").order_by("association__name", "name")
            ],
        ),
        (
            ScopeKind.HOME.label,
            [
                (f"{ScopeKind.HOME}:{h.pk}", f"{h.programme.name} – {h.name}")
                for h in home.objects.select_related("programme").order_by("programme__name", "name")
            ],
        ),
        (
            ScopeKind.MUNICIPALITY.label,
            [(f"{ScopeKind.MUNICIPALITY}:{m.number}", str(m)) for m in municipality.objects.order_by("number")],
        ),
    ]


class RoleAssignmentAdminForm(forms.ModelForm[RoleAssignment]):
    """The admin's role editor: the scope is picked from lists, never typed as a key.

    Whether the role may hold that scope is checked by ``RoleAssignment.clean``,
    the same check ``role_assign`` runs; its errors are shown on the scope field.
    """

    scope = forms.ChoiceField(label=_("Omfang"), choices=())

    class Meta:
        model = RoleAssignment
        fields = ["role", "valid_until"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scope"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = scope_choices()
        if self.instance.pk is not None:
            self.initial["scope"] = f"{self.instance.scope_kind}:{self.instance.scope_key}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, _sep, key = str(cleaned.get("scope", "")).partition(":")
        if kind in ScopeKind.values:
            self.instance.scope_kind = kind
            self.instance.scope_key = key
        return cleaned

    def add_error(self, field: str | None, error: Any) -> None:
        # The model names scope_kind and scope_key; this form has one field for both.
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            error = ValidationError(
                {("scope" if name in {"scope_kind", "scope_key"} else name): e for name, e in error.error_dict.items()}
            )
        super().add_error(field, error)
