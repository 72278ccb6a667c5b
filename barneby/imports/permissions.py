"""Who may import what: children for caseworkers and programme directors (into the programmes they
write in), supporters for donor service (into their member association)."""

from __future__ import annotations

from barneby.accounts.roles import Role
from barneby.care.permissions import CARE_WRITERS
from barneby.fundraising.permissions import FUNDRAISING_ROLES
from barneby.imports.models import ImportKind

CHILD_IMPORTERS: frozenset[Role] = CARE_WRITERS
SUPPORTER_IMPORTERS: frozenset[Role] = FUNDRAISING_ROLES
IMPORTERS: frozenset[Role] = CHILD_IMPORTERS | SUPPORTER_IMPORTERS


def roles_for(kind: str) -> frozenset[Role]:
    return CHILD_IMPORTERS if kind == ImportKind.CHILDREN else SUPPORTER_IMPORTERS
