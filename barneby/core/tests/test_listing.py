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


FORMULAS = ['=HYPERLINK("http://x","klikk")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_csv_export_neutralises_formulas_but_keeps_numbers() -> None:
    rows = [[text, Decimal("-12.50"), -3] for text in FORMULAS]
    response = csv_response("test", ["Navn", "Beløp", "Tall"], rows)
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[arg-type]
    read = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    assert [row[0] for row in read] == ["'" + formula for formula in FORMULAS]
    assert read[0][1:] == ["-12,50", "-3"]


def test_xlsx_export_neutralises_formulas_as_text() -> None:
    response = export_response("xlsx", "test", ["Navn"], [[text] for text in FORMULAS] + [["vanlig"]])
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [row[0].value for row in sheet.iter_rows(min_row=2)]  # type: ignore[union-attr]
    # Whether a carriage return reads back as a line feed depends on openpyxl's XML library (with lxml it is
    # kept); what matters is the apostrophe in front.
    assert [str(cell).replace("\r", "\n") for cell in cells] == [
        "'" + formula.replace("\r", "\n") for formula in FORMULAS
    ] + ["vanlig"]
    assert all(row[0].data_type == "s" for row in sheet.iter_rows(min_row=2))  # type: ignore[union-attr]


def test_register_export_neutralises_a_formula_in_a_name() -> None:
    from barneby.accounts.roles import Role
    from barneby.core.tests.personas import make_persona, verified_client
    from barneby.organisation.tests import factories as f

    association = f.association(country="NO")
    f.home(f.programme(association), name="=cmd|' /C calc'!A0")
    client = verified_client(make_persona(Role.AUDITOR))
    csv_text = b"".join(client.get("/organisasjon/hjem/eksport/").streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "\n'=cmd" in csv_text.replace("\r\n", "\n")
    workbook = load_workbook(io.BytesIO(client.get("/organisasjon/hjem/eksport/", {"format": "xlsx"}).content))
    assert workbook.active["A2"].value == "'=cmd|' /C calc'!A0"  # type: ignore[index]
