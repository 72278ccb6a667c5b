"""One shared world for the URL-by-persona and API-by-persona matrices.

Two member associations. In association A: programme 1, a Norwegian foster
home programme for sibling groups partnered with a municipality (Bergen), and
programme 2, a family-strengthening programme of the same municipality (so a
municipality contact must not see its children). Association B (Sweden) has
one programme. Every kind of object a URL takes an id of exists in three
variants:

* ``a1``: association A, programme 1, home 1 — the personas' own scope;
* ``a2``: association A, programme 2, home 2 — another programme (``None``
  for kinds that belong to the association only);
* ``b``: association B.

The world is built once per test module inside a transaction that is rolled
back at the end of the module, so it never leaks into other tests; each test
runs in its own savepoint on top of it (pytest-django's ``db``), so a POST in
one test cannot change what another sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from pytest_django import DjangoDbBlocker

from barneby.accounts.models import ApiToken, RoleAssignment, User
from barneby.accounts.roles import Role, ScopeKind
from barneby.accounts.services import api_token_create
from barneby.care import services as care_services
from barneby.care.models import Alert, Child, Decision, Severity, SiblingKind
from barneby.care.tests import factories as care
from barneby.core.tests import app_matrix
from barneby.core.tests.personas import make_user, verified_client
from barneby.fundraising import services as fund_services
from barneby.fundraising.models import ClaimRun, Payment, PaymentSource, PaymentStatus
from barneby.fundraising.tests import factories as fund
from barneby.newsletter import services as newsletter_services
from barneby.newsletter.models import ConsentSource
from barneby.organisation.models import Home, HomeKind, LocationKind, MemberAssociation, Programme, ProgrammeType
from barneby.organisation.tests import factories as org
from barneby.partners import services as partner_services
from barneby.placements.models import MatchingRun, Proposal, RunKind, RunStatus
from barneby.sponsorships import services as sponsorship_services
from barneby.sponsorships.models import SponsorshipProfile, TargetKind, TransferReason, TransferTask

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass(frozen=True)
class Persona:
    """Who makes the requests: a role over a scope, or nobody (``role`` None)."""

    name: str
    role: Role | None
    scope: str  # global, association, programme, home, municipality, none (a user without roles), anonymous

    @property
    def out_variants(self) -> tuple[str, ...]:
        """The variants outside this persona's scope (the others are inside)."""
        if self.scope in {"global", "none", "anonymous"}:
            return ()
        if self.scope == "association":
            return ("b",)
        return ("a2", "b")

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset({self.role}) if self.role else frozenset()


# One persona per role and per kind of scope the role may be given.
PERSONAS: tuple[Persona, ...] = (
    Persona("system_admin", Role.SYSTEM_ADMIN, "global"),
    Persona("national_director", Role.NATIONAL_DIRECTOR, "association"),
    Persona("programme_director", Role.PROGRAMME_DIRECTOR, "programme"),
    Persona("caseworker", Role.CASEWORKER, "programme"),
    Persona("caregiver", Role.CAREGIVER, "home"),
    Persona("me_advisor@global", Role.ME_ADVISOR, "global"),
    Persona("me_advisor@association", Role.ME_ADVISOR, "association"),
    Persona("me_advisor@programme", Role.ME_ADVISOR, "programme"),
    Persona("donor_service", Role.DONOR_SERVICE, "association"),
    Persona("municipality_contact", Role.MUNICIPALITY_CONTACT, "municipality"),
    Persona("safeguarding@global", Role.SAFEGUARDING_FOCAL_POINT, "global"),
    Persona("safeguarding@association", Role.SAFEGUARDING_FOCAL_POINT, "association"),
    Persona("auditor@global", Role.AUDITOR, "global"),
    Persona("auditor@association", Role.AUDITOR, "association"),
    Persona("no_role", None, "none"),
    Persona("anonymous", None, "anonymous"),
)


@dataclass
class World:
    # kind → variant → primary key (a missing variant: the kind has no such object)
    objects: dict[str, dict[str, int]] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # persona → session key
    tokens: dict[str, str] = field(default_factory=dict)  # persona → API token secret
    token_pks: dict[str, int] = field(default_factory=dict)  # persona → own API token's pk
    stranger_token_pk: int = 0

    def pk(self, kind: str, variant: str, persona: Persona | None = None) -> int | None:
        if kind == "token":
            # A token is in scope only for its owner; "b" is somebody else's.
            if variant == "a1" and persona is not None and persona.name in self.token_pks:
                return self.token_pks[persona.name]
            return self.stranger_token_pk if variant != "a2" else None
        return self.objects.get(kind, {}).get(variant)

    def client(self, persona: Persona) -> Client:
        """A fresh client signed in as ``persona`` (second factor verified), or anonymous."""
        client = Client()
        if persona.name in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona.name]
        return client


def _put(world: World, kind: str, variant: str, pk: int) -> None:
    world.objects.setdefault(kind, {})[variant] = pk


def build_world() -> World:
    world = World()
    builder = make_user(full_name="Bygger Testesen")
    bergen = org.bergen()
    assoc_a = org.association(name="SOS Matrise Norge", country="NO")
    assoc_b = org.association(name="SOS Matrise Sverige", country="SE")
    programmes = {
        "a1": org.programme(
            assoc_a,
            org.location(assoc_a, kind=LocationKind.VILLAGE, name="Barnebyen Matrise"),
            type=ProgrammeType.SIBLING_FOSTER,
            partner_municipality=bergen,
        ),
        "a2": org.programme(
            assoc_a,
            org.location(assoc_a, kind=LocationKind.VILLAGE, name="Barnebyen Matrise to"),
            type=ProgrammeType.FAMILY_STRENGTHENING,
            partner_municipality=bergen,
        ),
        "b": org.programme(
            assoc_b,
            org.location(assoc_b, kind=LocationKind.VILLAGE, name="Barnbyn Matris", country="SE"),
            type=ProgrammeType.SIBLING_FOSTER,
        ),
    }
    associations: dict[str, MemberAssociation] = {"a1": assoc_a, "b": assoc_b}
    _put(world, "association", "a1", assoc_a.pk)
    _put(world, "association", "b", assoc_b.pk)
    homes = {v: org.home(p, kind=HomeKind.FOSTER_HOME, capacity=6, max_age=25) for v, p in programmes.items()}
    start = care.TODAY - dt.timedelta(days=30)
    children: dict[str, list[int]] = {}
    for variant, programme in programmes.items():
        _put(world, "programme", variant, programme.pk)
        _put(world, "location", variant, programme.location_id)
        _put(world, "home", variant, homes[variant].pk)
        assoc = programme.association
        _put(world, "staff", variant, org.staff(assoc, programme=programme, home=homes[variant]).pk)
        kid = care.child(programme, builder)
        brother = care.child(programme, builder)
        for placed in (kid, brother):
            care.gatekeep(placed, builder)
            care.place(placed, homes[variant], builder, start)
        relation = care_services.sibling_link(actor=builder, child=kid, other=brother, kind=SiblingKind.FULL)
        care.child(programme, builder, first_name="Ukoblet")  # not yet linked to anyone: a sibling to add
        children[variant] = [kid.pk, brother.pk]
        _put(world, "child", variant, kid.pk)
        _put(world, "sibling", variant, relation.pk)
        _put(world, "placement", variant, kid.placements.get().pk)
        _put(world, "decision", variant, Decision.objects.filter(child=kid).order_by("pk").first().pk)  # type: ignore[union-attr]
        goal = care_services.goal_save(actor=builder, child=kid, domain="physical", description="Svømme 25 meter")
        _put(world, "goal", variant, goal.pk)
        review = care_services.review_save(
            actor=builder,
            child=kid,
            reviewed_on=care.TODAY,
            summary="Går fint.",
            child_took_part=True,
            child_views="Liker skolen.",
        )
        _put(world, "review", variant, review.pk)
        household = care_services.household_save(actor=builder, programme=programme, name="Familien Matrise")
        _put(world, "household", variant, household.pk)
        alert = Alert.objects.create(child=kid, rule="R1", key=f"matrix-{kid.pk}", severity=Severity.HIGH)
        _put(world, "alert", variant, alert.pk)
        run = MatchingRun.objects.create(
            programme=programme, kind=RunKind.GROUP, child=kid, requested_by=builder, status=RunStatus.DONE
        )
        Proposal.objects.create(run=run, rank=1, child=kid, home=homes[variant], together=True)
        _put(world, "run", variant, run.pk)
        profile = sponsorship_services.profile_create(actor=builder, child=brother, village=programme.location)
        sponsorship_services.profile_record_consents(
            actor=builder,
            profile=profile,
            child_consent=True,
            child_consent_on=care.TODAY,
            guardian_consent=True,
            guardian_consent_on=care.TODAY,
        )
        profile = sponsorship_services.profile_approve(actor=make_user(), profile=profile)
        _put(world, "profile", variant, profile.pk)
        if variant in associations:
            _association_objects(world, variant, associations[variant], profile, builder)
    # Siblings across programmes: the first child of programme 1 and of programme 2 are brothers.
    care_services.sibling_link(
        actor=builder,
        child=Child.objects.get(pk=children["a1"][0]),
        other=Child.objects.get(pk=children["a2"][0]),
        kind=SiblingKind.HALF,
    )
    app_matrix.build_all(app_matrix.WorldContext(world.objects, builder, associations, programmes, homes, children))
    _personas(world, programmes, homes, associations, bergen.number)
    return world


def _association_objects(
    world: World, variant: str, assoc: MemberAssociation, profile: SponsorshipProfile, builder: User
) -> None:
    supporter = fund.supporter(assoc, email=f"giver{assoc.pk}@example.org")
    _put(world, "supporter", variant, supporter.pk)
    agreement = fund.agreement(supporter)
    payment = Payment.objects.create(
        association=assoc,
        source=PaymentSource.MANUAL,
        amount=Decimal("350.00"),
        paid_date=care.TODAY,
        status=PaymentStatus.MATCHED,
        supporter=supporter,
        agreement=agreement,
        kid=agreement.kid,
    )
    _put(world, "payment", variant, payment.pk)
    gift = fund_services.gift_create(
        actor=builder, supporter=supporter, amount="500", date=care.TODAY, channel="cash", send_receipt=False
    )
    _put(world, "gift", variant, gift.pk)
    period = care.TODAY.replace(day=1)
    claim_run = ClaimRun.objects.create(association=assoc, period=period, due_date=period.replace(day=20))
    _put(world, "claim_run", variant, claim_run.pk)
    lead = partner_services.lead_create(
        actor=builder,
        association=assoc,
        company_name="Matrise AS",
        contact_name="Kari Nordmann",
        email="kari@matrise.example",
    )
    _put(world, "lead", variant, lead.pk)
    subscriber = newsletter_services.subscribe(
        association=assoc, email=f"abonnent{assoc.pk}@example.org", source=ConsentSource.WEB, text_version="2026-1"
    )
    _put(world, "subscriber", variant, subscriber.pk)
    sponsorship = sponsorship_services.sponsorship_create(
        actor=builder,
        supporter=supporter,
        target_kind=TargetKind.CHILD,
        monthly_amount=Decimal("300"),
        profile=profile,
    )
    _put(world, "sponsorship", variant, sponsorship.pk)
    task = TransferTask.objects.create(
        sponsorship=sponsorship,
        old_profile=profile,
        reason=TransferReason.PROFILE_WITHDRAWN,
    )
    _put(world, "transfer", variant, task.pk)


def _personas(
    world: World,
    programmes: dict[str, Programme],
    homes: dict[str, Home],
    associations: dict[str, MemberAssociation],
    municipality: str,
) -> None:
    keys = {
        "global": (ScopeKind.GLOBAL, ""),
        "association": (ScopeKind.ASSOCIATION, str(associations["a1"].pk)),
        "programme": (ScopeKind.PROGRAMME, str(programmes["a1"].pk)),
        "home": (ScopeKind.HOME, str(homes["a1"].pk)),
        "municipality": (ScopeKind.MUNICIPALITY, municipality),
    }
    for persona in PERSONAS:
        if persona.scope == "anonymous":
            continue
        user = make_user(full_name=f"{persona.name} Matrise")
        if persona.role is not None:
            kind, key = keys[persona.scope]
            RoleAssignment.objects.create(user=user, role=persona.role, scope_kind=kind, scope_key=key)
        client = verified_client(user)
        world.sessions[persona.name] = client.cookies[settings.SESSION_COOKIE_NAME].value
        issued = api_token_create(user=user, name="matrise")
        world.tokens[persona.name] = issued.secret
        world.token_pks[persona.name] = issued.token.pk
    stranger = make_user(full_name="Fremmed Matrise")
    world.stranger_token_pk = api_token_create(user=stranger, name="fremmed").token.pk
    assert ApiToken.objects.filter(pk=world.stranger_token_pk).exists()


def world_fixture(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """Module-scoped: the world in a transaction that is rolled back when the module is done."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        world = build_world()
        yield world
        transaction.set_rollback(True)


matrix_world = pytest.fixture(scope="module", name="world")(world_fixture)

__all__ = ["PERSONAS", "Persona", "World", "matrix_world"]
