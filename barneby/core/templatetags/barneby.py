from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms, template
from django.forms import BoundField

from barneby.core.formatting import format_amount, format_date

register = template.Library()


@register.filter
def kr(value: Decimal | int | float | str | None) -> str:
    return format_amount(value)


@register.filter
def nbdate(value: dt.date | dt.datetime | None) -> str:
    return format_date(value)


@register.filter
def ds_input(field: BoundField) -> str:
    """Render a form field's widget with Designsystemet classes and ARIA links to help and errors."""
    widget: forms.Widget = field.field.widget
    existing = widget.attrs.get("class", "")
    attrs: dict[str, str] = {"class": f"{existing} ds-input".strip()}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)
