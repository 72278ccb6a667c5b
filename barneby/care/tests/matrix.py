"""The care app's own part of the URL allow list and the persona matrix (see core/tests/app_matrix.py).

The care pages from before this file are listed in ``core/tests/test_url_access.py`` and
``core/tests/test_url_matrix.py``; pages added since are listed here.
"""

from __future__ import annotations

from barneby.care.permissions import CARE_WRITERS
from barneby.core.access import AccessRule

EXPECTED: dict[str, AccessRule] = {
    "care:sibling-contact-create": AccessRule(roles=CARE_WRITERS),
}

PK_KINDS: dict[str, str] = {"care:sibling-contact-create": "child"}
