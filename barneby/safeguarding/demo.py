"""Demo cases for the focal point login: a handful in the Norwegian association, in different states.

Made through the services, so they obey the same rules (and write the same history) as real cases.
Some are left overdue on purpose, so the R26 alerts show.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from barneby.accounts.demo import DEMO_DOMAIN, DEMO_USERS
from barneby.accounts.models import User
from barneby.accounts.roles import Role
from barneby.core.demo import DemoContext, register
from barneby.organisation.models import MemberAssociation, Programme
from barneby.safeguarding import deadlines, services
from barneby.safeguarding.models import Category, Concern, ConcernsChild, InvolvedRole, Outcome, Perpetrator, Severity

NORWAY_CODE = "NO-SOS"


def _user(role: Role) -> User:
    local, name = DEMO_USERS[role]
    user, _created = User.objects.get_or_create(email=f"{local}@{DEMO_DOMAIN}", defaults={"full_name": name})
    return user


@register("safeguarding", order=950)
def seed_safeguarding(context: DemoContext) -> None:
    norway = MemberAssociation.objects.filter(code=NORWAY_CODE).first()
    if norway is None or Concern.objects.filter(association=norway).exists():
        context.counts["varslingssaker"] = Concern.objects.count()
        return
    focal = _user(Role.SAFEGUARDING_FOCAL_POINT)
    caseworker = _user(Role.CASEWORKER)
    programme = Programme.objects.filter(association=norway).order_by("pk").first()
    now = timezone.now()

    # Reported anonymously three days ago and not yet acknowledged: overdue (R26).
    services.concern_report_public(
        association=norway,
        category=Category.EMOTIONAL,
        details="En voksen i nabolaget roper stygt til barna på vei til skolen, nesten hver dag.",
        place="Ved busstoppet",
        concerns_child=ConcernsChild.YES,
        reported_at=now - dt.timedelta(days=3),
    )
    # From staff yesterday, acknowledged; the assessment is due within 72 hours.
    second = services.concern_report_staff(
        actor=caseworker,
        association=norway,
        programme=programme,
        category=Category.PEER,
        details="To ungdommer i samme hjem har kranglet og det har blitt slag. Den yngste er redd.",
        concerns_child=ConcernsChild.YES,
        severity=Severity.HIGH,
        people=[services.Person(role=InvolvedRole.CHILD, description="Den yngste i hjemmet")],
        reported_at=now - dt.timedelta(days=1),
    )
    services.concern_acknowledge(actor=focal, concern=second, note="Snakket med saksbehandler samme dag.")
    # Anonymous, acknowledged with a question to the reporter; assessment overdue.
    third, _secret = services.concern_report_public(
        association=norway,
        category=Category.CORRUPTION,
        details="En leverandør sier at han må betale noen for å få fornyet kontrakten.",
        concerns_child=ConcernsChild.NO,
        reported_at=now - dt.timedelta(days=9),
    )
    services.concern_acknowledge(actor=focal, concern=third)
    services.concern_ask_reporter(
        actor=focal, concern=third, text="Takk for at du sa fra. Vet du omtrent når dette ble sagt, og av hvem?"
    )
    # Assessed and under investigation.
    fourth = services.concern_report_staff(
        actor=caseworker,
        association=norway,
        programme=programme,
        category=Category.CONDUCT,
        details="En vikar har delt bilder av barna på sin private Instagram-konto.",
        concerns_child=ConcernsChild.YES,
        reported_at=now - dt.timedelta(days=20),
    )
    services.concern_acknowledge(actor=focal, concern=fourth)
    services.concern_assess(actor=focal, concern=fourth, risk_level=Severity.MEDIUM, child_at_risk=True)
    services.concern_note(
        actor=focal, concern=fourth, text="Samtale med vikaren: bildene er slettet.", kind="interview"
    )
    # Closed, substantiated.
    fifth = services.concern_report_staff(
        actor=caseworker,
        association=norway,
        category=Category.NEGLECT,
        details="Et barn kom på besøk hjem og ble ikke hentet til avtalt tid; ingen voksne tilgjengelige.",
        concerns_child=ConcernsChild.YES,
        reported_at=now - dt.timedelta(days=60),
    )
    services.concern_acknowledge(actor=focal, concern=fifth)
    services.concern_assess(
        actor=focal,
        concern=fifth,
        risk_level=Severity.HIGH,
        child_at_risk=True,
        referred_child_welfare_on=timezone.localdate(),
    )
    services.concern_investigate(actor=focal, concern=fifth, investigator=focal, plan="Samtaler med familien.")
    services.concern_conclude(actor=focal, concern=fifth, outcome=Outcome.SUBSTANTIATED, perpetrator=Perpetrator.OTHER)
    services.concern_close(
        actor=focal, concern=fifth, actions=["safety_plan", "referral"], lessons="Faste rutiner for henting."
    )
    deadlines.refresh()
    context.counts["varslingssaker"] = Concern.objects.count()
