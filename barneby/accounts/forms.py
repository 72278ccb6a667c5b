from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


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


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Navn på nøkkelen"), max_length=100)
    expires_on = forms.DateField(
        label=_("Utløper (valgfritt)"), required=False, help_text=_("Format dd.mm.åååå. Tom betyr ingen utløpsdato.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "off"
