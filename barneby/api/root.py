"""The API root: one NinjaAPI under /api/v1/, with JSON errors throughout."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from barneby.accounts.models import User
from barneby.accounts.scoping import scope_for
from barneby.api.auth import PersonalToken
from barneby.core.listing import MAX_ID

api = NinjaAPI(
    title="Barneby API",
    version="1",
    description="Barneby JSON API. Authenticate with a personal token: `Authorization: Bearer <token>`.",
    auth=PersonalToken(),
    urls_namespace="api",
    docs_url="/docs",
)


def _bad_text(value: Any, loc: tuple[str | int, ...]) -> Iterator[dict[str, Any]]:
    """Errors for strings a database cannot store, anywhere in a decoded body or query."""
    if isinstance(value, str):
        try:
            ProhibitNullCharactersValidator()(value)
        except ValidationError as exc:
            yield {"loc": list(loc), "msg": exc.messages[0], "type": "null_character"}
        else:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                yield {"loc": list(loc), "msg": _("Teksten inneholder et ugyldig tegn."), "type": "invalid_character"}
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _bad_text(key, (*loc, str(key)))
            yield from _bad_text(item, (*loc, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _bad_text(item, (*loc, index))


# A database key or number is at most a signed 64-bit integer (MAX_ID, shared with the pages' query ids);
# a page number or offset far less, since it is multiplied by the page size: no list has two billion pages.
MAX_PAGE = 2**31 - 1
PAGING = frozenset({"page", "page_size", "offset", "limit"})


def _too_big(value: str, limit: int) -> bool:
    text = value.strip().lstrip("+-").lstrip("0")
    # By length first: Python refuses to read integers of more than 4,300 digits.
    return text.isdigit() and (len(text) > len(str(limit)) or int(text) > limit)


def _bad_numbers(value: Any, loc: tuple[str | int, ...]) -> Iterator[dict[str, Any]]:
    """Errors for integers in a JSON body that no field can hold (ids, counts and amounts alike)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ID:
        yield {"loc": list(loc), "msg": _("Tallet er for stort."), "type": "number_too_big"}
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _bad_numbers(item, (*loc, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _bad_numbers(item, (*loc, index))


def _query_number_errors(request: HttpRequest) -> Iterator[dict[str, Any]]:
    for key in request.GET:
        limit = MAX_PAGE if key in PAGING else MAX_ID if key == "id" or key.endswith("_id") else None
        if limit is not None and any(_too_big(value, limit) for value in request.GET.getlist(key)):
            yield {"loc": ["query", key], "msg": _("Tallet er for stort."), "type": "number_too_big"}


def _text_errors(request: HttpRequest, path: dict[str, Any]) -> list[dict[str, Any]]:
    errors = list(_bad_text(path, ("path",)))
    errors += _bad_text({key: request.GET.getlist(key) for key in request.GET}, ("query",))
    errors += _query_number_errors(request)
    if request.body and request.content_type == "application/json":
        try:
            body = json.loads(request.body)
        except ValueError:
            body = None  # ninja answers malformed JSON itself
        errors += _bad_text(body, ("body",))
        errors += _bad_numbers(body, ("body",))
    return errors


def refuse_unstorable_input(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """One rule for every operation of every app, before any schema.

    Text as the HTML forms have it: no NUL, no lone surrogate. Numbers: an id no
    key can have is a 404 in a path and a 422 elsewhere; a page or offset beyond
    any list is a 422.

    PostgreSQL refuses NUL in text and no database encodes a lone UTF-16 surrogate
    ("\\ud800" in JSON), so either would end as a 500 (or, on SQLite, a stored NUL).
    """

    @functools.wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if any(isinstance(value, str) and _too_big(value, MAX_ID) for value in kwargs.values()):
            # No object has such an id.
            return api.create_response(request, {"detail": _("Fant ikke objektet.")}, status=404)
        errors = _text_errors(request, kwargs)
        if errors:
            return api.create_response(request, {"detail": _("Ugyldige data."), "errors": errors}, status=422)
        return run(request, *args, **kwargs)

    return checked


api.add_decorator(refuse_unstorable_input, mode="view")


class Me(Schema):
    email: str
    full_name: str
    roles: list[str]


@api.get("/me", response=Me, summary="The signed-in token's user and roles", tags=["konto"])
def me(request: HttpRequest) -> Me:
    user = request.user
    assert isinstance(user, User)  # PersonalToken put the token's user here
    return Me(email=user.email, full_name=user.full_name, roles=sorted(scope_for(user).roles))


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": _("Mangler gyldig API-nøkkel.")}, status=401)
    # RFC 6750: a 401 names the scheme the client should use.
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": _("Ingen tilgang.")}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Fant ikke objektet.")}, status=404)


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("Ugyldige data."), "errors": exc.errors}, status=422)


@api.exception_handler(ValidationError)
def _model_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": _("Ugyldige data."), "errors": errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


from barneby.organisation.apis import router as organisation_router  # noqa: E402

api.add_router("/organisation/", organisation_router)

from barneby.care.apis import router as care_router  # noqa: E402

api.add_router("/care/", care_router)

from barneby.fundraising.apis import router as fundraising_router  # noqa: E402

api.add_router("/fundraising/", fundraising_router)

from barneby.sponsorships.apis import router as sponsorships_router  # noqa: E402

api.add_router("/sponsorships/", sponsorships_router)

from barneby.results.apis import router as results_router  # noqa: E402

api.add_router("/results/", results_router)

from barneby.reporting.apis import router as reporting_router  # noqa: E402

api.add_router("/reporting/", reporting_router)

from barneby.safeguarding.apis import router as safeguarding_router  # noqa: E402

api.add_router("/safeguarding/", safeguarding_router)
