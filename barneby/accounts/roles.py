"""The staff roles of DESIGN.md §1 and the groups of roles that rules grant to.

Access rules name these groups rather than listing roles at each view, so a
change of policy ("may an auditor read the audit log?") is made in one place.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("Systemadministrator")
    NATIONAL_DIRECTOR = "national_director", _("Nasjonal leder")
    PROGRAMME_DIRECTOR = "programme_director", _("Programleder")
    CASEWORKER = "caseworker", _("Saksbehandler")
    CAREGIVER = "caregiver", _("SOS-forelder / fosterforelder")
    ME_ADVISOR = "me_advisor", _("Kvalitets- og resultatrådgiver")
    DONOR_SERVICE = "donor_service", _("Giverservice")
    MUNICIPALITY_CONTACT = "municipality_contact", _("Kommunekontakt")
    SAFEGUARDING_FOCAL_POINT = "safeguarding_focal_point", _("Varslingsansvarlig")
    AUDITOR = "auditor", _("Revisor")
    COMMUNICATIONS = "communications", _("Kommunikasjon")


class ScopeKind(models.TextChoices):
    """What an assignment's scope refers to (association → programme → home → child)."""

    GLOBAL = "global", _("Hele organisasjonen")
    ASSOCIATION = "association", _("Medlemsorganisasjon")
    PROGRAMME = "programme", _("Program")
    HOME = "home", _("Hjem")
    MUNICIPALITY = "municipality", _("Kommune")


ALL_ROLES: frozenset[Role] = frozenset(Role)

# The scope kinds each role may be assigned; anything else is a data error.
ROLE_SCOPE_KINDS: dict[Role, frozenset[ScopeKind]] = {
    Role.SYSTEM_ADMIN: frozenset({ScopeKind.GLOBAL}),
    Role.NATIONAL_DIRECTOR: frozenset({ScopeKind.ASSOCIATION}),
    Role.PROGRAMME_DIRECTOR: frozenset({ScopeKind.PROGRAMME}),
    Role.CASEWORKER: frozenset({ScopeKind.PROGRAMME}),
    Role.CAREGIVER: frozenset({ScopeKind.HOME}),
    Role.ME_ADVISOR: frozenset({ScopeKind.GLOBAL, ScopeKind.ASSOCIATION, ScopeKind.PROGRAMME}),
    Role.DONOR_SERVICE: frozenset({ScopeKind.ASSOCIATION}),
    Role.MUNICIPALITY_CONTACT: frozenset({ScopeKind.MUNICIPALITY}),
    Role.SAFEGUARDING_FOCAL_POINT: frozenset({ScopeKind.GLOBAL, ScopeKind.ASSOCIATION}),
    Role.AUDITOR: frozenset({ScopeKind.GLOBAL, ScopeKind.ASSOCIATION}),
    Role.COMMUNICATIONS: frozenset({ScopeKind.GLOBAL, ScopeKind.ASSOCIATION}),
}

# Roles whose pages show personal data (of children, families, supporters or
# staff). Holders must have a verified second factor where 2FA is required.
# Every role: even the M&E advisor reaches the staff register, API tokens and
# pseudonymised child records, and a role that "only sees figures" today is one
# new page away from personal data.
PERSONAL_DATA_ROLES: frozenset[Role] = ALL_ROLES

# Groups that access rules grant to.
AUDIT_READERS: frozenset[Role] = frozenset({Role.AUDITOR, Role.SYSTEM_ADMIN})
USER_ADMINS: frozenset[Role] = frozenset({Role.SYSTEM_ADMIN})
# The public website's editor (Wagtail at /cms/): nobody else may even learn it exists.
WEBSITE_EDITORS: frozenset[Role] = frozenset({Role.COMMUNICATIONS})
API_USERS: frozenset[Role] = ALL_ROLES - {Role.CAREGIVER}
