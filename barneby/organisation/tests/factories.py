"""Small builders for organisation test data (synthetic)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count
from typing import Any

from barneby.organisation.models import (
    Home,
    HomeKind,
    Location,
    LocationKind,
    MemberAssociation,
    Municipality,
    Programme,
    ProgrammeType,
    StaffMember,
    StaffRole,
)

_seq = count(1)


def association(**kw: Any) -> MemberAssociation:
    n = next(_seq)
    defaults: dict[str, Any] = {"name": f"SOS Test {n}", "code": f"T{n:04d}", "country": "NO"}
    return MemberAssociation.objects.create(**{**defaults, **kw})


def location(assoc: MemberAssociation, **kw: Any) -> Location:
    defaults: dict[str, Any] = {
        "kind": LocationKind.VILLAGE,
        "name": f"Barneby {next(_seq)}",
        "country": assoc.country,
        "latitude": Decimal("60.39"),
        "longitude": Decimal("5.32"),
    }
    return Location.objects.create(association=assoc, **{**defaults, **kw})


def programme(assoc: MemberAssociation, loc: Location | None = None, **kw: Any) -> Programme:
    n = next(_seq)
    defaults: dict[str, Any] = {
        "name": f"Program {n}",
        "code": f"P{n:05d}",
        "type": ProgrammeType.SIBLING_FOSTER,
        "start_date": dt.date(2020, 1, 1),
    }
    return Programme.objects.create(association=assoc, location=loc or location(assoc), **{**defaults, **kw})


def home(prog: Programme, **kw: Any) -> Home:
    defaults: dict[str, Any] = {
        "name": f"Hjem {next(_seq)}",
        "kind": HomeKind.FOSTER_HOME,
        "capacity": 4,
        "street_address": "Testveien 1",
    }
    return Home.objects.create(programme=prog, **{**defaults, **kw})


def staff(assoc: MemberAssociation, **kw: Any) -> StaffMember:
    defaults: dict[str, Any] = {"first_name": "Test", "last_name": f"Ansatt{next(_seq)}", "role": StaffRole.SOS_PARENT}
    return StaffMember.objects.create(association=assoc, **{**defaults, **kw})


def bergen() -> Municipality:
    """Bergen from the migrated register; made again where a transactional test has flushed the register."""
    municipality, _created = Municipality.objects.get_or_create(
        number="4601",
        defaults={
            "name": "Bergen",
            "county_number": "46",
            "county_name": "Vestland",
            "valid_from": dt.date(2024, 1, 1),
        },
    )
    return municipality
