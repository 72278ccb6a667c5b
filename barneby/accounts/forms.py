from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

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
