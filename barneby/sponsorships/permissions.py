"""Who works with sponsorships (DESIGN.md §1).

* Caseworkers and programme directors make a child's sponsorship profile,
  record the child's and the guardian's consent, approve and withdraw it —
  only for children of their own programmes (the care scoping).
* Donor service of the member association sees sponsorships, transfer tasks
  and the approved profiles — the profile fields only, never case data.
* Nobody else reaches any of it.
"""

from __future__ import annotations

from barneby.accounts.roles import Role
from barneby.care.permissions import CARE_WRITERS
from barneby.fundraising.permissions import FUNDRAISING_ROLES

PROFILE_WRITERS: frozenset[Role] = CARE_WRITERS
SPONSORSHIP_ROLES: frozenset[Role] = FUNDRAISING_ROLES
PHOTO_READERS: frozenset[Role] = PROFILE_WRITERS | SPONSORSHIP_ROLES
