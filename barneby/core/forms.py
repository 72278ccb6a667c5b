"""Helpers shared by the apps' forms."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(
    form: forms.BaseForm, exc: ValidationError, *, aliases: Mapping[str, str] | None = None, prefix: str = ""
) -> None:
    """Put a service's validation errors on the form fields they belong to.

    ``aliases`` renames a service field to the form field that shows it;
    ``prefix`` is stripped from service field names (``decision_best_interest``
    → ``best_interest``). Errors for fields the form lacks, and errors without
    a field, go to the top of the form.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        target = (aliases or {}).get(name, name)
        if prefix:
            target = target.removeprefix(prefix)
        form.add_error(target if target in form.fields else None, errors)
