"""In Chromium: the whole double opt-in, from the public form through the e-mail link to unsubscribing."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import mail

from barneby.core.tests.browser import submit
from barneby.newsletter.models import ConsentLog, Subscriber, SubscriberStatus
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db(transaction=True)


def _link(body: str, kind: str) -> str:
    match = re.search(rf"https?://\S+/nyhetsbrev/{kind}/\S+/", body)
    assert match is not None, body
    return urlparse(match.group(0)).path


def test_a_visitor_subscribes_confirms_from_the_email_and_unsubscribes(
    live_server: Any, page: Any, association: MemberAssociation
) -> None:
    base = live_server.url
    forbidden: list[str] = []
    page.on("response", lambda r: forbidden.append(r.url) if r.status == 403 else None)

    page.goto(f"{base}/nyhetsbrev/meld-pa/")
    page.get_by_label("E-post", exact=True).fill("Ingrid.Hansen@example.org")
    page.get_by_role("textbox", name="Navn").fill("Ingrid Hansen")
    page.get_by_label("Ja, jeg vil få nyhetsbrevet på e-post").check()
    page.get_by_role("button", name="Meld meg på").click()
    page.wait_for_url("**/nyhetsbrev/meld-pa/?sendt=1")
    assert "Sjekk e-posten din" in page.content()
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status) == ("ingrid.hansen@example.org", SubscriberStatus.PENDING)
    assert len(mail.outbox) == 1
    body = str(mail.outbox[0].body)

    # The link as the person opens it from the mail: a fresh page, then the one button.
    page.goto(f"{base}{_link(body, 'bekreft')}")
    assert page.evaluate("document.referrer") == ""
    submit(page.get_by_role("button", name="Bekreft påmeldingen"))
    assert "Påmeldingen er bekreftet" in page.content(), page.content()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert ConsentLog.objects.filter(subscriber=subscriber, action="confirmed").exists()

    page.goto(f"{base}{_link(body, 'avmeld')}")
    submit(page.get_by_role("button", name="Meld meg av"))
    assert "Du er meldt av" in page.content()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert forbidden == []
    assert page.csp_violations == []
