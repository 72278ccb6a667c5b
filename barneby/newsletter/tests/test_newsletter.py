"""Newsletter: double opt-in with expiring links, one-click unsubscribe, consent log, export, access."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from barneby.accounts.models import User
from barneby.accounts.roles import Role
from barneby.audit.models import AuditEvent
from barneby.core.tests.personas import make_persona, verified_client
from barneby.fundraising.tests import factories as ff
from barneby.newsletter import services
from barneby.newsletter.models import ConsentLog, ConsentSource, Subscriber, SubscriberStatus
from barneby.organisation.models import MemberAssociation

pytestmark = pytest.mark.django_db


def subscribe(association: MemberAssociation, email: str = "Ingrid.Hansen@Example.org", **kw: Any) -> Subscriber:
    data: dict[str, Any] = {"source": ConsentSource.WEB, "text_version": "2026-1", "ip": "192.0.2.10", **kw}
    return services.subscribe(association=association, email=email, **data)


def link(message: mail.EmailMessage, kind: str) -> str:
    """The path of the confirm ("bekreft") or unsubscribe ("avmeld") link in an e-mail body."""
    match = re.search(rf"https?://\S+/nyhetsbrev/{kind}/\S+/", str(message.body))
    assert match is not None, message.body
    return urlparse(match.group(0)).path


def actions(subscriber: Subscriber) -> list[str]:
    return list(ConsentLog.objects.filter(subscriber=subscriber).order_by("pk").values_list("action", flat=True))


def test_subscribe_sends_one_email_with_working_confirm_link(
    association: MemberAssociation, mailoutbox: list[Any], client: Client
) -> None:
    subscriber = subscribe(association)
    assert subscriber.email == "ingrid.hansen@example.org"
    assert subscriber.status == SubscriberStatus.PENDING
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ingrid.hansen@example.org"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<https?://\S+/nyhetsbrev/avmeld/\S+/>", message.extra_headers["List-Unsubscribe"])
    confirm_path = link(message, "bekreft")
    # The token is not stored in the clear.
    assert confirm_path.split("/")[-2] not in subscriber.confirm_token_digest
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "Bekreft påmeldingen" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING  # a GET (or a link scanner) confirms nothing
    done = client.post(confirm_path, REMOTE_ADDR="198.51.100.7")
    assert done.status_code == 200
    assert "Påmeldingen er bekreftet" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert subscriber.confirmed_at is not None
    assert actions(subscriber) == ["subscribe-requested", "confirmed"]
    confirmed = ConsentLog.objects.get(subscriber=subscriber, action="confirmed")
    assert confirmed.text_version == "2026-1"
    assert confirmed.ip_address == "198.51.100.7"
    requested = ConsentLog.objects.get(subscriber=subscriber, action="subscribe-requested")
    assert requested.ip_address == "192.0.2.10"
    assert requested.source == "web"


def test_confirm_twice_is_harmless(association: MemberAssociation, mailoutbox: list[Any], client: Client) -> None:
    subscriber = subscribe(association)
    path = link(mailoutbox[0], "bekreft")
    client.post(path)
    subscriber.refresh_from_db()
    first = subscriber.confirmed_at
    again = client.post(path)
    assert again.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert subscriber.confirmed_at == first
    assert actions(subscriber) == ["subscribe-requested", "confirmed"]
    assert "allerede bekreftet" in client.get(path).content.decode()


def test_expired_token_is_rejected_and_subscriber_stays_pending(
    association: MemberAssociation,
    mailoutbox: list[Any],
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    settings.NEWSLETTER_CONFIRM_DAYS = 7
    subscriber = subscribe(association)
    path = link(mailoutbox[0], "bekreft")
    later = timezone.now() + dt.timedelta(days=7, minutes=1)
    monkeypatch.setattr("barneby.newsletter.services.timezone.now", lambda: later)
    with pytest.raises(ValidationError) as expired:
        services.confirm(path.split("/")[-2])
    assert "utløpt" in expired.value.messages[0]
    response = client.post(path)
    assert response.status_code == 400
    assert "Lenken er utløpt (den gjelder i 7 dager)" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.confirmed_at is None
    assert actions(subscriber) == ["subscribe-requested"]


def test_link_still_valid_just_before_expiry(
    association: MemberAssociation, mailoutbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(association)
    token = link(mailoutbox[0], "bekreft").split("/")[-2]
    later = timezone.now() + dt.timedelta(days=6, hours=23)
    monkeypatch.setattr("barneby.newsletter.services.timezone.now", lambda: later)
    assert services.confirm(token).status == SubscriberStatus.CONFIRMED


def test_unknown_confirm_token_is_rejected(association: MemberAssociation, client: Client) -> None:
    response = client.post("/nyhetsbrev/bekreft/finnes-ikke/")
    assert response.status_code == 400
    assert "Lenken er ugyldig" in response.content.decode()
    assert client.get("/nyhetsbrev/bekreft/finnes-ikke/").status_code == 200


def test_a_new_request_replaces_the_old_link(association: MemberAssociation, mailoutbox: list[Any]) -> None:
    subscribe(association)
    subscribe(association, email="ingrid.hansen@example.org")
    assert Subscriber.objects.count() == 1
    assert len(mailoutbox) == 2
    old, new = (link(m, "bekreft").split("/")[-2] for m in mailoutbox)
    with pytest.raises(ValidationError):
        services.confirm(old)
    assert services.confirm(new).status == SubscriberStatus.CONFIRMED
    # Already confirmed: nothing more is sent or logged.
    subscribe(association, email="INGRID.hansen@example.org")
    assert len(mailoutbox) == 2


def test_tampered_unsubscribe_link_is_rejected(
    association: MemberAssociation, mailoutbox: list[Any], client: Client
) -> None:
    subscriber = subscribe(association)
    services.confirm(link(mailoutbox[0], "bekreft").split("/")[-2])
    path = link(mailoutbox[0], "avmeld")
    token = path.split("/")[-2]
    other = subscribe(association, email="per@example.org")
    value, signature = token.rsplit(":", 1)
    forged = [
        f"{other.public_id}:{signature}",
        f"{value}:{signature[:-2]}xx",
        value,
        "ikke-en-lenke",
    ]
    for bad in forged:
        response = client.post(f"/nyhetsbrev/avmeld/{bad}/", {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 400, bad
        assert "ugyldig" in response.content.decode()
        with pytest.raises(ValidationError):
            services.unsubscribe(bad)
    subscriber.refresh_from_db()
    other.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert other.status == SubscriberStatus.PENDING
    assert not ConsentLog.objects.filter(action="unsubscribed").exists()


def test_one_click_unsubscribe_post_without_login_or_csrf(
    association: MemberAssociation, mailoutbox: list[Any]
) -> None:
    subscriber = subscribe(association)
    services.confirm(link(mailoutbox[0], "bekreft").split("/")[-2])
    path = link(mailoutbox[0], "avmeld")
    assert mailoutbox[0].extra_headers["List-Unsubscribe"].endswith(f"{path}>")
    client = Client(enforce_csrf_checks=True)
    page = client.get(path)
    assert page.status_code == 200
    assert "Meld meg av" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED  # GET alone changes nothing
    response = client.post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR="203.0.113.5",
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    entry = ConsentLog.objects.get(subscriber=subscriber, action="unsubscribed")
    assert entry.source == ConsentSource.EMAIL_LINK
    assert entry.ip_address == "203.0.113.5"
    # Twice is harmless.
    assert client.post(path).status_code == 200
    assert actions(subscriber) == ["subscribe-requested", "confirmed", "unsubscribed"]
    # An old confirmation link does not sign the person up again.
    with pytest.raises(ValidationError):
        services.confirm(link(mailoutbox[0], "bekreft").split("/")[-2])


def test_resubscribe_after_unsubscribe(association: MemberAssociation, mailoutbox: list[Any]) -> None:
    subscriber = subscribe(association)
    services.confirm(link(mailoutbox[0], "bekreft").split("/")[-2])
    services.unsubscribe(link(mailoutbox[0], "avmeld").split("/")[-2])
    again = subscribe(association, source=ConsentSource.DONOR_SERVICE, text_version="2026-2")
    assert again.pk == subscriber.pk
    assert again.status == SubscriberStatus.PENDING
    assert len(mailoutbox) == 2
    confirmed = services.confirm(link(mailoutbox[1], "bekreft").split("/")[-2])
    assert confirmed.status == SubscriberStatus.CONFIRMED
    assert confirmed.unsubscribed_at is None
    assert actions(subscriber) == [
        "subscribe-requested",
        "confirmed",
        "unsubscribed",
        "subscribe-requested",
        "re-subscribed",
    ]
    assert ConsentLog.objects.filter(subscriber=subscriber).order_by("-pk").first().text_version == "2026-2"  # type: ignore[union-attr]


def test_email_unique_per_association_case_insensitive(
    association: MemberAssociation, other_association: MemberAssociation
) -> None:
    subscribe(association, email="kari@example.org")
    subscribe(other_association, email="kari@example.org")
    assert Subscriber.objects.count() == 2
    with pytest.raises(IntegrityError):
        Subscriber.objects.create(association=association, email="KARI@example.org")


def test_bad_input_saves_nothing(association: MemberAssociation, mailoutbox: list[Any]) -> None:
    with pytest.raises(ValidationError) as bad:
        subscribe(association, email="ikke-en-adresse")
    assert "email" in bad.value.message_dict
    with pytest.raises(ValidationError):
        subscribe(association, text_version=" ")
    assert Subscriber.objects.count() == 0
    assert ConsentLog.objects.count() == 0
    assert mailoutbox == []


def test_consent_log_is_append_only(association: MemberAssociation) -> None:
    subscriber = subscribe(association)
    entry = ConsentLog.objects.get(subscriber=subscriber)
    entry.text_version = "forfalsket"
    with pytest.raises(Exception, match="cannot be updated"):
        entry.save()
    with pytest.raises(Exception, match="cannot be deleted"):
        ConsentLog.objects.all().delete()
    with pytest.raises(Exception, match="cannot be updated"):
        ConsentLog.objects.update(text_version="x")


def test_subscriber_is_linked_to_the_matching_supporter(association: MemberAssociation) -> None:
    supporter = ff.supporter(association, email="ola@example.org")
    assert subscribe(association, email="Ola@Example.org").supporter == supporter


# --- Donor-service pages -------------------------------------------------------------------------


def test_add_subscriber_sends_opt_in_and_shows_consent_log(
    association: MemberAssociation, donor_service: User, mailoutbox: list[Any]
) -> None:
    client = verified_client(donor_service)
    assert client.get("/nyhetsbrev/ny/").status_code == 200
    bad = client.post("/nyhetsbrev/ny/", {"email": "feil", "text_version": "2026-1"})
    assert bad.status_code == 400
    response = client.post("/nyhetsbrev/ny/", {"email": "Nora@Example.org", "name": "Nora", "text_version": "2026-1"})
    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.association == association
    assert len(mailoutbox) == 1
    entry = ConsentLog.objects.get()
    assert entry.source == ConsentSource.DONOR_SERVICE
    assert entry.actor == donor_service
    page = client.get(f"/nyhetsbrev/{subscriber.pk}/").content.decode()
    assert "nora@example.org" in page
    assert "Påmelding forespurt" in page
    assert "Giverservice" in page


def test_staff_unsubscribe_needs_confirmation(
    association: MemberAssociation, donor_service: User, mailoutbox: list[Any]
) -> None:
    subscriber = subscribe(association)
    client = verified_client(donor_service)
    page = client.get(f"/nyhetsbrev/{subscriber.pk}/avmeld/")
    assert page.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING
    assert client.post(f"/nyhetsbrev/{subscriber.pk}/avmeld/").status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    entry = ConsentLog.objects.get(subscriber=subscriber, action="unsubscribed")
    assert entry.actor == donor_service


def test_list_filters_search_and_scope(
    association: MemberAssociation,
    other_association: MemberAssociation,
    donor_service: User,
    mailoutbox: list[Any],
) -> None:
    subscribe(association, email="anne@example.org")
    subscribe(association, email="bjorn@example.org")
    services.confirm(link(mailoutbox[0], "bekreft").split("/")[-2])
    subscribe(other_association, email="sven@example.se")
    client = verified_client(donor_service)
    page = client.get("/nyhetsbrev/").content.decode()
    assert "anne@example.org" in page
    assert "bjorn@example.org" in page
    assert "sven@example.se" not in page
    confirmed = client.get("/nyhetsbrev/", {"status": "confirmed"}).content.decode()
    assert "anne@example.org" in confirmed
    assert "bjorn@example.org" not in confirmed
    fragment = client.get("/nyhetsbrev/", {"q": "bjorn"}, headers={"HX-Request": "true"}).content.decode()
    assert "bjorn@example.org" in fragment
    assert "anne@example.org" not in fragment
    assert "<html" not in fragment
    other = Subscriber.objects.get(email="sven@example.se")
    assert client.get(f"/nyhetsbrev/{other.pk}/").status_code == 404
    assert client.post(f"/nyhetsbrev/{other.pk}/avmeld/").status_code == 404


def test_list_paginates(association: MemberAssociation, donor_service: User) -> None:
    for n in range(27):
        Subscriber.objects.create(association=association, email=f"person{n}@example.org")
    page = verified_client(donor_service).get("/nyhetsbrev/").content.decode()
    assert "Side 1 av 2" in page
    assert "27 treff" in page


def test_export_only_confirmed_subscribers_of_own_association(
    association: MemberAssociation,
    other_association: MemberAssociation,
    donor_service: User,
    mailoutbox: list[Any],
) -> None:
    subscribe(association, email="bekreftet@example.org")
    subscribe(association, email="venter@example.org")
    subscribe(association, email="avmeldt@example.org")
    subscribe(other_association, email="annen@example.se")
    tokens = [link(m, "bekreft").split("/")[-2] for m in mailoutbox]
    services.confirm(tokens[0])
    services.confirm(tokens[2])
    services.confirm(tokens[3])
    services.unsubscribe(link(mailoutbox[2], "avmeld").split("/")[-2])
    response = verified_client(donor_service).get("/nyhetsbrev/eksport/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = [line.split(";")[0] for line in body.strip().splitlines()[1:]]
    assert rows == ["bekreftet@example.org"]
    event = AuditEvent.objects.get(action="export", object_type="newsletter.subscriber")
    assert event.actor == donor_service


# --- Who may reach what --------------------------------------------------------------------------


def test_personas(association: MemberAssociation, donor_service: User, client: Client) -> None:
    subscriber = subscribe(association)
    pages = ["/nyhetsbrev/", "/nyhetsbrev/ny/", "/nyhetsbrev/eksport/", f"/nyhetsbrev/{subscriber.pk}/"]
    pages.append(f"/nyhetsbrev/{subscriber.pk}/avmeld/")
    allowed = verified_client(donor_service)
    for url in pages:
        assert allowed.get(url).status_code == 200, url
    for role in Role:
        if role == Role.DONOR_SERVICE:
            continue
        other = verified_client(make_persona(role))
        for url in pages:
            assert other.get(url).status_code == 404, (role, url)
        assert other.post(f"/nyhetsbrev/{subscriber.pk}/avmeld/").status_code == 404
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/konto/logg-inn/")
    assert client.post("/nyhetsbrev/ny/", {"email": "x@example.org", "text_version": "1"}).status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING
    assert Subscriber.objects.count() == 1


def test_public_endpoints_work_for_anyone(association: MemberAssociation, mailoutbox: list[Any]) -> None:
    subscribe(association)
    confirm_path = link(mailoutbox[0], "bekreft")
    unsubscribe_path = link(mailoutbox[0], "avmeld")
    anonymous = Client()
    caseworker = verified_client(make_persona(Role.CASEWORKER))
    for client in (anonymous, caseworker):
        assert client.get(confirm_path).status_code == 200
        assert client.get(unsubscribe_path).status_code == 200
    assert anonymous.get(confirm_path)["X-Robots-Tag"] == "noindex"


def test_anonymise_removes_contact_data_but_keeps_the_consent_log(
    association: MemberAssociation, donor_service: User, mailoutbox: list[Any]
) -> None:
    supporter = ff.supporter(association, email="slett@example.org")
    subscriber = subscribe(association, email="slett@example.org", name="Slett Meg")
    assert subscriber.name == "Slett Meg"
    assert subscriber.supporter == supporter
    services.confirm(link(mailoutbox[0], "bekreft").split("/")[-2])
    services.subscriber_anonymise(actor=donor_service, subscriber=subscriber)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert "slett" not in subscriber.email.replace("slettet-", "")
    assert subscriber.name == ""
    assert subscriber.supporter is None
    assert not Subscriber.objects.filter(email__icontains="slett@example.org").exists()
    assert actions(subscriber) == ["subscribe-requested", "confirmed", "unsubscribed"]
    assert supporter.newsletter_subscriptions.count() == 0


def test_erasing_a_supporter_anonymises_their_subscriptions_linked_or_by_address(
    association: MemberAssociation, donor_service: User, mailoutbox: list[Any]
) -> None:
    from barneby.fundraising import gdpr

    supporter = ff.supporter(association, email="Borte@Example.org")
    linked = subscribe(association, email="borte@example.org")
    assert linked.supporter == supporter
    by_address = subscribe(association, email="annen@example.org")
    Subscriber.objects.filter(pk=by_address.pk).update(supporter=None)
    supporter.email = "annen@example.org"  # the address changed after the first sign-up
    supporter.save()
    other = subscribe(association, email="ikke-meg@example.org")
    gdpr.supporter_erase(
        actor=donor_service,
        supporter=supporter,
        confirm_donor_number=supporter.donor_number,
        today=dt.date(2026, 3, 1),
    )
    for subscriber in (linked, by_address):
        subscriber.refresh_from_db()
        assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
        assert subscriber.email.endswith("@anonymisert.invalid")
    other.refresh_from_db()
    assert other.email == "ikke-meg@example.org"


def test_the_token_pages_keep_the_token_on_our_site_and_let_the_form_pass_csrf(
    association: MemberAssociation,
) -> None:
    subscribe(association)
    client = Client(enforce_csrf_checks=True)
    page = client.get(link(mail.outbox[0], "bekreft"))
    # no-referrer made browsers send "Origin: null" with the button's POST, which the CSRF check refuses.
    assert page["Referrer-Policy"] == "same-origin"
    assert client.get(link(mail.outbox[0], "avmeld"))["Referrer-Policy"] == "same-origin"
    token = client.cookies["csrftoken"].value
    refused = client.post(link(mail.outbox[0], "bekreft"), HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 403  # the CSRF check still guards the confirmation
    confirmed = client.post(
        link(mail.outbox[0], "bekreft"), {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="http://testserver"
    )
    assert confirmed.status_code == 200
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED


def test_public_form_sends_one_confirmation_and_answers_alike_for_everybody(
    association: MemberAssociation, client: Client
) -> None:
    form = {"email": "Kari@Example.org", "name": "Kari", "association": association.pk, "consent": "on"}
    assert "Meld deg på nyhetsbrevet" in client.get("/nyhetsbrev/meld-pa/").content.decode()
    missing = client.post("/nyhetsbrev/meld-pa/", {**form, "consent": ""})
    assert missing.status_code == 400
    assert "Kryss av for at du vil få nyhetsbrevet." in missing.content.decode()
    bad = client.post("/nyhetsbrev/meld-pa/", {**form, "email": "ikke-en-adresse"})
    assert bad.status_code == 400
    assert not Subscriber.objects.exists()
    sent = client.post("/nyhetsbrev/meld-pa/", form)
    assert sent.status_code == 302
    assert sent["Location"] == "/nyhetsbrev/meld-pa/?sendt=1"
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status) == ("kari@example.org", SubscriberStatus.PENDING)
    log = ConsentLog.objects.get(subscriber=subscriber)
    assert (log.source, log.text_version) == (ConsentSource.WEB, "2026-1")
    # Asking again at once sends no second e-mail (the form cannot flood an inbox) and answers the same.
    again = client.post("/nyhetsbrev/meld-pa/", form)
    assert again["Location"] == sent["Location"]
    assert len(mail.outbox) == 1
    client.post(link(mail.outbox[0], "bekreft"))
    confirmed = client.post("/nyhetsbrev/meld-pa/", form)
    assert confirmed["Location"] == sent["Location"]  # no hint that the address already subscribes
    assert len(mail.outbox) == 1
    assert "Sjekk e-posten din" in client.get(sent["Location"]).content.decode()


def test_a_pending_address_gets_a_new_link_once_the_wait_is_over(association: MemberAssociation) -> None:
    first = subscribe(association, resend_after=dt.timedelta(minutes=10))
    Subscriber.objects.filter(pk=first.pk).update(requested_at=timezone.now() - dt.timedelta(minutes=11))
    subscribe(association, resend_after=dt.timedelta(minutes=10))
    assert len(mail.outbox) == 2
