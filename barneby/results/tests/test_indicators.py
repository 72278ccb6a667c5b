"""Each indicator against the hand-computed world of ``fixtures``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from barneby.accounts.roles import Role
from barneby.core.tests.personas import make_persona
from barneby.results import indicators
from barneby.results.indicators import compute, compute_all, programme_results
from barneby.results.models import Target
from barneby.results.periods import OrgUnit, Period
from barneby.results.tests import fixtures

pytestmark = pytest.mark.django_db
YEAR = Period.year(2025)
TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def hand() -> fixtures.Hand:
    return fixtures.build(make_persona(Role.CASEWORKER))


def test_every_indicator_equals_the_hand_value_for_programme_one(hand: fixtures.Hand) -> None:
    unit = OrgUnit("programme", str(hand.p1.pk))
    got = {r.code: r.value for r in compute_all(unit, YEAR, today=TODAY)}
    assert got == fixtures.EXPECTED_P1


def test_siblings_across_two_programmes(hand: fixtures.Hand) -> None:
    p2 = OrgUnit("programme", str(hand.p2.pk))
    both = OrgUnit("association", str(hand.association.pk))
    # B lives apart from A, who is in the other programme.
    assert compute("I11", unit=p2, period=YEAR, today=TODAY).value == Decimal("0.0")
    # The association: A no, B no, C yes, D yes.
    i11 = compute("I11", unit=both, period=YEAR, today=TODAY)
    assert (i11.numerator, i11.denominator, i11.value) == (2, 4, Decimal("50.0"))
    # The split pair is counted once for the association, and found justified from B's side too.
    i12 = compute("I12", unit=both, period=YEAR, today=TODAY)
    assert (i12.numerator, i12.denominator) == (1, 1)
    assert compute("I12", unit=p2, period=YEAR, today=TODAY).value == Decimal("100.0")


def test_municipality_unit_is_the_partnered_programme(hand: fixtures.Hand) -> None:
    bergen = OrgUnit("municipality", "4601")
    assert compute("I32A", unit=bergen, period=YEAR, today=TODAY).value == Decimal("3")
    assert compute("I32B", unit=bergen, period=YEAR, today=TODAY).value == Decimal("2")


def test_sos_families_and_foster_care_together_are_every_child_in_care(hand: fixtures.Hand) -> None:
    both = OrgUnit("association", str(hand.association.pk))
    got = {r.code: r for r in compute_all(both, YEAR, codes=["I32A", "I32B", "I16"], today=TODAY)}
    # A, C, D in SOS families; B (foster home, P2), F (foster home), H (institution) in foster and transit care.
    assert (got["I32A"].value, got["I32B"].value) == (Decimal("3"), Decimal("3"))
    assert got["I32A"].numerator + got["I32B"].numerator == got["I16"].denominator == 6


def test_planned_sibling_contacts_pro_rata_and_rounded_half_up() -> None:
    assert indicators.planned_contacts(2, "month", 306) == 20  # 20.12
    assert indicators.planned_contacts(2, "month", 184) == 12  # 12.10
    assert indicators.planned_contacts(1, "month", 15) == 0  # 0.49: nothing due yet
    assert indicators.planned_contacts(1, "month", 16) == 1  # 0.53
    assert indicators.planned_contacts(1, "week", 365) == 52  # 52.14
    assert indicators.planned_contacts(3, "quarter", 365) == 12
    assert indicators.planned_contacts(1, "year", 182) == 0  # 0.4986
    assert indicators.planned_contacts(1, "year", 183) == 1  # 0.5014


def test_sibling_contact_siblings_split_across_two_programmes(hand: fixtures.Hand) -> None:
    p1 = OrgUnit("programme", str(hand.p1.pk))
    p2 = OrgUnit("programme", str(hand.p2.pk))
    both = OrgUnit("association", str(hand.association.pk))
    # A (P1): 19 of 20 planned contacts, one short. B (P2, plan from 01.07): 12 of 12, counting the contacts
    # logged in A's case file in the other programme and the one logged in both files once.
    assert _fraction("I13", p1, YEAR) == (0, 1)
    assert _fraction("I13", p2, YEAR) == (1, 1)
    i13 = compute("I13", unit=both, period=YEAR, disaggregate_by=["sex", "programme_type"], today=TODAY)
    assert (i13.numerator, i13.denominator, i13.value) == (1, 2, Decimal("50.0"))
    by_sex = {k: (f.numerator, f.denominator) for k, f in i13.breakdown["sex"].items()}
    assert by_sex == {"female": (0, 1), "male": (1, 1)}
    # The second quarter: A's plan in force 91 days, 2 x 91 / (365/12) = 5.98 → 6 planned, 5 logged; B has no plan.
    assert _fraction("I13", both, Period.quarter(2025, 2)) == (0, 1)
    # The third quarter: 92 days, 6.05 → 6 planned for each; 6 contacts between them.
    assert _fraction("I13", both, Period.quarter(2025, 3)) == (2, 2)
    assert "365/12" in i13.definition


def test_a_newer_contact_plan_replaces_the_older_one(hand: fixtures.Hand) -> None:
    from barneby.care.models import ContactInterval, Decision

    first = Decision.objects.get(child=hand.children["A"], kind="sibling_separation")
    newer = Decision.objects.get(pk=first.pk)
    newer.pk, newer.decided_on, newer.contact_times, newer.contact_per = None, dt.date(2025, 11, 1), 1, "month"
    newer.save()
    assert newer.contact_per == ContactInterval.MONTH
    # The first plan is in force 01.03-31.10 (245 days: 2 x 245 / (365/12) = 16.11 → 16 planned, 15 logged: short);
    # the newer one 01.11-31.12 (61 days: 2.01 → 2 planned; 10.11, 25.11, 10.12, 22.12 logged: met).
    assert _fraction("I13", OrgUnit("programme", str(hand.p1.pk)), YEAR) == (1, 2)


def _fraction(code: str, unit: OrgUnit, period: Period) -> tuple[int, int | None]:
    result = compute(code, unit=unit, period=period, today=TODAY)
    return result.numerator, result.denominator


def test_month_and_quarter_periods(hand: fixtures.Hand) -> None:
    p1 = OrgUnit("programme", str(hand.p1.pk))
    april = compute("I30", unit=p1, period=Period.month(2025, 4), today=TODAY)
    assert (april.numerator, april.denominator) == (1, 1)  # U1, settled on day 91
    q3 = compute("I19", unit=p1, period=Period.quarter(2025, 3), today=TODAY)
    # In care on 01.07: A, C, D, F, G; G reunified 15.07.
    assert (q3.numerator, q3.denominator) == (1, 5)


def test_disaggregation_by_sex_and_age_band(hand: fixtures.Hand) -> None:
    p1 = OrgUnit("programme", str(hand.p1.pk))
    result = compute("I14", unit=p1, period=YEAR, disaggregate_by=["sex", "age_band", "disability"], today=TODAY)
    by_sex = {k: (f.numerator, f.denominator) for k, f in result.breakdown["sex"].items()}
    # Girls A, C, H all stable; boys D stable, F not.
    assert by_sex == {"female": (3, 3), "male": (1, 2)}
    ages = {k: f.denominator for k, f in result.breakdown["age_band"].items()}
    assert ages == {"0–5": 1, "6–12": 3, "13–17": 1}
    assert {k: f.denominator for k, f in result.breakdown["disability"].items()} == {"no": 5}


def test_programme_results_carries_targets(hand: fixtures.Hand) -> None:
    Target.objects.create(code="I11", unit=f"programme:{hand.p1.pk}", period="2025", value=Decimal("80"))
    Target.objects.create(code="I14", unit=f"association:{hand.association.pk}", period="2025", value=Decimal("75"))
    results = {r.code: r for r in programme_results(hand.p1, 2025)}
    assert set(results) == set(indicators.INDICATORS)
    assert results["I11"].target == Decimal("80")
    assert results["I11"].met is False
    assert results["I14"].target == Decimal("75")
    assert results["I6"].target is None
    assert results["I11"].definition
    assert results["I11"].name


def test_caregiver_follow_up_this_year_and_last(hand: fixtures.Hand) -> None:
    bergen = OrgUnit("municipality", "4601")
    this = {r.code: r for r in compute_all(bergen, YEAR, codes=["I33T", "I33N", "I33U"], today=TODAY)}
    assert [(this[c].numerator, this[c].denominator) for c in ("I33T", "I33N", "I33U")] == [(2, 4), (1, 4), (1, 2)]
    # 2024, counted on 31.12.2024: Ka (course 01.03.2024) and Kc (to 01.06.2025, beyond 90 days) valid;
    # Kb's and Kd's courses came later.
    last = {r.code: r for r in compute_all(bergen, Period.year(2024), codes=["I33T", "I33N", "I33U"], today=TODAY)}
    assert [(last[c].numerator, last[c].denominator) for c in ("I33T", "I33N", "I33U")] == [(2, 4), (1, 4), (0, 2)]
    # One indicator alone loads the caregivers too; the other programme's caregiver is its own.
    p2 = compute("I33T", unit=OrgUnit("programme", str(hand.p2.pk)), period=YEAR, today=TODAY)
    assert (p2.numerator, p2.denominator) == (1, 1)
    assert "minst én opplæring" in this["I33T"].definition


def test_loading_by_programme_gives_the_facts_the_care_rules_load_by_child(hand: fixtures.Hand) -> None:
    """One programme's children by programme equal the same children by id (siblings in the other programme too)."""
    from dataclasses import replace

    from barneby.care.alerts import load_facts
    from barneby.care.models import Child
    from barneby.results.loading import facts_for_programmes

    rows = Child.objects.filter(programme=hand.p1).values_list(
        "id", "birth_date", "status", "is_unaccompanied", "residence_decision_date", "settlement_date"
    )
    children = {pk: rest for pk, *rest in rows}
    by_programme = facts_for_programmes([hand.p1.pk], children)  # type: ignore[arg-type]
    by_child = load_facts(children)
    assert set(by_programme) == set(children)
    assert any(sibling.first_name for facts in by_child.values() for sibling in facts.siblings)

    # The indicators need no sibling names; everything else is the same (rows in whatever order the database
    # returns them, which may differ between the two queries).
    def canon(facts: Any) -> Any:
        rows = {name: tuple(sorted(getattr(facts, name), key=repr)) for name in ORDERLESS}
        siblings = tuple(
            replace(
                s,
                first_name="",
                placements=tuple(sorted(s.placements, key=repr)),
                decisions=tuple(sorted(s.decisions, key=repr)),
            )
            for s in facts.siblings
        )
        return replace(facts, siblings=siblings, **rows)

    assert {pk: canon(f) for pk, f in by_programme.items()} == {pk: canon(f) for pk, f in by_child.items()}
    assert any(s.placements for facts in by_programme.values() for s in facts.siblings)


ORDERLESS = ("placements", "decisions", "reviews", "gatekeepings", "follow_ups")
