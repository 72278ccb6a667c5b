from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from openpyxl import load_workbook

from barneby.accounts.models import User
from barneby.core.listing import csv_response, export_response, paginate, sort_by
from barneby.core.tests.personas import make_user

pytestmark = pytest.mark.django_db
COLUMNS = {"name": "full_name", "email": ("email",)}


def test_sort_by_whitelisted_column_both_ways() -> None:
    make_user(full_name="Bjørn")
    make_user(full_name="Anne")
    qs, sorting = sort_by(User.objects.all(), RequestFactory().get("/?sort=-name"), COLUMNS, "email")
    assert [u.full_name for u in qs] == ["Bjørn", "Anne"]
    assert sorting.param == "-name"


def test_sort_by_unknown_column_falls_back_to_default() -> None:
    _, sorting = sort_by(User.objects.all(), RequestFactory().get("/?sort=password"), COLUMNS, "-email")
    assert (sorting.key, sorting.descending) == ("email", True)


def test_paginate_clamps_bad_page_numbers() -> None:
    for i in range(5):
        make_user(full_name=f"U{i}")
    qs = User.objects.order_by("pk")
    assert paginate(RequestFactory().get("/?page=99"), qs, per_page=2).number == 3
    assert paginate(RequestFactory().get("/?page=x"), qs, per_page=2).number == 1


def test_csv_is_excel_friendly_norwegian() -> None:
    response = csv_response(
        "test", ["Navn", "Beløp", "Dato", "Aktiv"], [["Åse", Decimal("12.50"), dt.date(2026, 1, 2), True]]
    )
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[arg-type]
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows == [["Navn", "Beløp", "Dato", "Aktiv"], ["Åse", "12,50", "02.01.2026", "ja"]]
    assert response["Content-Disposition"] == 'attachment; filename="test.csv"'


def test_xlsx_has_header_and_typed_cells() -> None:
    response = export_response("xlsx", "test", ["Navn", "Antall", "Dato"], [["Åse", 3, dt.date(2026, 1, 2)]])
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == ["Navn", "Antall", "Dato"]
    assert sheet["B2"].value == 3
    assert sheet["C2"].value.date() == dt.date(2026, 1, 2)


def test_query_tag_keeps_filters_and_resets_page() -> None:
    request = RequestFactory().get("/?q=bergen&page=3&sort=name")
    template = Template("{% load barneby %}{% query page=4 %}|{% query q='oslo' %}|{% sort_link 'name' %}")
    from barneby.core.listing import Sorting

    rendered = template.render(Context({"request": request, "sorting": Sorting("name", False)}))
    assert rendered.replace("&amp;", "&") == "?q=bergen&page=4&sort=name|?q=oslo&sort=name|?q=bergen&sort=-name"


def test_fast_select_renders_like_django_select() -> None:
    from django import forms

    from barneby.core.widgets import FastSelect

    choices = [("", "Alle"), ("NO", "Norge"), ("KE", "Kenya <&>")]
    fast = FastSelect(choices=choices).render("country", "KE", attrs={"id": "id_country", "class": "ds-input"})
    plain = forms.Select(choices=choices).render("country", "KE", attrs={"id": "id_country", "class": "ds-input"})
    assert normalise(fast) == normalise(plain)


def normalise(html: str) -> str:
    return " ".join(html.replace("\n", " ").split()).replace("> <", "><")
