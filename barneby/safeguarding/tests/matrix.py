"""Safeguarding's part of the URL and API matrices (see barneby/core/tests/app_matrix.py).

Cases are hidden pages for focal points: everyone else gets 404, not even knowing a case exists. The
world's cases are escalated, so the global focal point reaches them as well as the association's; that
a global focal point does not see a case that is not escalated, and that a focal point named in a case
does not see it, are tested in test_access.py.
"""

from __future__ import annotations

from typing import Any

from barneby.core.access import PUBLIC, AccessRule
from barneby.safeguarding import services
from barneby.safeguarding.models import Category
from barneby.safeguarding.permissions import FIGURE_READERS, FOCAL_POINTS

SIGNED_IN = AccessRule(signed_in=True, personal_data=False)
FOCAL = AccessRule(roles=FOCAL_POINTS, hidden=True)

CASE_PAGES = (
    "case-detail",
    "case-acknowledge",
    "case-assess",
    "case-investigate",
    "case-conclude",
    "case-close",
    "case-note",
    "case-message",
    "case-person",
    "case-escalate",
)

EXPECTED: dict[str, AccessRule] = {
    "safeguarding:report-public": PUBLIC,
    "safeguarding:reporter-access": PUBLIC,
    "safeguarding:reporter-reply": PUBLIC,
    "safeguarding:report-staff": SIGNED_IN,
    "safeguarding:my-reports": SIGNED_IN,
    "safeguarding:case-list": FOCAL,
    **{f"safeguarding:{name}": FOCAL for name in CASE_PAGES},
    "safeguarding:attachment-download": FOCAL,
    "safeguarding:statistics": AccessRule(roles=FIGURE_READERS),
}

PK_KINDS: dict[str, str] = {
    **{f"safeguarding:{name}": "safeguarding_case" for name in CASE_PAGES},
    "safeguarding:attachment-download": "safeguarding_attachment",
}

API_SEGMENT_KINDS: dict[str, str] = {"cases": "safeguarding_case"}
API_READERS = {"/safeguarding/": FOCAL_POINTS}
API_WRITERS = {("POST", "/safeguarding/cases/{pk}/acknowledge"): FOCAL_POINTS}

PDF = b"%PDF-1.4\n% matrise\n"


def build(context: Any) -> None:
    """A case in each variant (escalated), each with an attachment."""
    for variant, programme in context.programmes.items():
        concern = services.concern_report_staff(
            actor=context.builder,
            association=programme.association,
            programme=programme,
            category=Category.CONDUCT,
            details="Matrisesak",
            attachment=services.CheckedFile(name="matrise.pdf", content_type="application/pdf", data=PDF),
        )
        services.concern_escalate(actor=context.builder, concern=concern, reason="Matrise")
        context.put("safeguarding_case", variant, concern.pk)
        context.put("safeguarding_attachment", variant, concern.attachments.get().pk)
