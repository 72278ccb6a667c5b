"""Live key figures: the key figures page and the key figure block read the results module directly."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import inspect
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from barneby.organisation.models import LocationKind
from barneby.organisation.tests import factories as org
from barneby.results import keyfigures as results
from barneby.website import blocks, keyfigures, pagecache

pytestmark = pytest.mark.django_db

URL = "/nokkeltall/"


def _villages(n: int) -> None:
    association = org.association(country="KE")
    for _ in range(n):
        org.location(association, kind=LocationKind.VILLAGE, country="KE", latitude=0, longitude=37)


def _item(html: str, code: str) -> str:
    start = html.index(f'id="nokkeltall-{code}"')
    return html[start : html.index("</li>", start)]


def test_the_page_lists_every_key_figure_with_definition_source_and_date(demo_site: Any, client: Client) -> None:
    _villages(3)
    html = client.get(URL).content.decode()
    today = timezone.localdate().strftime("%d.%m.%Y")
    for definition in results.KEY_FIGURES:
        item = _item(html, definition.code)
        assert htmllib.escape(str(definition.name)) in item, definition.code
        assert htmllib.escape(str(definition.definition)) in item, definition.code
        assert htmllib.escape(str(definition.source)) in item, definition.code
        assert f"per {today}" in item, definition.code
    assert re.search(r'class="key-figure__value">3<', _item(html, "villages"))


def test_the_english_page_has_the_english_names(demo_site: Any, client: Client) -> None:
    html = client.get("/en" + URL).content.decode()
    assert '<html lang="en"' in html
    from django.utils import translation

    with translation.override("en"):
        name = str(results.KEY_FIGURES[0].name)
    assert htmllib.escape(name) in _item(html, results.KEY_FIGURES[0].code)


def test_a_figure_the_results_module_has_no_value_for_says_so(demo_site: Any, client: Client) -> None:
    item = _item(client.get(URL).content.decode(), "purpose_share")  # no annual accounts in this world
    assert "Ikke tilgjengelig ennå" in item
    assert not re.search(r'key-figure__value">\d', item)


def test_the_figures_are_live_but_cached_by_the_results_module(demo_site: Any, client: Client) -> None:
    _villages(2)
    assert re.search(r'key-figure__value">2<', _item(client.get(URL).content.decode(), "villages"))
    _villages(1)
    assert re.search(r'key-figure__value">2<', _item(client.get(URL).content.decode(), "villages"))  # cached
    results.forget(timezone.localdate().year)
    pagecache.clear()  # the page itself is cached for a minute too
    assert re.search(r'key-figure__value">3<', _item(client.get(URL).content.decode(), "villages"))


def test_the_block_on_a_theme_page_shows_the_live_figure(demo_site: Any, client: Client) -> None:
    _villages(4)
    html = client.get("/sosken-sammen/").content.decode()
    block = html[html.index('class="block-key-figure"') :].split("</div>")[0]
    assert re.search(r'key-figure__value">4<', block)
    assert str(results.KEY_FIGURES[2].name) in block  # "Barnebyer"
    assert f"Per {timezone.localdate().strftime('%d.%m.%Y')}." in block


def test_the_block_offers_only_the_results_modules_figures() -> None:
    block = blocks.KeyFigureBlock()
    codes = [code for code, _name in block.child_blocks["code"].field.choices if code]
    assert codes == [d.code for d in results.KEY_FIGURES]
    with pytest.raises(ValidationError):
        block.clean({"code": "siblings_together_share"})


def _figure(code: str, value: Decimal | None, unit: str = "count") -> results.KeyFigure:
    now = timezone.now()
    return results.KeyFigure(code, "x", "d", "s", unit, value, now, dt.date(2026, 6, 30))


def test_values_are_formatted_the_norwegian_way_and_small_counts_of_people_are_not_shown() -> None:
    assert keyfigures.format_value(_figure("villages", Decimal(1234567))) == "1\u00a0234\u00a0567"
    assert keyfigures.format_value(_figure("villages", Decimal(1))) == "1"
    assert keyfigures.format_value(_figure("purpose_share", Decimal("82"), "percent")) == "82\u00a0%"
    assert keyfigures.format_value(_figure("villages", None)) == ""
    for code in keyfigures.PEOPLE:
        assert keyfigures.format_value(_figure(code, Decimal(3))) == "færre enn 5"
        assert keyfigures.format_value(_figure(code, Decimal(0))) == "0"
        assert keyfigures.format_value(_figure(code, Decimal(5))) == "5"
    assert {d.code for d in results.KEY_FIGURES} >= keyfigures.PEOPLE


def test_the_website_reads_the_results_module_directly() -> None:
    source = inspect.getsource(keyfigures)
    assert "importlib" not in source
    assert keyfigures.results is results  # type: ignore[attr-defined]
