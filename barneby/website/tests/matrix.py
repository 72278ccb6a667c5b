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
    "website_files:robots": PUBLIC,
    "website_files:sitemap": PUBLIC,
    "website_files:media": PUBLIC,
}
PARAM_VALUES: dict[str, str] = {"path": "images/missing.webp"}
# Wagtail signs out by POST only.
POST_ONLY = ("wagtailadmin_logout",)
