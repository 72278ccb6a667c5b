"""Newsletter consent: subscribe (double opt-in), confirm, unsubscribe. Each step is logged in ``ConsentLog``.

* :func:`subscribe` makes the subscriber pending and e-mails a confirmation link whose
  token expires after ``settings.NEWSLETTER_CONFIRM_DAYS`` days;
* :func:`confirm` turns a valid, unexpired token into a confirmed subscription
  (a second click changes nothing);
* :func:`unsubscribe` takes the signed link from any e-mail (no login) and ends the
  subscription at once.

A refused token raises ``ValidationError`` with a message for the person, and nothing
is changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.fundraising.models import Supporter
from barneby.newsletter.models import ConsentAction, ConsentLog, ConsentSource, Subscriber, SubscriberStatus
from barneby.organisation.models import MemberAssociation

UNSUBSCRIBE_SALT = "barneby.newsletter.unsubscribe"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _site_url(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def unsubscribe_token(subscriber: Subscriber) -> str:
    """A signed token naming the subscriber by its random ``public_id``; it never expires."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscriber.public_id))


def unsubscribe_url(subscriber: Subscriber) -> str:
    return _site_url(reverse("newsletter:unsubscribe", kwargs={"token": unsubscribe_token(subscriber)}))


def list_headers(subscriber: Subscriber) -> dict[str, str]:
    """The headers every newsletter e-mail carries (RFC 2369 and RFC 8058 one-click)."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscriber)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _log(
    subscriber: Subscriber,
    action: str,
    source: str,
    *,
    text_version: str = "",
    ip: str | None = None,
    user_agent: str = "",
    actor: Any = None,
) -> ConsentLog:
    return ConsentLog.objects.create(
        subscriber=subscriber,
        action=action,
        source=source,
        text_version=text_version[:40],
        ip_address=ip or None,
        user_agent=user_agent[:300],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _send_confirmation(subscriber: Subscriber, token: str) -> None:
    confirm_url = _site_url(reverse("newsletter:confirm", kwargs={"token": token}))
    context = {
        "subscriber": subscriber,
        "association": subscriber.association,
        "confirm_url": confirm_url,
        "unsubscribe_url": unsubscribe_url(subscriber),
        "days": settings.NEWSLETTER_CONFIRM_DAYS,
        "expires_at": subscriber.confirm_expires_at,
    }
    message = EmailMessage(
        subject=_("Bekreft påmeldingen til nyhetsbrevet"),
        body=render_to_string("newsletter/confirm_email.txt", context),
        to=[subscriber.email],
        headers=list_headers(subscriber),
    )
    message.send()


def _matching_supporter(association: MemberAssociation, email: str) -> Supporter | None:
    matches = list(
        Supporter.objects.filter(
            association=association, email__iexact=email, merged_into__isnull=True, is_anonymised=False
        )[:2]
    )
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def subscribe(
    *,
    association: MemberAssociation,
    email: str,
    name: str = "",
    source: str,
    text_version: str,
    ip: str | None = None,
    user_agent: str = "",
    actor: Any = None,
    supporter: Supporter | None = None,
    resend_after: dt.timedelta | None = None,
) -> Subscriber:
    """Ask ``email`` to confirm a subscription: one e-mail with a link that expires.

    A confirmed subscriber stays as is (no e-mail); a pending or unsubscribed one gets
    a fresh link. The request is logged with its source and consent text version.
    With ``resend_after`` (the public form), a pending subscriber asked less than that
    long ago gets no new e-mail, so the form cannot be used to flood someone's inbox.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Skriv en gyldig e-postadresse.")}) from None
    if source not in ConsentSource.values:
        raise ValidationError({"source": _("Ukjent kilde for samtykket.")})
    if not text_version.strip():
        raise ValidationError({"text_version": _("Oppgi hvilken versjon av samtykketeksten som ble godtatt.")})
    if supporter is not None and supporter.association_id != association.pk:
        raise ValidationError({"supporter": _("Giveren hører til en annen medlemsorganisasjon.")})
    subscriber = Subscriber.objects.select_for_update().filter(association=association, email__iexact=email).first()
    if subscriber is None:
        subscriber = Subscriber(association=association, email=email)
    elif subscriber.status == SubscriberStatus.CONFIRMED:
        return subscriber
    now = timezone.now()
    if (
        resend_after is not None
        and subscriber.status == SubscriberStatus.PENDING
        and subscriber.requested_at is not None
        and subscriber.requested_at > now - resend_after
    ):
        return subscriber
    token = secrets.token_urlsafe(32)
    subscriber.name = name.strip()[:200] or subscriber.name
    subscriber.supporter = supporter or subscriber.supporter or _matching_supporter(association, email)
    subscriber.status = SubscriberStatus.PENDING
    subscriber.confirm_token_digest = _digest(token)
    subscriber.confirm_expires_at = now + dt.timedelta(days=int(settings.NEWSLETTER_CONFIRM_DAYS))
    subscriber.requested_at = now
    subscriber.save()
    _log(
        subscriber,
        ConsentAction.SUBSCRIBE_REQUESTED,
        source,
        text_version=text_version.strip(),
        ip=ip,
        user_agent=user_agent,
        actor=actor,
    )
    if actor is not None:
        audit_record(actor=actor, action=AuditAction.CREATE, obj=subscriber, detail="newsletter opt-in sent")
    # Last, inside the transaction: if the mail cannot be sent, nothing is saved.
    _send_confirmation(subscriber, token)
    return subscriber


def check_confirm_token(token: str) -> Subscriber:
    """The subscriber a confirmation token belongs to, or a ``ValidationError`` saying why not."""
    subscriber = (
        Subscriber.objects.select_related("association").filter(confirm_token_digest=_digest(token or "")).first()
        if token
        else None
    )
    if subscriber is None:
        raise ValidationError(
            _(
                "Lenken er ugyldig. Kanskje den ble kopiert feil, eller det er sendt en nyere lenke. "
                "Meld deg på igjen for å få en ny."
            ),
            code="invalid",
        )
    if subscriber.status == SubscriberStatus.CONFIRMED:
        return subscriber
    if subscriber.confirm_expires_at is None or subscriber.confirm_expires_at <= timezone.now():
        raise ValidationError(
            _("Lenken er utløpt (den gjelder i {days} dager). Meld deg på igjen for å få en ny.").format(
                days=settings.NEWSLETTER_CONFIRM_DAYS
            ),
            code="expired",
        )
    return subscriber


@transaction.atomic
def confirm(token: str, *, ip: str | None = None, user_agent: str = "") -> Subscriber:
    """Confirm the subscription behind ``token``. Confirming twice is harmless; an expired link changes nothing."""
    found = check_confirm_token(token)
    subscriber = Subscriber.objects.select_for_update().get(pk=found.pk)
    if subscriber.status == SubscriberStatus.CONFIRMED:
        return subscriber
    check_confirm_token(token)  # again under the lock
    requested = (
        ConsentLog.objects.filter(subscriber=subscriber, action=ConsentAction.SUBSCRIBE_REQUESTED)
        .order_by("-occurred_at", "-pk")
        .first()
    )
    was_unsubscribed = ConsentLog.objects.filter(subscriber=subscriber, action=ConsentAction.UNSUBSCRIBED).exists()
    subscriber.status = SubscriberStatus.CONFIRMED
    subscriber.confirmed_at = timezone.now()
    subscriber.unsubscribed_at = None
    subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at", "updated_at"])
    _log(
        subscriber,
        ConsentAction.RESUBSCRIBED if was_unsubscribed else ConsentAction.CONFIRMED,
        ConsentSource.EMAIL_LINK,
        text_version=requested.text_version if requested else "",
        ip=ip,
        user_agent=user_agent,
    )
    return subscriber


def check_unsubscribe_token(token: str) -> Subscriber:
    """The subscriber a signed unsubscribe token names, or a ``ValidationError`` if it was altered."""
    invalid = ValidationError(
        _("Lenken for å melde seg av er ugyldig. Bruk lenken i den siste e-posten fra oss, eller kontakt oss."),
        code="invalid",
    )
    try:
        public_id = uuid.UUID(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token or ""))
    except (signing.BadSignature, ValueError):
        raise invalid from None
    subscriber = Subscriber.objects.select_related("association").filter(public_id=public_id).first()
    if subscriber is None:
        raise invalid
    return subscriber


def _end(
    subscriber: Subscriber, *, source: str, ip: str | None = None, user_agent: str = "", actor: Any = None
) -> Subscriber:
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        return subscriber
    subscriber.status = SubscriberStatus.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    # An old confirmation link must not sign the person up again.
    subscriber.confirm_token_digest = ""
    subscriber.confirm_expires_at = None
    subscriber.save(
        update_fields=["status", "unsubscribed_at", "confirm_token_digest", "confirm_expires_at", "updated_at"]
    )
    _log(subscriber, ConsentAction.UNSUBSCRIBED, source, ip=ip, user_agent=user_agent, actor=actor)
    return subscriber


@transaction.atomic
def unsubscribe(token: str, *, ip: str | None = None, user_agent: str = "") -> Subscriber:
    """End the subscription named by a signed link, without login. Doing it twice is harmless."""
    return _end(check_unsubscribe_token(token), source=ConsentSource.EMAIL_LINK, ip=ip, user_agent=user_agent)


@transaction.atomic
def unsubscribe_by_staff(*, actor: Any, subscriber: Subscriber) -> Subscriber:
    """Donor service ends a subscription on the person's request (phone, letter)."""
    subscriber = _end(subscriber, source=ConsentSource.DONOR_SERVICE, actor=actor)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=subscriber, detail="newsletter unsubscribed")
    return subscriber


@transaction.atomic
def subscriber_anonymise(*, actor: Any, subscriber: Subscriber) -> Subscriber:
    """GDPR erasure: end the subscription and remove the address and name.

    The consent log stays (it proves when consent was given and withdrawn) but
    no longer leads to a person once the address is gone.
    """
    subscriber = _end(subscriber, source=ConsentSource.DONOR_SERVICE, actor=actor)
    subscriber.email = f"slettet-{subscriber.public_id.hex}@anonymisert.invalid"
    subscriber.name = ""
    subscriber.supporter = None
    subscriber.save(update_fields=["email", "name", "supporter", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=subscriber, detail="newsletter subscriber anonymised")
    return subscriber


def erase_for_supporter(*, actor: Any, supporter: Any, merged: list[Any]) -> None:
    """GDPR erasure of a supporter: anonymise their subscriptions, linked or under one of their e-mail addresses."""
    records = [supporter, *merged]
    emails = {r.email.strip().lower() for r in records if r.email}
    found = (
        Subscriber.objects.filter(association_id=supporter.association_id)
        .annotate(email_ci=Lower("email"))
        .filter(Q(supporter__in=records) | Q(email_ci__in=emails))
    )
    for subscriber in found.select_for_update():
        subscriber_anonymise(actor=actor, subscriber=subscriber)
