"""The website's part of the URL allow list (barneby/core/tests/app_matrix.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver

from barneby.core.access import PUBLIC, AccessRule
from barneby.website.access import EDITOR


def _names(entries: list[Any], namespace: str = "") -> Iterator[str]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            yield from _names(
                list(entry.url_patterns), f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            )
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def _editor() -> dict[str, AccessRule]:
    """Every name in Wagtail's admin: whole namespaces as ``ns:*``, the rest one by one; all for editors only."""
    from barneby.website.urls import editor_patterns

    expected: dict[str, AccessRule] = {}
    for name in _names(editor_patterns()):
        expected[f"{name.split(':')[0]}:*" if ":" in name else name] = EDITOR
    return expected


EXPECTED: dict[str, AccessRule] = {
    **_editor(),
    "wagtail_serve": PUBLIC,
    "website:search": PUBLIC,
    "website:cookies": PUBLIC,
    "website:cookie-choice": PUBLIC,
    "website:newsletter": PUBLIC,
    "website_files:robots": PUBLIC,
    "website_files:sitemap": PUBLIC,
    "website_files:media": PUBLIC,
    # The sponsor sign-up and the gift form (barneby/website/giving).
    "website:sponsor": PUBLIC,
    "website:sponsor-vipps": PUBLIC,
    "website:sponsor-thanks": PUBLIC,
    "website:gift": PUBLIC,
    "website:gift-thanks": PUBLIC,
    "website:vipps-test": PUBLIC,
}


def _editor_param_values() -> dict[str, dict[str, str | int]]:
    """Fixed values for the parameters of Wagtail's un-namespaced admin URLs (everyone but editors gets 404 first)."""
    from django.urls.converters import IntConverter, UUIDConverter

    from barneby.website.urls import editor_patterns

    values: dict[str, dict[str, str | int]] = {}
    for entry in editor_patterns():
        if isinstance(entry, URLPattern) and entry.name and entry.pattern.converters:
            values[entry.name] = {
                name: 1
                if isinstance(converter, IntConverter)
                else "00000000-0000-0000-0000-000000000001"
                if isinstance(converter, UUIDConverter)
                else "x"
                for name, converter in entry.pattern.converters.items()
            }
    return values


PARAM_VALUES: dict[str, dict[str, str | int]] = {
    **_editor_param_values(),
    # A receipt is found by the sign-up's own token; the fake Vipps page by its agreement id (unknown here: 404).
    "website:sponsor-thanks": {"token": "00000000-0000-0000-0000-000000000001"},
    "website:gift-thanks": {"token": "00000000-0000-0000-0000-000000000001"},
    "website:vipps-test": {"agreement_id": "agr_fake000001"},
}
# Wagtail signs out by POST only.
POST_ONLY = ("wagtailadmin_logout",)
# Wagtail's preview of one block needs the block's id in the query (?id=…); without it, 404.
NEEDS_QUERY = ("wagtailadmin_block_preview",)
