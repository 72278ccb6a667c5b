"""The programme review through its services and pages: rounds, assessments, decisions, plans and R28."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.audit.models import AuditEvent
from barneby.care.models import Child, ChildStatus
from barneby.care.tests import factories as care
from barneby.core.tests.personas import make_persona, verified_client
from barneby.organisation import services as organisation_services
from barneby.organisation.models import Programme, ProgrammeStatus
from barneby.organisation.tests import factories as org
from barneby.programme_review import selectors, services
from barneby.programme_review.models import AlternativeProvision, Assessment, CostSource, Decision, ReviewRound

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
SCORES = {"relevance_score": 4, "results_score": 3, "cost_score": 3, "capacity_score": 2, "sustainability_score": 2}


@dataclass
class W:
    care: care.World
    national: User
    outside_programme: Programme
    me: User
    round: ReviewRound

    @property
    def programme(self) -> Programme:
        return self.care.programme

    def assessment(self, programme: Programme | None = None) -> Assessment:
        return Assessment.objects.select_related("programme", "round").get(
            round=self.round, programme=programme or self.programme
        )


@pytest.fixture
def w() -> W:
    world = care.world()
    association = world.programme.association
    national = make_persona(Role.NATIONAL_DIRECTOR, scope_kind=ScopeKind.ASSOCIATION, scope_key=str(association.pk))
    outside = org.programme(org.association(name="SOS Utenfor"))
    me = make_persona(Role.ME_ADVISOR)  # global
    review_round = services.round_open(
        actor=national, name="Gjennomgang 2026", year=2026, deadline=TODAY + dt.timedelta(days=30), run_by="Kvalitet"
    )
    return W(world, national, outside, me, review_round)


def participants(w: W) -> list[Child]:
    """A child in care in the programme's home, and a child in family strengthening."""
    placed = care.child(w.programme, w.care.caseworker, first_name="Ada")
    care.gatekeep(placed, w.care.caseworker)
    care.place(placed, w.care.home_a, w.care.caseworker, care.years_ago(1))
    at_home = care.child(w.programme, w.care.caseworker, first_name="Bo")
    Child.objects.filter(pk=at_home.pk).update(status=ChildStatus.FAMILY_STRENGTHENING)
    return [placed, at_home]


def assess(w: W, actor: User | None = None, programme: Programme | None = None) -> Assessment:
    return services.assessment_save(actor=actor or w.national, assessment=w.assessment(programme), **SCORES)


def provide(w: W, child: Child) -> AlternativeProvision:
    return services.provision_save(
        actor=w.care.caseworker,
        programme=w.programme,
        child=child,
        schooling_provider="Kommunens skole",
        health_provider="Helsestasjonen",
        starts_on=TODAY + dt.timedelta(days=90),
    )


# --- rounds and assessments -----------------------------------------------------------------------------


def test_a_round_assesses_every_programme_of_the_federation_that_is_not_closed(w: W) -> None:
    closed = org.programme(w.programme.association, status=ProgrammeStatus.CLOSED, end_date=dt.date(2024, 1, 1))
    again = services.round_open(actor=w.national, name="Ny runde", year=2027, deadline=TODAY, run_by="Kvalitet")
    covered = set(Assessment.objects.filter(round=again).values_list("programme_id", flat=True))
    assert {w.programme.pk, w.care.other_programme.pk, w.outside_programme.pk} <= covered
    assert closed.pk not in covered
    assert AuditEvent.objects.filter(object_type="programme_review.reviewround", object_id=str(again.pk)).exists()


def test_assessment_needs_all_five_scores(w: W) -> None:
    with pytest.raises(ValidationError):
        services.assessment_save(actor=w.national, assessment=w.assessment(), relevance_score=3)


def test_cost_per_participant_is_computed_from_budget_and_participants_unless_entered(w: W) -> None:
    Programme.objects.filter(pk=w.programme.pk).update(budget_nok=Decimal("1200000"))
    participants(w)
    assessment = assess(w)
    assert assessment.cost_per_participant == Decimal("600000.00")
    assert assessment.cost_source == CostSource.COMPUTED
    entered = services.assessment_save(
        actor=w.national, assessment=w.assessment(), cost_per_participant=Decimal("450000"), **SCORES
    )
    assert entered.cost_per_participant == Decimal("450000")
    assert entered.cost_source == CostSource.ENTERED


def test_cost_comes_from_the_accounts_and_the_service_returns_when_there_are_some(w: W) -> None:
    from barneby.results.models import AnnualAccounts, ServiceReturn

    Programme.objects.filter(pk=w.programme.pk).update(budget_nok=Decimal("3000000"))
    Programme.objects.filter(pk=w.care.other_programme.pk).update(budget_nok=Decimal("1000000"))
    AnnualAccounts.objects.create(
        association=w.programme.association,
        year=2026,
        programme_costs=Decimal("2000000"),
        fundraising_costs=Decimal("100000"),
        administration_costs=Decimal("100000"),
    )
    for month, count in ((1, 90), (2, 110)):
        ServiceReturn.objects.create(programme=w.programme, month=dt.date(2026, month, 1), participants=count)
    assessment = assess(w)
    # Three quarters of the association's programme costs (by budget) over 100 participants a month.
    assert assessment.cost_per_participant == Decimal("15000.00")
    assert assessment.cost_source == CostSource.COMPUTED
    assert "årsregnskapet 2026" in assessment.cost_basis
    assert "tjenesterapportene 2026" in assessment.cost_basis


def test_cost_is_left_to_the_assessor_without_budget_or_participants(w: W) -> None:
    assessment = assess(w, programme=w.care.other_programme)
    assert assessment.cost_per_participant is None
    assert assessment.cost_source == ""


# --- decisions and the programme's status ---------------------------------------------------------------


def test_a_decision_needs_an_assessment_first(w: W) -> None:
    with pytest.raises(ValidationError):
        services.assessment_decide(
            actor=w.national, assessment=w.assessment(), decision=Decision.CONTINUE, decision_reason="Bra."
        )


def test_phase_out_sets_the_status_through_the_register_and_is_audited(w: W) -> None:
    assess(w)
    services.assessment_decide(
        actor=w.national,
        assessment=w.assessment(),
        decision=Decision.PHASE_OUT,
        decision_reason="Kommunen tar over.",
        effective_on=TODAY + dt.timedelta(days=180),
    )
    w.programme.refresh_from_db()
    assert w.programme.status == ProgrammeStatus.PHASING_OUT
    event = AuditEvent.objects.get(object_type="organisation.programme", object_id=str(w.programme.pk))
    assert "status: active → phasing_out" in event.detail
    assert "Gjennomgang 2026" in event.detail


def test_only_a_national_director_phases_out_or_hands_over(w: W) -> None:
    assess(w, actor=w.care.director)
    for decision in (Decision.PHASE_OUT, Decision.HAND_OVER_AUTHORITIES):
        with pytest.raises(PermissionDenied):
            services.assessment_decide(
                actor=w.care.director,
                assessment=w.assessment(),
                decision=decision,
                decision_reason="Nei.",
                receiving_party="Kommunen",
                effective_on=TODAY,
            )
    services.assessment_decide(
        actor=w.care.director, assessment=w.assessment(), decision=Decision.ADAPT, decision_reason="Flere familier."
    )
    w.programme.refresh_from_db()
    assert w.programme.status == ProgrammeStatus.ACTIVE


def test_hand_over_names_the_receiving_party(w: W) -> None:
    assess(w)
    with pytest.raises(ValidationError) as caught:
        services.assessment_decide(
            actor=w.national,
            assessment=w.assessment(),
            decision=Decision.HAND_OVER_OTHER,
            decision_reason="En lokal aktør tar over.",
            effective_on=TODAY,
        )
    assert "receiving_party" in caught.value.message_dict
    services.assessment_decide(
        actor=w.national,
        assessment=w.assessment(),
        decision=Decision.HAND_OVER_OTHER,
        decision_reason="En lokal aktør tar over.",
        receiving_party="Stiftelsen Lokal",
        effective_on=TODAY,
    )
    w.programme.refresh_from_db()
    assert w.programme.status == ProgrammeStatus.HANDED_OVER


# --- R28 --------------------------------------------------------------------------------------------------


def test_r28_is_raised_by_a_hand_over_and_clears_when_every_participant_has_a_provider(w: W) -> None:
    kids = participants(w)
    # A child of another programme living in one of this programme's homes takes part too.
    lodger = care.child(w.care.other_programme, w.care.director, first_name="Cy")
    care.gatekeep(lodger, w.care.director)
    care.place(lodger, w.care.home_b, w.care.director, care.years_ago(1))
    assert selectors.r28_finding(w.programme) is None  # active: no alert
    assess(w)
    services.assessment_decide(
        actor=w.national,
        assessment=w.assessment(),
        decision=Decision.HAND_OVER_AUTHORITIES,
        decision_reason="Myndighetene tar over.",
        receiving_party="Bergen kommune",
        effective_on=TODAY,
    )
    w.programme.refresh_from_db()
    finding = selectors.r28_finding(w.programme)
    assert finding is not None
    assert set(finding.missing) == {kids[0].pk, kids[1].pk, lodger.pk}
    provide(w, kids[0])
    provide(w, kids[1])
    finding = selectors.r28_finding(w.programme)
    assert finding is not None
    assert finding.missing == (lodger.pk,)
    services.provision_save(
        actor=w.national,
        programme=w.programme,
        child=lodger,
        schooling_provider="Skolen",
        health_provider="Fastlegen",
        starts_on=TODAY,
    )
    assert selectors.r28_finding(w.programme) is None


def test_r28_also_follows_a_status_set_in_the_register_and_a_child_who_leaves(w: W) -> None:
    kids = participants(w)
    organisation_services.programme_update(actor=w.national, programme=w.programme, status=ProgrammeStatus.PHASING_OUT)
    finding = selectors.r28_finding(w.programme)
    assert finding is not None
    assert finding.participants == 2
    provide(w, kids[0])
    Child.objects.filter(pk=kids[1].pk).update(status=ChildStatus.LEFT)
    assert selectors.r28_finding(w.programme) is None


def test_a_provision_is_only_for_a_participant_of_the_programme(w: W) -> None:
    elsewhere = care.child(w.care.other_programme, w.care.director)
    with pytest.raises(ValidationError):
        provide(w, elsewhere)


def test_a_provision_needs_both_providers(w: W) -> None:
    kid = participants(w)[0]
    with pytest.raises(ValidationError):
        services.provision_save(
            actor=w.national,
            programme=w.programme,
            child=kid,
            schooling_provider="Skolen",
            health_provider=" ",
            starts_on=TODAY,
        )


# --- pages ------------------------------------------------------------------------------------------------


def _phase_out(w: W) -> list[Child]:
    kids = participants(w)
    assess(w)
    services.assessment_decide(
        actor=w.national,
        assessment=w.assessment(),
        decision=Decision.PHASE_OUT,
        decision_reason="Fases ut.",
        effective_on=TODAY + dt.timedelta(days=60),
    )
    return kids


def test_the_plan_page_shows_r28_until_every_participant_has_a_provider(w: W) -> None:
    kids = _phase_out(w)
    client = verified_client(w.care.caseworker)
    url = f"/programgjennomgang/program/{w.programme.pk}/plan/"
    html = client.get(url).content.decode()
    assert 'data-rule="R28"' in html
    assert "2 av 2 deltakere mangler" in html
    assert "Ada Testesen" in html
    assert "Bo Testesen" in html
    assert AuditEvent.objects.filter(action="view", object_type="care.child", object_id=str(kids[0].pk)).exists()
    for kid in kids:
        response = client.post(
            f"/programgjennomgang/plan/barn/{kid.pk}/?program={w.programme.pk}",
            {
                "schooling_provider": "Skolen",
                "health_provider": "Helsestasjonen",
                "starts_on": TODAY.strftime("%d.%m.%Y"),
            },
        )
        assert response.status_code == 302
    html = client.get(url).content.decode()
    assert 'data-rule="R28"' not in html
    assert "Alle deltakerne har et alternativt skole- og helsetilbud registrert." in html


def test_the_assessment_shows_results_against_targets_with_their_definitions(w: W) -> None:
    from barneby.results.indicators import programme_results
    from barneby.results.models import Target

    code = programme_results(w.programme, 2026)[0].code
    Target.objects.create(code=code, unit=f"programme:{w.programme.pk}", period="2026", value=Decimal("80"))
    html = verified_client(w.me).get(f"/programgjennomgang/vurdering/{w.assessment().pk}/").content.decode()
    assert 'data-testid="results"' in html
    assert code in html
    assert "80" in html
    assert "Definisjon" in html


def test_me_advisors_read_the_review_but_never_the_named_plan(w: W) -> None:
    _phase_out(w)
    client = verified_client(w.me)
    assessment = w.assessment()
    html = client.get(f"/programgjennomgang/vurdering/{assessment.pk}/").content.decode()
    assert "0 av 2 deltakere har et alternativt skole- og helsetilbud registrert." in html
    assert "Ada" not in html
    assert "/plan/" not in html
    assert client.get(f"/programgjennomgang/program/{w.programme.pk}/plan/").status_code == 403
    assert client.get(f"/programgjennomgang/vurdering/{assessment.pk}/vurder/").status_code == 403


def test_a_programme_director_is_refused_a_phase_out_on_the_form(w: W) -> None:
    assess(w, actor=w.care.director)
    client = verified_client(w.care.director)
    offered = client.get(f"/programgjennomgang/vurdering/{w.assessment().pk}/beslutning/").content.decode()
    assert 'value="adapt"' in offered
    assert 'value="phase_out"' not in offered
    assert 'value="hand_over_authorities"' not in offered
    response = client.post(
        f"/programgjennomgang/vurdering/{w.assessment().pk}/beslutning/",
        {"decision": "phase_out", "decision_reason": "Nei", "effective_on": TODAY.strftime("%d.%m.%Y")},
    )
    assert response.status_code == 400
    assert "Bare nasjonal leder" in response.content.decode()
    w.programme.refresh_from_db()
    assert w.programme.status == ProgrammeStatus.ACTIVE


def test_round_dashboard_counts_progress_per_association_in_the_users_scope(w: W) -> None:
    assess(w)
    services.assessment_decide(
        actor=w.national, assessment=w.assessment(), decision=Decision.CONTINUE, decision_reason="Bra."
    )
    assess(w, programme=w.care.other_programme)
    url = f"/programgjennomgang/runde/{w.round.pk}/"
    html = verified_client(w.national).get(url).content.decode()
    assert w.programme.association.name in html
    assert "SOS Utenfor" not in html
    assert "2 av 2 programmer vurdert, 1 besluttet." in html
    rows = selectors.round_progress(user=w.me, round=w.round)
    assert {r.name for r in rows} >= {w.programme.association.name, "SOS Utenfor"}
    mine = next(r for r in rows if r.association_id == w.programme.association_id)
    assert (mine.total, mine.assessed, mine.decided, mine.by_decision["continue"]) == (2, 2, 1, 1)


def test_round_dashboard_paginates_associations_and_has_empty_states(w: W) -> None:
    for n in range(26):
        org.programme(org.association(name=f"SOS Land {n:02d}"))
    big = services.round_open(actor=w.national, name="Stor runde", year=2027, deadline=TODAY, run_by="Kvalitet")
    client = verified_client(w.me)
    first = client.get(f"/programgjennomgang/runde/{big.pk}/").content.decode()
    assert "Side 1 av 2" in first
    second = client.get(f"/programgjennomgang/runde/{big.pk}/?page=2").content.decode()
    assert "Side 2 av 2" in second
    empty = make_persona(Role.ME_ADVISOR, scope_kind=ScopeKind.PROGRAMME, scope_key="999999")
    html = verified_client(empty).get(f"/programgjennomgang/runde/{big.pk}/").content.decode()
    assert "Ingen programmer du har tilgang til er med i denne runden." in html
    ReviewRound.objects.all().delete()
    assert "Ingen gjennomgangsrunder ennå." in client.get("/programgjennomgang/").content.decode()


def test_round_programmes_filters_by_state_and_decision(w: W) -> None:
    assess(w)
    services.assessment_decide(
        actor=w.national, assessment=w.assessment(), decision=Decision.ADAPT, decision_reason="Tilpasses."
    )
    client = verified_client(w.national)
    base = f"/programgjennomgang/runde/{w.round.pk}/programmer/"
    decided = client.get(base + "?state=decided").content.decode()
    assert w.programme.name in decided
    assert w.care.other_programme.name not in decided
    waiting = client.get(base + "?state=not_started").content.decode()
    assert w.care.other_programme.name in waiting
    assert w.programme.name not in waiting
    assert w.programme.name in client.get(base + "?decision=adapt").content.decode()


def test_a_national_director_opens_a_round_on_the_page(w: W) -> None:
    client = verified_client(w.national)
    response = client.post(
        "/programgjennomgang/ny/",
        {"name": "Gjennomgang 2027", "year": "2027", "deadline": "31.12.2027", "run_by": "Programkvalitet"},
    )
    assert response.status_code == 302
    created = ReviewRound.objects.get(name="Gjennomgang 2027")
    assert created.assessments.count() >= 3
    assert verified_client(w.care.director).get("/programgjennomgang/ny/").status_code == 403


def test_the_start_page_shows_r28_to_directors(w: W) -> None:
    _phase_out(w)
    html = verified_client(w.national).get("/ansatt/").content.decode()
    assert 'data-panel="r28"' in html
    assert w.programme.name in html
    html = verified_client(w.care.director).get("/ansatt/").content.decode()
    assert "2 av 2 mangler tilbud" in html
