"""The results API: the same scoped selectors as the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from barneby.accounts.scoping import scope_for
from barneby.results import keyfigures, selectors
from barneby.results.periods import OrgUnit
from barneby.results.permissions import KEY_FIGURE_READERS, RESULTS_READERS

router = Router(tags=["resultater"])


class KeyFigureOut(Schema):
    code: str
    name: str
    definition: str
    source: str
    unit: str
    value: float | None
    as_of: str
    reference_date: str


class KeyFiguresOut(Schema):
    year: int
    figures: list[KeyFigureOut]


class FigureOut(Schema):
    code: str
    name: str
    definition: str
    unit: str
    direction: str
    value: Decimal | None
    numerator: int | None
    denominator: int | None
    target: Decimal | None
    suppressed: bool
    met: bool | None


class IndicatorsOut(Schema):
    unit: str
    period: str
    closed: bool
    figures: list[FigureOut]


def _require(request: HttpRequest, roles: frozenset[Any]) -> None:
    if not scope_for(request.user).has_any_role(roles):
        raise PermissionDenied


@router.get("/key-figures", response=KeyFiguresOut, summary="Nøkkeltall for året")
def key_figures(request: HttpRequest, year: int | None = None) -> dict[str, Any]:
    _require(request, KEY_FIGURE_READERS)
    year = year or timezone.localdate().year
    if not 1949 <= year <= timezone.localdate().year:
        raise Http404
    return {"year": year, "figures": [f.as_dict() for f in keyfigures.key_figures(year)]}


def _figures(unit: OrgUnit, period_key: str | None) -> dict[str, Any]:
    period = selectors.parse_period(period_key)
    figures, closing = selectors.reported(unit, period)
    return {"unit": unit.token, "period": period.key, "closed": closing is not None, "figures": figures}


@router.get("/indicators", response=IndicatorsOut, summary="Indikatorer for en enhet og periode")
def indicators(request: HttpRequest, unit: str = "", period: str = "") -> dict[str, Any]:
    _require(request, RESULTS_READERS)
    if unit:
        chosen = selectors.unit_for(user=request.user, token=unit)
    else:
        found = selectors.default_unit(user=request.user)
        if found is None:
            raise Http404
        chosen = found
    return _figures(chosen, period or None)


@router.get("/programmes/{pk}/indicators", response=IndicatorsOut, summary="Indikatorer for ett program")
def programme_indicators(request: HttpRequest, pk: int, period: str = "") -> dict[str, Any]:
    _require(request, RESULTS_READERS)
    unit = selectors.unit_for(user=request.user, token=f"programme:{pk}")
    return _figures(unit, period or None)
