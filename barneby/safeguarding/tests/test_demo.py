"""The demo cases: a handful in the Norwegian association, in different states, seen by the focal point login."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from barneby.accounts.demo import DEMO_DOMAIN, DEMO_USERS
from barneby.accounts.models import RoleAssignment, User
from barneby.accounts.roles import Role, ScopeKind
from barneby.core.demo import DemoContext
from barneby.organisation.tests import factories as org
from barneby.safeguarding import selectors
from barneby.safeguarding.demo import NORWAY_CODE, seed_safeguarding
from barneby.safeguarding.models import Concern, DeadlineAlert

pytestmark = pytest.mark.django_db


def _quiet(items: Iterable[Any], *, desc: str, total: int | None = None) -> Iterator[Any]:
    yield from items


def test_demo_cases_in_several_states_for_the_focal_point_login() -> None:
    norway = org.association(name="SOS-barnebyer Norge", country="NO", code=NORWAY_CODE)
    org.programme(norway)
    context = DemoContext(scale="national", seed=1, progress=_quiet)
    seed_safeguarding(context)
    seed_safeguarding(context)  # idempotent
    assert Concern.objects.count() == 5
    assert len(set(Concern.objects.values_list("status", flat=True))) >= 4
    assert DeadlineAlert.objects.exists()
    local, _name = DEMO_USERS[Role.SAFEGUARDING_FOCAL_POINT]
    focal = User.objects.get(email=f"{local}@{DEMO_DOMAIN}")
    RoleAssignment.objects.create(
        user=focal, role=Role.SAFEGUARDING_FOCAL_POINT, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(norway.pk)
    )
    assert selectors.concern_list_for(user=focal).count() == 5
