"""Norwegian house formats for amounts and dates, independent of the UI language."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"


def format_amount(value: Decimal | int | float | str | None, *, decimals: int = 2) -> str:
    """``1234.5`` → ``kr 1 234,50`` (non-breaking spaces); ``None`` → empty."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "−" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):.{decimals}f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    number = NBSP.join(groups) + (f",{fraction}" if decimals else "")
    return f"kr{NBSP}{sign}{number}"


def format_date(value: dt.date | dt.datetime | None) -> str:
    """``date(2026, 1, 5)`` → ``05.01.2026``."""
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y")
