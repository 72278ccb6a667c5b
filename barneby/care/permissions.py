"""Who may read and write care records (DESIGN.md §1).

* Caseworkers and programme directors read and write the children of their
  programmes; national directors and municipality contacts read them.
* Caregivers see only the children living in their home, through the
  caregiver view (plan goals and the daily log), never case history.
* M&E advisors see aggregated data only (figures and an extract with small cells generalised away).
* Donor service, safeguarding, auditors and system administrators see no child data.
* Health, disability and HIV status need the permission ``care.view_restricted``
  on top of a reader role, and every view of them is logged separately.
"""

from __future__ import annotations

from barneby.accounts.roles import Role

CARE_READERS: frozenset[Role] = frozenset(
    {Role.NATIONAL_DIRECTOR, Role.PROGRAMME_DIRECTOR, Role.CASEWORKER, Role.MUNICIPALITY_CONTACT}
)
CARE_WRITERS: frozenset[Role] = frozenset({Role.PROGRAMME_DIRECTOR, Role.CASEWORKER})
CAREGIVERS: frozenset[Role] = frozenset({Role.CAREGIVER})
ME_ROLES: frozenset[Role] = frozenset({Role.ME_ADVISOR})
RESTRICTED_PERMISSION = "care.view_restricted"
