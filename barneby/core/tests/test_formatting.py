from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template

from barneby.core.formatting import format_amount, format_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234.5, "kr\u00a01\u00a0234,50"),
        (Decimal("0"), "kr\u00a00,00"),
        (999, "kr\u00a0999,00"),
        (1234567.005, "kr\u00a01\u00a0234\u00a0567,01"),
        (-250, "kr\u00a0−250,00"),
        ("12.345", "kr\u00a012,35"),
        (None, ""),
    ],
)
def test_amounts_use_norwegian_format(value: object, expected: str) -> None:
    assert format_amount(value) == expected  # type: ignore[arg-type]


def test_whole_kroner() -> None:
    assert format_amount(2500, decimals=0) == "kr\u00a02\u00a0500"


def test_dates_are_dd_mm_yyyy() -> None:
    assert format_date(dt.date(2026, 1, 5)) == "05.01.2026"
    assert format_date(None) == ""


def test_template_filters_and_django_date_format_agree() -> None:
    html = Template('{% load barneby %}{{ amount|kr }} {{ day|nbdate }} {{ day|date:"SHORT_DATE_FORMAT" }}').render(
        Context({"amount": 1234.5, "day": dt.date(2026, 11, 22)})
    )
    assert html == "kr\u00a01\u00a0234,50 22.11.2026 22.11.2026"
