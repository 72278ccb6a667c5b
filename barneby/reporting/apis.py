"""The reporting API: the same scoped selectors as the pages."""

from ninja import Router

router = Router(tags=["statistikk"])
