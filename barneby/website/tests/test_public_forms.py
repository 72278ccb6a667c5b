"""The website's own forms: "Bli en partner" into the partner pipeline, the footer's newsletter sign-up into the
double opt-in; both without JavaScript, with CSRF, a honeypot, a time check and a rate limit; and the anonymous
safeguarding report linked from every public page's footer."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from barneby.accounts.roles import Role, ScopeKind
from barneby.core.tests.personas import make_persona, verified_client
from barneby.newsletter.models import ConsentLog, Subscriber, SubscriberStatus
from barneby.organisation.tests import factories as org
from barneby.partners.models import Lead, LeadSource, Stage
from barneby.partners.tests.test_partners import valid_orgnr
from barneby.website import abuse
from barneby.website.forms import PARTNER_CONSENT_TEXT_VERSION

pytestmark = pytest.mark.django_db

PARTNER = "/bli-partner/"
NEWSLETTER = "/nyhetsbrevet/"
LONG = "x" * 10_000


def _stamp(seconds_ago: float = 30) -> str:
    return signing.dumps(time.time() - seconds_ago, salt=abuse.STAMP_SALT)


@pytest.fixture
def norway(demo_site: Any) -> Any:
    return org.association(country="NO", name="SOS-barnebyer Norge (test)")


def _partner(**changes: Any) -> dict[str, Any]:
    data = {
        "company_name": "Fjellbekk Testselskap AS",
        "organisation_number": valid_orgnr(),
        "contact_name": "Ola Testesen",
        "email": "ola@fjellbekk.example",
        "phone": "+47 912 34 567",
        "message": "Vi vil gjerne støtte en barneby i tre år.",
        "consent": "on",
        "stamp": _stamp(),
        "nettsted": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _errors(response: Any) -> str:
    html: str = response.content.decode()
    return html[html.index("ds-error-summary") :].split("</div>")[0]


# --- the partner form ----------------------------------------------------------------------------


def test_a_partner_request_becomes_a_lead_with_an_owner_who_is_told(
    norway: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    busy = make_persona(Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(norway.pk))
    free = make_persona(Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(norway.pk))
    from barneby.partners import services

    services.lead_create(actor=busy, association=norway, company_name="Eldre AS", email="a@b.example", owner=busy)
    assert "<script" not in client.get(PARTNER).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PARTNER, _partner())
    assert response.status_code == 302
    assert response["Location"] == PARTNER + "?sendt=1"
    assert "Takk for henvendelsen" in client.get(response["Location"]).content.decode()
    lead = Lead.objects.get(company_name="Fjellbekk Testselskap AS")
    assert (lead.source, lead.stage, lead.association_id) == (LeadSource.WEB, Stage.NEW, norway.pk)
    assert lead.consent_text_version == PARTNER_CONSENT_TEXT_VERSION
    assert lead.email == "ola@fjellbekk.example"
    assert lead.owner == free  # the one with fewer open leads
    [message] = [m for m in mail.outbox if free.email in m.to]
    assert "Fjellbekk Testselskap AS" in message.subject
    assert reverse("partners:lead-detail", kwargs={"pk": lead.pk}) in message.body
    assert "Vi vil gjerne støtte" not in message.body  # the request itself stays in the back office
    # The owner sees on the lead that the contact agreed to be contacted, and to which text.
    page = verified_client(free).get(reverse("partners:lead-detail", kwargs={"pk": lead.pk})).content.decode()
    assert f"tekstversjon {PARTNER_CONSENT_TEXT_VERSION}" in page


def test_with_nobody_in_donor_service_the_lead_waits_without_an_owner(norway: Any, client: Client) -> None:
    assert client.post(PARTNER, _partner()).status_code == 302
    assert Lead.objects.get().owner is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "ikke-en-adresse"}, "email", "gyldig e-postadresse"),
        ({"phone": "ring meg"}, "phone", "gyldig telefonnummer"),
        ({"phone": "123"}, "phone", "gyldig telefonnummer"),
        ({"organisation_number": "123456789"}, "organisation_number", "rganisasjonsnummer"),
        ({"company_name": LONG}, "company_name", "200 eller færre tegn"),
        ({"contact_name": LONG}, "contact_name", "200 eller færre tegn"),
        ({"message": LONG}, "message", "2000 eller færre tegn"),
        ({"email": LONG + "@x.example"}, "email", "254 eller færre tegn"),
        ({"phone": LONG}, "phone", "30 eller færre tegn"),
        ({"consent": None}, "consent", "Kryss av"),
        ({"company_name": ""}, "company_name", "påkrevet"),
    ],
)
def test_bad_partner_input_gets_a_clear_message_and_saves_nothing(
    norway: Any, client: Client, changes: dict[str, Any], field: str, message: str
) -> None:
    response = client.post(PARTNER, _partner(**changes))
    assert response.status_code == 400
    assert f'href="#id_{field}"' in _errors(response)
    assert message in _errors(response)
    assert Lead.objects.count() == 0


def test_bots_are_turned_away_and_nothing_is_saved(norway: Any, client: Client) -> None:
    for changes in ({"nettsted": "http://spam.example"}, {"stamp": _stamp(0)}, {"stamp": "forged"}, {"stamp": None}):
        response = client.post(PARTNER, _partner(**changes))
        assert response.status_code == 400, changes
        assert "kunne ikke sendes" in _errors(response)
    assert Lead.objects.count() == 0


def test_the_partner_form_is_rate_limited_by_address(norway: Any, client: Client, settings: Any) -> None:
    settings.WEBSITE_FORM_RATE_LIMIT_PER_HOUR = 2
    assert client.post(PARTNER, _partner(company_name="En AS")).status_code == 302
    assert client.post(PARTNER, _partner(company_name="To AS")).status_code == 302
    response = client.post(PARTNER, _partner(company_name="Tre AS"))
    assert response.status_code == 429
    assert "for mange skjemaer" in _errors(response)
    assert Lead.objects.count() == 2
    # Another address, and the newsletter from the same address, are counted apart.
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.post(PARTNER, _partner(company_name="Fire AS")).status_code == 302
    assert client.post(NEWSLETTER, {"email": "a@b.example", "consent": "on", "stamp": _stamp()}).status_code == 302


def test_the_forms_need_the_csrf_token(norway: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(PARTNER, _partner()).status_code == 403
    assert client.post(NEWSLETTER, {"email": "a@b.example", "consent": "on", "stamp": _stamp()}).status_code == 403
    assert Lead.objects.count() == Subscriber.objects.count() == 0


# --- the newsletter ------------------------------------------------------------------------------


def test_the_footer_sign_up_starts_the_double_opt_in(
    norway: Any, client: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    html = client.get("/sosken-sammen/").content.decode()
    footer = html[html.index("<footer") :]
    assert f'action="{NEWSLETTER}"' in footer
    assert 'name="csrfmiddlewaretoken"' in footer
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEWSLETTER, {"email": "Kari@Test.example", "consent": "on", "stamp": _stamp()}, HTTP_USER_AGENT="Test"
        )
    assert response.status_code == 302
    assert "Takk! Vi har sendt deg en e-post" in client.get(response["Location"]).content.decode()
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status, subscriber.association_id) == (
        "kari@test.example",
        SubscriberStatus.PENDING,
        norway.pk,
    )
    log = ConsentLog.objects.get(subscriber=subscriber)
    assert log.text_version == settings.NEWSLETTER_CONSENT_TEXT_VERSION
    assert log.source == "web"
    assert [m.to for m in mail.outbox] == [["kari@test.example"]]
    assert "/nyhetsbrev/bekreft/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "ikke-en-adresse", "consent": "on"}, "gyldig e-postadresse"),
        ({"email": LONG + "@x.example", "consent": "on"}, "254 eller færre tegn"),
        ({"email": "kari@test.example"}, "Kryss av for at du vil få nyhetsbrevet"),
        ({"email": "", "consent": "on"}, "påkrevet"),
    ],
)
def test_bad_newsletter_input_gets_a_clear_message_and_saves_nothing(
    norway: Any, client: Client, data: dict[str, str], message: str
) -> None:
    response = client.post(NEWSLETTER, {**data, "stamp": _stamp()})
    assert response.status_code == 400
    assert message in _errors(response)
    assert Subscriber.objects.count() == 0
    assert mail.outbox == []


def test_a_bot_cannot_sign_anyone_up(norway: Any, client: Client) -> None:
    for extra in ({"nettsted": "x"}, {"stamp": _stamp(0)}):
        data = {"email": "kari@test.example", "consent": "on", "stamp": _stamp(), **extra}
        assert client.post(NEWSLETTER, data).status_code == 400
    assert Subscriber.objects.count() == 0


# --- the footer ----------------------------------------------------------------------------------


def test_every_public_page_links_to_the_anonymous_safeguarding_report(demo_site: Any, client: Client) -> None:
    from barneby.website.models import WebsitePage

    report = reverse("safeguarding:report-public")
    urls = [p.url for p in demo_site.get_descendants(inclusive=True).live().specific() if isinstance(p, WebsitePage)]
    english = demo_site.get_translations().first()
    urls += [p.url for p in english.get_descendants(inclusive=True).live().specific()]
    urls += ["/sok/?q=barn", "/informasjonskapsler/", NEWSLETTER, "/finnes-ikke/", reverse("accounts:login"), report]
    assert len(urls) > 30
    for url in urls:
        html = client.get(url).content.decode()
        footer = html[html.index("<footer") :]
        assert re.search(rf'<a class="ds-link" href="{re.escape(report)}">[^<]+</a>', footer), url


# --- the page cache ------------------------------------------------------------------------------


def test_a_cached_page_gives_each_visitor_a_working_token_and_a_fresh_stamp(norway: Any) -> None:
    from barneby.website import pagecache

    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    html_first = first.get("/sosken-sammen/").content.decode()
    assert pagecache._key(first.get("/sosken-sammen/").wsgi_request)  # stored under its key
    html_second = second.get("/sosken-sammen/").content.decode()  # from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html_second)
    stamp = re.search(r'name="stamp" value="([^"]+)"', html_second)
    assert token is not None
    assert stamp is not None
    assert "\x00" not in html_second
    assert stamp.group(1) != re.search(r'name="stamp" value="([^"]+)"', html_first).group(1)  # type: ignore[union-attr]
    signing.loads(stamp.group(1), salt=abuse.STAMP_SALT)
    data = {"email": "per@test.example", "consent": "on", "stamp": _stamp(), "csrfmiddlewaretoken": token.group(1)}
    assert second.post(NEWSLETTER, data).status_code == 302
    assert Subscriber.objects.filter(email="per@test.example").exists()


def test_publishing_a_page_shows_at_once_despite_the_cache(demo_site: Any, client: Client) -> None:
    from barneby.website.models import ThemePage

    assert "Søsken sammen</h1>" in client.get("/sosken-sammen/").content.decode()
    page = ThemePage.objects.get(slug="sosken-sammen", locale__language_code="nb")
    page.title = "Søsken hører sammen"
    page.save_revision().publish()
    assert "Søsken hører sammen</h1>" in client.get("/sosken-sammen/").content.decode()


def test_the_footer_sign_up_is_on_the_websites_pages_only(demo_site: Any, client: Client) -> None:
    for url in ("/", "/en/", "/sosken-sammen/", "/sok/?q=barn", "/informasjonskapsler/"):
        assert 'id="footer-newsletter-title"' in client.get(url).content.decode(), url
    for url in (reverse("accounts:login"), reverse("safeguarding:report-public"), "/nyhetsbrev/meld-pa/", NEWSLETTER):
        assert 'id="footer-newsletter-title"' not in client.get(url).content.decode(), url


# --- the guard all public forms share ----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "rate_limited", "association", "status", "message"),
    [
        ({"company_name": ""}, True, object(), 429, "for mange skjemaer"),  # the limit first, even for a bot
        ({"nettsted": "x"}, False, object(), 400, "kunne ikke sendes"),
        ({}, False, None, 503, "ikke i bruk"),
        ({"company_name": ""}, False, object(), 400, ""),  # the form's own error only
        ({}, False, object(), 200, ""),
    ],
)
def test_admit_checks_in_order_and_says_why(
    rf: Any,
    monkeypatch: pytest.MonkeyPatch,
    data: dict[str, Any],
    rate_limited: bool,
    association: object,
    status: int,
    message: str,
) -> None:
    from barneby.website.forms import PartnerForm

    monkeypatch.setattr(abuse, "rate_limited", lambda request, name: rate_limited)
    form = PartnerForm(_partner(**data))
    assert (
        abuse.admit(rf.post("/"), form, "partner", association=association, closed="Skjemaet er ikke i bruk") == status
    )
    general = " ".join(str(e) for e in form.non_field_errors())
    assert (message in general) if message else not general
