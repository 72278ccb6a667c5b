"""The workflow: each step a service that writes the history, only forward, never changed or deleted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from barneby.audit.models import AuditEvent
from barneby.safeguarding import services
from barneby.safeguarding.models import (
    AppendOnlyError,
    Attachment,
    CaseEvent,
    Concern,
    EventKind,
    InvolvedPerson,
    InvolvedRole,
    Outcome,
    Perpetrator,
    Severity,
    Status,
)
from barneby.safeguarding.tests.conftest import PDF, SgWorld, public_case, staff_case

pytestmark = pytest.mark.django_db


def _through(world: SgWorld, concern: Concern) -> Concern:
    focal = world.focal_a
    concern = services.concern_acknowledge(actor=focal, concern=concern, note="Mottatt.")
    concern = services.concern_assess(
        actor=focal,
        concern=concern,
        risk_level=Severity.HIGH,
        child_at_risk=True,
        referred_police_on=dt.date.today(),
        note="Alvorlig.",
    )
    services.concern_note(actor=focal, concern=concern, text="Samtale med barnet.", kind=EventKind.INTERVIEW)
    concern = services.concern_investigate(actor=focal, concern=concern, investigator=focal, plan="Samtaler.")
    concern = services.concern_conclude(
        actor=focal, concern=concern, outcome=Outcome.SUBSTANTIATED, perpetrator=Perpetrator.STAFF
    )
    return services.concern_close(
        actor=focal, concern=concern, actions=["suspension", "training", "nonsense"], lessons="Bedre opplæring."
    )


def test_every_step_writes_the_history_and_the_audit_log(sg: SgWorld) -> None:
    concern = staff_case(sg)
    closed = _through(sg, concern)
    assert closed.status == Status.CLOSED
    assert closed.actions == ["suspension", "training"]
    assert (closed.outcome, closed.perpetrator) == (Outcome.SUBSTANTIATED, Perpetrator.STAFF)
    assert closed.referred_police_on == dt.date.today()
    kinds = list(CaseEvent.objects.filter(concern=concern).values_list("kind", flat=True))
    assert kinds == ["received", "acknowledged", "assessed", "interview", "investigated", "concluded", "closed"]
    details = set(AuditEvent.objects.filter(object_type="safeguarding.concern").values_list("detail", flat=True))
    assert {"acknowledged", "assessed", "investigated", "concluded", "closed"} <= details


def test_details_and_notes_are_encrypted_at_rest(sg: SgWorld) -> None:
    concern = staff_case(sg, details="Hemmelig innhold")
    services.concern_note(actor=sg.focal_a, concern=concern, text="Hemmelig notat")
    with connection.cursor() as cursor:
        cursor.execute("SELECT details FROM safeguarding_concern WHERE id = %s", [concern.pk])
        (stored,) = cursor.fetchone()
        cursor.execute("SELECT text FROM safeguarding_caseevent WHERE concern_id = %s AND kind = 'note'", [concern.pk])
        (note,) = cursor.fetchone()
    assert "Hemmelig" not in stored
    assert stored.startswith("gAAAA")
    assert "Hemmelig" not in note


def test_steps_only_go_forward_in_order(sg: SgWorld) -> None:
    concern = staff_case(sg)
    with pytest.raises(ValidationError):
        services.concern_assess(actor=sg.focal_a, concern=concern, risk_level=Severity.LOW, child_at_risk=False)
    services.concern_acknowledge(actor=sg.focal_a, concern=concern)
    with pytest.raises(ValidationError):
        services.concern_acknowledge(actor=sg.focal_a, concern=concern)


def test_substantiated_needs_a_perpetrator_category(sg: SgWorld) -> None:
    concern = staff_case(sg)
    concern = services.concern_acknowledge(actor=sg.focal_a, concern=concern)
    concern = services.concern_assess(actor=sg.focal_a, concern=concern, risk_level=Severity.LOW, child_at_risk=False)
    concern = services.concern_investigate(actor=sg.focal_a, concern=concern, investigator=sg.focal_a, plan="Plan")
    with pytest.raises(ValidationError) as caught:
        services.concern_conclude(actor=sg.focal_a, concern=concern, outcome=Outcome.SUBSTANTIATED)
    assert "perpetrator" in caught.value.message_dict


def test_a_referral_date_in_the_future_is_refused(sg: SgWorld) -> None:
    concern = services.concern_acknowledge(actor=sg.focal_a, concern=staff_case(sg))
    with pytest.raises(ValidationError) as caught:
        services.concern_assess(
            actor=sg.focal_a,
            concern=concern,
            risk_level=Severity.LOW,
            child_at_risk=False,
            referred_child_welfare_on=dt.date.today() + dt.timedelta(days=3),
        )
    assert "referred_child_welfare_on" in caught.value.message_dict


def test_the_application_refuses_to_delete_or_rewrite(sg: SgWorld) -> None:
    concern = staff_case(sg, attachment=services.CheckedFile("a.pdf", "application/pdf", PDF))
    services.involved_add(
        actor=sg.focal_a, concern=concern, person=services.Person(role=InvolvedRole.STAFF, description="X")
    )
    event = concern.events.first()
    assert event is not None
    calls: list[Callable[[], object]] = [
        concern.delete,
        Concern.objects.filter(pk=concern.pk).delete,
        lambda: Concern.objects.filter(pk=concern.pk).update(category="other"),
        event.delete,
        lambda: CaseEvent.objects.filter(pk=event.pk).update(text="x"),
        CaseEvent.objects.all().delete,
        lambda: event.save(),
        InvolvedPerson.objects.all().delete,
        Attachment.objects.all().delete,
        lambda: Attachment.objects.get().save(),
    ]
    for call in calls:
        with pytest.raises(AppendOnlyError):
            call()
    concern.category = "other"
    with pytest.raises(AppendOnlyError):
        concern.save()
    concern.refresh_from_db()
    concern = services.concern_acknowledge(actor=sg.focal_a, concern=concern)
    concern.status = Status.RECEIVED
    with pytest.raises(AppendOnlyError):
        concern.save()
    concern.refresh_from_db()
    concern.acknowledged_at = concern.acknowledged_at + dt.timedelta(hours=1)  # type: ignore[operator,assignment]
    with pytest.raises(AppendOnlyError):
        concern.save()


def _refused(sql: str, params: list[Any]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_rewrites_of_cases_history_people_and_attachments(sg: SgWorld) -> None:
    concern = staff_case(sg, attachment=services.CheckedFile("a.pdf", "application/pdf", PDF))
    services.involved_add(
        actor=sg.focal_a, concern=concern, person=services.Person(role=InvolvedRole.CHILD, description="X")
    )
    services.concern_acknowledge(actor=sg.focal_a, concern=concern)
    _refused("UPDATE safeguarding_concern SET category = 'other' WHERE id = %s", [concern.pk])
    _refused("UPDATE safeguarding_concern SET status = 'received' WHERE id = %s", [concern.pk])
    _refused("UPDATE safeguarding_concern SET acknowledged_at = NULL WHERE id = %s", [concern.pk])
    _refused("UPDATE safeguarding_caseevent SET kind = 'note' WHERE concern_id = %s", [concern.pk])
    _refused("UPDATE safeguarding_involvedperson SET role = 'staff' WHERE concern_id = %s", [concern.pk])
    _refused("UPDATE safeguarding_attachment SET size = 1 WHERE concern_id = %s", [concern.pk])
    # A step not yet taken may still be written (that is how the workflow moves on).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE safeguarding_concern SET escalated_at = acknowledged_at WHERE id = %s", [concern.pk])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps DELETE for the test harness")
def test_postgresql_refuses_deletes(sg: SgWorld) -> None:
    concern = staff_case(sg, attachment=services.CheckedFile("a.pdf", "application/pdf", PDF))
    services.involved_add(
        actor=sg.focal_a, concern=concern, person=services.Person(role=InvolvedRole.CHILD, description="X")
    )
    for table in ("safeguarding_attachment", "safeguarding_involvedperson", "safeguarding_caseevent"):
        _refused(f"DELETE FROM {table} WHERE concern_id = %s", [concern.pk])  # noqa: S608
    _refused("DELETE FROM safeguarding_concern WHERE id = %s", [concern.pk])


def test_key_rotation_may_still_re_encrypt_the_encrypted_columns(sg: SgWorld, settings: object) -> None:
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    concern = staff_case(sg, attachment=services.CheckedFile("a.pdf", "application/pdf", PDF))
    services.concern_note(actor=sg.focal_a, concern=concern, text="Notat")
    old = list(settings.FIELD_ENCRYPTION_KEYS)  # type: ignore[attr-defined]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old]  # type: ignore[attr-defined]
    call_command("rotate_field_keys", verbosity=0)
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # type: ignore[attr-defined]
    concern = Concern.objects.get(pk=concern.pk)
    assert concern.details.startswith("Et barn")
    assert services.attachment_bytes(Attachment.objects.get(concern=concern)) == PDF


def test_a_public_case_can_be_messaged_but_a_staff_case_cannot(sg: SgWorld) -> None:
    public, _secret = public_case(sg)
    services.concern_ask_reporter(actor=sg.focal_a, concern=public, text="Når skjedde det?")
    with pytest.raises(ValidationError):
        services.concern_ask_reporter(actor=sg.focal_a, concern=staff_case(sg), text="Hei")


def test_a_person_from_another_association_cannot_be_named(sg: SgWorld) -> None:
    from barneby.organisation.tests import factories as org

    other = org.staff(sg.b)
    with pytest.raises(ValidationError):
        services.involved_add(
            actor=sg.focal_a,
            concern=staff_case(sg),
            person=services.Person(role=InvolvedRole.STAFF, staff_member=other),
        )
