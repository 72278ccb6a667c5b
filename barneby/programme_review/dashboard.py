"""The start page's R28 panel for directors: programmes being phased out or handed over with participants who
still lack an alternative provider of schooling and health care."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from barneby.core.dashboard import SHOWN, Panel
from barneby.programme_review import selectors
from barneby.programme_review.permissions import PLAN_ROLES


def r28_panel(user: Any) -> Panel:
    found = selectors.r28_for(user=user, roles=PLAN_ROLES)
    rows = [
        {
            "text": f"{programme.name} ({programme.get_status_display().lower()})",
            "url": reverse("programme_review:plan", args=[programme.pk]),
            "tag": _("{missing} av {total} mangler tilbud").format(
                missing=len(finding.missing), total=finding.participants
            ),
        }
        for programme, finding in found[:SHOWN]
    ]
    return Panel(
        "r28",
        _("Utfasing og overlevering (R28)"),
        reverse("programme_review:round-list"),
        _("Programgjennomgang"),
        _("Alle deltakere i programmer som fases ut eller overleveres har et alternativt tilbud."),
        len(found),
        rows,
    )
