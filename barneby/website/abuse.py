"""Bots and abuse on the website's own forms (partner, newsletter): a honeypot, a time check, a rate limit.

No third-party CAPTCHA and no cookie of its own. The time check is a signed
timestamp in the form; the rate limit is the project's one
(``barneby.safeguarding.services.rate_limited``: a count per hour under an HMAC of
the address with a daily salt, never the address itself), each form counted
apart from the others by a prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barneby.audit.services import client_ip

STAMP_SALT = "barneby.website.form-stamp"
MIN_SECONDS = 3  # a person takes longer than this to fill in a form
MAX_SECONDS = 24 * 3600  # a form shown more than a day ago is stale
DEFAULT_RATE_LIMIT = 10  # submissions per form and address per hour
HONEYPOT = "nettsted"


def stamp() -> str:
    return signing.dumps(timezone.now().timestamp(), salt=STAMP_SALT)


class GuardedForm(forms.Form):
    """A public form with the honeypot (hidden from people and assistive technology) and the time stamp."""

    nettsted = forms.CharField(required=False, max_length=200)
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["stamp"] = stamp()

    def is_bot(self) -> bool:
        """Filled in the honeypot, or sent too fast, or with a forged or stale stamp."""
        data: Mapping[str, Any] = self.data
        if data.get(HONEYPOT):
            return True
        try:
            shown = float(signing.loads(str(data.get("stamp", "")), salt=STAMP_SALT, max_age=MAX_SECONDS))
        except (signing.BadSignature, TypeError, ValueError):
            return True
        return timezone.now().timestamp() - shown < MIN_SECONDS

    def refresh_stamp(self) -> None:
        """A fresh stamp for the form shown again, so the time check counts from this answer."""
        fresh = self.data.copy()  # type: ignore[attr-defined]
        fresh["stamp"] = stamp()
        self.data = fresh


def rate_limited(request: HttpRequest, form_name: str) -> bool:
    """Count one submission of ``form_name`` from the request's address; True when over the hourly limit."""
    from barneby.safeguarding.services import rate_limited as count

    limit = int(getattr(settings, "WEBSITE_FORM_RATE_LIMIT_PER_HOUR", DEFAULT_RATE_LIMIT))
    return count(address=f"website:{form_name}:{client_ip(request) or 'unknown'}", limit=limit)


TOO_MANY = _("Det er sendt for mange skjemaer herfra den siste timen. Prøv igjen senere.")
BOT = _("Skjemaet kunne ikke sendes. Last siden på nytt og prøv igjen.")


def admit(request: HttpRequest, form: GuardedForm, form_name: str, *, association: object | None, closed: str) -> int:
    """The one guard every public form passes, in this order; the answer's status.

    The form is validated first, so its own field errors show whatever else
    is wrong. Then: over the rate limit (429), a bot (400), no member
    association to save under (503, with ``closed`` on the form), and last
    the form's own validity. 200 means the form may be saved; any other
    status has its reason on the form already.
    """
    valid = form.is_valid()
    if rate_limited(request, form_name):
        form.add_error(None, TOO_MANY)
        return 429
    if form.is_bot():
        form.add_error(None, BOT)
        return 400
    if association is None:
        form.add_error(None, closed)
        return 503
    return 200 if valid else 400
