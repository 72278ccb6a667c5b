"""Bearer-token authentication for the API: personal tokens, stored hashed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from barneby.accounts.selectors import api_token_user


class PersonalToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(secret=token)
        if user is None:
            return None
        # The API acts as this user; selectors read request.user.
        request.user = user
        return user
