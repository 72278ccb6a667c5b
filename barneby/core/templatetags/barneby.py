from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms, template
from django.forms import BoundField
from django.utils.translation import pgettext

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
    # A list of checkboxes or radio buttons: Django puts the class on the wrapper too, which must
    # not look like one input box.
    css = "choice-list" if isinstance(widget, forms.RadioSelect) else "ds-input"
    attrs: dict[str, str | bool] = {"class": f"{existing} {css}".strip()}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def is_optional(field: BoundField) -> bool:
    """One rule for the "(valgfritt)" after a label.

    Only for a field one may leave empty: not a required one, not a disabled one (nothing to fill in),
    not a checkbox (unticked is an answer, not an empty field), and not where the label already says so.
    """
    if field.field.required or field.field.disabled or field.is_hidden:
        return False
    if isinstance(field.field.widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
        return False
    marker = pgettext("form field", "valgfritt")
    return f"({marker})" not in str(field.label) and "(valgfritt)" not in str(field.label)


@register.simple_tag(takes_context=True)
def query(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters changed: ``{% query page=2 %}``.

    Changing anything but the page goes back to page 1.
    """
    request = context["request"]
    params = request.GET.copy()
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_link(context: template.Context, key: str) -> str:
    """Query string that sorts by ``key``, flipping the direction if already sorted by it."""
    sorting = context.get("sorting")
    descending = bool(sorting and sorting.key == key and not sorting.descending)
    return query(context, sort=f"-{key}" if descending else key)
