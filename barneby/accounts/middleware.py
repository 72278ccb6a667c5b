"""Idle and absolute session timeouts for signed-in users."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

AUTH_AT_KEY = "barneby_auth_at"
SEEN_AT_KEY = "barneby_seen_at"
# Refresh the idle clock at most this often, so a page of HTMX calls is not a write each.
_SEEN_RESOLUTION = 30


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            auth_at = float(session.get(AUTH_AT_KEY, now))
            seen_at = float(session.get(SEEN_AT_KEY, now))
            if now - auth_at > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                messages.info(request, _("Økten er utløpt. Logg inn på nytt."))
            elif now - seen_at > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, _("Du ble logget ut etter en periode uten aktivitet. Logg inn på nytt."))
            else:
                session.setdefault(AUTH_AT_KEY, now)
                if now - seen_at >= _SEEN_RESOLUTION or SEEN_AT_KEY not in session:
                    session[SEEN_AT_KEY] = now
        return self.get_response(request)
