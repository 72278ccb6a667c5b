"""Who may read and write the programme review (DESIGN.md §1, C6).

* Readers: national directors (their association's programmes), programme
  directors (their programmes) and M&E advisors (their scope; a global M&E
  advisor sees the whole federation's progress). The review pages name no child.
* Assessors: national directors and programme directors within their scope
  score programmes and decide continue or adapt; a decision that ends the
  programme for its participants (phase out, hand over) is a national
  director's (checked by the service, :data:`ENDING_DECIDERS`).
* Rounds are opened by national directors.
* Transition plans name the participants: national directors, programme
  directors and caseworkers of the programme read and write them; M&E advisors
  see only how many participants have an alternative provider.
"""

from __future__ import annotations

from barneby.accounts.roles import Role

REVIEW_READERS: frozenset[Role] = frozenset({Role.NATIONAL_DIRECTOR, Role.PROGRAMME_DIRECTOR, Role.ME_ADVISOR})
ASSESSORS: frozenset[Role] = frozenset({Role.NATIONAL_DIRECTOR, Role.PROGRAMME_DIRECTOR})
ENDING_DECIDERS: frozenset[Role] = frozenset({Role.NATIONAL_DIRECTOR})
ROUND_MANAGERS: frozenset[Role] = frozenset({Role.NATIONAL_DIRECTOR})
PLAN_ROLES: frozenset[Role] = frozenset({Role.NATIONAL_DIRECTOR, Role.PROGRAMME_DIRECTOR, Role.CASEWORKER})
