"""Writes to care records: validated, audited, all-or-nothing, and followed by the rules.

Every write runs in one transaction with its audit event, then re-evaluates
the rules for the children it touched (the child and its siblings), so an
alert appears or disappears as soon as its cause does.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barneby.audit.models import AuditAction, AuditEvent
from barneby.audit.services import audit_record, client_ip
from barneby.care import alerts
from barneby.care.models import (
    STATUS_FLOW,
    Aftercare,
    AftercareResponse,
    Child,
    ChildStatus,
    DailyNote,
    Decision,
    DecisionKind,
    EndReason,
    FollowUp,
    Gatekeeping,
    GatekeepingOutcome,
    GatekeepingReason,
    Household,
    HouseholdMember,
    KeepApart,
    Placement,
    PlanGoal,
    PlanReview,
    SiblingContact,
    SiblingGroup,
    SiblingRelation,
    SupportContact,
    SupportService,
    age_on,
)
from barneby.care.rules import birthday as rules_birthday
from barneby.care.selectors import admission_assessed
from barneby.organisation.models import Home, Programme

M = TypeVar("M", bound=models.Model)

CHILD_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "nationality",
    "languages",
    "religion",
    "national_id",
    "origin_municipality",
    "origin_location",
    "target_group",
    "caseworker",
    "household",
    "is_unaccompanied",
    "arrival_date",
    "residence_decision_date",
    "settlement_date",
    "settlement_municipality",
)
RESTRICTED_FIELDS = ("health", "disability", "hiv_status")
DECISION_FIELDS = (
    "kind",
    "decided_on",
    "decided_by",
    "participants",
    "best_interest",
    "child_views",
    "heard_how",
    "not_heard_reason",
    "separation_reason",
    "relationship_assessment",
    "contact_plan",
    "contact_times",
    "contact_per",
    "reassess_on",
    "complaint_info_given",
)


def _audit_child(actor: Any, action: AuditAction, child: Child, detail: str = "") -> None:
    # The child's name stays out of the audit log: type and id identify the record.
    audit_record(actor=actor, action=action, object_type="care.child", object_id=child.pk, detail=detail)


def _set(obj: M, fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: _("Feltet kan ikke endres her.") for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(obj, name, value)


class StaleEdit(ValidationError):
    """Someone else saved the record after this user opened it: nothing of this edit was saved.

    ``current`` is the record as it is stored now, for showing what changed.
    """

    def __init__(self, message: str, current: models.Model) -> None:
        super().__init__({NON_FIELD_ERRORS: [message]}, code="stale")
        self.current = current


# What a stale edit calls the record, with the audit detail that marks its edits ("" for the child itself).
_RECORD_NAMES: dict[str, tuple[Any, str]] = {
    "child": (gettext_lazy("Opplysningene om barnet"), ""),
    "decision": (gettext_lazy("Vedtaket"), "decision"),
    "goal": (gettext_lazy("Målet"), "goal"),
    "review": (gettext_lazy("Gjennomgangen"), "review"),
    "aftercare": (gettext_lazy("Ettervernet"), "aftercare"),
}


def _last_editor(child_id: int, label: str, pk: int) -> str:
    events = AuditEvent.objects.filter(
        object_type="care.child", object_id=str(child_id), action=AuditAction.UPDATE
    ).select_related("actor")
    if label:
        events = events.filter(detail=f"{label} {pk}")
    else:
        events = events.exclude(detail__regex=r"^(decision|goal|review|aftercare) ")
    event = events.order_by("-occurred_at", "-pk").first()
    if event is None or event.actor is None:
        return ""
    return event.actor.get_full_name() or event.actor.get_username()


def claim_version(record: M, expected: int | None, kind: str) -> None:
    """Inside the write's transaction: move the stored version on by one if it is still ``expected``.

    ``expected`` is the version the user's form was opened with (None: the version this request
    loaded). The conditional UPDATE is atomic on both engines: of two edits made from the same
    version, the second finds no row to update and is refused with :class:`StaleEdit`, naming
    who saved in between and when; nothing of it is saved.
    """
    model = type(record)
    seen = int(getattr(record, "version") if expected is None else expected)  # noqa: B009 - every versioned model
    if model._default_manager.filter(pk=record.pk, version=seen).update(version=seen + 1):
        setattr(record, "version", seen + 1)  # noqa: B010
        return
    current = model._default_manager.get(pk=record.pk)
    name, label = _RECORD_NAMES[kind]
    child_id = record.pk if isinstance(record, Child) else getattr(record, "child_id")  # noqa: B009
    who = _last_editor(child_id, label, record.pk)
    when = timezone.localtime(getattr(current, "updated_at")).strftime("%d.%m.%Y kl. %H:%M")  # noqa: B009
    if who:
        message = _(
            "{name} ble endret av {who} {when}, etter at du åpnet skjemaet. Endringene dine er ikke lagret. "
            "Se over det som er lagret nå (merket under), og lagre på nytt hvis dine endringer skal gjelde."
        ).format(name=name, who=who, when=when)
    else:
        message = _(
            "{name} ble endret av noen andre {when}, etter at du åpnet skjemaet. Endringene dine er ikke lagret. "
            "Se over det som er lagret nå (merket under), og lagre på nytt hvis dine endringer skal gjelde."
        ).format(name=name, when=when)
    raise StaleEdit(message, current)


def _refresh(*children: Child) -> None:
    ids: set[int] = set()
    for child in children:
        ids.update(alerts.affected_by(child))
    alerts.refresh(ids)


def children_refresh_alerts(child_ids: Iterable[int]) -> None:
    """Bring the alerts of many children, and of their siblings, up to date at once.

    For a batch (an import) that saved each child with ``refresh_alerts=False``: the
    same alerts as refreshing after every save, in a few queries instead of a few per child.
    """
    ids = sorted(set(child_ids))
    affected = set(ids)
    for start in range(0, len(ids), alerts.BATCH):
        chunk = ids[start : start + alerts.BATCH]
        for a, b in SiblingRelation.objects.filter(Q(child_a_id__in=chunk) | Q(child_b_id__in=chunk)).values_list(
            "child_a_id", "child_b_id"
        ):
            affected.update((a, b))
    everyone = sorted(affected)
    for start in range(0, len(everyone), alerts.BATCH):
        alerts.refresh(everyone[start : start + alerts.BATCH])


def record_view(*, actor: Any, child: Child, request: Any = None, restricted: bool = False, detail: str = "") -> None:
    """Log a view of the child's record (and separately of its restricted fields)."""
    audit_record(
        actor=actor,
        action=AuditAction.VIEW_RESTRICTED if restricted else AuditAction.VIEW,
        object_type="care.child",
        object_id=child.pk,
        request=request,
        detail="health, disability, hiv_status" if restricted else detail,
    )


def record_views(*, actor: Any, child_ids: Iterable[int], request: Any = None, detail: str) -> None:
    """Log that the user was shown these children (a list, a sibling table): one entry per child.

    One entry per child, like a view of the child page, so a child's audit trail
    shows every list and page that showed the child; ``detail`` names where.
    """
    ids = list(dict.fromkeys(child_ids))
    if not ids:
        return
    # The fields audit_record fills, in one insert whatever the number of children.
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=AuditAction.VIEW,
            object_type="care.child",
            object_id=str(pk),
            detail=detail[:500],
            ip_address=client_ip(request) if request is not None else None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else "",
        )
        for pk in ids
    )


# --- children ------------------------------------------------------------------------------


CHILD_MANY = ("needs", "excluded_homes")


def _set_many(child: Child, many: dict[str, Any]) -> None:
    for name, values in many.items():
        getattr(child, name).set(values)


def child_create(
    *, actor: Any, programme: Programme, version: int | None = None, refresh_alerts: bool = True, **fields: Any
) -> Child:
    """Register a child; ``refresh_alerts=False`` leaves its alerts to :func:`children_refresh_alerts` (a batch)."""
    many = {name: fields.pop(name) for name in CHILD_MANY if name in fields}
    child = Child(programme=programme, status=ChildStatus.REFERRED)
    _set(child, fields, CHILD_FIELDS)
    with transaction.atomic():
        child.full_clean()
        child.save()
        _set_many(child, many)
        _audit_child(actor, AuditAction.CREATE, child)
    if refresh_alerts:
        _refresh(child)
    return child


def child_update(*, actor: Any, child: Child, version: int | None = None, **fields: Any) -> Child:
    """Save the edit form; ``version`` is the one the form was opened with (optimistic locking)."""
    many = {name: fields.pop(name) for name in CHILD_MANY if name in fields}
    _set(child, fields, CHILD_FIELDS)
    child.full_clean()
    with transaction.atomic():
        claim_version(child, version, "child")
        child.save()
        _set_many(child, many)
        _audit_child(actor, AuditAction.UPDATE, child, detail=", ".join(sorted(fields)))
    _refresh(child)
    return child


def child_update_restricted(*, actor: Any, child: Child, version: int | None = None, **fields: Any) -> Child:
    _set(child, fields, RESTRICTED_FIELDS)
    with transaction.atomic():
        claim_version(child, version, "child")
        child.save(update_fields=[*fields, "updated_at", "version"])
        _audit_child(actor, AuditAction.UPDATE, child, detail="restricted: " + ", ".join(sorted(fields)))
    return child


def child_set_status(*, actor: Any, child: Child, status: str, on: dt.date | None = None) -> Child:
    """Move the child along the lifecycle; alternative care starts and ends with a placement, not here."""
    if child.placements.filter(end_date__isnull=True).exists() and status != child.status:
        raise ValidationError(
            {"status": _("Barnet har en åpen plassering; avslutt plasseringen med vedtak for å endre status.")}
        )
    if status == ChildStatus.ALTERNATIVE_CARE and status != child.status:
        raise ValidationError({"status": _("Alternativ omsorg starter med en plassering og et vedtak.")})
    if status != child.status and status not in STATUS_FLOW[child.status]:
        raise ValidationError(
            {
                "status": _("Status kan ikke gå fra «{old}» til «{new}».").format(
                    old=ChildStatus(child.status).label, new=ChildStatus(status).label
                )
            }
        )
    child.status = status
    if status == ChildStatus.LEFT:
        child.left_on = on or timezone.localdate()
    with transaction.atomic():
        child.save(update_fields=["status", "left_on", "updated_at"])
        _audit_child(actor, AuditAction.UPDATE, child, detail=f"status={status}")
    _refresh(child)
    return child


# --- siblings ------------------------------------------------------------------------------


def _regroup(start_ids: Iterable[int]) -> None:
    """Recompute the sibling groups of the components containing ``start_ids``."""
    pending = set(start_ids)
    used: set[int] = set()
    while pending:
        seed = pending.pop()
        component = {seed}
        queue = deque([seed])
        while queue:
            current = queue.popleft()
            for a, b in SiblingRelation.objects.filter(Q(child_a_id=current) | Q(child_b_id=current)).values_list(
                "child_a_id", "child_b_id"
            ):
                for other in (a, b):
                    if other not in component:
                        component.add(other)
                        queue.append(other)
        pending -= component
        if len(component) == 1:
            Child.objects.filter(pk=seed).update(sibling_group=None)
            continue
        existing = (
            Child.objects.filter(pk__in=component, sibling_group__isnull=False)
            .exclude(sibling_group_id__in=used)
            .values_list("sibling_group_id", flat=True)
            .order_by("sibling_group_id")
            .first()
        )
        group_id = existing or SiblingGroup.objects.create().pk
        used.add(group_id)
        Child.objects.filter(pk__in=component).update(sibling_group_id=group_id)


def sibling_link(
    *, actor: Any, child: Child, other: Child, kind: str, existing_bond: bool = True, refresh_alerts: bool = True
) -> SiblingRelation:
    if child.pk == other.pk:
        raise ValidationError({"other": _("Et barn kan ikke være søsken med seg selv.")})
    a, b = sorted((child.pk, other.pk))
    if SiblingRelation.objects.filter(child_a_id=a, child_b_id=b).exists():
        raise ValidationError({"other": _("{name} er allerede registrert som søsken.").format(name=other)})
    relation = SiblingRelation(child_a_id=a, child_b_id=b, kind=kind, existing_bond=existing_bond)
    with transaction.atomic():
        relation.full_clean()
        relation.save()
        _regroup([a])
        _audit_child(actor, AuditAction.UPDATE, child, detail=f"sibling+{other.pk}:{kind}")
    if refresh_alerts:
        _refresh(child, other)
    return relation


def sibling_link_group(
    *, actor: Any, child: Child, other: Child, kind: str, existing_bond: bool = True, refresh_alerts: bool = True
) -> list[SiblingRelation]:
    """Link ``child`` and its sibling group with ``other`` and its sibling group, pair by pair.

    Pairs that are already related are left as they are; all or nothing.
    """

    def members(kid: Child) -> list[Child]:
        kid.refresh_from_db(fields=["sibling_group"])
        if not kid.sibling_group_id:
            return [kid]
        return list(Child.objects.filter(sibling_group_id=kid.sibling_group_id).order_by("pk"))

    left, right = members(child), members(other)
    made = []
    with transaction.atomic():
        for one in left:
            for two in right:
                a, b = sorted((one.pk, two.pk))
                first = one.pk == child.pk and two.pk == other.pk
                if a != b and (first or not SiblingRelation.objects.filter(child_a_id=a, child_b_id=b).exists()):
                    made.append(
                        sibling_link(
                            actor=actor,
                            child=one,
                            other=two,
                            kind=kind,
                            existing_bond=existing_bond,
                            refresh_alerts=refresh_alerts,
                        )
                    )
    return made


def keep_apart_record(*, actor: Any, child: Child, other: Child, reason: str, note: str = "") -> KeepApart:
    """Record that two children must never live in the same home (matching treats it as a hard rule)."""
    if child.pk == other.pk:
        raise ValidationError({"other": _("Velg et annet barn.")})
    a, b = sorted((child.pk, other.pk))
    if KeepApart.objects.filter(child_a_id=a, child_b_id=b).exists():
        raise ValidationError({"other": _("Dette er allerede registrert.")})
    record = KeepApart(child_a_id=a, child_b_id=b, reason=reason, note=note, recorded_by=actor)
    with transaction.atomic():
        record.full_clean()
        record.save()
        _audit_child(actor, AuditAction.UPDATE, child, detail=f"keep-apart {other.pk}")
    return record


def sibling_unlink(*, actor: Any, relation: SiblingRelation) -> None:
    a, b = relation.child_a, relation.child_b
    with transaction.atomic():
        relation.delete()
        _regroup([a.pk, b.pk])
        _audit_child(actor, AuditAction.UPDATE, a, detail=f"sibling-{b.pk}")
    alerts.refresh([*alerts.affected_by(a), *alerts.affected_by(b), a.pk, b.pk])


# --- gatekeeping ---------------------------------------------------------------------------


def gatekeeping_record(
    *,
    actor: Any,
    child: Child,
    assessed_on: dt.date,
    reasons: list[str],
    necessity: str,
    suitability: str,
    outcome: str,
) -> Gatekeeping:
    reasons = sorted(set(reasons))
    errors: dict[str, Any] = {}
    if not reasons:
        errors["reasons"] = _("Oppgi minst én grunn.")
    elif set(reasons) - set(GatekeepingReason.values):
        errors["reasons"] = _("Ukjent grunn.")
    if reasons == [GatekeepingReason.POVERTY] and outcome == GatekeepingOutcome.ALTERNATIVE_CARE:
        errors["outcome"] = _(
            "Fattigdom eller materielle forhold alene kan aldri begrunne at et barn skilles fra familien "
            "(FNs retningslinjer for alternativ omsorg, punkt 15). Vurder familiestyrking."
        )
    if outcome == GatekeepingOutcome.ALTERNATIVE_CARE and not (necessity.strip() and suitability.strip()):
        errors["necessity"] = _("Både nødvendighet og egnethet må vurderes før inntak i alternativ omsorg.")
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = _("Datoen kan ikke være fram i tid.")
    if errors:
        raise ValidationError(errors)
    record = Gatekeeping(
        child=child,
        assessed_on=assessed_on,
        reasons=reasons,
        necessity=necessity,
        suitability=suitability,
        outcome=outcome,
        recorded_by=actor,
    )
    with transaction.atomic():
        record.full_clean()
        record.save()
        if child.status == ChildStatus.REFERRED:
            child.status = ChildStatus.ASSESSED
            child.save(update_fields=["status", "updated_at"])
        _audit_child(actor, AuditAction.CREATE, child, detail=f"gatekeeping {record.pk}")
    _refresh(child)
    return record


# --- decisions -----------------------------------------------------------------------------


def _decision_errors(decision: Decision) -> dict[str, Any]:
    """The rules of a decision beyond the model's own (dates and the child's voice, R16, are in Decision.clean)."""
    errors: dict[str, Any] = {}
    if decision.decided_on and decision.decided_on > timezone.localdate():
        errors["decided_on"] = _("Vedtaksdatoen kan ikke være fram i tid.")
    if decision.heard_how == "not_heard" and not decision.not_heard_reason.strip():
        errors["not_heard_reason"] = _("Skriv hvorfor barnet ikke ble hørt.")
    if decision.kind == DecisionKind.SIBLING_SEPARATION:
        if not decision.separation_reason:
            errors["separation_reason"] = _("Velg begrunnelsen for at søsknene ikke bor sammen.")
        if not decision.relationship_assessment.strip():
            errors["relationship_assessment"] = _("Vurder søskenrelasjonen.")
        if not decision.contact_plan.strip():
            errors["contact_plan"] = _("En søskensplitt krever en plan for kontakt mellom søsknene.")
        if decision.reassess_on is None:
            errors["reassess_on"] = _("En søskensplitt krever en dato for ny vurdering.")
        elif decision.decided_on and decision.reassess_on <= decision.decided_on:
            errors["reassess_on"] = _("Ny vurdering må være etter vedtaksdatoen.")
    if decision.kind in {DecisionKind.AFTERCARE_DECLINE, DecisionKind.AFTERCARE_TERMINATION} and not (
        decision.complaint_info_given
    ):
        errors["complaint_info_given"] = _("Et avslag eller en avslutning av ettervern må opplyse om klageadgang.")
    return errors


def _new_decision(actor: Any, child: Child, fields: dict[str, Any]) -> Decision:
    decision = Decision(child=child, recorded_by=actor)
    _set(
        decision,
        {k: v for k, v in fields.items() if v is not None or k in {"reassess_on", "contact_times"}},
        DECISION_FIELDS,
    )
    for name in ("participants", "child_views", "heard_how", "not_heard_reason", "separation_reason", "contact_per"):
        if getattr(decision, name) is None:
            setattr(decision, name, "")
    for name in ("relationship_assessment", "contact_plan"):
        if getattr(decision, name) is None:
            setattr(decision, name, "")
    errors = _decision_errors(decision)
    try:
        decision.full_clean(exclude=["child", "recorded_by"])
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    return decision


def decision_record(*, actor: Any, child: Child, version: int | None = None, **fields: Any) -> Decision:
    decision = _new_decision(actor, child, fields)
    with transaction.atomic():
        decision.save()
        _audit_child(actor, AuditAction.CREATE, child, detail=f"decision {decision.pk} {decision.kind}")
    _refresh(child)
    return decision


def decision_update(*, actor: Any, decision: Decision, version: int | None = None, **fields: Any) -> Decision:
    fields.pop("kind", None)  # the kind of a recorded decision does not change
    nullable = {"reassess_on", "contact_times"}
    _set(decision, {k: ("" if v is None and k not in nullable else v) for k, v in fields.items()}, DECISION_FIELDS)
    errors = _decision_errors(decision)
    try:
        decision.full_clean()
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        claim_version(decision, version, "decision")
        decision.save()
        _audit_child(actor, AuditAction.UPDATE, decision.child, detail=f"decision {decision.pk}")
    _refresh(decision.child)
    return decision


# --- sibling contacts (I13) ----------------------------------------------------------------


def separation_decisions(child: Child) -> models.QuerySet[Decision]:
    """The child's sibling separation decisions, newest first: those a contact is recorded under."""
    return child.decisions.filter(kind=DecisionKind.SIBLING_SEPARATION).order_by("-decided_on", "-pk")


def sibling_contact_record(
    *,
    actor: Any,
    child: Child,
    decision: Decision,
    sibling: Child,
    contact_on: dt.date,
    form: str,
    note: str = "",
) -> SiblingContact:
    """Log one contact between separated siblings that took place, under the child's separation decision.

    Refused with a Norwegian message: a decision of another child or of another kind, a child who is not
    a registered sibling, a date in the future or before the decision. Audited like every care write.
    """
    record = SiblingContact(
        decision=decision,
        child=child,
        sibling=sibling,
        contact_on=contact_on,
        form=form,
        note=(note or "").strip(),
        recorded_by=actor,
    )
    with transaction.atomic():
        record.full_clean()
        record.save()
        _audit_child(actor, AuditAction.CREATE, child, detail=f"sibling-contact {record.pk} with {sibling.pk}")
    return record


# --- placements ----------------------------------------------------------------------------


@dataclass
class PlacementResult:
    placement: Placement
    decision: Decision
    separated_from: list[Child]


def _occupied_on(home: Home, day: dt.date, *, excluding_child: int) -> int:
    return (
        Placement.objects.filter(home=home, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .exclude(child_id=excluding_child)
        .count()
    )


def _sync_occupancy(*homes: Home) -> None:
    today = timezone.localdate()
    for home in {h.pk: h for h in homes}.values():
        count = (
            Placement.objects.filter(home=home, start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
            .count()
        )
        # An override may put a home over capacity; the register's count stops at capacity.
        Home.objects.filter(pk=home.pk).update(occupied=min(count, home.capacity))


def _separated_siblings(child: Child, home: Home, day: dt.date) -> list[Child]:
    if not child.sibling_group_id:
        return []
    bonded = set()
    for a, b in SiblingRelation.objects.filter(Q(child_a=child) | Q(child_b=child), existing_bond=True).values_list(
        "child_a_id", "child_b_id"
    ):
        bonded.add(b if a == child.pk else a)
    elsewhere = (
        Placement.objects.filter(child_id__in=bonded, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .exclude(home=home)
        .values_list("child_id", flat=True)
    )
    return list(Child.objects.filter(pk__in=list(elsewhere)).order_by("birth_date", "pk"))


def _keep_apart_partner_in(home: Home, child: Child, day: dt.date) -> bool:
    """Whether a child who must never live with ``child`` lives in ``home`` on ``day`` or later."""
    partners = [
        b if a == child.pk else a
        for a, b in KeepApart.objects.filter(Q(child_a=child) | Q(child_b=child)).values_list(
            "child_a_id", "child_b_id"
        )
    ]
    return (
        bool(partners)
        and Placement.objects.filter(home=home, child_id__in=partners)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .exists()
    )


def place_child(
    *,
    actor: Any,
    child: Child,
    home: Home,
    type: str,
    start_date: dt.date,
    decision: dict[str, Any],
    is_emergency: bool = False,
    child_prepared: bool = False,
    capacity_override: str = "",
    end_reason: str = EndReason.PLANNED_MOVE,
    proposal: Any = None,
) -> PlacementResult:
    """Start a placement, ending the current one on the same day; never without its decision.

    ``proposal`` is the matching proposal (``placements.Proposal``) the placement was registered from: the
    placement records it and it is marked accepted when the placement is saved, if the placement follows it
    (the same child and home); a proposal already accepted is refused.

    Refused with a Norwegian message, saving nothing: a start on or before the
    current placement's start or overlapping any other episode, a home that is
    full (unless the override gives a reason), a home whose age limits exclude
    the child, a home where a child lives who must never live with this one
    (keep-apart), and a first admission without a gatekeeping assessment that
    admits (except an emergency, which must be assessed afterwards — R21).
    """
    errors: dict[str, Any] = {}
    today = timezone.localdate()
    placements = list(child.placements.order_by("start_date", "pk"))
    current = next((p for p in placements if p.end_date is None), None)
    if start_date > today + dt.timedelta(days=366):
        errors["start_date"] = _("Startdatoen er mer enn ett år fram i tid.")
    if start_date < child.birth_date:
        errors["start_date"] = _("En plassering kan ikke starte før barnet er født.")
    if current and start_date < current.start_date:
        errors["start_date"] = _("Den nye plasseringen kan ikke starte før den nåværende startet ({date}).").format(
            date=current.start_date.strftime("%d.%m.%Y")
        )
    elif current and start_date == current.start_date:
        # Ending the current placement on its own start day would leave it zero days long.
        errors["start_date"] = _(
            "Den nåværende plasseringen startet samme dag ({date}). En flytting må starte etter den dagen; "
            "var den nåværende plasseringen feil, avslutt den og registrer den riktige."
        ).format(date=current.start_date.strftime("%d.%m.%Y"))
    for other in placements:
        overlaps = other is not current and (other.end_date is None or other.end_date > start_date)
        if overlaps and "start_date" not in errors:
            errors["start_date"] = _("Plasseringen overlapper en tidligere plassering ({start}–{end}).").format(
                start=other.start_date.strftime("%d.%m.%Y"),
                end=other.end_date.strftime("%d.%m.%Y") if other.end_date else "",
            )
    if not home.is_active:
        errors["home"] = _("Hjemmet er ikke aktivt.")
    age = age_on(child.birth_date, start_date)
    if not home.min_age <= age <= home.max_age:
        errors["home"] = _("Hjemmet tar imot barn fra {low} til {high} år; barnet er {age}.").format(
            low=home.min_age, high=home.max_age, age=age
        )
    occupied = _occupied_on(home, start_date, excluding_child=child.pk)
    if occupied >= home.capacity and not capacity_override.strip():
        errors["capacity_override"] = _(
            "Hjemmet er fullt ({occupied} av {capacity} plasser). Skriv en begrunnelse for overbelegg for å plassere likevel."
        ).format(occupied=occupied, capacity=home.capacity)
    if not placements and not is_emergency and not admission_assessed(child, on=start_date):
        errors["home"] = _(
            "Barnet kan ikke tas inn i alternativ omsorg uten en inntaksvurdering av nødvendighet og egnethet."
        )
    if _keep_apart_partner_in(home, child, start_date):
        errors["home"] = _(
            "Barnet skal ikke bo i samme hjem som et av barna som bor der (registrert: skal ikke bo sammen). Velg et "
            "annet hjem."
        )
    if current and current.home_id == home.pk and current.type == type:
        errors["home"] = _("Barnet bor allerede i dette hjemmet.")
    if child.status in {ChildStatus.LEFT}:
        errors["home"] = _("Saken er avsluttet; barnet kan ikke plasseres.")
    if proposal is not None and (proposal.child_id != child.pk or proposal.accepted_at is not None):
        errors["proposal"] = _("Forslaget gjelder et annet barn eller er allerede brukt til en plassering.")
    followed = proposal if proposal is not None and proposal.home_id == home.pk else None
    kind = DecisionKind.ADMISSION if not placements else DecisionKind.MOVE if current else DecisionKind.PLACEMENT
    if current and current.home_id == home.pk:
        kind = DecisionKind.PLACEMENT
    try:
        new_decision = _new_decision(actor, child, {**decision, "kind": decision.get("kind") or kind})
    except ValidationError as exc:
        errors.update({f"decision_{k}" if k in DECISION_FIELDS else k: v for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    old_home = current.home if current else None
    try:
        with transaction.atomic():
            new_decision.save()
            if current:
                current.end_date = start_date
                current.end_reason = end_reason or EndReason.PLANNED_MOVE
                current.full_clean()
                current.save(update_fields=["end_date", "end_reason", "updated_at"])
            placement = Placement(
                child=child,
                home=home,
                type=type,
                is_emergency=is_emergency,
                start_date=start_date,
                child_prepared=child_prepared,
                capacity_override=capacity_override.strip(),
                decision=new_decision,
                proposal=followed,
            )
            placement.full_clean()
            placement.save()
            if followed is not None:
                from barneby.placements.models import Proposal  # the proposals depend on care, not the reverse

                accepted = Proposal.objects.filter(pk=followed.pk, accepted_at__isnull=True)
                if not accepted.update(accepted_at=timezone.now(), accepted_by=actor):
                    raise ValidationError({"proposal": _("Forslaget er allerede brukt til en plassering.")})
            if child.status != ChildStatus.ALTERNATIVE_CARE:
                child.status = ChildStatus.ALTERNATIVE_CARE
                child.save(update_fields=["status", "updated_at"])
            _sync_occupancy(home, *([old_home] if old_home else []))
            _audit_child(
                actor,
                AuditAction.CREATE,
                child,
                detail=f"placement {placement.pk} home {home.pk}"
                + (f" proposal {followed.pk}" if followed is not None else ""),
            )
    except IntegrityError as exc:
        raise ValidationError({"start_date": _("Plasseringen overlapper en annen plassering for barnet.")}) from exc
    _refresh(child)
    return PlacementResult(placement, new_decision, _separated_siblings(child, home, start_date))


LEAVING_STATUS: dict[str, str] = {
    EndReason.REUNIFICATION: ChildStatus.REUNIFIED,
    EndReason.AGED_OUT: ChildStatus.AFTERCARE,
    EndReason.ADOPTION: ChildStatus.LEFT,
}
LEAVING_DECISION: dict[str, str] = {
    EndReason.REUNIFICATION: DecisionKind.REUNIFICATION,
    EndReason.ADOPTION: DecisionKind.LEAVING_CARE,
}


def placement_end(
    *, actor: Any, placement: Placement, end_date: dt.date, end_reason: str, decision: dict[str, Any]
) -> Placement:
    """End the current placement without a new one (reunification, leaving care, adoption)."""
    errors: dict[str, Any] = {}
    if placement.end_date is not None:
        errors["end_date"] = _("Plasseringen er allerede avsluttet.")
    if end_date < placement.start_date:
        errors["end_date"] = _("Sluttdatoen kan ikke være før startdatoen ({date}).").format(
            date=placement.start_date.strftime("%d.%m.%Y")
        )
    if end_date > timezone.localdate():
        errors["end_date"] = _("Sluttdatoen kan ikke være fram i tid.")
    if end_reason not in EndReason.values:
        errors["end_reason"] = _("Velg en sluttårsak.")
    kind = LEAVING_DECISION.get(end_reason, DecisionKind.LEAVING_CARE)
    try:
        new_decision = _new_decision(actor, placement.child, {**decision, "kind": decision.get("kind") or kind})
    except ValidationError as exc:
        errors.update({f"decision_{k}" if k in DECISION_FIELDS else k: v for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    child = placement.child
    with transaction.atomic():
        new_decision.save()
        placement.end_date, placement.end_reason = end_date, end_reason
        placement.full_clean()
        placement.save(update_fields=["end_date", "end_reason", "updated_at"])
        child.status = LEAVING_STATUS.get(end_reason, ChildStatus.LEFT)
        if child.status == ChildStatus.LEFT:
            child.left_on = end_date
        child.save(update_fields=["status", "left_on", "updated_at"])
        _sync_occupancy(placement.home)
        _audit_child(actor, AuditAction.UPDATE, child, detail=f"placement {placement.pk} ended {end_reason}")
    _refresh(child)
    return placement


# --- plans, reviews, aftercare, follow-ups, daily notes -------------------------------------


def _save_child_record(
    actor: Any, record: M, child: Child, label: str, *, create: bool, version: int | None = None
) -> M:
    record.full_clean()
    with transaction.atomic():
        if not create:
            claim_version(record, version, label)
        record.save()
        _audit_child(actor, AuditAction.CREATE if create else AuditAction.UPDATE, child, detail=f"{label} {record.pk}")
    _refresh(child)
    return record


def _not_future(day: dt.date | None, field: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: _("Datoen kan ikke være fram i tid.")})


def goal_save(
    *, actor: Any, child: Child, goal: PlanGoal | None = None, version: int | None = None, **fields: Any
) -> PlanGoal:
    record = goal or PlanGoal(child=child)
    _set(record, fields, ("domain", "description", "status", "target_date"))
    return _save_child_record(actor, record, child, "goal", create=goal is None, version=version)


def review_save(
    *, actor: Any, child: Child, review: PlanReview | None = None, version: int | None = None, **fields: Any
) -> PlanReview:
    record = review or PlanReview(child=child, recorded_by=actor)
    _set(record, fields, ("reviewed_on", "summary", "child_took_part", "child_views", "not_heard_reason"))
    _not_future(record.reviewed_on, "reviewed_on")
    if record.child_took_part and not record.child_views.strip():
        raise ValidationError({"child_views": _("Skriv hva barnet sa, når barnet deltok.")})
    return _save_child_record(actor, record, child, "review", create=review is None, version=version)


def aftercare_save(*, actor: Any, child: Child, version: int | None = None, **fields: Any) -> Aftercare:
    record = Aftercare.objects.filter(child=child).first() or Aftercare(child=child)
    create = record.pk is None
    _set(
        record,
        fields,
        (
            "assessed_on",
            "plan",
            "support_person",
            "housing",
            "education",
            "work",
            "finances",
            "offered_on",
            "response",
            "responded_on",
            "decline_reason",
            "recontacted_on",
            "closed_on",
        ),
    )
    errors: dict[str, Any] = {}
    for name in ("assessed_on", "offered_on", "responded_on", "recontacted_on", "closed_on"):
        day = getattr(record, name)
        if day and day > timezone.localdate():
            errors[name] = _("Datoen kan ikke være fram i tid.")
    if record.response and not record.responded_on:
        errors["responded_on"] = _("Oppgi når den unge svarte.")
    if record.response == AftercareResponse.DECLINED and not record.decline_reason.strip():
        errors["decline_reason"] = _("Skriv hvorfor den unge takket nei.")
    if record.response and not record.offered_on:
        errors["offered_on"] = _("Oppgi når ettervern ble tilbudt.")
    if record.closed_on and age_on(child.birth_date, record.closed_on) > 25:
        errors["closed_on"] = _("Ettervern varer til 25 år.")
    if errors:
        raise ValidationError(errors)
    return _save_child_record(actor, record, child, "aftercare", create=create, version=version)


def close_aftercare_at_end_age(*, today: dt.date | None = None) -> int:
    """Close aftercare for young people who have reached the end age (25); their case is then closed.

    Run nightly before the rules. Returns how many were closed.
    """
    today = today or timezone.localdate()
    end_age = alerts.thresholds().aftercare_end_age
    try:
        latest_birth = today.replace(year=today.year - end_age)
    except ValueError:  # 29 February
        latest_birth = today.replace(year=today.year - end_age, day=28)
    due = Child.objects.filter(birth_date__lte=latest_birth).filter(
        Q(status=ChildStatus.AFTERCARE) | Q(aftercare__isnull=False, aftercare__closed_on__isnull=True)
    )
    closed = 0
    for child in due.select_related("aftercare").iterator(chunk_size=500):
        reached = rules_birthday(child.birth_date, end_age)
        with transaction.atomic():
            Aftercare.objects.filter(child=child, closed_on__isnull=True).update(closed_on=reached)
            if child.status == ChildStatus.AFTERCARE:
                child.status, child.left_on = ChildStatus.LEFT, reached
                child.save(update_fields=["status", "left_on", "updated_at"])
            audit_record(
                actor=None,
                action=AuditAction.UPDATE,
                object_type="care.child",
                object_id=child.pk,
                detail="aftercare closed at end age",
            )
        closed += 1
    return closed


def follow_up_record(*, actor: Any, child: Child, kind: str, visited_on: dt.date, notes: str) -> FollowUp:
    _not_future(visited_on, "visited_on")
    record = FollowUp(child=child, kind=kind, visited_on=visited_on, notes=notes, recorded_by=actor)
    return _save_child_record(actor, record, child, "follow-up", create=True)


def daily_note_write(*, actor: Any, child: Child, home_id: int, written_on: dt.date, text: str) -> DailyNote:
    _not_future(written_on, "written_on")
    if not text.strip():
        raise ValidationError({"text": _("Skriv noe i dagboken.")})
    note = DailyNote(child=child, home_id=home_id, written_on=written_on, text=text.strip(), author=actor)
    with transaction.atomic():
        note.full_clean()
        note.save()
        _audit_child(actor, AuditAction.CREATE, child, detail=f"daily-note {note.pk}")
    return note


# --- families ------------------------------------------------------------------------------

HOUSEHOLD_FIELDS = (
    "name",
    "municipality",
    "risk_factors",
    "in_family_strengthening",
    "entered_on",
    "exited_on",
    "exit_outcome",
)


def household_save(*, actor: Any, programme: Programme, household: Household | None = None, **fields: Any) -> Household:
    record = household or Household(programme=programme)
    _set(record, fields, HOUSEHOLD_FIELDS)
    if record.exited_on and not record.exit_outcome:
        raise ValidationError({"exit_outcome": _("Oppgi utfallet når familiestyrkingen avsluttes.")})
    if record.exit_outcome and not record.exited_on:
        raise ValidationError({"exited_on": _("Oppgi når familiestyrkingen ble avsluttet.")})
    _not_future(record.exited_on, "exited_on")
    with transaction.atomic():
        record.full_clean()
        record.save()
        audit_record(actor=actor, action=AuditAction.CREATE if household is None else AuditAction.UPDATE, obj=record)
    return record


def household_add(*, actor: Any, household: Household, record: models.Model) -> models.Model:
    """Add a member, a network contact or a support service to a household."""
    if not isinstance(record, HouseholdMember | SupportContact | SupportService):
        raise TypeError(record)
    record.household = household
    if isinstance(record, SupportService) and record.end_date and record.end_date < record.start_date:
        raise ValidationError({"end_date": _("Sluttdatoen kan ikke være før startdatoen.")})
    with transaction.atomic():
        record.full_clean()
        record.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=household, detail=f"{record._meta.model_name} added")
    return record
