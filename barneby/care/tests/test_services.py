"""Bad input gives a clear Norwegian error and saves nothing; the database backs the service up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from barneby.audit.models import AuditEvent
from barneby.care import services
from barneby.care.models import Child, Decision, Placement, SiblingRelation
from barneby.care.tests import factories as f
from barneby.care.tests.factories import TODAY, years_ago

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def w() -> f.World:
    return f.world()


def counts() -> tuple[int, int, int]:
    return Placement.objects.count(), Decision.objects.count(), Child.objects.count()


def test_birth_date_in_the_future_is_refused(w: f.World) -> None:
    with pytest.raises(ValidationError) as error:
        f.child(w.programme, w.caseworker, birth_date=TODAY + DAY)
    assert "fram i tid" in str(error.value.message_dict["birth_date"])
    assert not Child.objects.exists()


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("123", "11 sifre"),
        ("15108695089", "Kontrollsifrene"),
        ("abcdefghijk", "11 sifre"),
    ],
)
def test_invalid_identity_number_is_refused(w: f.World, number: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        f.child(w.programme, w.caseworker, national_id=number, birth_date=dt.date(1986, 10, 15))
    assert message in str(error.value.message_dict["national_id"])
    assert not Child.objects.exists()


def test_identity_number_must_match_the_birth_date(w: f.World) -> None:
    with pytest.raises(ValidationError) as error:
        f.child(w.programme, w.caseworker, national_id="15108695088", birth_date=dt.date(2015, 1, 1))
    assert "fødselsdatoen" in str(error.value.message_dict["national_id"])


def with_check_digits(first_nine: str) -> str:
    from stdnum.no import fodselsnummer

    k1 = fodselsnummer.calc_check_digit1(first_nine)
    return first_nine + k1 + fodselsnummer.calc_check_digit2(first_nine + k1)


def test_valid_identity_and_d_numbers_are_stored_encrypted(w: f.World) -> None:
    number = with_check_digits("151015512")  # 15.10.2015, individual number 512 (born 2000-2039)
    kid = f.child(w.programme, w.caseworker, national_id=number, birth_date=dt.date(2015, 10, 15))
    kid.refresh_from_db()
    assert kid.national_id == number
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id FROM care_child WHERE id = %s", [kid.pk])
        stored = cursor.fetchone()[0]
    assert number not in stored
    d_number = with_check_digits("551015512")  # a D-number: day + 40
    other = f.child(w.programme, w.caseworker, national_id=d_number, birth_date=dt.date(2015, 10, 15))
    assert other.pk


def test_synthetic_numbers_only_where_allowed() -> None:
    from stdnum.no import fodselsnummer

    from barneby.core.identity import person_number_error

    base = "150886950"  # 15.08.1986 with month + 80 → "15 88 86"
    synthetic = base[:2] + "88" + base[4:]
    k1 = fodselsnummer.calc_check_digit1(synthetic)
    k2 = fodselsnummer.calc_check_digit2(synthetic + k1)
    number = synthetic + k1 + k2
    assert person_number_error(number, allow_synthetic=True) is None
    assert person_number_error(number, allow_synthetic=False) == "Syntetiske testnumre godtas ikke her."


def test_placement_needs_gatekeeping_first(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    before = counts()
    with pytest.raises(ValidationError) as error:
        f.place(kid, w.home_a, w.caseworker, TODAY)
    assert "inntaksvurdering" in str(error.value)
    assert counts() == before


def test_placement_without_its_decision_is_refused(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    before = counts()
    with pytest.raises(ValidationError) as error:
        services.place_child(
            actor=w.caseworker,
            child=kid,
            home=w.home_a,
            type="foster",
            start_date=TODAY,
            decision={"decided_on": TODAY, "decided_by": "", "best_interest": ""},
        )
    assert {"decision_decided_by", "decision_best_interest"} <= set(error.value.message_dict)
    assert counts() == before


def test_overlapping_placement_is_refused_with_nothing_saved(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY - 100 * DAY)
    f.place(kid, w.home_b, w.caseworker, TODAY - 50 * DAY)
    before = counts()
    with pytest.raises(ValidationError) as error:
        f.place(kid, w.home_small, w.caseworker, TODAY - 70 * DAY)
    assert "kan ikke starte før den nåværende startet" in str(error.value)
    assert counts() == before
    assert Placement.objects.get(child=kid, end_date__isnull=True).home == w.home_b


def test_end_before_start_is_refused(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    placement = f.place(kid, w.home_a, w.caseworker, TODAY - 10 * DAY)
    with pytest.raises(ValidationError) as error:
        services.placement_end(
            actor=w.caseworker,
            placement=placement,
            end_date=TODAY - 20 * DAY,
            end_reason="reunification",
            decision=f.decision(),
        )
    assert "før startdatoen" in str(error.value.message_dict["end_date"])
    placement.refresh_from_db()
    assert placement.end_date is None
    assert Decision.objects.filter(child=kid).count() == 1


def test_full_home_needs_a_recorded_override(w: f.World) -> None:
    first = f.child(w.programme, w.caseworker)
    f.gatekeep(first, w.caseworker)
    f.place(first, w.home_small, w.caseworker, TODAY - 10 * DAY)
    second = f.child(w.programme, w.caseworker)
    f.gatekeep(second, w.caseworker)
    before = counts()
    with pytest.raises(ValidationError) as error:
        f.place(second, w.home_small, w.caseworker, TODAY)
    assert "Hjemmet er fullt (1 av 1 plasser)" in str(error.value.message_dict["capacity_override"])
    assert counts() == before
    placement = f.place(second, w.home_small, w.caseworker, TODAY, capacity_override="Søsken kommer akutt i natt.")
    assert placement.capacity_override == "Søsken kommer akutt i natt."
    w.home_small.refresh_from_db()
    assert w.home_small.occupied == 1  # the register's count stops at capacity; the override is on the placement


def test_home_age_limits_are_respected(w: f.World) -> None:
    w.home_a.max_age = 12
    w.home_a.save()
    kid = f.child(w.programme, w.caseworker, birth_date=years_ago(15))
    f.gatekeep(kid, w.caseworker)
    with pytest.raises(ValidationError, match="fra 0 til 12 år"):
        f.place(kid, w.home_a, w.caseworker, TODAY)


def test_a_move_ends_the_current_placement_the_same_day_and_keeps_occupancy(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    first = f.place(kid, w.home_a, w.caseworker, TODAY - 30 * DAY)
    f.place(kid, w.home_b, w.caseworker, TODAY)
    first.refresh_from_db()
    assert first.end_date == TODAY
    assert first.end_reason == "planned_move"
    w.home_a.refresh_from_db()
    w.home_b.refresh_from_db()
    assert (w.home_a.occupied, w.home_b.occupied) == (0, 1)
    kinds = list(Decision.objects.filter(child=kid).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["admission", "move"]


def test_the_database_refuses_overlapping_episodes(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    f.gatekeep(kid, w.caseworker)
    placement = f.place(kid, w.home_a, w.caseworker, TODAY - 30 * DAY)
    services.placement_end(
        actor=w.caseworker,
        placement=placement,
        end_date=TODAY - 10 * DAY,
        end_reason="reunification",
        decision=f.decision(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            child=kid,
            home=w.home_b,
            type="foster",
            start_date=TODAY - 20 * DAY,
            end_date=TODAY - 15 * DAY,
            end_reason="other",
            decision=placement.decision,
        )
    # Touching at the boundary is not an overlap (a same-day move).
    Placement.objects.create(
        child=kid,
        home=w.home_b,
        type="foster",
        start_date=TODAY - 10 * DAY,
        end_date=TODAY - 5 * DAY,
        end_reason="other",
        decision=placement.decision,
    )


def test_a_separation_decision_needs_justification_contact_plan_and_reassessment(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    with pytest.raises(ValidationError) as error:
        services.decision_record(actor=w.caseworker, child=kid, **f.decision(kind="sibling_separation", child_views=""))
    assert {"separation_reason", "relationship_assessment", "contact_plan", "reassess_on", "child_views"} <= set(
        error.value.message_dict
    )
    assert not Decision.objects.exists()


def test_status_lifecycle_is_enforced(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker)
    with pytest.raises(ValidationError, match="kan ikke gå fra"):
        services.child_set_status(actor=w.caseworker, child=kid, status="aftercare")
    services.child_set_status(actor=w.caseworker, child=kid, status="assessed")
    services.child_set_status(actor=w.caseworker, child=kid, status="family_strengthening")
    kid.refresh_from_db()
    assert kid.status == "family_strengthening"
    with pytest.raises(ValidationError, match="starter med en plassering"):
        services.child_set_status(actor=w.caseworker, child=kid, status="alternative_care")
    f.gatekeep(kid, w.caseworker)
    f.place(kid, w.home_a, w.caseworker, TODAY)
    kid.refresh_from_db()
    with pytest.raises(ValidationError, match="åpen plassering"):
        services.child_set_status(actor=w.caseworker, child=kid, status="left")


def test_sibling_groups_follow_the_relations(w: f.World) -> None:
    a, b, c, d = (f.child(w.programme, w.caseworker) for _ in range(4))
    services.sibling_link(actor=w.caseworker, child=a, other=b, kind="full")
    services.sibling_link(actor=w.caseworker, child=c, other=d, kind="half")
    for kid in (a, b, c, d):
        kid.refresh_from_db()
    assert a.sibling_group_id == b.sibling_group_id != c.sibling_group_id == d.sibling_group_id
    services.sibling_link(actor=w.caseworker, child=b, other=c, kind="step")
    groups = set(Child.objects.filter(pk__in=[a.pk, b.pk, c.pk, d.pk]).values_list("sibling_group_id", flat=True))
    assert len(groups) == 1
    with pytest.raises(ValidationError, match="allerede registrert"):
        services.sibling_link(actor=w.caseworker, child=c, other=b, kind="full")
    services.sibling_unlink(
        actor=w.caseworker, relation=SiblingRelation.objects.get(child_a=min(b, c, key=lambda x: x.pk))
    )
    a.refresh_from_db()
    d.refresh_from_db()
    assert a.sibling_group_id != d.sibling_group_id
    with pytest.raises(ValidationError, match="seg selv"):
        services.sibling_link(actor=w.caseworker, child=a, other=a, kind="full")


def test_writes_are_audited_without_the_childs_name(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, first_name="Synnøve")
    event = AuditEvent.objects.filter(object_type="care.child", object_id=str(kid.pk)).get()
    assert event.action == "create"
    assert "Synnøve" not in event.object_repr


def test_aftercare_decline_needs_a_reason(w: f.World) -> None:
    kid = f.child(w.programme, w.caseworker, birth_date=years_ago(18))
    with pytest.raises(ValidationError) as error:
        services.aftercare_save(
            actor=w.caseworker, child=kid, assessed_on=TODAY, offered_on=TODAY, response="declined", responded_on=TODAY
        )
    assert "decline_reason" in error.value.message_dict


def test_household_exit_needs_an_outcome(w: f.World) -> None:
    with pytest.raises(ValidationError) as error:
        services.household_save(
            actor=w.caseworker,
            programme=w.programme,
            name="Familien Test",
            entered_on=TODAY - 90 * DAY,
            exited_on=TODAY,
        )
    assert "exit_outcome" in error.value.message_dict
    household = services.household_save(
        actor=w.caseworker,
        programme=w.programme,
        name="Familien Test",
        entered_on=TODAY - 90 * DAY,
        exited_on=TODAY,
        exit_outcome="stayed",
        in_family_strengthening=True,
        risk_factors=["housing"],
    )
    assert household.pk


def test_linking_with_the_whole_group(w: f.World) -> None:
    a, b, c = (f.child(w.programme, w.caseworker) for _ in range(3))
    services.sibling_link(actor=w.caseworker, child=a, other=b, kind="full")
    made = services.sibling_link_group(actor=w.caseworker, child=c, other=a, kind="full")
    assert len(made) == 2
    assert SiblingRelation.objects.count() == 3
    with pytest.raises(ValidationError):
        services.sibling_link_group(actor=w.caseworker, child=c, other=a, kind="full")
    assert SiblingRelation.objects.count() == 3
