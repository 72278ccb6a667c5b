"""Who may see and change the fundraising back office (DESIGN.md §1).

Only donor service (giverservice), scoped to its member association, works with
supporters, agreements, claims and payments. Nobody else sees them — not
national directors, not caseworkers, not auditors through these selectors (the
audit log is theirs) — since supporters' personal and payment data is needed
only by the people who serve the supporters.
"""

from __future__ import annotations

from barneby.accounts.roles import Role

FUNDRAISING_ROLES: frozenset[Role] = frozenset({Role.DONOR_SERVICE})
