"""Every API operation by every persona's token, with real objects in and out of scope.

The operations come from the NinjaAPI itself, so a new endpoint is covered
without touching this file; only a new kind of path segment needs a line in
``SEGMENT_KINDS`` (and a new ``*_id`` body or query field one in ``ID_KINDS``).

What must hold:

* no token: 401; a token whose user may not use the API (a caregiver, a
  user without roles): refused (4xx) everywhere;
* a detail or a write on an object outside the persona's scope, or a body or
  filter naming such an object: never 2xx;
* a list: never an object outside the scope; nothing at all for a role that
  does not read that part of the API;
* a detail inside the scope, for a role that reads it: 200; a write inside
  the scope, for a role that writes it: anything but a server error; for
  any other role: refused;
* methods an endpoint does not take: 405;
* never a 500.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import types
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

import pytest
from django.http import HttpResponse
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from barneby.accounts.roles import API_USERS, Role
from barneby.api.root import api
from barneby.care.permissions import CARE_READERS, CARE_WRITERS
from barneby.core.tests import app_matrix
from barneby.core.tests.matrix_world import PERSONAS, Persona, World, matrix_world
from barneby.fundraising.permissions import FUNDRAISING_ROLES
from barneby.organisation.permissions import PROGRAMME_CREATORS, REGISTER_READERS, REGISTER_WRITERS

__all__ = ["matrix_world"]

PREFIX = "/api/v1"

# The path segment before ``{pk}`` (or a list's last segment) → the kind of object.
SEGMENT_KINDS: dict[str, str] = {
    "associations": "association",
    "locations": "location",
    "programmes": "programme",
    "homes": "home",
    "staff": "staff",
    "children": "child",
    "alerts": "alert",
    "supporters": "supporter",
    "payments": "payment",
    "sponsorships": "sponsorship",
}
SEGMENT_KINDS.update(app_matrix.merged_dict("API_SEGMENT_KINDS"))
# Body and query fields that name an object.
ID_KINDS: dict[str, str] = {
    "association_id": "association",
    "programme_id": "programme",
    "location_id": "location",
    "home_id": "home",
    "supporter_id": "supporter",
}
ID_KINDS.update(app_matrix.merged_dict("API_ID_KINDS"))
# GET paths that answer with figures rather than a list of objects, and who reads each.
FIGURES: dict[str, frozenset[Role]] = app_matrix.merged_dict("API_FIGURES")
# Path parameters that are not objects.
PATH_VALUES: dict[str, Any] = {"year": dt.date.today().year}
PATH_VALUES.update(app_matrix.merged_dict("API_PATH_VALUES"))

# Who reads and who writes each part of the API: the correct policy (DESIGN.md §1, issue 12).
READERS: dict[str, frozenset[Role]] = {
    "/organisation/": REGISTER_READERS - {Role.CAREGIVER},
    "/care/": CARE_READERS,
    "/fundraising/": FUNDRAISING_ROLES,
    "/sponsorships/": FUNDRAISING_ROLES,
}
READERS.update(app_matrix.merged_dict("API_READERS"))
WRITERS: dict[tuple[str, str], frozenset[Role]] = {
    ("POST", "/organisation/programmes"): PROGRAMME_CREATORS,
    # A programme director writes within their programmes, never the member association.
    ("PATCH", "/organisation/associations/{pk}"): REGISTER_WRITERS - {Role.PROGRAMME_DIRECTOR},
    # Villages and community sites belong to the association, beyond a programme director's programmes.
    ("POST", "/organisation/locations"): REGISTER_WRITERS - {Role.PROGRAMME_DIRECTOR},
    ("PATCH", "/organisation/locations/{pk}"): REGISTER_WRITERS - {Role.PROGRAMME_DIRECTOR},
    ("POST", "/organisation/homes"): REGISTER_WRITERS,
    ("PATCH", "/organisation/homes/{pk}"): REGISTER_WRITERS,
    ("POST", "/organisation/staff"): REGISTER_WRITERS,
    ("PATCH", "/organisation/staff/{pk}"): REGISTER_WRITERS,
    ("PATCH", "/organisation/programmes/{pk}"): REGISTER_WRITERS,
    ("POST", "/care/children"): CARE_WRITERS,
    ("POST", "/care/children/{pk}/placements"): CARE_WRITERS,
    ("POST", "/care/children/{pk}/decisions"): CARE_WRITERS,
}
WRITERS.update(app_matrix.merged_dict("API_WRITERS"))
# A municipality contact reads partner programmes and their homes and children; whether staff, villages
# and associations are theirs too is not settled, nor whether programme 2 (same municipality, not a
# care programme) is visible as a programme: only "no 500" there, and for lists no check of those kinds.
MUNICIPALITY_UNSETTLED_IN = frozenset({"staff", "location", "association"})
MUNICIPALITY_UNSETTLED_A2 = frozenset({"programme", "home", "location", "staff", "association"})

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Operation:
    group: str  # the router's prefix, e.g. "/care/"
    path: str  # inside the router, e.g. "/children/{pk}/placements"
    method: str
    body: type[BaseModel] | None
    query: tuple[str, ...]  # flat query parameter names
    defined: bool = True  # False: a method the path does not take

    @property
    def full_path(self) -> str:
        return self.group.rstrip("/") + self.path

    @property
    def id(self) -> str:
        return f"{self.method} {self.full_path}"

    @property
    def is_list(self) -> bool:
        return (
            self.method == "GET"
            and "{" not in self.path.rsplit("/", 1)[-1]
            and self.full_path not in FIGURES
            and _list_kind(self) is not None
        )

    @property
    def kind(self) -> str | None:
        """The kind of object the path names (the segment before the first ``{pk}``)."""
        segments = self.path.strip("/").split("/")
        if "{pk}" in segments:
            return SEGMENT_KINDS.get(segments[segments.index("{pk}") - 1])
        return None


def _list_kind(op: Operation) -> str | None:
    return SEGMENT_KINDS.get(op.path.strip("/").split("/")[-1])


def _query_names(model: type[BaseModel]) -> list[str]:
    names: list[str] = []
    for name, info in model.model_fields.items():
        if name == "ninja_pagination":
            continue
        inner = _unwrap(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            names.extend(inner.model_fields)
        else:
            names.append(name)
    return names


def _unwrap(annotation: Any) -> Any:
    """``X | None`` → ``X``."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def operations() -> list[Operation]:
    found = []
    for group, router in api._routers:
        group = group if group.endswith("/") else group + "/"
        for path, path_view in router.path_operations.items():
            taken = set()
            for op in path_view.operations:
                body = None
                query: list[str] = []
                for model in op.signature.models:
                    source = getattr(model, "__ninja_param_source__", None)
                    if source == "body":
                        body = _unwrap(model.model_fields["payload"].annotation)
                    elif source == "query":
                        query.extend(_query_names(model))
                for method in op.methods:
                    taken.add(method)
                    found.append(Operation(group, path, method, body, tuple(query)))
            for method in ("PUT", "DELETE", "PATCH", "POST"):
                if method not in taken:
                    found.append(Operation(group, path, method, None, (), defined=False))
    return found


OPERATIONS = operations()


@dataclass(frozen=True)
class Case:
    """One operation and one persona it serves; or (``label``) all the personas it refuses."""

    op: Operation
    personas: tuple[Persona, ...]
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.op.id}|{self.label or self.personas[0].name}"


def _serves(op: Operation, persona: Persona) -> bool:
    return op.defined and persona.role in API_USERS and _granted(op, persona.role)


def _cases() -> list[Case]:
    cases = []
    for op in OPERATIONS:
        cases += [Case(op, (p,)) for p in PERSONAS if _serves(op, p)]
        rest = tuple(p for p in PERSONAS if not _serves(op, p))
        if rest:
            cases.append(Case(op, rest, "refused" if op.defined else "everyone"))
    return cases


def test_every_api_path_and_field_has_a_way_to_fill_it() -> None:
    missing = []
    for op in OPERATIONS:
        for param in re.findall(r"{(\w+)}", op.path):
            if param == "pk" and op.kind is None:
                missing.append(f"{op.id}: {{pk}} (SEGMENT_KINDS)")
            elif param != "pk" and param not in PATH_VALUES:
                missing.append(f"{op.id}: {{{param}}} (PATH_VALUES)")
        if (
            op.method == "GET"
            and "{" not in op.path
            and op.group != "/"
            and op.full_path not in FIGURES
            and _list_kind(op) is None
        ):
            missing.append(f"{op.id}: list of what? (SEGMENT_KINDS)")
    assert not missing, f"Say how to fill these: {missing}"


def test_the_matrix_sees_every_part_of_the_api() -> None:
    groups = {op.group for op in OPERATIONS} - {"/"}
    assert groups <= set(READERS), f"Who reads these parts of the API? {sorted(groups - set(READERS))}"
    writes = {(op.method, op.full_path) for op in OPERATIONS if op.defined and op.method in UNSAFE}
    assert writes <= set(WRITERS), f"Who writes with these? {sorted(writes - set(WRITERS))}"
    assert set(WRITERS) <= writes, f"WRITERS names endpoints that no longer exist: {sorted(set(WRITERS) - writes)}"


# ---------------------------------------------------------------------------------------------


def _text(info: FieldInfo) -> str:
    """A string the schema accepts (its length limits), so the request gets past validation to the scope check."""
    low = max((getattr(m, "min_length", None) or 0 for m in info.metadata), default=0)
    highs = [m.max_length for m in info.metadata if getattr(m, "max_length", None) is not None]
    text = "Matrise"[: min(highs)] if highs else "Matrise"
    return text.ljust(low, "x")


def _value(name: str, info: FieldInfo, world: World, variant: str) -> Any:
    annotation = _unwrap(info.annotation)
    if name in ID_KINDS:
        return world.pk(ID_KINDS[name], variant)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _body(annotation, world, variant)
    if annotation is bool:
        return False
    if annotation is int:
        return 1
    if annotation is Decimal:
        return "1"
    if annotation is dt.date:
        return dt.date.today().isoformat()
    if get_origin(annotation) is list:
        return []
    return _text(info)


def _body(model: type[BaseModel], world: World, variant: str, *, owner: str | None = None) -> dict[str, Any]:
    """The smallest body of the right types: required fields and every object reference.

    ``owner``: the variant for the first object reference (the one the new object belongs to); the
    others take ``variant`` (a mixed body: an owner in scope, a reference out of scope).
    """
    body = {}
    for name, info in model.model_fields.items():
        if info.is_required() or name in ID_KINDS:
            if owner is not None and name in ID_KINDS:
                body[name], owner = _value(name, info, world, owner), None
            else:
                body[name] = _value(name, info, world, variant)
    return body


def _id_fields(op: Operation) -> list[str]:
    return [n for n in op.body.model_fields if n in ID_KINDS] if op.body is not None else []


def _path(op: Operation, world: World, variant: str) -> str | None:
    path = op.full_path
    if "{pk}" in path:
        assert op.kind is not None
        pk = world.pk(op.kind, variant)
        if pk is None:
            return None
        path = path.replace("{pk}", str(pk))
    for name, value in PATH_VALUES.items():
        path = path.replace(f"{{{name}}}", str(value))
    return PREFIX + path


def _names_object(op: Operation) -> bool:
    """Whether the request names an object (in the path, the body or a filter), so it has an out-of-scope form."""
    in_body = op.body is not None and any(n in ID_KINDS for n in op.body.model_fields)
    return op.kind is not None or in_body or any(q in ID_KINDS for q in op.query)


@dataclass(frozen=True)
class Request:
    path: str
    query: dict[str, Any]
    body: dict[str, Any] | None


def _request(op: Operation, world: World, variant: str) -> Request | None:
    """``variant``: where the objects are; ``mix:<v>`` keeps the path's object (or the body's owner) in
    scope and points the body's other references to ``v``."""
    mixed = variant.startswith("mix:")
    variant = variant.removeprefix("mix:")
    path = _path(op, world, "a1" if mixed else variant)
    if path is None:
        return None
    query = {}
    for name in op.query:
        if name in ID_KINDS and variant != "a1":
            pk = world.pk(ID_KINDS[name], variant)
            if pk is None:
                return None
            query[name] = pk
    owner = "a1" if mixed and op.kind is None else None
    body = _body(op.body, world, variant, owner=owner) if op.body is not None else None
    if body is not None and any(v is None for v in body.values()):
        return None  # this variant has no such object (e.g. an association of programme 2)
    if body is None and op.method in UNSAFE:
        body = {}
    return Request(path, query, body)


def _send(world: World, persona: Persona, op: Operation, request: Request) -> HttpResponse:
    client = world.client(Persona("anonymous", None, "anonymous"))  # a token, not a session
    headers = {}
    if persona.name in world.tokens:
        headers["Authorization"] = f"Bearer {world.tokens[persona.name]}"
    if op.method == "GET":
        return client.get(request.path, request.query, headers=headers)  # type: ignore[return-value]
    return client.generic(  # type: ignore[return-value]
        op.method,
        request.path + ("?" + "&".join(f"{k}={v}" for k, v in request.query.items()) if request.query else ""),
        data=_json(request.body),
        content_type="application/json",
        headers=headers,
    )


def _json(body: dict[str, Any] | None) -> str:
    return json.dumps(body or {})


def _granted(op: Operation, role: Role | None) -> bool:
    if role is None:
        return False
    if op.group == "/":
        return True
    if op.method in UNSAFE:
        return role in WRITERS.get((op.method, op.full_path), frozenset())
    if op.full_path in FIGURES:
        return role in FIGURES[op.full_path]
    return role in READERS.get(op.group, frozenset())


def _out_ids(world: World, persona: Persona, kind: str) -> dict[int, str]:
    out = {}
    for variant in persona.out_variants:
        if persona.role == Role.MUNICIPALITY_CONTACT and variant == "a2" and kind in MUNICIPALITY_UNSETTLED_A2:
            continue
        pk = world.pk(kind, variant)
        if pk is not None:
            out[pk] = variant
    return out


def check(op: Operation, persona: Persona, variant: str, response: HttpResponse, world: World) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"got {status}"
    if persona.scope == "anonymous":
        return None if status in ({401, 405} if not op.defined else {401}) else f"got {status}, expected 401"
    if persona.role not in API_USERS:
        return None if 400 <= status < 500 else f"got {status}, expected refused (user may not use the API)"
    if not op.defined:
        return None if status == 405 else f"got {status}, expected 405"
    out = variant.removeprefix("mix:") in persona.out_variants
    granted = _granted(op, persona.role)
    if op.is_list:
        kind = _list_kind(op)
        assert kind is not None
        if status != 200:
            return None if (status in {403, 404} and (out or not granted)) else f"got {status}, expected 200"
        ids = {item["id"] for item in json.loads(response.content).get("items", [])}
        if not granted and ids:
            return f"lists {len(ids)} objects to a role that does not read them"
        leaked = {pk: v for pk, v in _out_ids(world, persona, kind).items() if pk in ids}
        return f"lists {kind} out of scope: {leaked}" if leaked else None
    if out:
        if persona.role == Role.MUNICIPALITY_CONTACT and variant == "a2" and op.kind in MUNICIPALITY_UNSETTLED_A2:
            return None
        return None if 400 <= status < 500 else f"got {status}, expected refused (out of scope)"
    if not granted:
        return None if 400 <= status < 500 else f"got {status}, expected refused (role not granted)"
    if persona.role == Role.MUNICIPALITY_CONTACT and op.kind in MUNICIPALITY_UNSETTLED_IN:
        return None
    if op.method == "GET":
        return None if status == 200 else f"got {status}, expected 200"
    return None


def _variants(op: Operation, persona: Persona) -> list[str]:
    if not op.defined or not _names_object(op) or persona.role not in API_USERS:
        return ["a1"]
    variants = ["a1", *persona.out_variants]
    # An object in scope that points to one out of scope: a placement in a home of another programme,
    # a programme moved to another association's village, staff put in another programme.
    if len(_id_fields(op)) > (0 if op.kind is not None else 1):
        variants += [f"mix:{v}" for v in persona.out_variants]
    return variants


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c.id)
def test_api_in_and_out_of_scope(world: World, db: None, case: Case) -> None:
    problems = []
    op = case.op
    for persona, variant in ((p, v) for p in case.personas for v in _variants(op, p)):
        request = _request(op, world, variant)
        if request is None:
            continue
        response = _send(world, persona, op, request)
        problem = check(op, persona, variant, response, world)
        if problem:
            scope = "in" if variant == "a1" else f"out({variant})"
            problems.append(f"{op.id} {persona.name} {scope} {request.path} {request.query or ''}: {problem}")
    assert not problems, "\n".join(problems)
