"""Merging two records of one supporter, keeping all history.

``merge_supporters`` moves every row that points at the duplicate to the
survivor. It finds them through ``Supporter._meta.related_objects``, so models
added later (sponsorships, newsletter subscribers, …) follow without changes
here. Unique constraints that include the supporter are respected:

* agreements are unique per (supporter, sequence): the duplicate's agreements
  get the next free sequence numbers of the survivor; their KIDs do not change
  (the payer's bank and Nets know them);
* for any other model, a row that would break a unique constraint refuses the
  whole merge with a message naming it (nothing is saved), rather than losing
  or silently changing data;
* records earlier merged into the duplicate are pointed at the survivor, so a
  merged record always points at a live one in one step.

Empty fields on the survivor are filled from the duplicate (the address as a
whole). The duplicate keeps its own fields and donor number for history, is
marked ``merged_into`` the survivor and deactivated; its page redirects to the
survivor. Payments to the duplicate's old gift KID still reach the survivor
(``payments.resolve_kids`` follows ``merged_into``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from barneby.audit.models import AuditAction
from barneby.audit.services import audit_record
from barneby.fundraising.models import PaymentAgreement, Supporter

# Filled on the survivor from the duplicate when empty. The address moves as one unit.
FILL_FIELDS = ("first_name", "last_name", "company_name", "organisation_number", "national_id", "email", "phone")
ADDRESS_FIELDS = ("street_address", "postcode", "city")


def _renumber_agreements(survivor: Supporter, duplicate: Supporter) -> int:
    """Move the duplicate's agreements after the survivor's highest sequence number."""
    top = PaymentAgreement._base_manager.filter(supporter=survivor).aggregate(top=Max("sequence"))["top"] or 0
    moved = 0
    for pk in (
        PaymentAgreement._base_manager.filter(supporter=duplicate)
        .order_by("sequence", "pk")
        .values_list("pk", flat=True)
    ):
        top += 1
        moved += PaymentAgreement._base_manager.filter(pk=pk).update(supporter=survivor, sequence=top)
    return moved


# Models whose rows need more than a changed foreign key: label → mover (returns rows moved).
MOVERS: dict[str, Callable[[Supporter, Supporter], int]] = {
    PaymentAgreement._meta.label_lower: _renumber_agreements,
}


def _unique_sets(model: type[models.Model], field: models.Field[Any, Any]) -> list[tuple[list[str], Q | None]]:
    """The unique field sets of ``model`` that include ``field``, with each constraint's condition."""
    sets: list[tuple[list[str], Q | None]] = []
    if field.unique:
        sets.append(([field.name], None))
    for together in model._meta.unique_together:
        if field.name in together:
            sets.append((list(together), None))
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and field.name in constraint.fields:
            sets.append((list(constraint.fields), constraint.condition))
    return sets


def _conflicts(
    model: type[models.Model], field: models.Field[Any, Any], survivor: Supporter, duplicate: Supporter
) -> bool:
    """Would moving the duplicate's rows break a unique constraint of ``model``?"""
    manager = model._base_manager
    for names, condition in _unique_sets(model, field):
        rows = manager.filter(condition) if condition is not None else manager.all()
        others = [name for name in names if name != field.name]
        theirs = rows.filter(**{field.name: duplicate})
        if not theirs.exists():
            continue
        ours = rows.filter(**{field.name: survivor})
        if not others:
            if ours.exists():
                return True
            continue
        taken = set(ours.values_list(*others))
        if taken & set(theirs.values_list(*others)):
            return True
    return False


def _relations() -> list[tuple[type[models.Model], models.Field[Any, Any]]]:
    """Every (model, foreign key) pointing at Supporter, including the through tables of many-to-many fields."""
    found: list[tuple[type[models.Model], models.Field[Any, Any]]] = []
    for rel in Supporter._meta.related_objects:
        if rel.many_to_many:
            through = rel.through  # type: ignore[attr-defined]
            for field in through._meta.concrete_fields:
                if field.is_relation and field.related_model is Supporter:
                    found.append((through, field))
        else:
            found.append((rel.related_model, rel.field))  # type: ignore[arg-type]
    # Fields on Supporter itself that point at Supporter (merged_into) show up as reverse relations too.
    return found


def _check(*, survivor: Supporter, duplicate: Supporter) -> None:
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("En giver kan ikke slås sammen med seg selv."))
    if survivor.association_id != duplicate.association_id:
        raise ValidationError(_("Givere fra ulike medlemsorganisasjoner kan ikke slås sammen."))
    if survivor.merged_into_id is not None:
        raise ValidationError(
            _("Giver {number} er allerede slått sammen med en annen og kan ikke ta imot flere.").format(
                number=survivor.donor_number
            )
        )
    if duplicate.merged_into_id is not None:
        raise ValidationError(
            _("Giver {number} er allerede slått sammen med en annen.").format(number=duplicate.donor_number)
        )
    if survivor.is_anonymised or duplicate.is_anonymised:
        raise ValidationError(_("Anonymiserte givere kan ikke slås sammen."))
    if survivor.kind != duplicate.kind:
        raise ValidationError(_("En person og en bedrift kan ikke slås sammen."))


def fill_empty_fields(survivor: Supporter, duplicate: Supporter) -> list[str]:
    filled = [name for name in FILL_FIELDS if not getattr(survivor, name) and getattr(duplicate, name)]
    for name in filled:
        setattr(survivor, name, getattr(duplicate, name))
    if not any(getattr(survivor, name) for name in ADDRESS_FIELDS) and any(
        getattr(duplicate, name) for name in ADDRESS_FIELDS
    ):
        for name in ADDRESS_FIELDS:
            setattr(survivor, name, getattr(duplicate, name))
        filled.extend(ADDRESS_FIELDS)
    return filled


@transaction.atomic
def merge_supporters(*, actor: Any, survivor: Supporter, duplicate: Supporter) -> Supporter:
    """Merge ``duplicate`` into ``survivor`` in one transaction; returns the survivor, saved."""
    _check(survivor=survivor, duplicate=duplicate)
    # Lock both rows (in id order, so two merges of the same pair cannot deadlock), then check them again
    # as they are now: another merge may have got there first.
    locked = {
        s.pk: s for s in Supporter.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk]).order_by("pk")
    }
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    _check(survivor=survivor, duplicate=duplicate)

    moved: dict[str, int] = {}
    for model, field in _relations():
        label = model._meta.label_lower
        if model is Supporter:
            # Records merged into the duplicate earlier now point at the survivor.
            count = Supporter._base_manager.filter(**{field.name: duplicate}).update(**{field.name: survivor})
        elif label in MOVERS:
            count = MOVERS[label](survivor, duplicate)
        else:
            if _conflicts(model, field, survivor, duplicate):
                raise ValidationError(
                    _("Kan ikke slå sammen: begge giverne har «{what}» som bare kan finnes én gang per giver.").format(
                        what=model._meta.verbose_name
                    )
                )
            count = model._base_manager.filter(**{field.name: duplicate}).update(**{field.name: survivor})
        if count:
            moved[label] = moved.get(label, 0) + count

    filled = fill_empty_fields(survivor, duplicate)
    survivor.full_clean(exclude=["donor_number"])
    survivor.save()
    duplicate.merged_into = survivor
    duplicate.merged_at = timezone.now()
    duplicate.is_active = False
    duplicate.save(update_fields=["merged_into", "merged_at", "is_active", "updated_at"])

    summary = ", ".join(f"{label} {count}" for label, count in sorted(moved.items()))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=survivor,
        detail=f"merged {duplicate.donor_number} into {survivor.donor_number}: moved {summary or 'nothing'}; "
        f"filled {', '.join(filled) or 'nothing'}",
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=duplicate,
        detail=f"merged into {survivor.donor_number}",
    )
    return survivor
