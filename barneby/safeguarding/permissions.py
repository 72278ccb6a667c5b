"""Who reaches safeguarding (DESIGN.md C5).

* Focal points read and work on the cases of their association; a global focal point the escalated
  cases of every association. A focal point named among the people involved never sees that case.
* National directors and M&E advisors see figures only (I33), never a case.
* Everybody signed in may report, and later sees only that their report was received and closed.
* Anyone, without signing in, may report anonymously and follow up with the case code and secret.
"""

from __future__ import annotations

from barneby.accounts.roles import Role

FOCAL_POINTS: frozenset[Role] = frozenset({Role.SAFEGUARDING_FOCAL_POINT})
FIGURE_READERS: frozenset[Role] = frozenset({Role.NATIONAL_DIRECTOR, Role.ME_ADVISOR, Role.SAFEGUARDING_FOCAL_POINT})
