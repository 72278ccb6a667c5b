"""Care → sponsorships: when a child leaves the programme, its sponsors get transfer tasks.

Connected in :meth:`SponsorshipsConfig.ready`. The handler runs in the care
service's own transaction, so the status change and the tasks are saved
together; :func:`services.child_left` is idempotent.
"""

from __future__ import annotations

from typing import Any

from barneby.care.models import Child
from barneby.sponsorships.selectors import LEAVING_STATUSES


def child_saved(sender: type[Child], instance: Child, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "status" not in update_fields:
        return
    if instance.status not in LEAVING_STATUSES:
        return
    from barneby.sponsorships import services
    from barneby.sponsorships.models import SponsorshipProfile

    if SponsorshipProfile.objects.filter(child=instance).exists():
        services.child_left(actor=None, child=instance)
