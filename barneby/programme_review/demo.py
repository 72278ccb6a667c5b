"""Demo data for the programme review: this year's round with some programmes assessed and decided.

``--scale national`` (and global, on top): the round covers every programme;
the Norwegian association's village is continued, the Bergen sibling
programme adapted, the Kristiansand sibling programme phased out with an
alternative provider recorded for about half its participants (so R28 shows
on its plan), and a few programmes abroad are handed over to the authorities
or another actor. Idempotent: the round is recognised by its name.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from barneby.accounts.roles import Role
from barneby.care.demo import demo_user
from barneby.care.models import Child
from barneby.core.demo import DemoContext, register
from barneby.organisation.models import Programme
from barneby.programme_review import alerts, services
from barneby.programme_review.models import Assessment, Decision, ReviewRound

# (programme code, decision or "" for assessed only, receiving party)
PLAN: list[tuple[str, str, str]] = [
    ("NO-BGO-VILLAGE", Decision.CONTINUE, ""),
    ("NO-SIB-BGO", Decision.ADAPT, ""),
    ("NO-SIB-KRS", Decision.PHASE_OUT, ""),
    ("NO-EMA-BGO", "", ""),
    ("KE-FAMILY-1", Decision.CONTINUE, ""),
    ("ET-FAMILY-1", Decision.ADAPT, ""),
    ("MW-SCHOOL-1", Decision.HAND_OVER_AUTHORITIES, "Utdanningsdepartementet i Malawi"),
    ("SO-MEDICA-1", Decision.HAND_OVER_OTHER, "Regionalt helsesamarbeid i Banadir"),
    ("BD-KINDER-1", "", ""),
]
REASONS: dict[str, str] = {
    Decision.CONTINUE: "Programmet svarer på behovene og når målene sine.",
    Decision.ADAPT: "Flere familier bør få støtte hjemme; omsorgsplassene tilpasses.",
    Decision.PHASE_OUT: "Kommunen har bygd opp egne fosterhjem for søsken; tilbudet fases ut i samråd med den.",
    Decision.HAND_OVER_AUTHORITIES: "Myndighetene kan drive skolen videre; ressursene brukes på omsorg.",
    Decision.HAND_OVER_OTHER: "En lokal aktør tar over driften; ingen pasienter mister tilbudet.",
}
SCHOOLS = ["Kvadraturen skole", "Lund skole", "Vågsbygd skole", "Solbakken barnehage"]
HEALTH = ["Helsestasjonen i Kristiansand", "Fastlege i Kristiansand", "Skolehelsetjenesten"]


@register("programme_review", order=400)
def seed_programme_review(context: DemoContext) -> None:
    today = timezone.localdate()
    name = f"Programgjennomgang {today.year}"
    if ReviewRound.objects.filter(name=name).exists() or not Programme.objects.exists():
        return
    rng = random.Random(context.seed + 400)
    director = demo_user(Role.NATIONAL_DIRECTOR)
    review_round = services.round_open(
        actor=director,
        name=name,
        year=today.year,
        deadline=today + dt.timedelta(days=60),
        run_by="Programkvalitet, SOS-barnebyer internasjonalt",
    )
    assessments = {
        a.programme.code: a
        for a in Assessment.objects.filter(
            round=review_round, programme__code__in=[c for c, _d, _r in PLAN]
        ).select_related("programme", "round")
    }
    for code, decision, receiver in context.progress(PLAN, desc="programvurderinger"):
        assessment = assessments.get(code)
        if assessment is None:
            continue
        good = decision in {Decision.CONTINUE, Decision.ADAPT, ""}
        scores = {
            name: rng.randint(3, 5) if good else rng.randint(1, 3)
            for name in ("relevance_score", "results_score", "cost_score", "capacity_score", "sustainability_score")
        }
        services.assessment_save(
            actor=director,
            assessment=assessment,
            relevance_comment="Behovet i området er dokumentert.",
            results_comment="Se indikatorene for året.",
            capacity_comment="Lokale myndigheter har bygd opp egen kapasitet." if not good else "",
            **scores,
        )
        if decision:
            # The demo director's role is assigned later (accounts demo): the decision is applied directly.
            services.decision_apply(
                actor=director,
                assessment=assessment,
                decision=decision,
                decision_reason=REASONS[decision],
                receiving_party=receiver,
                effective_on=today + dt.timedelta(days=180) if decision != Decision.CONTINUE else None,
            )
            if code == "NO-SIB-KRS":
                _half_the_plan(rng, director, assessment.programme, today)
    context.counts["programvurderinger"] = Assessment.objects.exclude(assessed_at=None).count()


def _half_the_plan(rng: random.Random, actor: object, programme: Programme, today: dt.date) -> None:
    """Alternative providers for about half the participants: R28 stays open for the rest."""
    ids = sorted(alerts.participants([programme.pk]).get(programme.pk, set()))
    for child in Child.objects.filter(pk__in=ids[: len(ids) // 2]).order_by("pk"):
        services.provision_save(
            actor=actor,
            programme=programme,
            child=child,
            schooling_provider=rng.choice(SCHOOLS),
            health_provider=rng.choice(HEALTH),
            starts_on=today + dt.timedelta(days=180),
        )
