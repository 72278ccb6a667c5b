"""The results app's part of the URL allow list and the persona matrix (see core/tests/app_matrix.py)."""

from __future__ import annotations

import datetime as dt
import re

from barneby.accounts.roles import Role
from barneby.core.access import AccessRule
from barneby.core.tests.app_matrix import WorldContext
from barneby.results.periods import OrgUnit, Period
from barneby.results.permissions import (
    ACCOUNTS_READERS,
    KEY_FIGURE_READERS,
    REPORT_READERS,
    RESULTS_READERS,
    RETURN_WRITERS,
    TARGET_SETTERS,
)

FIGURES = {"personal_data": False}

EXPECTED: dict[str, AccessRule] = {
    "results:indicators": AccessRule(roles=RESULTS_READERS, **FIGURES),
    "results:indicator-detail": AccessRule(roles=RESULTS_READERS, **FIGURES),
    "results:target-set": AccessRule(roles=TARGET_SETTERS, **FIGURES),
    "results:periods": AccessRule(roles=RESULTS_READERS, **FIGURES),
    "results:period-detail": AccessRule(roles=RESULTS_READERS, **FIGURES),
    "results:key-figures": AccessRule(roles=KEY_FIGURE_READERS, **FIGURES),
    "results:service-returns": AccessRule(roles=RETURN_WRITERS | RESULTS_READERS, **FIGURES),
    "results:service-return-import": AccessRule(roles=RETURN_WRITERS, **FIGURES),
    "results:accounts": AccessRule(roles=ACCOUNTS_READERS, **FIGURES),
    "results:status-reports": AccessRule(roles=REPORT_READERS, **FIGURES),
    "results:status-report": AccessRule(roles=REPORT_READERS, **FIGURES),
    "results:status-report-pdf": AccessRule(roles=REPORT_READERS, **FIGURES),
}

PK_KINDS: dict[str, str] = {"results:period-detail": "period_close"}

YEAR = dt.date.today().year - 1
PARAM_VALUES: dict[str, dict[str, str | int]] = {
    "results:indicator-detail": {"code": "I11"},
    "results:status-report": {"number": "4601", "year": YEAR},
    "results:status-report-pdf": {"number": "4601", "year": YEAR},
}

POST = frozenset({"POST"})
DENIED_IN_SCOPE = (
    (
        re.compile(r"^results:service-returns$"),
        frozenset({Role.ME_ADVISOR}),
        POST,
        "M&E advisors read the service returns; programme staff enter them",
    ),
    (
        re.compile(r"^results:accounts$"),
        frozenset({Role.ME_ADVISOR, Role.AUDITOR}),
        POST,
        "only the national director enters the association's annual accounts",
    ),
    (
        re.compile(r"^results:status-report$"),
        frozenset({Role.ME_ADVISOR}),
        POST,
        "the municipality contact or the national director writes the report's text",
    ),
)

UNSETTLED = (
    (
        re.compile(r"^results:status-report(-pdf)?$"),
        re.compile(r"^me_advisor@programme$"),
        "",
        "the Bergen report covers programme 2 too, outside a programme-scoped advisor's figures",
    ),
)

API_READERS = {"/results/": RESULTS_READERS}
API_FIGURES = {"/results/key-figures": KEY_FIGURE_READERS, "/results/indicators": RESULTS_READERS}


def build(context: WorldContext) -> None:
    """A closed year for each programme (a1, a2 and b), so the closed-period page has one in and out of scope."""
    for variant, programme in context.programmes.items():
        closing_pk = _close(OrgUnit("programme", str(programme.pk)), context)
        context.put("period_close", variant, closing_pk)


def _close(unit: OrgUnit, context: WorldContext) -> int:
    from barneby.results.snapshots import close_period

    return close_period(unit=unit, period=Period.year(YEAR), user=context.builder).pk


# Setting a target is a form on the indicator page that posts here.
POST_ONLY = ("results:target-set",)
