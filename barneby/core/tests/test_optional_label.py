"""One rule for "(valgfritt)": once, only on fields one may leave empty."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string


class Example(forms.Form):
    name = forms.CharField(label="Navn")
    note = forms.CharField(label="Merknad", required=False)
    agreement = forms.CharField(label="Betalingsavtale (valgfritt)", required=False)
    consent = forms.BooleanField(label="Tar imot søskenflokker", required=False)
    locked = forms.CharField(label="Samarbeidskommune", required=False, disabled=True)


def label(name: str) -> str:
    html = render_to_string("includes/field.html", {"field": Example()[name]})
    return html.split("<label", 1)[1].split("</label>", 1)[0]


def test_optional_marker_once_and_only_where_a_field_may_be_left_empty() -> None:
    assert "valgfritt" not in label("name")
    assert label("note").count("valgfritt") == 1
    assert label("agreement").count("valgfritt") == 1
    assert "valgfritt" not in label("consent")
    assert "valgfritt" not in label("locked")
