"""The staff menu: each app registers its entries; each user sees those their roles reach."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from barneby.accounts.roles import Role


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str | Promise
    roles: frozenset[Role]
    order: int = 100


_ENTRIES: list[MenuEntry] = []


def register(url_name: str, label: str | Promise, roles: Iterable[Role], *, order: int = 100) -> None:
    entry = MenuEntry(url_name, label, frozenset(roles), order)
    if entry.url_name not in {e.url_name for e in _ENTRIES}:
        _ENTRIES.append(entry)
        _ENTRIES.sort(key=lambda e: (e.order, e.url_name))


def entries_for(roles: frozenset[Role], current_path: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for entry in _ENTRIES:
        if entry.roles.isdisjoint(roles):
            continue
        url = reverse(entry.url_name)
        items.append({"url": url, "label": entry.label, "active": current_path.startswith(url)})
    return items
