"""Walks every URL pattern and checks who may reach it.

Each URL name must appear in ``EXPECTED`` with the access it should have. A
new URL that is missing here fails ``test_every_url_is_in_the_allow_list``,
so nobody can add a page without deciding who may see it. Third-party URL
sets (the technical admin, the API) are listed by namespace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from barneby.accounts.roles import ALL_ROLES, API_USERS, AUDIT_READERS, PERSONAL_DATA_ROLES, USER_ADMINS, Role
from barneby.care.permissions import CARE_READERS, CARE_WRITERS, CAREGIVERS, ME_ROLES
from barneby.core.access import API, PUBLIC, AccessRule, rule_of
from barneby.core.tests import app_matrix
from barneby.core.tests.personas import make_persona, verified_client
from barneby.fundraising.permissions import FUNDRAISING_ROLES
from barneby.organisation.permissions import PROGRAMME_CREATORS, REGISTER_READERS, REGISTER_WRITERS
from barneby.placements.permissions import MATCHERS
from barneby.sponsorships.permissions import PHOTO_READERS, PROFILE_WRITERS, SPONSORSHIP_ROLES

SIGNED_IN = AccessRule(signed_in=True, personal_data=False)


def staff(roles: frozenset[Role]) -> AccessRule:
    return AccessRule(roles=roles)


def hidden(roles: frozenset[Role]) -> AccessRule:
    """Pages nobody else should know exist: 404 to signed-in users without the roles (the back office)."""
    return AccessRule(roles=roles, hidden=True)


# URL name → the rule it must carry. Namespaces ending in ":*" cover a whole third-party set.
EXPECTED: dict[str, AccessRule] = {
    "core:home": PUBLIC,
    "core:ping": PUBLIC,
    "core:dashboard": staff(ALL_ROLES),
    "set_language": PUBLIC,
    "api-docs": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:logout": SIGNED_IN,
    "accounts:two-factor": SIGNED_IN,
    "accounts:two-factor-send-link": SIGNED_IN,
    "accounts:two-factor-code": SIGNED_IN,
    "accounts:two-factor-enrol": SIGNED_IN,
    "accounts:password-reset": PUBLIC,
    "accounts:password-reset-done": PUBLIC,
    "accounts:password-reset-confirm": PUBLIC,
    "accounts:password-reset-complete": PUBLIC,
    "accounts:apitoken-list": staff(API_USERS),
    "accounts:apitoken-revoke": staff(API_USERS),
    "audit:event-list": staff(AUDIT_READERS),
    "audit:event-export": staff(AUDIT_READERS),
    "organisation:association-list": staff(REGISTER_READERS),
    "organisation:location-list": staff(REGISTER_READERS),
    "organisation:programme-list": staff(REGISTER_READERS),
    "organisation:programme-export": staff(REGISTER_READERS),
    "organisation:programme-detail": staff(REGISTER_READERS),
    "organisation:programme-edit": staff(REGISTER_WRITERS),
    "organisation:programme-create": staff(PROGRAMME_CREATORS),
    "organisation:home-list": staff(REGISTER_READERS),
    "organisation:staff-list": staff(REGISTER_READERS),
    "organisation:staff-export": staff(REGISTER_READERS),
    "organisation:home-export": staff(REGISTER_READERS),
    "organisation:staff-detail": staff(REGISTER_READERS),
    "organisation:staff-create": staff(REGISTER_WRITERS),
    "organisation:staff-edit": staff(REGISTER_WRITERS),
    "organisation:staff-deactivate": staff(REGISTER_WRITERS),
    "organisation:location-edit": staff(REGISTER_WRITERS),
    "organisation:location-create": staff(REGISTER_WRITERS),
    "organisation:association-edit": staff(REGISTER_WRITERS),
    "organisation:association-export": staff(REGISTER_READERS),
    "organisation:location-export": staff(REGISTER_READERS),
    "organisation:location-deactivate": staff(REGISTER_WRITERS),
    "organisation:home-create": staff(REGISTER_WRITERS),
    "organisation:home-edit": staff(REGISTER_WRITERS),
    "organisation:home-deactivate": staff(REGISTER_WRITERS),
    "organisation:training-expiring": staff(REGISTER_READERS),
    "care:child-list": staff(CARE_READERS),
    "care:child-create": staff(CARE_WRITERS),
    "care:child-detail": staff(CARE_READERS),
    "care:child-edit": staff(CARE_WRITERS),
    "care:child-status": staff(CARE_WRITERS),
    "care:child-restricted": staff(CARE_READERS),
    "care:sibling-add": staff(CARE_WRITERS),
    "care:sibling-remove": staff(CARE_WRITERS),
    "care:keep-apart-add": staff(CARE_WRITERS),
    "care:gatekeeping-create": staff(CARE_WRITERS),
    "care:placement-create": staff(CARE_WRITERS),
    "care:placement-end": staff(CARE_WRITERS),
    "care:decision-create": staff(CARE_WRITERS),
    "care:decision-edit": staff(CARE_WRITERS),
    "care:goal-create": staff(CARE_WRITERS),
    "care:goal-edit": staff(CARE_WRITERS),
    "care:review-create": staff(CARE_WRITERS),
    "care:review-edit": staff(CARE_WRITERS),
    "care:aftercare-edit": staff(CARE_WRITERS),
    "care:follow-up-create": staff(CARE_WRITERS),
    "care:alert-list": staff(CARE_READERS),
    "care:household-list": staff(CARE_READERS),
    "care:household-create": staff(CARE_WRITERS),
    "care:household-detail": staff(CARE_READERS),
    "care:household-edit": staff(CARE_WRITERS),
    "care:household-add": staff(CARE_WRITERS),
    "care:my-home": staff(CAREGIVERS),
    "care:daily-note-create": staff(CAREGIVERS),
    "care:figures": AccessRule(roles=ME_ROLES, personal_data=False),
    "care:pseudonymised-export": AccessRule(roles=ME_ROLES, personal_data=False),
    "placements:run-list": staff(MATCHERS),
    "placements:propose": staff(MATCHERS),
    "placements:batch-create": staff(MATCHERS),
    "placements:run-detail": staff(MATCHERS),
    "placements:accept": staff(MATCHERS),
    **{
        f"fundraising:{name}": hidden(FUNDRAISING_ROLES)
        for name in (
            "supporter-list",
            "supporter-create",
            "supporter-detail",
            "agreement-create",
            "gift-create",
            "nets-import",
            "unmatched",
            "claim-runs",
            "claim-file",
            "tax-report",
            "tax-report-download",
            "tax-reporter",
            "supporter-duplicates",
            "consent-create",
            "supporter-merge",
            "supporter-export-json",
            "supporter-export-pdf",
            "supporter-erase",
            "gift-receipt",
        )
    },
    **{
        f"partners:{name}": hidden(FUNDRAISING_ROLES)
        for name in ("lead-list", "lead-create", "lead-export", "lead-detail", "lead-stage", "lead-owner", "lead-note")
    },
    **{
        f"newsletter:{name}": hidden(FUNDRAISING_ROLES)
        for name in (
            "subscriber-list",
            "subscriber-create",
            "subscriber-export",
            "subscriber-detail",
            "subscriber-unsubscribe",
        )
    },
    "newsletter:subscribe": PUBLIC,
    "newsletter:confirm": PUBLIC,
    "newsletter:unsubscribe": PUBLIC,
    **{
        f"sponsorships:{name}": hidden(SPONSORSHIP_ROLES)
        for name in (
            "sponsorship-list",
            "sponsorship-create",
            "sponsorship-detail",
            "sponsorship-state",
            "sponsorship-amount",
            "approved-profiles",
            "transfer-list",
            "transfer-resolve",
            "transfer-letter",
        )
    },
    **{
        f"sponsorships:{name}": staff(PROFILE_WRITERS)
        for name in (
            "profile-list",
            "profile-create",
            "profile-detail",
            "profile-edit",
            "profile-consents",
            "profile-approve",
            "profile-withdraw",
        )
    },
    "sponsorships:profile-photo": staff(PHOTO_READERS),
    "admin:*": staff(USER_ADMINS),
    "api:*": API,
}
EXPECTED.update(app_matrix.merged_dict("EXPECTED"))

# Sample arguments for patterns that take them; objects need not exist
# (access is decided before the view runs).
SAMPLE_KWARGS: dict[str, dict[str, Any]] = {
    "accounts:password-reset-confirm": {"uidb64": "MQ", "token": "set-password"},
    "accounts:apitoken-revoke": {"pk": 1},
    "accounts:two-factor-enrol": {"secret": "not-a-grant"},
    "organisation:programme-detail": {"pk": 999999},
    "organisation:programme-edit": {"pk": 999999},
    "organisation:home-create": {"programme_pk": 999999},
    "organisation:staff-detail": {"pk": 999999},
    "organisation:staff-create": {"association_pk": 999999},
    "organisation:staff-edit": {"pk": 999999},
    "organisation:staff-deactivate": {"pk": 999999},
    "organisation:location-edit": {"pk": 999999},
    "organisation:location-create": {"association_pk": 999999},
    "organisation:association-edit": {"pk": 999999},
    "organisation:location-deactivate": {"pk": 999999},
    "organisation:home-edit": {"pk": 999999},
    "organisation:home-deactivate": {"pk": 999999},
    **{
        f"care:{name}": {"pk": 999999}
        for name in (
            "child-detail",
            "child-edit",
            "child-status",
            "child-restricted",
            "sibling-add",
            "keep-apart-add",
            "sibling-remove",
            "gatekeeping-create",
            "placement-create",
            "placement-end",
            "decision-create",
            "decision-edit",
            "goal-create",
            "goal-edit",
            "review-create",
            "review-edit",
            "aftercare-edit",
            "follow-up-create",
            "household-detail",
            "household-edit",
            "daily-note-create",
        )
    },
    "care:household-add": {"pk": 999999, "part": "medlem"},
    "placements:propose": {"child_pk": 999999},
    "placements:run-detail": {"pk": 999999},
    "placements:accept": {"pk": 999999, "rank": 1},
    "fundraising:supporter-detail": {"pk": 999999},
    "fundraising:agreement-create": {"pk": 999999},
    "fundraising:gift-create": {"pk": 999999},
    "fundraising:claim-file": {"pk": 999999},
    **{
        f"fundraising:{name}": {"pk": 999999}
        for name in (
            "consent-create",
            "supporter-merge",
            "supporter-export-json",
            "supporter-export-pdf",
            "supporter-erase",
            "gift-receipt",
        )
    },
    **{f"partners:{name}": {"pk": 999999} for name in ("lead-detail", "lead-stage", "lead-owner", "lead-note")},
    "newsletter:subscriber-detail": {"pk": 999999},
    "newsletter:subscriber-unsubscribe": {"pk": 999999},
    # Public links with a made-up token: they answer with a page saying the link is invalid.
    "newsletter:confirm": {"token": "ugyldig-lenke"},
    "newsletter:unsubscribe": {"token": "ugyldig-lenke"},
    "fundraising:tax-report-download": {"fmt": "csv"},
    "sponsorships:sponsorship-create": {"supporter_pk": 999999},
    "sponsorships:sponsorship-state": {"pk": 999999, "action": "pause"},
    **{
        f"sponsorships:{name}": {"pk": 999999}
        for name in (
            "sponsorship-detail",
            "sponsorship-amount",
            "transfer-resolve",
            "transfer-letter",
            "profile-detail",
            "profile-edit",
            "profile-consents",
            "profile-approve",
            "profile-withdraw",
            "profile-photo",
        )
    },
}

# Views that only accept POST: a GET from an allowed user is 405, which still shows the rule let it through.
POST_ONLY = {
    "accounts:logout",
    "accounts:apitoken-revoke",
    "accounts:two-factor-send-link",
    "accounts:two-factor-code",
    "organisation:home-deactivate",
    "organisation:staff-deactivate",
    "organisation:location-deactivate",
    "care:child-status",
    "care:sibling-remove",
    "placements:propose",
    "placements:accept",
    "fundraising:gift-receipt",
    "partners:lead-stage",
    "partners:lead-owner",
    "partners:lead-note",
}
POST_ONLY.update(app_matrix.merged_tuple("POST_ONLY"))  # apps add their own in tests/matrix.py
# Pages that answer 404 without the query parameter that names what they show (apps add theirs).
NEEDS_QUERY = frozenset(app_matrix.merged_tuple("NEEDS_QUERY"))


@dataclass(frozen=True)
class Route:
    name: str
    pattern: URLPattern
    url: str | None  # None where the pattern needs arguments we have no sample for

    @property
    def key(self) -> str:
        namespace = self.name.split(":")[0] + ":*"
        return namespace if namespace in EXPECTED and ":" in self.name else self.name


def _walk(entries: list[Any], namespace: str = "", prefix: str = "") -> Iterator[tuple[str, URLPattern, str]]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(list(entry.url_patterns), ns, prefix + str(entry.pattern))
        else:
            yield f"{namespace}{entry.name or ''}", entry, prefix + str(entry.pattern)


def routes() -> list[Route]:
    found = []
    for name, pattern, route in _walk(list(get_resolver().url_patterns)):
        url: str | None = None
        if "<" not in route and "(" not in route and "^" not in route:
            url = "/" + route
        elif name in SAMPLE_KWARGS:
            from django.urls import reverse

            url = reverse(name, kwargs=SAMPLE_KWARGS[name])
        found.append(Route(name, pattern, url))
    return found


ROUTES = routes()
OWN_ROUTES = [r for r in ROUTES if r.key == r.name and r.url is not None]


def test_every_url_has_a_rule_and_is_in_the_allow_list() -> None:
    missing = sorted({r.name for r in ROUTES if r.key not in EXPECTED})
    assert not missing, f"URLs with no entry in EXPECTED (decide who may reach them): {missing}"
    without_rule = sorted(r.name for r in ROUTES if rule_of(r.pattern.callback) is None)
    assert not without_rule, f"URLs without an access rule (they answer 404 to everyone): {without_rule}"


def test_every_rule_matches_the_allow_list() -> None:
    wrong = {r.name: rule_of(r.pattern.callback) for r in ROUTES if rule_of(r.pattern.callback) != EXPECTED[r.key]}
    assert not wrong, f"Rule differs from EXPECTED: {wrong}"


def test_allow_list_has_no_stale_entries() -> None:
    keys = {r.key for r in ROUTES}
    assert set(EXPECTED) <= keys, f"EXPECTED names URLs that no longer exist: {sorted(set(EXPECTED) - keys)}"


def test_unnamed_or_unresolvable_patterns_do_not_hide_from_the_walk() -> None:
    # Our own patterns must be named, or the allow list cannot name them.
    unnamed = [r for r in ROUTES if r.key == r.name and (r.name.endswith(":") or r.name == "")]
    assert not unnamed


@pytest.mark.django_db
@pytest.mark.parametrize("route", OWN_ROUTES, ids=lambda r: r.name)
def test_anonymous_is_sent_to_sign_in_on_every_non_public_url(client: Client, route: Route) -> None:
    assert route.url is not None
    response = client.get(route.url)
    rule = EXPECTED[route.key]
    if rule.public:
        assert response.status_code in {200, 302, 405}, route.name
        if response.status_code == 302:
            assert not response["Location"].startswith("/konto/logg-inn/"), route.name
    else:
        assert response.status_code in {302, 404}, route.name
        if response.status_code == 302:
            assert response["Location"].startswith("/konto/logg-inn/?next="), route.name


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_persona_reaches_exactly_what_its_role_allows(role: Role) -> None:
    client = verified_client(make_persona(role))
    for route in OWN_ROUTES:
        assert route.url is not None
        rule = EXPECTED[route.key]
        if rule.public or rule.api:
            continue
        response = client.get(route.url)
        allowed = rule.allows_role_set(frozenset({role}))
        if allowed:
            expected = {405} if route.name in POST_ONLY else {200, 302, 404}
            assert response.status_code in expected, (route.name, role, response.status_code)
            if response.status_code == 302:
                assert not response["Location"].startswith(("/konto/logg-inn/", "/konto/tofaktor/")), route.name
            if response.status_code == 404:
                assert route.name in SAMPLE_KWARGS or route.name in NEEDS_QUERY, (
                    route.name,
                    "404 for an allowed role on a page without object",
                )
        else:
            assert response.status_code == (404 if rule.hidden else 403), (route.name, role, response.status_code)


@pytest.mark.django_db
def test_admin_is_open_only_to_system_administrators() -> None:
    admin_client = verified_client(make_persona(Role.SYSTEM_ADMIN))
    assert admin_client.get("/admin/").status_code == 200
    assert admin_client.get("/admin/accounts/user/").status_code == 200
    for role in ALL_ROLES - USER_ADMINS:
        assert verified_client(make_persona(role)).get("/admin/").status_code == 403, role


@pytest.mark.django_db
def test_a_user_without_any_role_reaches_no_staff_page(client: Client) -> None:
    from barneby.core.tests.personas import make_user

    client.force_login(make_user())
    for route in OWN_ROUTES:
        rule = EXPECTED[route.key]
        if rule.public or rule.api or rule.signed_in:
            continue
        assert route.url is not None
        assert client.get(route.url).status_code == (404 if rule.hidden else 403), route.name


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(PERSONAL_DATA_ROLES), ids=lambda r: r.value)
def test_personal_data_pages_need_a_verified_second_factor(client: Client, role: Role) -> None:
    client.force_login(make_persona(role))
    for route in OWN_ROUTES:
        rule = EXPECTED[route.key]
        if rule.public or rule.api or rule.signed_in or not rule.personal_data:
            continue
        if not rule.allows_role_set(frozenset({role})) or route.name in POST_ONLY:
            continue
        assert route.url is not None
        response = client.get(route.url)
        assert response.status_code == 302, route.name
        assert response["Location"] == "/konto/tofaktor/", route.name


@pytest.mark.django_db
def test_api_urls_answer_401_json_without_a_token(client: Client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_a_view_without_a_rule_is_denied() -> None:
    from django.http import Http404, HttpRequest, HttpResponse
    from django.test import RequestFactory

    from barneby.core.access import AccessMiddleware

    def naked(request: HttpRequest) -> HttpResponse:
        return HttpResponse("secret")

    middleware = AccessMiddleware(lambda r: HttpResponse())
    with pytest.raises(Http404):
        middleware.process_view(RequestFactory().get("/x"), naked, (), {})
