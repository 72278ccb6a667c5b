"""Where we work: the server-drawn world map, the list beside it, and the continent and country pages."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from barneby.organisation.models import LocationKind, ProgrammeStatus, ProgrammeType
from barneby.organisation.tests import factories as org
from barneby.website import worldmap

pytestmark = pytest.mark.django_db

URL = "/hvor-vi-jobber/"


@pytest.fixture
def register(demo_site: Any) -> dict[str, Any]:
    """Kenya: a village with two programmes; Norway: a community site with one; Cape Verde (too small for
    the 1:110m atlas): a village; Nepal: only a closed programme; Peru: an inactive village; Brazil: a
    community site with nothing running. Only the first three are places where we work."""
    today = dt.date.today()
    kenya = org.association(country="KE", name="SOS Kenya test")
    nairobi = org.location(kenya, name="Barnebyen Nairobi", country="KE", latitude=Decimal("-1.28"), longitude=36.82)
    org.programme(kenya, nairobi, name="Familieomsorg Nairobi", type=ProgrammeType.FAMILY_VILLAGE)
    org.programme(kenya, nairobi, name="Skolen i Nairobi", type=ProgrammeType.SCHOOL)
    org.programme(kenya, nairobi, name="Avsluttet senter", type=ProgrammeType.MEDICAL, status=ProgrammeStatus.CLOSED)
    norway = org.association(country="NO")
    bergen = org.location(norway, name="Bergen", kind=LocationKind.COMMUNITY)
    org.programme(norway, bergen, name="Fosterhjem for søsken", type=ProgrammeType.SIBLING_FOSTER)
    cape_verde = org.association(country="CV")
    org.location(cape_verde, name="Barnebyen Praia", country="CV", latitude=Decimal("14.93"), longitude=-23.51)
    nepal = org.association(country="NP")
    org.programme(
        nepal,
        org.location(nepal, kind=LocationKind.COMMUNITY, country="NP", latitude=27.7, longitude=85.3),
        end_date=today - dt.timedelta(days=1),
    )
    peru = org.association(country="PE")
    org.location(peru, country="PE", is_active=False, latitude=-12, longitude=-77)
    brazil = org.association(country="BR")
    org.location(brazil, kind=LocationKind.COMMUNITY, country="BR", latitude=-15, longitude=-47)
    return {"working": {"KE", "NO", "CV"}}


def _svg(html: str) -> ET.Element:
    start = html.index("<svg")
    end = html.index("</svg>", start) + len("</svg>")
    return ET.fromstring(html[start:end])  # noqa: S314  (our own markup, parsed to prove it is well-formed XML)


def test_the_map_is_well_formed_svg_with_one_path_per_country(register: Any, client: Client) -> None:
    svg = _svg(client.get(URL).content.decode())
    assert svg.get("aria-hidden") == "true"
    assert svg.find("title") is not None
    assert svg.find("desc") is not None
    paths = svg.findall(".//path")
    assert len(paths) == len(worldmap.countries()) > 150
    assert all(re.fullmatch(r"M[-\d. ]+l[-\d. ]+z(M[-\d. ]+l[-\d. ]+z)*", p.get("d", "")) for p in paths)
    codes = [c.code for c in worldmap.countries() if c.code]
    assert {"NO", "KE", "BR", "NP", "PE"} <= set(codes)
    assert "AQ" not in codes  # Antarctica is left out


def test_highlighted_countries_are_exactly_those_with_villages_or_running_programmes(
    register: Any, client: Client
) -> None:
    html = client.get(URL).content.decode()
    svg = _svg(html)
    highlighted = {e.get("data-country") for e in svg.iter() if e.get("class") == "world-map__ours"}
    assert highlighted == register["working"]
    # Cape Verde is not in the 1:110m atlas: it is a dot, still linked.
    assert svg.find(".//circle[@data-country='CV']") is not None
    links = {a.get("href") for a in svg.iter("a")}
    assert links == {"/hvor-vi-jobber/afrika/ke/", "/hvor-vi-jobber/europa/no/", "/hvor-vi-jobber/afrika/cv/"}
    assert all(a.get("tabindex") == "-1" for a in svg.iter("a"))
    listed = set(re.findall(r'<li data-country="([A-Z]{2})">', html))
    assert listed == register["working"]


def test_the_list_has_counts_and_the_page_no_outside_address(register: Any, client: Client, settings: Any) -> None:
    html = client.get(URL).content.decode()
    kenya = html[html.index('<li data-country="KE">') :].split("</li>")[0]
    assert "barnebyer: 1, programmer: 2" in kenya
    norway = html[html.index('<li data-country="NO">') :].split("</li>")[0]
    assert "barnebyer: 0, programmer: 1" in norway
    assert "Land: 3. Barnebyer: 2. Programmer i drift i dag: 3." in html
    own = (settings.SITE_URL.rstrip("/") + "/", "http://testserver/")
    assert [u for u in re.findall(r"https?://[^\s\"'<>]+", html) if not u.startswith(own)] == []
    assert "<script" not in html


def test_english_page_names_countries_in_english(register: Any, client: Client) -> None:
    html = client.get("/en" + URL).content.decode()
    assert ">Norway</a>" in html
    assert 'href="/en/hvor-vi-jobber/europa/no/"' in html
    assert ">Norge</a>" in client.get(URL).content.decode()


def test_continent_page_lists_its_countries_with_counts(register: Any, client: Client, settings: Any) -> None:
    root = settings.SITE_URL.rstrip("/")
    response = client.get(URL + "afrika/")
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r'<tr data-country="([A-Z]{2})">(.*?)</tr>', html)
    assert [code for code, _row in rows] == ["CV", "KE"]  # by name: Kapp Verde, Kenya
    kenya = dict(rows)["KE"]
    assert re.findall(r'<td class="num">(\d+)</td>', kenya) == ["1", "2"]
    assert f'<link rel="canonical" href="{root}/hvor-vi-jobber/afrika/">' in html
    assert f'hreflang="en" href="{root}/en/hvor-vi-jobber/afrika/"' in html
    assert client.get(URL + "antarktis/").status_code == 404
    assert client.get(URL + "oseania/").status_code == 404  # nothing there in this register


def test_country_page_lists_places_and_running_programmes(register: Any, client: Client) -> None:
    html = client.get(URL + "afrika/ke/").content.decode()
    assert "Barnebyen Nairobi" in html
    assert "Familieomsorg Nairobi" in html
    assert "Skolen i Nairobi" in html
    assert "Avsluttet senter" not in html
    assert "Barnebyer: 1. Programmer i drift i dag: 2." in html
    for wrong in ("europa/ke/", "afrika/KE/", "afrika/np/", "afrika/pe/", "afrika/xx/", "afrika/kenya/"):
        assert client.get(URL + wrong).status_code == 404, wrong


def test_a_country_with_many_places_is_paginated(demo_site: Any, client: Client) -> None:
    ghana = org.association(country="GH")
    for n in range(30):
        org.location(ghana, name=f"Sted {n:02d}", country="GH", latitude=7, longitude=-1)
    first = client.get(URL + "afrika/gh/").content.decode()
    second = client.get(URL + "afrika/gh/?side=2").content.decode()
    assert "Sted 00" in first
    assert "Sted 24" in first
    assert "Sted 25" not in first
    assert "Sted 25" in second
    assert "Sted 29" in second
    assert "Side 1 av 2" in first


def test_topojson_decoding_by_hand() -> None:
    topology = {
        "transform": {"scale": [0.5, 0.25], "translate": [-10, 20]},
        "arcs": [[[0, 0], [2, 0], [0, 4]], [[2, 4], [-2, 0], [0, -4]]],
    }
    arcs = worldmap.decode_arcs(topology)
    assert arcs[0] == [(-10.0, 20.0), (-9.0, 20.0), (-9.0, 21.0)]
    assert arcs[1] == [(-9.0, 21.0), (-10.0, 21.0), (-10.0, 20.0)]
    ring = worldmap.stitch([0, 1], arcs)
    assert ring == [(-10.0, 20.0), (-9.0, 20.0), (-9.0, 21.0), (-10.0, 21.0), (-10.0, 20.0)]
    assert worldmap.stitch([~1], arcs) == arcs[1][::-1]
    assert worldmap.polygons({"type": "MultiPolygon", "arcs": [[[0, 1]], [[~1]]]}, arcs)[0] == [ring]


def test_equal_earth_projection_keeps_the_map_inside_its_box() -> None:
    left, _y = worldmap.to_svg(-180, 0)
    right, _y = worldmap.to_svg(180, 0)
    _x, top = worldmap.to_svg(0, 90)
    _x, bottom = worldmap.to_svg(0, worldmap.SOUTHERNMOST)
    assert (round(left, 6), round(right, 6), round(top, 6)) == (0, worldmap.WIDTH, 0)
    assert bottom == pytest.approx(worldmap.HEIGHT, abs=0.1)
    # Equal area: a band of latitude near the pole is drawn thinner than the same band at the equator.
    assert worldmap.to_svg(0, 80)[1] - worldmap.to_svg(0, 90)[1] < worldmap.to_svg(0, 0)[1] - worldmap.to_svg(0, 10)[1]


def test_the_continent_and_country_pages_are_in_the_sitemap(register: Any, client: Client, settings: Any) -> None:
    root = settings.SITE_URL.rstrip("/")
    sitemap = client.get("/sitemap.xml").content.decode()
    for path in ("", "afrika/", "afrika/ke/", "afrika/cv/", "europa/no/"):
        assert f"<loc>{root}{URL}{path}</loc>" in sitemap, path
        assert f"<loc>{root}/en{URL}{path}</loc>" in sitemap, path
    assert f"{URL}asia/np/" not in sitemap


def test_a_ring_across_the_antimeridian_is_not_drawn_across_the_map() -> None:
    ring = [(178.0, -17.0), (180.0, -16.0), (-180.0, -16.0), (-179.0, -17.0), (178.0, -17.0)]
    assert worldmap.unwrap(ring) == [(178.0, -17.0), (180.0, -16.0), (180.0, -16.0), (181.0, -17.0), (178.0, -17.0)]
    steps = [float(n) for n in worldmap.path_data([[ring]]).split("l")[1].rstrip("z").split()[0::2]]
    assert max(abs(step) for step in steps) < 20  # no jump from one edge of the map to the other
    fiji = next(c for c in worldmap.countries() if c.code == "FJ")
    moves = re.findall(r"l([^z]*)z", fiji.path)
    assert all(abs(float(dx)) < 100 for part in moves for dx in part.split()[0::2])
