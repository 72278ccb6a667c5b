"""Numbers beyond 64 bits — page numbers, ids in paths, ids in filters — never give a 500, on any page or API.

The database cannot even compare such a number with a key (SQLite raises
OverflowError, PostgreSQL an out-of-range error), so they are refused before
any query: a 404 for an id in a path, a clear 422 in the API, the first page
for a page number and "not found" for a filter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from barneby.accounts.roles import Role
from barneby.accounts.services import api_token_create
from barneby.api.root import api
from barneby.core.tests.personas import make_persona, verified_client

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"
# Filters of the list pages and the API that name an object or a number.
FILTERS: tuple[str, ...] = (
    "page",
    "programme",
    "home",
    "association",
    "supporter",
    "child",
    "caseworker",
    "programme_id",
    "home_id",
)
FILTERS += (
    "supporter_id",
    "offset",
    "limit",
    "page_size",
    "within_days",
    "year",
    "status",
    "kind",
    "proposal",
    "program",
)
# The pages answer all of these today (Django 5 turns out-of-range key lookups into "no rows");
# the test keeps it so for every page and role.


def _walk(entries: list[Any], namespace: str = "", prefix: str = "") -> Iterator[tuple[str, str]]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(list(entry.url_patterns), ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or ''}", prefix + str(entry.pattern)


def _page_urls() -> list[str]:
    urls = []
    for name, route in _walk(list(get_resolver().url_patterns)):
        if name.startswith(("api:", "admin:")) or "(" in route or "^" in route or "logout" in name:
            continue
        if re.search(r"<(?!int:)[^>]*>", route):
            continue  # only integer parameters are ids
        urls.append("/" + re.sub(r"<int:[^>]+>", HUGE, route))
    return urls


PAGE_URLS = _page_urls()


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_huge_numbers_on_every_page_are_never_a_500(role: Role) -> None:
    client = verified_client(make_persona(role))
    client.raise_request_exception = False
    assert len(PAGE_URLS) > 40
    for url in PAGE_URLS:
        response = client.get(url, dict.fromkeys(FILTERS, HUGE))
        assert response.status_code < 500, url
        if response.status_code == 302 and HUGE in url and HUGE in response["Location"]:
            # An old address that moved (Wagtail's page revisions are now its history): the new one must hold.
            response = client.get(response["Location"])
        if HUGE in url and url.startswith("/cms/") and response.status_code == 302:
            # Wagtail's editor answers "you may not do that here" with a redirect to its start page.
            assert response["Location"] == "/cms/", url
        elif HUGE in url:
            assert response.status_code in {403, 404, 405}, url


def test_huge_page_number_shows_the_last_page() -> None:
    client = verified_client(make_persona(Role.AUDITOR))
    assert client.get("/organisasjon/programmer/", {"page": HUGE}).status_code == 200
    assert client.get("/organisasjon/programmer/", {"page": "-" + HUGE}).status_code == 200


def _api_operations() -> list[tuple[str, str, dict[str, Any]]]:
    spec = api.get_openapi_schema()
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method != "get":
                continue
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            found.append((method, re.sub(r"\{[^}]+\}", HUGE, path), dict.fromkeys(names, HUGE)))
    return found


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.AUDITOR, Role.DONOR_SERVICE, Role.ME_ADVISOR])
def test_huge_numbers_in_every_api_path_and_filter_are_a_clear_answer(client: Client, role: Role) -> None:
    headers = {"Authorization": f"Bearer {api_token_create(user=make_persona(role), name='t').secret}"}
    client.raise_request_exception = False
    operations = _api_operations()
    assert len(operations) > 10
    for _method, url, query in operations:
        for params in (query, {"page": HUGE}, {"offset": HUGE, "limit": HUGE}):
            response = client.get(url, params, headers=headers)
            assert response.status_code in {200, 403, 404, 422}, (url, params, response.status_code)
            assert response.json()["detail"] if response.status_code != 200 else True


def test_huge_id_in_an_api_body_is_422(client: Client) -> None:
    user = make_persona(Role.NATIONAL_DIRECTOR)
    headers = {"Authorization": f"Bearer {api_token_create(user=user, name='t').secret}"}
    response = client.post(
        "/api/v1/organisation/staff",
        f'{{"association_id": {HUGE}, "first_name": "A", "last_name": "B", "role": "other"}}',
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "association_id"]


def test_thousands_of_digits_in_an_api_path_or_page_are_refused(client: Client) -> None:
    headers = {"Authorization": f"Bearer {api_token_create(user=make_persona(Role.AUDITOR), name='t').secret}"}
    client.raise_request_exception = False
    digits = "9" * 5000
    assert client.get(f"/api/v1/organisation/programmes/{digits}", headers=headers).status_code == 404
    assert client.get("/api/v1/organisation/programmes", {"page": digits}, headers=headers).status_code == 422
