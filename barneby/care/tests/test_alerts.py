"""Each rule raises its alert through the real services and clears it when the cause is fixed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from barneby.care import alerts, services
from barneby.care.models import Alert, Child, Decision, Gatekeeping, PlacementType, PlanReview
from barneby.care.rules import LEGACY_NOT_HEARD, LEGACY_REVIEW_NOT_HEARD
from barneby.care.tests import factories as f
from barneby.care.tests.factories import TODAY, years_ago
from barneby.organisation.models import Home

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def keys(child_id: int) -> set[str]:
    return set(Alert.objects.filter(child_id=child_id).values_list("key", flat=True))


def rules_of(child_id: int) -> set[str]:
    return set(Alert.objects.filter(child_id=child_id).values_list("rule", flat=True))


@pytest.fixture
def w() -> f.World:
    return f.world()


def placed(w: f.World, start: dt.date, home: Home | None = None, **kw: Any) -> Child:
    kid = f.child(w.programme, w.caseworker, **kw)
    f.gatekeep(kid, w.caseworker)
    f.place(kid, home or w.home_a, w.caseworker, start)
    services.review_save(
        actor=w.caseworker, child=kid, reviewed_on=TODAY, summary="Går bra.", child_took_part=True, child_views="Fint."
    )
    kid.refresh_from_db()
    return kid


def siblings(w: f.World, a: Child, b: Child, bond: bool = True) -> None:
    services.sibling_link(actor=w.caseworker, child=a, other=b, kind="full", existing_bond=bond)


def separation(**kw: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": "sibling_separation",
        "separation_reason": "no_home",
        "relationship_assessment": "Nære søsken som savner hverandre.",
        "contact_plan": "Samvær annenhver helg.",
        "reassess_on": TODAY + dt.timedelta(days=180),
        **kw,
    }
    return f.decision(**fields)


def test_r3_split_without_justification_is_raised_for_both_and_cleared_by_a_separation_decision(w: f.World) -> None:
    a = placed(w, TODAY - 30 * DAY)
    b = placed(w, TODAY - 30 * DAY, home=w.home_b)
    siblings(w, a, b)
    assert "R3" in rules_of(a.pk)
    assert "R3" in rules_of(b.pk)
    services.decision_record(actor=w.caseworker, child=a, **separation())
    assert "R3" not in rules_of(a.pk) | rules_of(b.pk)
    assert "R4" not in rules_of(a.pk)


def test_r3_ignores_siblings_without_an_existing_bond_and_siblings_living_together(w: f.World) -> None:
    a = placed(w, TODAY - 30 * DAY)
    b = placed(w, TODAY - 30 * DAY, home=w.home_b)
    c = placed(w, TODAY - 30 * DAY)
    siblings(w, a, b, bond=False)
    siblings(w, a, c)
    assert "R3" not in rules_of(a.pk) | rules_of(b.pk) | rules_of(c.pk)


def test_r4_overdue_reassessment_is_raised_and_cleared_by_a_new_date(w: f.World) -> None:
    a = placed(w, TODAY - 300 * DAY)
    b = placed(w, TODAY - 300 * DAY, home=w.home_b)
    siblings(w, a, b)
    decision = services.decision_record(
        actor=w.caseworker,
        child=a,
        **separation(decided_on=TODAY - 290 * DAY, reassess_on=TODAY - 100 * DAY),
    )
    assert f"R4:{b.pk}:overdue" in keys(a.pk)
    assert "R3" not in rules_of(a.pk)
    services.decision_update(
        actor=w.caseworker,
        decision=decision,
        **dict(separation(decided_on=TODAY - 290 * DAY, reassess_on=TODAY + 90 * DAY).items()),
    )
    assert "R4" not in rules_of(a.pk)


def test_r4_missing_contact_plan_from_imported_data(w: f.World) -> None:
    a = placed(w, TODAY - 30 * DAY)
    b = placed(w, TODAY - 30 * DAY, home=w.home_b)
    siblings(w, a, b)
    decision = services.decision_record(actor=w.caseworker, child=a, **separation())
    Decision.objects.filter(pk=decision.pk).update(contact_plan="")  # as an import might leave it
    alerts.refresh([a.pk])
    assert f"R4:{b.pk}:contact" in keys(a.pk)
    decision.refresh_from_db()
    services.decision_update(actor=w.caseworker, decision=decision, contact_plan="Telefon hver uke.")
    assert "R4" not in rules_of(a.pk)


def test_r5_no_review_for_three_months_is_raised_and_cleared_by_a_review(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 120 * DAY)
    assert "R5" in rules_of(kid.pk)
    services.review_save(
        actor=w.caseworker, child=kid, reviewed_on=TODAY, summary="Gjennomgått.", child_took_part=True, child_views="Ok"
    )
    assert "R5" not in rules_of(kid.pk)


def test_r5_counts_from_the_start_of_the_stay_not_the_last_move(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 120 * DAY)
    f.place(kid, w.home_b, w.caseworker, TODAY - 10 * DAY)
    assert "R5" in rules_of(kid.pk)


def test_r7_emergency_placement_beyond_the_limit_is_raised_and_cleared_by_a_permanency_decision(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 100 * DAY, type=PlacementType.EMERGENCY, is_emergency=True)
    assert "R7" in rules_of(kid.pk)
    services.decision_record(actor=w.caseworker, child=kid, **f.decision(kind="placement"))
    assert "R7" not in rules_of(kid.pk)


def test_r12_nearly_18_without_aftercare_assessment_is_raised_and_cleared(w: f.World) -> None:
    kid = placed(w, TODAY - 400 * DAY, birth_date=years_ago(18) + dt.timedelta(days=60))
    assert "R12" in rules_of(kid.pk)
    services.aftercare_save(actor=w.caseworker, child=kid, assessed_on=TODAY, plan="Egen leilighet.")
    assert "R12" not in rules_of(kid.pk)


def test_r14_declined_aftercare_not_recontacted_within_a_year(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, birth_date=years_ago(20))
    services.aftercare_save(
        actor=w.caseworker,
        child=kid,
        assessed_on=TODAY - 500 * DAY,
        offered_on=TODAY - 450 * DAY,
        response="declined",
        responded_on=TODAY - 400 * DAY,
        decline_reason="Vil klare seg selv.",
    )
    assert "R14" in rules_of(kid.pk)
    services.aftercare_save(actor=w.caseworker, child=kid, recontacted_on=TODAY)
    assert "R14" not in rules_of(kid.pk)


def legacy_unheard(kid: Child, actor: Any) -> Decision:
    """A decision saved before R16 was enforced, as migration 0004 left it (only the marker as a reason)."""
    decision = services.decision_record(actor=actor, child=kid, **f.decision(kind="admission"))
    Decision.objects.filter(pk=decision.pk).update(child_views="", heard_how="", not_heard_reason=LEGACY_NOT_HEARD)
    alerts.refresh([kid.pk])
    decision.refresh_from_db()
    return decision


def test_r16_a_decision_without_the_childs_voice_cannot_be_saved(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, birth_date=years_ago(9))
    with pytest.raises(ValidationError) as refused:
        services.decision_record(
            actor=w.caseworker, child=kid, **f.decision(kind="admission", child_views="  ", heard_how="")
        )
    assert "child_views" in refused.value.message_dict
    assert not Decision.objects.filter(child=kid).exists()


def test_r16_legacy_decision_without_the_childs_voice_is_raised_and_cleared(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, birth_date=years_ago(9))
    decision = legacy_unheard(kid, w.caseworker)
    assert f"R16:decision:{decision.pk}" in keys(kid.pk)
    services.decision_update(actor=w.caseworker, decision=decision, child_views="Vil bli hos bestemor.")
    assert "R16" not in rules_of(kid.pk)


def test_r16_does_not_apply_below_the_age_limit(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, birth_date=years_ago(4))
    legacy_unheard(kid, w.caseworker)
    assert "R16" not in rules_of(kid.pk)


def test_r16_review_without_the_childs_voice(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, birth_date=years_ago(12))
    with pytest.raises(ValidationError):  # R16 is enforced on save
        services.review_save(actor=w.caseworker, child=kid, reviewed_on=TODAY, summary="Kort møte.")
    review = services.review_save(
        actor=w.caseworker, child=kid, reviewed_on=TODAY, summary="Kort møte.", child_views="Ok"
    )
    # As migration 0005 left a review saved before R16 was enforced.
    PlanReview.objects.filter(pk=review.pk).update(child_views="", not_heard_reason=LEGACY_REVIEW_NOT_HEARD)
    alerts.refresh([kid.pk])
    review.refresh_from_db()
    assert f"R16:review:{review.pk}" in keys(kid.pk)
    services.review_save(actor=w.caseworker, child=kid, review=review, not_heard_reason="Barnet var syk.")
    assert "R16" not in rules_of(kid.pk)


def test_r18_child_under_three_in_an_institution_is_raised_and_cleared_by_a_family_placement(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, birth_date=years_ago(2))
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 30 * DAY, type=PlacementType.INSTITUTION)
    assert "R18" in rules_of(kid.pk)
    f.place(kid, w.home_b, w.caseworker, TODAY, type=PlacementType.FOSTER)
    assert "R18" not in rules_of(kid.pk)


def test_r19_two_moves_in_twelve_months_is_raised_and_clears_when_they_age_out_of_the_window(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 200 * DAY)
    f.place(kid, w.home_b, w.caseworker, TODAY - 100 * DAY)
    f.place(kid, w.home_a, w.caseworker, TODAY - 50 * DAY)
    assert "R19:moves" in keys(kid.pk)
    alerts.refresh([kid.pk], today=TODAY + 320 * DAY)
    assert "R19:moves" not in keys(kid.pk)


def test_r19_unprepared_move(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 200 * DAY)
    moved = f.place(kid, w.home_b, w.caseworker, TODAY - 20 * DAY, child_prepared=False)
    assert f"R19:unprepared:{moved.pk}" in keys(kid.pk)
    alerts.refresh([kid.pk], today=TODAY + 400 * DAY)
    assert "R19" not in rules_of(kid.pk)


def test_r20_poverty_alone_is_refused_and_an_imported_one_is_flagged_until_reassessed(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    with pytest.raises(Exception, match="Fattigdom"):
        f.gatekeep(kid, w.caseworker, reasons=["poverty"])
    assert not Gatekeeping.objects.filter(child=kid).exists()
    Gatekeeping.objects.create(  # an imported record that the service would have refused
        child=kid,
        assessed_on=TODAY - 10 * DAY,
        reasons=["poverty"],
        necessity="Familien har ikke råd.",
        suitability="Ledig plass.",
        outcome="alternative_care",
        recorded_by=w.caseworker,
    )
    f.place(kid, w.home_a, w.caseworker, TODAY - 5 * DAY)
    assert "R20" in rules_of(kid.pk)
    f.gatekeep(kid, w.caseworker, on=TODAY, reasons=["neglect", "poverty"])
    assert "R20" not in rules_of(kid.pk)


def test_r21_emergency_admission_without_gatekeeping_after_the_grace_period(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 100 * DAY, type=PlacementType.EMERGENCY, is_emergency=True)
    assert "R21" in rules_of(kid.pk)
    f.gatekeep(kid, w.caseworker, on=TODAY)
    assert "R21" not in rules_of(kid.pk)


def test_r21_a_recent_emergency_admission_is_not_yet_flagged(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 3 * DAY, type=PlacementType.EMERGENCY, is_emergency=True)
    assert "R21" not in rules_of(kid.pk)


def test_r22_unaccompanied_minor_not_settled_is_raised_and_cleared_by_settlement(w: f.World) -> None:
    kid = f.child(
        w.programme,
        w.caseworker,
        birth_date=years_ago(15),
        is_unaccompanied=True,
        arrival_date=TODAY - 300 * DAY,
        residence_decision_date=TODAY - 120 * DAY,
    )
    assert "R22" in rules_of(kid.pk)
    services.child_update(actor=w.caseworker, child=kid, settlement_date=TODAY - 2 * DAY)
    assert "R22" not in rules_of(kid.pk)


def test_r27_leaving_care_without_plan_and_support_person_is_raised_and_cleared(w: f.World) -> None:
    kid = placed(w, TODAY - 900 * DAY, birth_date=years_ago(18, days=20))
    placement = kid.placements.get()
    services.aftercare_save(actor=w.caseworker, child=kid, assessed_on=TODAY - 200 * DAY)
    services.placement_end(
        actor=w.caseworker, placement=placement, end_date=TODAY - 5 * DAY, end_reason="aged_out", decision=f.decision()
    )
    assert "R27:plan" in keys(kid.pk)
    services.aftercare_save(
        actor=w.caseworker,
        child=kid,
        plan="Hybel nær skolen, oppfølging hver uke.",
        support_person="Kari Nordmann",
    )
    assert "R27" not in rules_of(kid.pk)


def test_r27_follow_up_six_months_after_leaving(w: f.World) -> None:
    kid = placed(w, TODAY - 900 * DAY, birth_date=years_ago(19))
    placement = kid.placements.get()
    services.aftercare_save(
        actor=w.caseworker,
        child=kid,
        assessed_on=TODAY - 300 * DAY,
        plan="Egen leilighet.",
        support_person="Per Hansen",
    )
    services.placement_end(
        actor=w.caseworker,
        placement=placement,
        end_date=TODAY - 240 * DAY,
        end_reason="aged_out",
        decision=f.decision(decided_on=TODAY - 240 * DAY),
    )
    assert "R27:follow-up:6" in keys(kid.pk)
    services.follow_up_record(
        actor=w.caseworker,
        child=kid,
        kind="aftercare",
        visited_on=TODAY - 60 * DAY,
        notes="Trives i egen bolig.",
    )
    assert "R27" not in rules_of(kid.pk)


def test_refresh_all_rebuilds_the_table_and_reports_counts(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 120 * DAY)
    Alert.objects.all().delete()
    result = alerts.refresh_all()
    assert result.children == 1
    assert result.raised >= 1
    assert "R5" in rules_of(kid.pk)
    again = alerts.refresh_all()
    assert again.raised == 0
    assert again.cleared == 0


def test_alert_messages_and_links_render_for_every_rule(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    for finding_key, rule, params in [
        ("R3:1", "R3", {"sibling": "Ola", "sibling_id": 1}),
        ("R4:1:contact", "R4", {"sibling": "Ola", "missing": "contact"}),
        ("R4:1:overdue", "R4", {"sibling": "Ola", "missing": "overdue", "due": "2026-01-31"}),
        ("R5", "R5", {"since": "2026-01-31", "days": 92}),
        ("R16:decision:5", "R16", {"decision_id": 5}),
        ("R16:review:5", "R16", {"review_id": 5}),
        ("R19:moves", "R19", {"moves": 3}),
        ("R27:follow-up:6", "R27", {"months": 6, "due": "2026-01-31"}),
        ("R22", "R22", {"decided_on": "2026-01-31"}),
    ]:
        alert = Alert(child=kid, rule=rule, key=finding_key, severity="high", params=params)
        assert alerts.message(alert)
        assert alerts.fix_url(alert).startswith("/omsorg/")
    overdue = Alert(
        child=kid,
        rule="R4",
        key="R4:1:overdue",
        severity="medium",
        params={"sibling": "Ola", "missing": "overdue", "due": "2026-01-31"},
    )
    assert "31.01.2026" in alerts.message(overdue)


def test_the_nightly_command_and_task(w: f.World) -> None:
    import io

    from django.core.management import call_command

    from barneby.care.tasks import evaluate_care_rules

    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 120 * DAY)
    Alert.objects.all().delete()
    out = io.StringIO()
    call_command("evaluate_care_rules", verbosity=0, stdout=out)
    assert "1 children" in out.getvalue()
    assert "R5" in rules_of(kid.pk)
    Alert.objects.all().delete()
    result = evaluate_care_rules.enqueue()
    assert result.return_value == {"children": 1, "raised": len(keys(kid.pk)), "cleared": 0}
    out = io.StringIO()
    call_command("evaluate_care_rules", "--enqueue", stdout=out)
    assert out.getvalue().startswith("queued:")


def test_aftercare_closes_at_25(w: f.World) -> None:
    young = f.child(w.programme, w.caseworker, birth_date=years_ago(24))
    old = f.child(w.programme, w.caseworker, birth_date=years_ago(25, days=3))
    for kid in (young, old):
        services.aftercare_save(
            actor=w.caseworker, child=kid, assessed_on=TODAY - 400 * DAY, plan="Bolig", support_person="Kari"
        )
    assert services.close_aftercare_at_end_age() == 1
    old.aftercare.refresh_from_db()
    young.aftercare.refresh_from_db()
    assert old.aftercare.closed_on == years_ago(25, days=3).replace(year=years_ago(25, days=3).year + 25)
    assert young.aftercare.closed_on is None
    assert services.close_aftercare_at_end_age() == 0
