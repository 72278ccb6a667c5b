"""A small world for safeguarding tests: two associations, focal points of each, a global one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.core.tests.personas import make_persona
from barneby.organisation.models import MemberAssociation, Programme
from barneby.organisation.tests import factories as org
from barneby.safeguarding import services
from barneby.safeguarding.models import Category, Concern, ConcernsChild

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def _png() -> bytes:
    """A small real PNG that carries a text chunk naming its author (metadata that must not be kept)."""
    import io

    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Ola Nordmann")
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG", pnginfo=info)
    return out.getvalue()


PNG = _png()


@dataclass
class SgWorld:
    a: MemberAssociation
    b: MemberAssociation
    programme_a: Programme
    focal_a: User
    focal_b: User
    focal_global: User
    director_a: User
    caseworker_a: User
    reporter: User


@pytest.fixture
def sg(db: None) -> SgWorld:
    a = org.association(name="SOS Varsel Norge", country="NO")
    b = org.association(name="SOS Varsel Sverige", country="SE")
    programme_a = org.programme(a)

    def assoc(role: Role, association: MemberAssociation) -> User:
        return make_persona(role, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(association.pk))

    return SgWorld(
        a=a,
        b=b,
        programme_a=programme_a,
        focal_a=assoc(Role.SAFEGUARDING_FOCAL_POINT, a),
        focal_b=assoc(Role.SAFEGUARDING_FOCAL_POINT, b),
        focal_global=make_persona(Role.SAFEGUARDING_FOCAL_POINT, scope_kind=ScopeKind.GLOBAL),
        director_a=assoc(Role.NATIONAL_DIRECTOR, a),
        caseworker_a=make_persona(Role.CASEWORKER, scope_kind=ScopeKind.PROGRAMME, scope_key=str(programme_a.pk)),
        reporter=make_persona(Role.CAREGIVER),
    )


def staff_case(world: SgWorld, **kw: object) -> Concern:
    values: dict[str, object] = {
        "actor": world.reporter,
        "association": world.a,
        "category": Category.PHYSICAL,
        "details": "Et barn hadde blåmerker og ville ikke si hvorfor.",
        "concerns_child": ConcernsChild.YES,
    }
    values.update(kw)
    return services.concern_report_staff(**values)  # type: ignore[arg-type]


def public_case(world: SgWorld, **kw: object) -> tuple[Concern, str]:
    values: dict[str, object] = {
        "association": world.a,
        "category": Category.CORRUPTION,
        "details": "Noen ba om penger for en kontrakt.",
        "concerns_child": ConcernsChild.NO,
    }
    values.update(kw)
    return services.concern_report_public(**values)  # type: ignore[arg-type]
