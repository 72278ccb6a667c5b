"""Cookie consent (ekomloven § 3-15 as of 2025; FUNDRAISING.md, cookies).

Before a visitor chooses, the site sets nothing but strictly necessary
cookies. "Godta alle" and "Bare nødvendige" are two buttons of the same kind
side by side on the first layer. The choice is stored first-party, in one
cookie holding the notice's version and the choice, and can be changed
from the footer of every page. A stored choice from an older version of the
notice counts as no choice.

Today the site uses no optional cookies at all: nothing from third parties,
no analytics. ``allows(request, category)`` is the one gate any future
optional cookie must pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COOKIE_NAME = "barneby_samtykke"
NECESSARY = "necessary"
ALL = "all"
CHOICES = (NECESSARY, ALL)
# Optional categories an "accept" covers; none is in use yet.
OPTIONAL_CATEGORIES = ("statistics",)


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str | Promise
    lifetime: str | Promise
    necessary: bool


# Every cookie the public website can set; the privacy statement lists these.
COOKIES: tuple[Cookie, ...] = (
    Cookie(
        "csrftoken",
        _("Beskytter skjemaene på nettstedet mot forfalskede innsendinger."),
        _("Ett år"),
        True,
    ),
    Cookie(
        COOKIE_NAME,
        _("Husker valget ditt om informasjonskapsler og hvilken versjon av teksten du svarte på."),
        _("Seks måneder"),
        True,
    ),
    Cookie(
        "django_language",
        _("Husker språket du valgte i språkvelgeren på sider uten egen engelsk adresse."),
        _("Til du lukker nettleseren"),
        True,
    ),
)
NECESSARY_COOKIES = frozenset(c.name for c in COOKIES if c.necessary)


def version() -> int:
    return int(settings.WEBSITE_CONSENT_VERSION)


def choice(request: HttpRequest) -> str | None:
    """The visitor's choice for the current version of the notice, or None if they have not chosen."""
    raw = request.COOKIES.get(COOKIE_NAME, "")
    stored_version, _sep, value = raw.partition(".")
    if stored_version != str(version()) or value not in CHOICES:
        return None
    return value


def allows(request: HttpRequest, category: str) -> bool:
    """Whether an optional cookie of ``category`` may be set for this visitor."""
    return category in OPTIONAL_CATEGORIES and choice(request) == ALL


def store(response: HttpResponse, value: str) -> None:
    if value not in CHOICES:
        raise ValueError(value)
    response.set_cookie(
        COOKIE_NAME,
        f"{version()}.{value}",
        max_age=int(settings.WEBSITE_CONSENT_DAYS) * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
