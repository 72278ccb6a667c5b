"""Who may read and write the organisation register (DESIGN.md §1).

* Readers: national directors (their association), programme directors and
  caseworkers (their programmes), municipality contacts (programmes with their municipality as partner),
  M&E advisors (programmes and homes as figures), auditors (read-only),
  system administrators (global; the register holds no child data).
* Writers: national directors within their association; programme directors
  within their programmes (not new programmes). Everyone else reads only.
* Writes at association level — the association itself, its locations (shared
  by its programmes), staff outside a programme, a programme's partner
  municipality (which opens the programme to that municipality's contact) —
  need a writer role held for the whole association (or globally). A
  programme director's programme grant reaches the association and its
  locations for reading only.
* Donor service and safeguarding focal points do not use the register, nor do
  caregivers: their work is their own home's children (``care:my-home``), not
  lists and exports of staff, homes and programmes.
* A home's street address is shown only to those who visit the home:
  its caregivers and the caseworkers and programme directors of its programme.
"""

from __future__ import annotations

from barneby.accounts.roles import Role

REGISTER_READERS: frozenset[Role] = frozenset(
    {
        Role.SYSTEM_ADMIN,
        Role.NATIONAL_DIRECTOR,
        Role.PROGRAMME_DIRECTOR,
        Role.CASEWORKER,
        Role.ME_ADVISOR,
        Role.MUNICIPALITY_CONTACT,
        Role.AUDITOR,
    }
)
REGISTER_WRITERS: frozenset[Role] = frozenset({Role.NATIONAL_DIRECTOR, Role.PROGRAMME_DIRECTOR})
PROGRAMME_CREATORS: frozenset[Role] = frozenset({Role.NATIONAL_DIRECTOR})
ADDRESS_READERS: frozenset[Role] = frozenset({Role.CAREGIVER, Role.CASEWORKER, Role.PROGRAMME_DIRECTOR})
