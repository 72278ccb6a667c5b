"""Donor-service fixtures shared by the fundraising, partner and newsletter tests (a pytest plugin)."""

from __future__ import annotations

import pytest

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.core.tests.personas import make_persona
from barneby.organisation.models import MemberAssociation
from barneby.organisation.tests import factories as org


@pytest.fixture
def association(db: None) -> MemberAssociation:
    return org.association(name="SOS-barnebyer Norge")


@pytest.fixture
def other_association(db: None) -> MemberAssociation:
    return org.association(name="SOS Sverige", country="SE")


@pytest.fixture
def donor_service(association: MemberAssociation) -> User:
    return make_persona(Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(association.pk))


@pytest.fixture
def other_donor_service(other_association: MemberAssociation) -> User:
    return make_persona(Role.DONOR_SERVICE, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(other_association.pk))
