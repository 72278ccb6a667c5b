from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from barneby.core.formatting import format_amount, format_date

register = template.Library()


@register.filter
def kr(value: Decimal | int | float | str | None) -> str:
    return format_amount(value)


@register.filter
def nbdate(value: dt.date | dt.datetime | None) -> str:
    return format_date(value)
