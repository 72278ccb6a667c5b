"""Every page by every persona, with real objects in and out of the persona's scope, by GET and by POST.

The URL list comes from the resolver (as in ``test_url_access``), so a new
page is covered without touching this file; only a new *kind* of path
parameter needs a line in ``PK_KINDS``/``PARAM_KINDS``/``PARAM_VALUES``.

What must hold, per request (see ``expectation``):

* anonymous: sent to sign in on every non-public page;
* a role the page's rule does not grant: 403, or 404 for hidden pages;
* an object outside the persona's scope (association B, or programme 2 for
  programme, home and municipality scopes): 403 or 404 — never a page, never
  a redirect, never a successful POST;
* an object inside the scope, with a role the rule grants: GET shows the
  page (200, or a redirect that is not to sign-in); POST is not refused
  (a form with errors or a redirect is fine);
* ``DENIED_IN_SCOPE``: the few in-scope combinations that must still be
  refused (the rule's role group is wider than the object's policy);
* never a 500.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse

from barneby.accounts.roles import Role
from barneby.core.tests import app_matrix
from barneby.core.tests.matrix_world import PERSONAS, Persona, World, matrix_world
from barneby.core.tests.test_url_access import EXPECTED, ROUTES, Route
from barneby.organisation.permissions import REGISTER_WRITERS

__all__ = ["matrix_world"]

# ---------------------------------------------------------------------------------------------
# How to fill in a path parameter: the small explicit table.

# ``pk`` (and ``*_pk``) name an object; which kind, by URL name (``pk``) or by parameter name.
PK_KINDS: dict[str, str] = {
    "accounts:apitoken-revoke": "token",
    "organisation:programme-detail": "programme",
    "organisation:programme-edit": "programme",
    "organisation:staff-detail": "staff",
    "organisation:staff-edit": "staff",
    "organisation:staff-deactivate": "staff",
    "organisation:location-edit": "location",
    "organisation:location-deactivate": "location",
    "organisation:association-edit": "association",
    "organisation:home-edit": "home",
    "organisation:home-deactivate": "home",
    **{
        f"care:{name}": "child"
        for name in (
            "child-detail",
            "child-edit",
            "child-status",
            "child-restricted",
            "sibling-add",
            "keep-apart-add",
            "gatekeeping-create",
            "placement-create",
            "decision-create",
            "goal-create",
            "review-create",
            "aftercare-edit",
            "follow-up-create",
            "daily-note-create",
        )
    },
    "care:sibling-remove": "sibling",
    "care:placement-end": "placement",
    "care:decision-edit": "decision",
    "care:goal-edit": "goal",
    "care:review-edit": "review",
    "care:household-detail": "household",
    "care:household-edit": "household",
    "care:household-add": "household",
    "placements:run-detail": "run",
    "placements:accept": "run",
    **{
        f"fundraising:{name}": "supporter"
        for name in (
            "supporter-detail",
            "agreement-create",
            "gift-create",
            "consent-create",
            "supporter-merge",
            "supporter-export-json",
            "supporter-export-pdf",
            "supporter-erase",
        )
    },
    "fundraising:gift-receipt": "gift",
    "fundraising:claim-file": "claim_run",
    **{f"partners:{name}": "lead" for name in ("lead-detail", "lead-stage", "lead-owner", "lead-note")},
    "newsletter:subscriber-detail": "subscriber",
    "newsletter:subscriber-unsubscribe": "subscriber",
    **{
        f"sponsorships:{name}": "sponsorship"
        for name in ("sponsorship-detail", "sponsorship-state", "sponsorship-amount")
    },
    "sponsorships:transfer-resolve": "transfer",
    "sponsorships:transfer-letter": "transfer",
    **{
        f"sponsorships:{name}": "profile"
        for name in (
            "profile-detail",
            "profile-edit",
            "profile-consents",
            "profile-approve",
            "profile-withdraw",
            "profile-photo",
        )
    },
}
PK_KINDS.update(app_matrix.merged_dict("PK_KINDS"))
PARAM_KINDS: dict[str, str] = {
    "programme_pk": "programme",
    "association_pk": "association",
    "child_pk": "child",
    "supporter_pk": "supporter",
}
PARAM_KINDS.update(app_matrix.merged_dict("PARAM_KINDS"))
# Parameters that are not objects: one fixed value each (by URL name, or for every URL).
PARAM_VALUES: dict[str, dict[str, str | int]] = {
    "care:household-add": {"part": "medlem"},
    "placements:accept": {"rank": 1},
    "sponsorships:sponsorship-state": {"action": "pause"},
    "fundraising:tax-report-download": {"fmt": "csv"},
    # Public links with made-up tokens: they answer with a page saying the link is invalid.
    "accounts:password-reset-confirm": {"uidb64": "MQ", "token": "set-password"},
    "accounts:two-factor-enrol": {"secret": "ikke-en-lenke"},
    "newsletter:confirm": {"token": "ugyldig-lenke"},
    "newsletter:unsubscribe": {"token": "ugyldig-lenke"},
}
PARAM_VALUES.update(app_matrix.merged_dict("PARAM_VALUES"))

# ---------------------------------------------------------------------------------------------
# Who must be refused even inside their scope (the correct policy; DESIGN.md §1 and issue 12).

ORGANISATION = re.compile(r"^organisation:")
ANY_ROLE = frozenset(Role)
BOTH = frozenset({"GET", "POST"})
# (URL-name pattern, roles, methods, why)
DENIED_IN_SCOPE: tuple[tuple[re.Pattern[str], frozenset[Role], frozenset[str], str], ...] = (
    (
        re.compile(r"^organisation:association-edit$"),
        frozenset({Role.PROGRAMME_DIRECTOR}),
        BOTH,
        "a programme director writes within their programmes, never the member association",
    ),
    (
        re.compile(r"^organisation:location-(create|edit|deactivate)$"),
        frozenset({Role.PROGRAMME_DIRECTOR}),
        BOTH,
        "villages and community sites belong to the member association, beyond a programme director's programmes",
    ),
    (ORGANISATION, frozenset({Role.CAREGIVER}), BOTH, "caregivers do not use the organisation register"),
    (
        re.compile(r"^organisation:staff-detail$"),
        ANY_ROLE - REGISTER_WRITERS,
        frozenset({"POST"}),
        "the staff page's form (training) writes: register readers only read",
    ),
    (
        re.compile(r"^care:child-restricted$"),
        ANY_ROLE,
        BOTH,
        "restricted fields need the care.view_restricted permission, which no persona holds",
    ),
)
DENIED_IN_SCOPE += app_matrix.merged_tuple("DENIED_IN_SCOPE")

# In-scope combinations where the outcome depends on data the world does not hold, or on a policy
# not settled: only "no 500" is checked. (URL-name pattern, persona-name pattern, kind, why)
UNSETTLED: tuple[tuple[re.Pattern[str], re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"^sponsorships:profile-photo$"),
        re.compile(r".*"),
        "",
        "the profiles in the world have no photo, so the photo page is 404 even in scope",
    ),
    (
        re.compile(r"^fundraising:unmatched$"),
        re.compile(r".*"),
        "",
        "an empty POST names no payment to match, which is answered 404",
    ),
    (
        re.compile(r"^organisation:"),
        re.compile(r"^municipality_contact$"),
        "staff|location|association",
        "a municipality contact reaches partner programmes and their homes; staff, villages and associations unsettled",
    ),
)
UNSETTLED += app_matrix.merged_tuple("UNSETTLED")
# Register objects of programme 2 (same municipality, not a care programme): a municipality contact
# may or may not see the programme itself; its children are out of scope either way.
MUNICIPALITY_UNSETTLED_A2 = frozenset({"programme", "home", "location", "staff", "association"})

SIGN_IN = "/konto/logg-inn/"
TWO_FACTOR = "/konto/tofaktor/"


@dataclass(frozen=True)
class Case:
    """One page and one persona the page's rule lets in; or (``label``) every persona it keeps out."""

    route: Route
    personas: tuple[Persona, ...]
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.route.name}|{self.label or self.personas[0].name}"


def _params(route: Route) -> list[str]:
    return list(route.pattern.pattern.converters)


def _kind(route: Route, param: str) -> str | None:
    if param == "pk":
        return PK_KINDS.get(route.name)
    return PARAM_KINDS.get(param)


def _object_param(route: Route) -> tuple[str, str] | None:
    """The parameter that names an object, and the object's kind (None: the URL names no object)."""
    for param in _params(route):
        if param in PARAM_VALUES.get(route.name, {}):
            continue
        kind = _kind(route, param)
        if kind is not None:
            return param, kind
    return None


def _own_routes() -> list[Route]:
    return [r for r in ROUTES if r.key == r.name and not EXPECTED[r.key].api]


MATRIX_ROUTES = _own_routes()


def _let_in(route: Route, persona: Persona) -> bool:
    rule = EXPECTED[route.key]
    return not rule.public and persona.scope != "anonymous" and rule.allows_role_set(persona.roles)


def _cases() -> list[Case]:
    """A case of its own for each persona the rule lets in (they reach the objects); the personas it keeps
    out (or, for a public page, everyone) share one case, as the rule turns them away before any object."""
    cases = []
    for route in MATRIX_ROUTES:
        cases += [Case(route, (p,)) for p in PERSONAS if _let_in(route, p)]
        rest = tuple(p for p in PERSONAS if not _let_in(route, p))
        if rest:
            cases.append(Case(route, rest, "everyone" if EXPECTED[route.key].public else "kept-out"))
    return cases


CASES = _cases()


def test_every_path_parameter_has_a_way_to_fill_it() -> None:
    """A new URL with a new kind of parameter must say here how to fill it, or the matrix would skip it."""
    missing = []
    for route in MATRIX_ROUTES:
        for param in _params(route):
            if param not in PARAM_VALUES.get(route.name, {}) and _kind(route, param) is None:
                missing.append(f"{route.name}: <{param}>")
    assert not missing, f"Add these to PK_KINDS, PARAM_KINDS or PARAM_VALUES: {missing}"


def _url(world: World, route: Route, persona: Persona, variant: str) -> str | None:
    kwargs: dict[str, str | int] = dict(PARAM_VALUES.get(route.name, {}))
    target = _object_param(route)
    if target is not None:
        param, kind = target
        pk = world.pk(kind, variant, persona)
        if pk is None:
            return None
        kwargs[param] = pk
    if not _params(route):
        return route.url if variant == "a1" else None
    return reverse(route.name, kwargs=kwargs)


def _variants(route: Route, persona: Persona) -> Iterator[str]:
    """In-scope first, then the variants outside the persona's scope (objects only, personas let in)."""
    yield "a1"
    target = _object_param(route)
    if target is not None and _let_in(route, persona):
        yield from _out_variants(persona, target[1])


def _out_variants(persona: Persona, kind: str | None) -> tuple[str, ...]:
    """Variants outside the scope; an API token is only ever its owner's, whatever the scope."""
    if kind == "token":
        return ("b",)
    return persona.out_variants


@dataclass(frozen=True)
class Expectation:
    allowed: frozenset[int]
    what: str
    # For 302: where the redirect may (None: anywhere) or must not go.
    redirect_to: str | None = None
    not_to: tuple[str, ...] = ()
    # 405 is fine when the view does not take this method (the Allow header leaves it out).
    method_not_allowed_ok: bool = True

    def check(self, response: HttpResponse, method: str) -> str | None:
        status = response.status_code
        if status == 405 and self.method_not_allowed_ok and method not in response.get("Allow", ""):
            return None
        if status not in self.allowed:
            return f"got {status}, expected {self.what}"
        if status == 302:
            location = response["Location"]
            if self.redirect_to is not None and not location.startswith(self.redirect_to):
                return f"got 302 to {location}, expected {self.what}"
            if location.startswith(self.not_to):
                return f"got 302 to {location}, expected {self.what}"
        return None


NO_500 = Expectation(frozenset(range(200, 500)), "anything but a server error", not_to=())
DENY = Expectation(frozenset({403, 404}), "403/404 (refused)")
SHOWN = Expectation(frozenset({200, 302}), "200 or 302 (shown)", not_to=(SIGN_IN, TWO_FACTOR))
NOT_REFUSED = Expectation(
    frozenset({200, 201, 204, 302, 303, 400, 409, 422}),
    "a result or form errors (not refused, no 500)",
    not_to=(SIGN_IN, TWO_FACTOR),
)


def _denied_in_scope(name: str, role: Role | None, method: str) -> str | None:
    for pattern, roles, methods, why in DENIED_IN_SCOPE:
        if role in roles and method in methods and pattern.search(name):
            return why
    return None


def _unsettled(name: str, persona: Persona, kind: str | None) -> bool:
    for pattern, who, kinds, _why in UNSETTLED:
        if pattern.search(name) and who.search(persona.name) and (not kinds or (kind or "") in kinds.split("|")):
            return True
    return False


def expectation(route: Route, persona: Persona, variant: str, method: str) -> Expectation:
    rule = EXPECTED[route.key]
    target = _object_param(route)
    kind = target[1] if target else None
    if rule.public:
        return NO_500
    if persona.scope == "anonymous":
        return Expectation(frozenset({302}), "302 to sign-in", redirect_to=SIGN_IN, method_not_allowed_ok=False)
    if not rule.allows_role_set(persona.roles):
        status = 404 if rule.hidden else 403
        return Expectation(frozenset({status}), f"{status} (role not granted)", method_not_allowed_ok=False)
    if _denied_in_scope(route.name, persona.role, method):
        return DENY
    if variant in _out_variants(persona, kind):
        if persona.role == Role.MUNICIPALITY_CONTACT and variant == "a2" and kind in MUNICIPALITY_UNSETTLED_A2:
            return NO_500
        return DENY
    if _unsettled(route.name, persona, kind):
        return NO_500
    if rule.signed_in:
        # The user's own account pages (sign-out, second factor): they may well send the user on.
        return NO_500
    return SHOWN if method == "GET" else NOT_REFUSED


def _request(world: World, persona: Persona, url: str, method: str) -> HttpResponse:
    client = world.client(persona)
    if method == "GET":
        return client.get(url)  # type: ignore[return-value]
    return client.post(url, {})  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# What a page shown in scope must not give away: links to objects out of scope, or such objects
# offered in a form's drop-down (by the select's name; names not listed here are not checked).

SELECT_KINDS: dict[str, str] = {
    "other_choice": "child",
    "child": "child",
    "home": "home",
    "programme": "programme",
    "association": "association",
    "location": "location",
    # Not "village": a sponsorship profile may name any active village of the child's association
    # (sponsorships.selectors.villages_for), beyond the programme.
    "profile": "profile",
    "new_profile": "profile",
    "supporter": "supporter",
    "payment": "payment",
}
SELECT = re.compile(r"<select[^>]*\bname=\"([\w-]+)\"[^>]*>(.*?)</select>", re.DOTALL)
OPTION = re.compile(r"<option[^>]*\bvalue=\"(\d+)\"")
ROUTE_BY_NAME = {r.name: r for r in MATRIX_ROUTES}


def _out_of_scope(world: World, persona: Persona, kind: str) -> dict[int, str]:
    """Primary keys of ``kind`` outside the persona's scope (those the policy leaves open are left out)."""
    found = {}
    for variant in persona.out_variants:
        if persona.role == Role.MUNICIPALITY_CONTACT and variant == "a2" and kind in MUNICIPALITY_UNSETTLED_A2:
            continue
        pk = world.pk(kind, variant, persona)
        if pk is not None:
            found[pk] = variant
    return found


def _out_links(world: World, persona: Persona) -> dict[str, str]:
    """Every page of every object out of the persona's scope (URLs that take only the object's ``pk``)."""
    links = {}
    for name, kind in PK_KINDS.items():
        route = ROUTE_BY_NAME.get(name)
        if route is None or _params(route) != ["pk"]:
            continue
        for pk, variant in _out_of_scope(world, persona, kind).items():
            links[reverse(name, kwargs={"pk": pk})] = f"{kind} {variant}"
    return links


def leaks(response: HttpResponse, world: World, persona: Persona) -> list[str]:
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return []
    html = response.content.decode()
    found = [f"links to {what} ({url})" for url, what in _out_links(world, persona).items() if f'"{url}"' in html]
    for name, options in SELECT.findall(html):
        kind = SELECT_KINDS.get(name)
        if kind is None:
            continue
        out = _out_of_scope(world, persona, kind)
        found += [
            f"offers {kind} {out[int(v)]} in <select name={name}>" for v in OPTION.findall(options) if int(v) in out
        ]
    return found


# ---------------------------------------------------------------------------------------------
# A form shown in scope must not accept an object out of scope in a field that names one (a
# drop-down, or a hidden field a search widget fills in). Differential: the form as shown, filled
# in with plain values, is posted once as is and once with that field pointing out of scope (each in
# a savepoint that is rolled back). When the first is accepted (a redirect) the second must not be.

# Hidden or free fields that name an object, by app (drop-downs use SELECT_KINDS too).
FIELD_KINDS: dict[str, dict[str, str]] = {
    "care": {"other": "child"},
    "fundraising": {"other": "supporter", "payment": "payment"},
}


@dataclass
class Field:
    tag: str  # input, select, textarea
    type: str
    name: str
    value: str
    checked: bool = False
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind not in {"submit", "button", "file", "image", "reset"}:
                self.forms[-1].fields.append(Field("input", kind, a["name"], a.get("value", ""), "checked" in a))
        elif tag == "select" and a.get("name"):
            self._select = Field("select", "select", a["name"], "")
            self.forms[-1].fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a:
                self._select.value = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = Field("textarea", "textarea", a["name"], "")
            self.forms[-1].fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _plain_value(f: Field) -> str | None:
    """What a user would put in ``f`` (None: leave it out of the POST)."""
    if f.type in {"checkbox", "radio"}:
        return (f.value or "on") if f.checked else None
    if f.tag == "select":
        # Nothing chosen: the last choice (in a list of children to link, the one not linked yet).
        chosen = f.value or next((o for o in reversed(f.options) if o), "")
        return chosen
    if f.value.strip() or f.type == "hidden":
        return f.value
    if f.type == "number":
        return "1"
    if f.type == "email":
        return "matrise@example.org"
    if f.type == "date":
        return dt.date.today().isoformat()
    if "date" in f.name or f.name.endswith(("_on", "_at")):
        return dt.date.today().strftime("%d.%m.%Y")
    return "Matrise"


def _field_kind(route: Route, f: Field) -> str | None:
    app = route.name.split(":")[0]
    return FIELD_KINDS.get(app, {}).get(f.name) or (SELECT_KINDS.get(f.name) if f.tag == "select" else None)


def _own_post_form(html: str, url: str) -> Form | None:
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form.method == "post" and form.action in {"", url}:
            return form
    return None


def _post_in_savepoint(world: World, persona: Persona, url: str, data: dict[str, str]) -> HttpResponse:
    with transaction.atomic():
        response: HttpResponse = world.client(persona).post(url, data)  # type: ignore[assignment]
        transaction.set_rollback(True)
    return response


def _accepted(response: HttpResponse) -> bool:
    return response.status_code in {301, 302, 303} and not response["Location"].startswith((SIGN_IN, TWO_FACTOR))


def form_takes_out_of_scope(
    route: Route, response: HttpResponse, world: World, persona: Persona, url: str
) -> list[str]:
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return []
    form = _own_post_form(response.content.decode(), url)
    if form is None:
        return []
    targets = [(f, kind) for f in form.fields if (kind := _field_kind(route, f)) is not None]
    if not targets:
        return []
    plain = {f.name: v for f in form.fields if (v := _plain_value(f)) is not None}
    # A hidden field a search widget fills in gets what the widget would put there: the drop-down's choice.
    chosen = {kind: plain[f.name] for f, kind in targets if f.tag == "select" and plain.get(f.name)}
    for f, kind in targets:
        if f.type == "hidden" and not plain.get(f.name) and kind in chosen:
            plain[f.name] = chosen[kind]
    baseline = _post_in_savepoint(world, persona, url, plain)
    if not _accepted(baseline):
        return []  # the plain form is not enough to be accepted: nothing to compare with
    found = []
    # Every field naming that kind of object points out of scope at once (a hidden field and the
    # drop-down it mirrors), so an accepted form can only have taken the object out of scope.
    for kind in sorted({kind for _f, kind in targets}):
        names = sorted(f.name for f, k in targets if k == kind)
        for pk, variant in _out_of_scope(world, persona, kind).items():
            attack = _post_in_savepoint(world, persona, url, {**plain, **dict.fromkeys(names, str(pk))})
            if _accepted(attack):
                found.append(f"accepts {kind} {variant} in {', '.join(names)} (302 to {attack['Location']})")
    return found


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_page_in_and_out_of_scope(world: World, db: None, case: Case) -> None:
    problems = []
    for persona in case.personas:
        for variant in _variants(case.route, persona):
            url = _url(world, case.route, persona, variant)
            if url is None:
                continue
            scope = "in" if variant == "a1" else f"out({variant})"
            for method in ("GET", "POST"):
                response = _request(world, persona, url, method)
                problem = expectation(case.route, persona, variant, method).check(response, method)
                if problem:
                    problems.append(f"{case.route.name} {method} {persona.name} {scope} {url}: {problem}")
                if method == "GET" and variant == "a1" and _let_in(case.route, persona):
                    problems += [
                        f"{case.route.name} GET {persona.name} in {url}: {leak}"
                        for leak in leaks(response, world, persona)
                    ]
                    problems += [
                        f"{case.route.name} POST {persona.name} in {url}: {wrong}"
                        for wrong in form_takes_out_of_scope(case.route, response, world, persona, url)
                    ]
    assert not problems, "\n".join(problems)
