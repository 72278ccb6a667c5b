"""A world map drawn on the server as SVG from Natural Earth's countries (the ``world-atlas`` npm package).

Nothing is fetched at run time: the TopoJSON file is read once per process from
``node_modules`` (installed by ``make install`` from package.json), decoded,
projected and turned into one SVG path per country; every page then only
joins those paths, marking the countries where we work.

Why a decoder of our own: the Python TopoJSON packages either encode only
(``topojson``, with shapely and numpy behind it) or have not been kept up for
years. Decoding is short and fully specified
(https://github.com/topojson/topojson-specification): arcs are lists of
quantized positions, each after the first a delta from the one before, turned
into longitude/latitude by the file's ``transform``; a geometry names its arcs by
index, and index ``~i`` (a negative number) means arc ``i`` reversed; the arcs of
one ring follow each other, each starting where the last one ended, so the
shared point is written once.

The projection is Equal Earth (Šavrič, Patterson and Jenny 2018): equal-area, so
no continent looks bigger than it is, and simple enough to write here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings

# 1:110 million: small enough for a page (about 100 kB of TopoJSON), detailed enough for a world map.
ATLAS_FILE = Path("world-atlas") / "countries-110m.json"
WIDTH = 1000.0
# Antarctica is left out: no one works there, and it would take a fifth of the picture.
LEFT_OUT = {"010"}
SOUTHERNMOST = -58.0  # degrees: the picture ends a little south of Cape Horn

Position = tuple[float, float]
Ring = list[Position]


def atlas_path() -> Path:
    return Path(getattr(settings, "NODE_MODULES", Path(settings.BASE_DIR) / "node_modules")) / ATLAS_FILE


# --- TopoJSON ------------------------------------------------------------------------------------


def decode_arcs(topology: Mapping[str, Any]) -> list[Ring]:
    """Every arc of ``topology`` as longitude/latitude positions (quantized and delta-encoded when transformed)."""
    transform = topology.get("transform")
    arcs = topology["arcs"]
    assert isinstance(arcs, list)
    decoded: list[Ring] = []
    if isinstance(transform, dict):
        sx, sy = transform["scale"]
        tx, ty = transform["translate"]
        for arc in arcs:
            x = y = 0
            ring: Ring = []
            for dx, dy, *_rest in arc:
                x += dx
                y += dy
                ring.append((x * sx + tx, y * sy + ty))
            decoded.append(ring)
    else:
        decoded = [[(float(p[0]), float(p[1])) for p in arc] for arc in arcs]
    return decoded


def stitch(indexes: Sequence[int], arcs: Sequence[Ring]) -> Ring:
    """One ring (or line) from arc indexes: ``~i`` is arc ``i`` reversed; shared end points are kept once."""
    ring: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc[1:] if ring else arc)
    return ring


def polygons(geometry: Mapping[str, Any], arcs: Sequence[Ring]) -> list[list[Ring]]:
    """A Polygon or MultiPolygon geometry as a list of polygons, each a list of rings (outer first)."""
    kind = geometry.get("type")
    data = geometry.get("arcs") or []
    assert isinstance(data, list)
    if kind == "Polygon":
        return [[stitch(ring, arcs) for ring in data]]
    if kind == "MultiPolygon":
        return [[stitch(ring, arcs) for ring in polygon] for polygon in data]
    return []


# --- projection ----------------------------------------------------------------------------------

_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2


def equal_earth(longitude: float, latitude: float) -> Position:
    """Equal Earth on the unit sphere: x in about ±2.71, y in about ±1.32 (north up, y grows northwards)."""
    lam = math.radians(longitude)
    theta = math.asin(_M * math.sin(math.radians(latitude)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


_X_EDGE = equal_earth(180.0, 0.0)[0]
_Y_TOP = equal_earth(0.0, 90.0)[1]
_Y_BOTTOM = equal_earth(0.0, SOUTHERNMOST)[1]
SCALE = WIDTH / (2 * _X_EDGE)
HEIGHT = round((_Y_TOP - _Y_BOTTOM) * SCALE, 1)


def to_svg(longitude: float, latitude: float) -> Position:
    """A position in the SVG's own coordinates: 0…WIDTH across, 0…HEIGHT down from the North Pole."""
    x, y = equal_earth(longitude, latitude)
    return (x + _X_EDGE) * SCALE, (_Y_TOP - y) * SCALE


def unwrap(ring: Ring) -> Ring:
    """A ring that crosses the antimeridian (Fiji, Russia's east) kept in one piece: a jump of more than 180° of
    longitude between two points is a crossing, so the rest of the ring continues past ±180° instead of
    drawing a line across the whole map; the part beyond the edge is cut off by the picture's frame."""
    out: Ring = []
    offset = 0.0
    previous: float | None = None
    for longitude, latitude in ring:
        shifted = longitude + offset
        if previous is not None and abs(shifted - previous) > 180:
            offset += -360.0 if shifted > previous else 360.0
            shifted = longitude + offset
        out.append((shifted, latitude))
        previous = shifted
    return out


def path_data(shapes: Iterable[list[Ring]]) -> str:
    """SVG path data with one decimal, relative moves after each ring's first point, repeated points dropped."""
    parts: list[str] = []
    for polygon in shapes:
        for ring in polygon:
            points: list[tuple[int, int]] = []
            for longitude, latitude in unwrap(ring):
                x, y = to_svg(longitude, latitude)
                point = (round(x * 10), round(y * 10))
                if not points or point != points[-1]:
                    points.append(point)
            if len(points) < 3:
                continue
            first = points[0]
            out = [f"M{_num(first[0])} {_num(first[1])}"]
            previous = first
            steps = []
            for point in points[1:]:
                steps.append(f"{_num(point[0] - previous[0])} {_num(point[1] - previous[1])}")
                previous = point
            out.append("l" + " ".join(steps) + "z")
            parts.append("".join(out))
    return "".join(parts)


def _num(tenths: int) -> str:
    """Tenths as the shortest decimal: 125 → "12.5", 120 → "12", -5 → "-.5"."""
    sign = "-" if tenths < 0 else ""
    whole, fraction = divmod(abs(tenths), 10)
    if fraction == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction}" if whole else f"{sign}.{fraction}"


# --- the countries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2, or "" where Natural Earth gives no code (e.g. Northern Cyprus)
    name: str  # Natural Earth's English name, only for our own reading of the file
    path: str


@cache
def countries() -> tuple[Country, ...]:
    """Every country in the atlas with its projected path, read and computed once per process."""
    from django_countries import countries as iso

    with atlas_path().open(encoding="utf-8") as handle:
        topology = json.load(handle)
    arcs = decode_arcs(topology)
    found: list[Country] = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        number = str(geometry.get("id") or "")
        if number in LEFT_OUT:
            continue
        code = iso.alpha2(number) if number else ""
        data = path_data(polygons(geometry, arcs))
        if data:
            found.append(Country(code=code or "", name=str(geometry.get("properties", {}).get("name", "")), path=data))
    return tuple(found)


@dataclass(frozen=True)
class Mark:
    """A country where we work: its code, name, link and, for a country too small for the atlas, a position."""

    code: str
    name: str
    url: str
    position: tuple[float, float] | None = None  # longitude, latitude of its places, for a dot


def render(marks: Sequence[Mark], *, title: str, description: str) -> str:
    """The map as an inline SVG: every country grey, the marked ones highlighted and linked.

    Inline in HTML, so no ``xmlns`` (and no address of any kind but our own links). The SVG is
    decoration beside the list that carries the same content, so it is hidden from
    assistive technology (``aria-hidden``) and its links are out of the tab order; the title and
    description say what it shows to anyone who opens the picture on its own.
    """
    marked = {m.code: m for m in marks}
    drawn: set[str] = set()
    parts = [
        f'<svg class="world-map" viewBox="0 0 {_num(round(WIDTH * 10))} '
        f'{_num(round(HEIGHT * 10))}" aria-hidden="true" focusable="false" role="img">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
        '<g class="world-map__land">',
    ]
    highlighted: list[str] = []
    for country in countries():
        mark = marked.get(country.code) if country.code else None
        if mark is None:
            parts.append(f'<path d="{country.path}"/>')
            continue
        drawn.add(country.code)
        highlighted.append(
            f'<a href={quoteattr(mark.url)} tabindex="-1"><path class="world-map__ours" '
            f'data-country="{country.code}" d="{country.path}"><title>{escape(mark.name)}</title></path></a>'
        )
    parts.append("</g>")
    parts.extend(highlighted)
    for mark in marks:
        if mark.code in drawn or mark.position is None:
            continue
        x, y = to_svg(*mark.position)
        parts.append(
            f'<a href={quoteattr(mark.url)} tabindex="-1"><circle class="world-map__ours" data-country="{mark.code}" '
            f'cx="{x:.1f}" cy="{y:.1f}" r="4"><title>{escape(mark.name)}</title></circle></a>'
        )
    parts.append("</svg>")
    return "".join(parts)
