"""Writes to the organisation register: validated, audited, never deleting history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.organisation import selectors
from barneby.organisation.models import (
    Competence,
    Home,
    Location,
    MemberAssociation,
    Municipality,
    Programme,
    ProgrammeStatus,
    StaffMember,
    Training,
)

M = TypeVar("M", bound=models.Model)


def _save(obj: M, *, actor: Any, action: AuditAction, detail: str = "") -> M:
    obj.full_clean()
    obj.save()
    audit_record(actor=actor, action=action, obj=obj, detail=detail)
    return obj


def _apply(obj: M, fields: dict[str, Any], allowed: Iterable[str]) -> list[str]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: _("Feltet kan ikke endres her.") for name in sorted(unknown)})
    changed = []
    for name, value in fields.items():
        try:
            current = getattr(obj, name)
        except ObjectDoesNotExist:  # an unset relation on a new object
            current = None
        if current != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def municipality_by_number(number: str | None) -> Municipality | None:
    """The municipality with this official number; a Norwegian error if there is none."""
    if not number:
        return None
    found = Municipality.objects.filter(number=str(number).strip()).first()
    if found is None:
        raise ValidationError({"municipality": _("Ukjent kommunenummer: {number}.").format(number=number)})
    return found


ASSOCIATION_FIELDS = ("name", "code", "country")
LOCATION_FIELDS = ("kind", "name", "country", "municipality", "latitude", "longitude")
PROGRAMME_FIELDS = (
    "location",
    "name",
    "code",
    "type",
    "status",
    "start_date",
    "end_date",
    "budget_local",
    "currency",
    "budget_nok",
    "partner_municipality",
)
HOME_FIELDS = (
    "name",
    "kind",
    "capacity",
    "takes_sibling_groups",
    "max_sibling_group_size",
    "min_age",
    "max_age",
    "street_address",
    "postcode",
    "municipality",
    "latitude",
    "longitude",
)
STAFF_FIELDS = ("programme", "home", "first_name", "last_name", "role", "email", "phone")
TRAINING_FIELDS = ("kind", "title", "completed_on", "expires_on")


@transaction.atomic
def association_create(*, actor: Any, **fields: Any) -> MemberAssociation:
    association = MemberAssociation()
    _apply(association, fields, ASSOCIATION_FIELDS)
    return _save(association, actor=actor, action=AuditAction.CREATE)


@transaction.atomic
def association_update(*, actor: Any, association: MemberAssociation, **fields: Any) -> MemberAssociation:
    changed = _apply(association, fields, ASSOCIATION_FIELDS)
    return _save(association, actor=actor, action=AuditAction.UPDATE, detail=",".join(changed))


@transaction.atomic
def location_create(*, actor: Any, association: MemberAssociation, **fields: Any) -> Location:
    location = Location(association=association)
    _apply(location, fields, LOCATION_FIELDS)
    return _save(location, actor=actor, action=AuditAction.CREATE)


@transaction.atomic
def location_update(*, actor: Any, location: Location, **fields: Any) -> Location:
    changed = _apply(location, fields, LOCATION_FIELDS)
    return _save(location, actor=actor, action=AuditAction.UPDATE, detail=",".join(changed))


@transaction.atomic
def programme_create(*, actor: Any, association: MemberAssociation, **fields: Any) -> Programme:
    if not selectors.can_create_programme_in(user=actor, association=association):
        raise PermissionDenied
    programme = Programme(association=association)
    _apply(programme, fields, PROGRAMME_FIELDS)
    return _save(programme, actor=actor, action=AuditAction.CREATE)


@transaction.atomic
def programme_update(*, actor: Any, programme: Programme, **fields: Any) -> Programme:
    changed = _apply(programme, fields, PROGRAMME_FIELDS)
    return _save(programme, actor=actor, action=AuditAction.UPDATE, detail=",".join(changed))


@transaction.atomic
def programme_close(*, actor: Any, programme: Programme, end_date: Any) -> Programme:
    """Close instead of delete: the programme keeps its homes, staff and history."""
    programme.status = ProgrammeStatus.CLOSED
    programme.end_date = end_date
    return _save(programme, actor=actor, action=AuditAction.UPDATE, detail="closed")


@transaction.atomic
def programme_change_status(*, actor: Any, programme: Programme, status: str, reason: str = "") -> Programme:
    """Change a programme's status (e.g. a programme review's decision); the audit log keeps old → new and why."""
    old = programme.status
    if old == status:
        return programme
    programme.status = status
    return _save(programme, actor=actor, action=AuditAction.UPDATE, detail=f"status: {old} → {status}; {reason}")


@transaction.atomic
def home_create(*, actor: Any, programme: Programme, competences: Iterable[Competence] = (), **fields: Any) -> Home:
    home = Home(programme=programme)
    _apply(home, fields, HOME_FIELDS)
    _save(home, actor=actor, action=AuditAction.CREATE)
    home.competences.set(list(competences))
    return home


@transaction.atomic
def home_update(*, actor: Any, home: Home, competences: Iterable[Competence] | None = None, **fields: Any) -> Home:
    changed = _apply(home, fields, HOME_FIELDS)
    _save(home, actor=actor, action=AuditAction.UPDATE, detail=",".join(changed))
    if competences is not None:
        home.competences.set(list(competences))
    return home


@transaction.atomic
def staff_create(*, actor: Any, association: MemberAssociation, **fields: Any) -> StaffMember:
    staff = StaffMember(association=association)
    _apply(staff, fields, STAFF_FIELDS)
    return _save(staff, actor=actor, action=AuditAction.CREATE)


@transaction.atomic
def staff_update(*, actor: Any, staff: StaffMember, **fields: Any) -> StaffMember:
    changed = _apply(staff, fields, STAFF_FIELDS)
    return _save(staff, actor=actor, action=AuditAction.UPDATE, detail=",".join(changed))


@transaction.atomic
def training_add(*, actor: Any, staff: StaffMember, **fields: Any) -> Training:
    training = Training(staff=staff)
    _apply(training, fields, TRAINING_FIELDS)
    return _save(training, actor=actor, action=AuditAction.CREATE)


@transaction.atomic
def deactivate(*, actor: Any, obj: MemberAssociation | Location | Home | StaffMember) -> None:
    """Deactivate a record that has history; nothing in the register is deleted."""
    if obj.is_active:
        obj.is_active = False
        obj.save(update_fields=["is_active", "updated_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=obj, detail="deactivated")
