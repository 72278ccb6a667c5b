"""The Swagger page in a real browser: it renders the API under our CSP, with no inline script."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_renders_the_api_without_csp_violations(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/api/docs")
    assert page.url == f"{live_server.url}/api/v1/docs"
    # Swagger UI builds the page from openapi.json in JavaScript: seeing the
    # operation proves the bundle ran and fetched the schema.
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/me")
    operation.wait_for(timeout=15_000)
    assert page.locator(".swagger-ui .btn.authorize").count() == 1
    assert page.csp_violations == []
