"""Who may ask for and see placement proposals: caseworkers and programme directors of the programme.

Proposals only propose; placing a child is the care module's placement form,
with its decision and the child's views.
"""

from __future__ import annotations

from barneby.accounts.roles import Role

MATCHERS: frozenset[Role] = frozenset({Role.CASEWORKER, Role.PROGRAMME_DIRECTOR})
