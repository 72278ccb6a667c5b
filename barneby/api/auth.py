"""Bearer-token authentication for the API: personal tokens, stored hashed."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from barneby.accounts.models import User
from barneby.accounts.selectors import api_token_find_usable
from barneby.accounts.services import api_token_record_use


class PersonalToken(HttpBearer):
    """``Authorization: Bearer bby_…``; anything else, or a token that is not usable, is 401.

    Usable is checked on every request (``api_token_find_usable``): not
    revoked, within its expiry and ``API_TOKEN_MAX_DAYS``, and its user still
    active, holding an API role and, where 2FA is required, an authenticator.
    """

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = api_token_find_usable(secret=token)
        if found is None:
            return None
        api_token_record_use(token=found)
        # The API acts as this user, with the roles they hold right now;
        # selectors and scope_for() read request.user.
        request.user = found.user
        return found.user
