"""Each app's own part of the URL allow list and the persona matrix.

An app that adds pages puts a ``tests/matrix.py`` beside its tests, with any of:

* ``EXPECTED``: URL name → access rule (merged into ``test_url_access.EXPECTED``);
* ``POST_ONLY`` and ``NEEDS_QUERY``: URL names that answer a GET with 405, or with 404 without the query
  parameter that names what they show (merged into the tables of the same name in ``test_url_access``);
* ``PK_KINDS``, ``PARAM_KINDS``, ``PARAM_VALUES``, ``DENIED_IN_SCOPE``, ``UNSETTLED``: merged into the
  tables of the same name in ``test_url_matrix``;
* ``API_SEGMENT_KINDS``, ``API_ID_KINDS``, ``API_PATH_VALUES``, ``API_READERS``, ``API_WRITERS``: merged into
  ``SEGMENT_KINDS``, ``ID_KINDS``, ``PATH_VALUES``, ``READERS`` and ``WRITERS`` of ``test_api_matrix``;
* ``API_FIGURES``: GET path → the roles that read it, for an endpoint that answers with figures rather than
  a list of objects (``FIGURES`` of ``test_api_matrix``);
* ``build(context)``: creates the app's objects in the persona world (``context.put(kind, variant, pk)``
  for each; variants ``a1`` and ``a2`` are programmes 1 and 2 of association A, ``b`` association B).

So apps built in parallel never edit the same table.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.apps import apps

if TYPE_CHECKING:
    from barneby.accounts.models import User
    from barneby.organisation.models import Home, MemberAssociation, Programme


def modules() -> list[ModuleType]:
    """The ``tests.matrix`` module of every Barneby app that has one, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("barneby."):
            continue
        name = f"{config.name}.tests.matrix"
        if importlib.util.find_spec(f"{config.name}.tests") is None or importlib.util.find_spec(name) is None:
            continue
        found.append(importlib.import_module(name))
    return found


def merged_dict(attribute: str) -> dict[Any, Any]:
    merged: dict[Any, Any] = {}
    for module in modules():
        merged.update(getattr(module, attribute, {}))
    return merged


def merged_tuple(attribute: str) -> tuple[Any, ...]:
    return tuple(item for module in modules() for item in getattr(module, attribute, ()))


@dataclass
class WorldContext:
    """What an app's ``build`` gets: the world's register objects and a way to record its own."""

    objects: dict[str, dict[str, int]]
    builder: User
    associations: dict[str, MemberAssociation]
    programmes: dict[str, Programme]
    homes: dict[str, Home]
    children: dict[str, list[int]] = field(default_factory=dict)  # variant → [child, sibling]

    def put(self, kind: str, variant: str, pk: int) -> None:
        self.objects.setdefault(kind, {})[variant] = pk


def build_all(context: WorldContext) -> None:
    for module in modules():
        build = getattr(module, "build", None)
        if build is not None:
            build(context)
