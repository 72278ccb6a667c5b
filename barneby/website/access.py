"""Who reaches the website's editor (Wagtail's admin at /cms/)."""

from __future__ import annotations

from barneby.accounts.roles import WEBSITE_EDITORS
from barneby.core.access import AccessRule

# Hidden: every other role gets 404, so the editor's existence is nobody else's business;
# anonymous visitors are sent to Barneby's own sign-in (second factor included), never Wagtail's.
EDITOR = AccessRule(roles=WEBSITE_EDITORS, hidden=True)
