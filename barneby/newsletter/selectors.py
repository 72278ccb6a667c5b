"""Reads for the newsletter pages, scoped to donor service of the subscriber's association."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from barneby.accounts.scoping import visible_to
from barneby.fundraising.permissions import FUNDRAISING_ROLES
from barneby.newsletter.models import ConsentLog, Subscriber, SubscriberStatus


def subscriber_list_for(*, user: Any, status: str = "", search: str = "") -> QuerySet[Subscriber]:
    subscribers = visible_to(
        Subscriber.objects.select_related("supporter"),
        user=user,
        paths=Subscriber.SCOPE_PATHS,
        roles=FUNDRAISING_ROLES,
    )
    if status in SubscriberStatus.values:
        subscribers = subscribers.filter(status=status)
    if search:
        subscribers = subscribers.filter(Q(email__icontains=search) | Q(name__icontains=search))
    return subscribers


def confirmed_subscribers_for(*, user: Any) -> QuerySet[Subscriber]:
    """The export: only confirmed subscribers, only of the user's association."""
    return subscriber_list_for(user=user, status=SubscriberStatus.CONFIRMED).order_by("email", "pk")


def subscriber_get_for(*, user: Any, pk: int) -> Subscriber:
    subscriber = subscriber_list_for(user=user).filter(pk=pk).first()
    if subscriber is None:
        raise Http404
    return subscriber


def consent_log_for(subscriber: Subscriber) -> QuerySet[ConsentLog]:
    return ConsentLog.objects.filter(subscriber=subscriber).select_related("actor").order_by("-occurred_at", "-pk")
