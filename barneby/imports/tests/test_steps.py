"""The demo seed's steps: committed one by one, recorded, skipped when done, resumed after an interruption."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.db.models import Sum

from barneby.core import demo
from barneby.core.demo import DemoContext, Inserter
from barneby.fundraising import demo as fundraising_demo
from barneby.fundraising.models import Claim, ClaimRun, Supporter
from barneby.imports.models import LoadStep
from barneby.organisation.models import MemberAssociation, Programme
from barneby.organisation.tests import factories as org

pytestmark = pytest.mark.django_db


def context(seed: int = 5) -> DemoContext:
    return DemoContext(scale="global", seed=seed, progress=lambda items, **_kw: items)


def test_a_step_runs_once_and_is_recorded() -> None:
    ctx = context()
    calls: list[int] = []
    assert ctx.step("a", lambda: calls.append(1))
    assert not ctx.step("a", lambda: calls.append(2))
    assert calls == [1]
    assert LoadStep.objects.filter(name="demo:5:a").exists()
    # Another seed is another run.
    assert context(seed=6).step("a", lambda: calls.append(3))
    assert calls == [1, 3]


def test_a_failed_step_leaves_nothing_and_runs_again() -> None:
    ctx = context()

    def fails() -> None:
        MemberAssociation.objects.create(name="Halvferdig", code="HALF", country="NO")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        ctx.step("b", fails)
    assert not MemberAssociation.objects.filter(code="HALF").exists()
    assert not ctx.step_done("b")
    assert ctx.step("b", lambda: MemberAssociation.objects.create(name="Hel", code="HEL", country="NO"))
    assert ctx.step_done("b")


def test_steps_of_a_list_skip_the_done_ones() -> None:
    ctx = context()
    seen: list[int] = []
    assert ctx.steps("c", [1, 2, 3], seen.append, desc="test") == 3
    assert ctx.steps("c", [1, 2, 3, 4], seen.append, desc="test") == 1
    assert seen == [1, 2, 3, 4]


def test_the_global_supporters_resume_after_an_interrupted_round(monkeypatch: pytest.MonkeyPatch) -> None:
    association = org.association(code="NO-SOS", name="SOS-barnebyer Norge")
    monkeypatch.setattr(fundraising_demo, "GLOBAL_CHUNK", 40)
    ctx = context()
    original = Inserter.flush
    flushed: list[str] = []

    def interrupt_third_round(self: Inserter) -> None:
        if self.model is Supporter and self.rows and self.rows[0][self.names.index("donor_number")] >= 500_081:
            raise KeyboardInterrupt
        flushed.append(self.model.__name__)
        original(self)

    monkeypatch.setattr(Inserter, "flush", interrupt_third_round)
    arguments: dict[str, Any] = {"sponsors": 120, "months": 3, "last_period": dt.date(2025, 12, 1)}
    with pytest.raises(KeyboardInterrupt):
        fundraising_demo.seed_global(ctx, association, **arguments)
    # Two rounds were committed; the third left nothing.
    assert Supporter.objects.count() == 80
    monkeypatch.setattr(Inserter, "flush", original)
    assert fundraising_demo.seed_global(ctx, association, **arguments)
    donors = sorted(Supporter.objects.values_list("donor_number", flat=True))
    assert donors == list(range(500_001, 500_121))  # each sponsor once
    claims = Claim.objects.count()
    assert ClaimRun.objects.count() == 6
    assert ClaimRun.objects.aggregate(n=Sum("claim_count"))["n"] == claims
    assert not fundraising_demo.seed_global(ctx, association, **arguments)
    assert Supporter.objects.count() == 120


def test_seed_demo_runs_a_generator_it_does_not_know_as_one_step(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.management import call_command

    made: list[str] = []

    def unseen(ctx: DemoContext) -> None:
        made.append(ctx.scale)
        MemberAssociation.objects.get_or_create(code="NY-GEN", defaults={"name": "Ny generator", "country": "NO"})

    monkeypatch.setattr(demo, "_GENERATORS", {"unseen": demo.Generator("unseen", 1, unseen)})
    call_command("seed_demo", "--scale", "national", verbosity=0)
    call_command("seed_demo", "--scale", "national", verbosity=0)
    assert made == ["national", "national"]  # idempotent by itself, so it runs again
    assert MemberAssociation.objects.filter(code="NY-GEN").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="foreign keys are dropped around COPY on PostgreSQL only")
def test_foreign_keys_are_back_after_a_step_and_checked() -> None:
    def constraints() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = 'organisation_programme'::regclass"
            )
            return {row[0] for row in cursor.fetchall()}

    before = constraints()
    assert before
    association = org.association()
    location = org.location(association)
    with connection.cursor() as cursor:
        # As if committed by an earlier step: a table with checks still pending cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    ctx = context()

    def good() -> None:
        rows = Inserter(Programme)
        rows.add(
            association_id=association.pk,
            location_id=location.pk,
            name="P",
            code="FK-1",
            type="school",
            start_date=dt.date(2020, 1, 1),
        )
        rows.flush()

    assert ctx.step("fk-good", good)
    assert constraints() == before
    assert demo.validate_foreign_keys() >= 1  # added back NOT VALID, validated once at the end
    assert demo.validate_foreign_keys() == 0

    def dangling() -> None:
        rows = Inserter(Programme)
        rows.add(
            association_id=association.pk + 1000,
            location_id=location.pk,
            name="Q",
            code="FK-2",
            type="school",
            start_date=dt.date(2020, 1, 1),
        )
        rows.flush()

    with pytest.raises(IntegrityError):
        ctx.step("fk-bad", dangling)
    assert constraints() == before
    assert not Programme.objects.filter(code="FK-2").exists()
    assert not ctx.step_done("fk-bad")
