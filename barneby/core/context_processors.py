from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from barneby.accounts.scoping import scope_for
from barneby.core.menu import entries_for


def barneby(request: HttpRequest) -> dict[str, Any]:
    """Values every page needs: the 2FA demo banner and the staff menu."""
    roles = scope_for(getattr(request, "user", None)).roles
    return {
        "two_factor_relaxed": not settings.BARNEBY_REQUIRE_2FA,
        "staff_menu": entries_for(roles, request.path) if roles else [],
    }
