"""What happens when the "Godkjenning" workflow is approved (Wagtail's WAGTAIL_FINISH_WORKFLOW_ACTION).

Editors (the communications role) may write and submit pages but hold no
publish permission, so nothing reaches the public site without review.
Approval publishes the reviewed revision on the reviewer's behalf; the
reviewer must hold the communications role and must not be the person who
asked for the review (four eyes).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from barneby.accounts.roles import WEBSITE_EDITORS
from barneby.accounts.scoping import scope_for


def publish_after_review(workflow_state: Any, user: Any = None) -> None:
    if user is None or not scope_for(user).has_any_role(WEBSITE_EDITORS):
        raise PermissionDenied(_("Bare kommunikasjonsrollen kan godkjenne sider."))
    if workflow_state.requested_by_id == user.pk:
        raise PermissionDenied(_("En annen redaktør må godkjenne siden du sendte til godkjenning."))
    workflow_state.content_object.get_latest_revision().publish(user=user, skip_permission_checks=True)
