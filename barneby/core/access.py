"""Deny by default: every URL must carry an access rule, or it answers 404.

Views declare their rule with :func:`public` or :func:`staff`; third-party
URL sets (admin, API, language switch) get theirs through :func:`mark`.
:class:`AccessMiddleware` enforces the rule before the view runs:

* no rule → 404, so a forgotten decorator can never expose a page;
* a staff rule and an anonymous visitor → redirect to sign-in;
* a staff rule and a user with none of its roles → 403, or 404 when the
  rule is ``hidden`` (pages whose very existence is nobody else's business,
  such as the donor-service back office; anonymous visitors are still sent
  to sign in, so a bookmark works once the session has expired);
* a page with personal data, 2FA required, and no verified second factor
  → redirect to set up or enter the second factor.

Object-level checks (is this child in the user's scope?) stay in each
app's selectors and access guards; this layer only decides who may reach
a URL at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver

from barneby.accounts.roles import ALL_ROLES, PERSONAL_DATA_ROLES, Role
from barneby.accounts.scoping import scope_for

F = TypeVar("F", bound=Callable[..., Any])

ATTR = "barneby_access"


@dataclass(frozen=True)
class AccessRule:
    """Who may reach a view.

    ``public``: anyone, signed in or not. ``api``: the API authenticates
    each request itself with a token. ``roles``: signed-in staff holding
    one of these roles. ``signed_in``: any signed-in user, with or without
    a role (sign-out, the second-factor pages). ``personal_data``: the page
    shows personal data, so a verified second factor is required where 2FA
    is enforced. ``hidden``: signed-in users without the roles get 404
    instead of 403.
    """

    public: bool = False
    api: bool = False
    signed_in: bool = False
    roles: frozenset[Role] = frozenset()
    personal_data: bool = True
    hidden: bool = False

    def allows_role_set(self, roles: frozenset[Role]) -> bool:
        return self.public or self.api or self.signed_in or not self.roles.isdisjoint(roles)


PUBLIC = AccessRule(public=True, personal_data=False)
API = AccessRule(api=True, personal_data=False)


def _attach(view: F, rule: AccessRule) -> F:
    setattr(view, ATTR, rule)
    return view


def public(view: F) -> F:
    """Mark a view as open to everyone."""
    return _attach(view, PUBLIC)


def signed_in(*, personal_data: bool = False) -> Callable[[F], F]:
    """Mark a view as open to any signed-in user (own account pages)."""

    def decorator(view: F) -> F:
        return _attach(view, AccessRule(signed_in=True, personal_data=personal_data))

    return decorator


def staff(roles: Iterable[Role], *, personal_data: bool = True, hidden: bool = False) -> Callable[[F], F]:
    """Mark a view as open to signed-in users holding one of ``roles`` (other users: 403, or 404 if ``hidden``)."""
    granted = frozenset(roles)
    if not granted:
        raise ValueError("a staff rule needs at least one role")

    def decorator(view: F) -> F:
        return _attach(view, AccessRule(roles=granted, personal_data=personal_data, hidden=hidden))

    return decorator


def any_staff(*, personal_data: bool = True) -> Callable[[F], F]:
    """Mark a view as open to every staff role."""
    return staff(ALL_ROLES, personal_data=personal_data)


def mark(patterns: list[URLPattern | URLResolver], rule: AccessRule) -> list[URLPattern | URLResolver]:
    """Give every view under ``patterns`` the same rule (for third-party URL sets)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            mark(list(entry.url_patterns), rule)
        elif rule_of(entry.callback) is None:
            # Wrap rather than set an attribute: the callback may be a bound
            # method, or a function shared with other URL sets.
            entry.callback = _with_rule(entry.callback, rule)
    return patterns


def _with_rule(callback: Callable[..., Any], rule: AccessRule) -> Callable[..., Any]:
    @functools.wraps(callback)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return callback(*args, **kwargs)

    setattr(wrapped, ATTR, rule)
    return wrapped


def rule_of(view: Callable[..., Any]) -> AccessRule | None:
    rule = getattr(view, ATTR, None)
    if rule is None and hasattr(view, "view_class"):
        rule = getattr(view.view_class, ATTR, None)
    return rule if isinstance(rule, AccessRule) else None


def needs_second_factor(user: Any) -> bool:
    """True when ``user`` must verify a second factor before seeing personal data."""
    if not settings.BARNEBY_REQUIRE_2FA:
        return False
    if not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return False
    return scope_for(user).has_any_role(PERSONAL_DATA_ROLES) or bool(user.is_staff)


class AccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        rule = rule_of(view_func)
        if rule is None:
            raise Http404("no access rule")
        if rule.public or rule.api:
            return None
        user = request.user
        if not user.is_authenticated:
            return _to(request, redirect_to_login(request.get_full_path()))
        if not rule.signed_in and rule.roles.isdisjoint(scope_for(user).roles):
            if rule.hidden:
                raise Http404("hidden page")
            raise PermissionDenied
        if rule.personal_data and needs_second_factor(user):
            return _to(request, redirect("accounts:two-factor"))
        return None


def _to(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A redirect; for an HTMX call, a whole-page redirect rather than a fragment swap."""
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Redirect": response["Location"]})
    return response
