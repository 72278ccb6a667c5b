"""Who may see and enter results (DESIGN.md §1).

* M&E advisors, national and programme directors see indicator figures for their scope
  (aggregated, never a named child; small cells are hidden in every report).
* National directors close periods and enter their association's annual accounts; M&E advisors
  close periods and set targets.
* Programme directors (and national directors) enter the monthly service returns.
* The municipality contact sees only the status report of their own municipality, and writes its text,
  as does the national director.
"""

from __future__ import annotations

from barneby.accounts.roles import Role

RESULTS_READERS: frozenset[Role] = frozenset({Role.ME_ADVISOR, Role.NATIONAL_DIRECTOR, Role.PROGRAMME_DIRECTOR})
KEY_FIGURE_READERS: frozenset[Role] = RESULTS_READERS
PERIOD_CLOSERS: frozenset[Role] = frozenset({Role.ME_ADVISOR, Role.NATIONAL_DIRECTOR})
TARGET_SETTERS: frozenset[Role] = frozenset({Role.ME_ADVISOR, Role.NATIONAL_DIRECTOR})
RETURN_WRITERS: frozenset[Role] = frozenset({Role.PROGRAMME_DIRECTOR, Role.NATIONAL_DIRECTOR})
ACCOUNTS_WRITERS: frozenset[Role] = frozenset({Role.NATIONAL_DIRECTOR})
ACCOUNTS_READERS: frozenset[Role] = ACCOUNTS_WRITERS | {Role.ME_ADVISOR, Role.AUDITOR}
REPORT_READERS: frozenset[Role] = frozenset({Role.MUNICIPALITY_CONTACT, Role.NATIONAL_DIRECTOR, Role.ME_ADVISOR})
REPORT_WRITERS: frozenset[Role] = frozenset({Role.MUNICIPALITY_CONTACT, Role.NATIONAL_DIRECTOR})
