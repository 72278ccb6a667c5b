"""The continent groups the public site shows, from data compiled out of UN M49 sub-regions.

``data/continents.csv`` says where each ISO 3166-1 code belongs; it was
compiled from country_converter's UN-region column (see its header).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _

DATA = Path(__file__).resolve().parent / "data" / "continents.csv"


class Continent(models.TextChoices):
    AFRICA = "africa", _("Afrika")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europa")
    LATIN_AMERICA = "latin_america", _("Latin-Amerika")
    NORTH_AMERICA = "north_america", _("Nord-Amerika")
    OCEANIA = "oceania", _("Oseania")


@cache
def _table() -> dict[str, Continent]:
    with DATA.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["iso2"]: Continent(row["continent"]) for row in rows}


def continent_of(country_code: str) -> Continent | None:
    """The continent group of an ISO 3166-1 alpha-2 code, or None (e.g. Antarctica)."""
    return _table().get(str(country_code).upper())


def countries_in(continent: Continent) -> list[str]:
    return sorted(code for code, group in _table().items() if group == continent)
