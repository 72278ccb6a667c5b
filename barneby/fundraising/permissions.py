"""Who may see and change the fundraising back office (DESIGN.md §1).

Only donor service (giverservice), scoped to its member association, works with
supporters, agreements, claims and payments. Nobody else sees them — not
national directors, not caseworkers, not auditors through these selectors (the
audit log is theirs) — since supporters' personal and payment data is needed
only by the people who serve the supporters. The pages are hidden (404, not
403, for everyone else) and so is the API.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from barneby.accounts.roles import Role
from barneby.accounts.scoping import scope_for

FUNDRAISING_ROLES: frozenset[Role] = frozenset({Role.DONOR_SERVICE})


def require_donor_service(user: Any) -> None:
    """The API's counterpart of the pages' hidden rule: anyone else gets 404, as if nothing were there."""
    if not scope_for(user).has_any_role(FUNDRAISING_ROLES):
        raise Http404
