"""Reads for accounts: token lookup and the user's own tokens."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from barneby.accounts.models import ApiToken, AuthenticatorDevice, User
from barneby.accounts.roles import API_USERS
from barneby.accounts.scoping import scope_for
from barneby.accounts.tokens import TOKEN_PREFIX, token_digest


def api_token_find_usable(*, secret: str) -> ApiToken | None:
    """The usable token behind ``secret``, with its (active) user loaded; otherwise ``None``.

    Lookup is by digest, so the comparison never touches the secret itself;
    the secret has 256 random bits, so an index lookup leaks nothing useful.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(secret)).first()
    if token is None or not token.is_usable or not api_user_is_eligible(user=token.user):
        return None
    return token


def api_user_is_eligible(*, user: User) -> bool:
    """May ``user``'s tokens be used right now? Checked on every request, not once at issue.

    The user must be active and still hold a role that may use the API; and
    where the second factor is required, still have a confirmed authenticator
    (a token must not outlive the factor that was needed to create it).
    """
    if not user.is_active or not scope_for(user).has_any_role(API_USERS):
        return False
    if settings.BARNEBY_REQUIRE_2FA:
        return bool(AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists())
    return True


def api_token_list_for(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def api_token_get_for(*, user: User, pk: int) -> ApiToken:
    """A token of the user's own; anyone else's is 404."""
    token = ApiToken.objects.filter(user=user, pk=pk).first()
    if token is None:
        raise Http404
    return token
