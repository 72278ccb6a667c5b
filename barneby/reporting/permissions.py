"""Who sees figures and exports (DESIGN.md §1, issue 14).

* M&E advisors and directors (national: their association; programme: their programmes) read the
  advocacy statistics and the IATI export for their scope, and keep each programme's IATI data.
* The reporting organisation's IATI identifier belongs to the association: national directors only.
* Everyone else: no figures here (the municipality contact has their own status report).
"""

from __future__ import annotations

from barneby.accounts.roles import Role

REPORT_READERS: frozenset[Role] = frozenset({Role.ME_ADVISOR, Role.NATIONAL_DIRECTOR, Role.PROGRAMME_DIRECTOR})
IATI_WRITERS: frozenset[Role] = REPORT_READERS
IATI_ORGANISATION_WRITERS: frozenset[Role] = frozenset({Role.NATIONAL_DIRECTOR})
