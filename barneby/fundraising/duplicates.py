"""Duplicate supporters: candidates for a new record, and the pairs already in the register.

Three rules, each enough on its own (a candidate lists every rule it meets):

* the same e-mail address, ignoring case;
* the same phone number once spaces and a Norwegian +47/0047 prefix are removed
  (``Supporter.phone_key``, see ``models.normalise_phone``);
* the same name and postcode: first and last name for a person, the company
  name for a company, ignoring case; only where a postcode is given.

Merged and anonymised records are never candidates. ``find_duplicates`` is what
the create form and imports call; ``duplicate_pairs`` feeds the list page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from barneby.fundraising.models import Supporter, SupporterKind, normalise_phone
from barneby.organisation.models import MemberAssociation

CHUNK = 2000  # values per IN (…) when reading groups back

RULE_LABELS: dict[str, Promise] = {
    "email": _("samme e-post"),
    "phone": _("samme telefonnummer"),
    "name": _("samme navn og postnummer"),
}


@dataclass
class Candidate:
    supporter: Supporter
    rules: list[str] = field(default_factory=list)

    @property
    def reasons(self) -> str:
        return ", ".join(str(RULE_LABELS[rule]) for rule in self.rules)


def _live(association: MemberAssociation | int) -> QuerySet[Supporter]:
    association_id = association if isinstance(association, int) else association.pk
    return Supporter.objects.filter(association_id=association_id, merged_into__isnull=True, is_anonymised=False)


def find_duplicates(
    *,
    association: MemberAssociation | int,
    kind: str = SupporterKind.PERSON,
    email: str = "",
    phone: str = "",
    first_name: str = "",
    last_name: str = "",
    company_name: str = "",
    postcode: str = "",
    exclude_pk: int | None = None,
    limit: int = 20,
) -> list[Candidate]:
    """Existing supporters of ``association`` that may be the same person or company as the one described."""
    rules: list[tuple[str, Q]] = []
    email = email.strip()
    if email:
        rules.append(("email", Q(email__iexact=email)))
    phone_key = normalise_phone(phone)
    if len(phone_key) >= 5:  # a few digits are no evidence
        rules.append(("phone", Q(phone_key=phone_key)))
    postcode = postcode.strip()
    if postcode:
        if kind == SupporterKind.COMPANY and company_name.strip():
            rules.append(("name", Q(kind=kind, company_name__iexact=company_name.strip(), postcode=postcode)))
        elif kind != SupporterKind.COMPANY and last_name.strip():
            rules.append(
                (
                    "name",
                    Q(
                        kind=SupporterKind.PERSON,
                        first_name__iexact=first_name.strip(),
                        last_name__iexact=last_name.strip(),
                        postcode=postcode,
                    ),
                )
            )
    if not rules:
        return []
    found: dict[int, Candidate] = {}
    base = _live(association)
    if exclude_pk is not None:
        base = base.exclude(pk=exclude_pk)
    for rule, condition in rules:
        for supporter in base.filter(condition).order_by("donor_number")[:limit]:
            found.setdefault(supporter.pk, Candidate(supporter)).rules.append(rule)
    return sorted(found.values(), key=lambda c: (-len(c.rules), c.supporter.donor_number))[:limit]


def find_duplicates_of(supporter: Supporter, *, limit: int = 20) -> list[Candidate]:
    """Candidates for an existing record (for imports that update, and the merge page)."""
    return find_duplicates(
        association=supporter.association_id,
        kind=supporter.kind,
        email=supporter.email,
        phone=supporter.phone,
        first_name=supporter.first_name,
        last_name=supporter.last_name,
        company_name=supporter.company_name,
        postcode=supporter.postcode,
        exclude_pk=supporter.pk,
        limit=limit,
    )


@dataclass
class Pair:
    """Two records that may be one supporter; ``first`` is the older (lower donor number)."""

    first: Supporter
    second: Supporter
    rules: list[str]

    @property
    def reasons(self) -> str:
        return ", ".join(str(RULE_LABELS[rule]) for rule in self.rules)


def _groups(supporters: QuerySet[Supporter], rule: str) -> Iterable[list[int]]:
    """Ids of supporters sharing a key under ``rule``, one list per key with more than one member."""
    if rule == "email":
        keyed = supporters.exclude(email="").annotate(k1=Lower("email"))
        keys = ["k1"]
    elif rule == "phone":
        keyed = supporters.exclude(phone_key="").annotate(k1=Lower("phone_key"))
        keys = ["k1"]
    else:
        keyed = supporters.exclude(postcode="").annotate(
            k1=Lower("first_name"), k2=Lower("last_name"), k3=Lower("company_name")
        )
        keys = ["kind", "k1", "k2", "k3", "postcode"]
    shared = keyed.values(*keys).annotate(n=Count("pk")).filter(n__gt=1).order_by()
    wanted = {tuple(row[k] for k in keys) for row in shared}
    if not wanted:
        return []
    # Read back only the rows that can be in a group: narrowed by one key column, in chunks.
    narrow = "k1" if rule != "name" else "postcode"
    position = keys.index(narrow)
    values = sorted({str(key[position]) for key in wanted})
    members: dict[tuple[object, ...], list[tuple[int, int]]] = defaultdict(list)
    for start in range(0, len(values), CHUNK):
        rows = keyed.filter(**{f"{narrow}__in": values[start : start + CHUNK]}).values("pk", "donor_number", *keys)
        for row in rows.order_by("donor_number"):
            key = tuple(row[k] for k in keys)
            if key in wanted:
                members[key].append((row["donor_number"], row["pk"]))
    return [[pk for _number, pk in sorted(group)] for group in members.values()]


def duplicate_pairs(supporters: QuerySet[Supporter]) -> list[Pair]:
    """Every pair among ``supporters`` (live records only) that meets a rule, oldest record first in each pair.

    A group of n records sharing a key gives n - 1 pairs (each later one with the oldest),
    which is what a merge needs. Pairs are ordered by the older record's donor number.
    """
    live = supporters.filter(merged_into__isnull=True, is_anonymised=False)
    rules_by_pair: dict[tuple[int, int], list[str]] = defaultdict(list)
    for rule in ("email", "phone", "name"):
        for ids in _groups(live, rule):
            first = ids[0]
            for other in ids[1:]:
                rules_by_pair[(first, other)].append(rule)
    if not rules_by_pair:
        return []
    wanted = {pk for pair in rules_by_pair for pk in pair}
    by_pk = {s.pk: s for s in Supporter.objects.filter(pk__in=wanted)}
    pairs = [Pair(by_pk[a], by_pk[b], rules) for (a, b), rules in rules_by_pair.items()]
    return sorted(pairs, key=lambda p: (p.first.donor_number, p.second.donor_number))
