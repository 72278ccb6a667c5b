"""``{% supporter_sponsorships supporter as sponsorships %}`` for the supporter page (scoped to the user)."""

from __future__ import annotations

from typing import Any

from django import template

from barneby.sponsorships import selectors
from barneby.sponsorships.models import Sponsorship

register = template.Library()


@register.simple_tag(takes_context=True)
def supporter_sponsorships(context: template.Context, supporter: Any) -> list[Sponsorship]:
    request = context.get("request")
    if request is None:
        return []
    return list(
        selectors.sponsorship_list_for(user=request.user)
        .filter(supporter=supporter)
        .order_by("-start_date", "-pk")[:50]
    )
