"""Key figures for the website, read from the results module (issue "Results and reports").

The website never makes up a number: a figure the results module does not
(yet) publish is shown by its name with a note that it is not available.

The results module is expected to offer ``barneby.results.public.key_figures()``
returning objects with ``code``, ``name``, ``value`` (already formatted),
``definition`` and ``as_of`` (a date). Until it exists, every figure is
unavailable.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KeyFigure:
    code: str
    name: str
    value: str
    definition: str
    as_of: dt.date | None


def _source() -> Any:
    try:
        return importlib.import_module("barneby.results.public")
    except ImportError:
        return None


def published() -> dict[str, KeyFigure]:
    """Every key figure the results module publishes, by code (empty until it publishes any)."""
    module = _source()
    reader = getattr(module, "key_figures", None)
    if reader is None:
        return {}
    figures: dict[str, KeyFigure] = {}
    for item in reader():
        figures[str(item.code)] = KeyFigure(
            code=str(item.code),
            name=str(item.name),
            value=str(item.value),
            definition=str(getattr(item, "definition", "")),
            as_of=getattr(item, "as_of", None),
        )
    return figures


def lookup(code: str) -> KeyFigure | None:
    return published().get(code)
