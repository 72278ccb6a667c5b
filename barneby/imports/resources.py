"""The two kinds of import as django-import-export resources that write through the apps' services.

Each row becomes one call of the owning app's service (``care.services.child_create``,
``fundraising.services.supporter_create``), so an imported record is validated,
audited and followed up (alerts) exactly like one typed in. A row's problems are
raised as a ``ValidationError`` keyed by column, which import-export records as
that row's outcome; ``Resource.import_data`` runs each row in a savepoint of one
transaction, so a trial run (``dry_run=True``) leaves nothing behind and a real
run either saves every row or, if one fails, none.

What each row came to is kept in ``outcomes`` (row number → :class:`Outcome`):
``new``, ``duplicate`` (an existing supporter, or an earlier row of the same
file; the row is skipped, never saved twice) or ``error``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources  # type: ignore[import-untyped]

from barneby.accounts.scoping import visible_to
from barneby.care import services as care_services
from barneby.care.models import Child, Sex, SiblingKind, TargetGroup
from barneby.care.permissions import CARE_WRITERS
from barneby.fundraising import duplicates
from barneby.fundraising import services as fundraising_services
from barneby.fundraising.models import Supporter, SupporterKind, normalise_phone
from barneby.organisation.models import MemberAssociation, Programme

NEW, DUPLICATE, ERROR = "new", "duplicate", "error"


@dataclass
class Outcome:
    status: str
    label: str = ""  # who the row is about (name), for the preview
    messages: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "label": self.label, "messages": self.messages}


@dataclass(frozen=True)
class Column:
    header: str
    label: Promise
    required: bool = False


def _text(row: dict[str, Any], header: str) -> str:
    value = row.get(header)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's number cell (a postcode, a phone number)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


def _date(text: str) -> dt.date:
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _choice(text: str, choices: dict[str, str]) -> str | None:
    """A choice by its value or its Norwegian label, ignoring case."""
    return choices.get(text.strip().lower())


class BarnebyResource(resources.ModelResource):  # type: ignore[misc]
    """Rows are always new records; the subclass parses a row and saves it through a service."""

    COLUMNS: ClassVar[tuple[Column, ...]] = ()

    def __init__(self, *, actor: Any) -> None:
        super().__init__()
        self.actor = actor
        self.outcomes: dict[int, Outcome] = {}
        self.values: dict[int, dict[str, Any]] = {}

    class Meta:
        skip_diff = True
        skip_html_diff = True
        clean_model_instances = False
        report_skipped = True
        use_transactions = True

    # -- columns and instances ----------------------------------------------------------------

    @classmethod
    def headers(cls) -> list[str]:
        return [c.header for c in cls.COLUMNS]

    def _check_import_id_fields(self, headers: list[str]) -> None:
        missing = [c.header for c in self.COLUMNS if c.required and c.header not in (headers or [])]
        if missing:
            raise ValidationError(_("Filen mangler kolonnene: {columns}.").format(columns=", ".join(missing)))

    def get_or_init_instance(self, instance_loader: Any, row: dict[str, Any]) -> tuple[Model, bool]:
        return self.init_instance(row), True

    def import_instance(self, instance: Model, row: dict[str, Any], **kwargs: Any) -> None:
        number = int(kwargs["row_number"])
        errors: dict[str, list[str]] = {}
        values = self.parse(row, errors)
        self.values[number] = values
        self.outcomes[number] = Outcome(ERROR, label=self.label(values))
        for header, problems in errors.items():
            self.outcomes[number].messages += [f"{header}: {problem}" for problem in problems]
        if errors:
            raise ValidationError(errors)

    def skip_row(
        self, instance: Model, original: Any, row: dict[str, Any], import_validation_errors: Any = None
    ) -> bool:
        return False

    def validate_instance(
        self, instance: Model, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def save_instance(self, instance: Model, is_create: bool, row: dict[str, Any], **kwargs: Any) -> None:
        number = int(kwargs["row_number"])
        outcome = self.outcomes[number]
        try:
            saved = self.save(number, self.values[number])
        except ValidationError as exc:
            outcome.messages += _messages(exc, self.LABELS)
            raise
        if saved is not None:
            instance.pk = saved.pk
        if outcome.status == ERROR:
            outcome.status = NEW

    def save_m2m(self, instance: Model, row: dict[str, Any], **kwargs: Any) -> None:
        return None

    # -- the subclass's part ------------------------------------------------------------------

    LABELS: ClassVar[dict[str, str]] = {}

    def parse(self, row: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
        raise NotImplementedError

    def label(self, values: dict[str, Any]) -> str:
        raise NotImplementedError

    def save(self, number: int, values: dict[str, Any]) -> Model | None:
        raise NotImplementedError


def _messages(exc: ValidationError, labels: dict[str, str]) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{labels.get(name, name)}: {message}" if name != "__all__" else str(message)
            for name, problems in exc.message_dict.items()
            for message in problems
        ]
    return [str(m) for m in exc.messages]


# --- children ----------------------------------------------------------------------------------

CHILD_COLUMNS = (
    Column("program", gettext_lazy("Programkode"), required=True),
    Column("fornavn", gettext_lazy("Fornavn"), required=True),
    Column("etternavn", gettext_lazy("Etternavn"), required=True),
    Column("fødselsdato", gettext_lazy("Fødselsdato (dd.mm.åååå)"), required=True),
    Column("kjønn", gettext_lazy("Kjønn (jente/gutt/annet)"), required=True),
    Column("målgruppe", gettext_lazy("Målgruppe (i risiko / uten omsorg)"), required=True),
    Column("fødselsnummer", gettext_lazy("Fødselsnummer eller D-nummer (11 sifre)")),
    Column("statsborgerskap", gettext_lazy("Statsborgerskap (landkode, f.eks. NO)")),
    Column("språk", gettext_lazy("Språk")),
    Column("søskengruppe", gettext_lazy("Søskengruppe (samme tekst på søsken i filen)")),
)


class ChildResource(BarnebyResource):
    """Children and young people, into programmes the user may write in (caseworker, programme director)."""

    COLUMNS = CHILD_COLUMNS
    LABELS = {
        "first_name": "fornavn",
        "last_name": "etternavn",
        "birth_date": "fødselsdato",
        "sex": "kjønn",
        "national_id": "fødselsnummer",
        "nationality": "statsborgerskap",
        "target_group": "målgruppe",
        "languages": "språk",
        "other": "søskengruppe",
    }

    class Meta(BarnebyResource.Meta):
        model = Child
        fields: tuple[str, ...] = ()

    def __init__(self, *, actor: Any) -> None:
        super().__init__(actor=actor)
        self.all_programmes = {p.code.lower(): p for p in Programme.objects.all()}
        writable = visible_to(Programme.objects.all(), user=actor, paths=Programme.SCOPE_PATHS, roles=CARE_WRITERS)
        self.writable = set(writable.values_list("pk", flat=True))
        self.sexes = _choices(
            Sex.choices,
            {"jente": Sex.FEMALE, "kvinne": Sex.FEMALE, "gutt": Sex.MALE, "mann": Sex.MALE, "annet": Sex.OTHER},
        )
        self.groups = _choices(
            TargetGroup.choices,
            {"i risiko": TargetGroup.AT_RISK, "uten omsorg": TargetGroup.WITHOUT_CARE},
        )
        self.siblings: dict[str, list[Child]] = {}
        self.saved: list[int] = []

    def parse(self, row: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for header, name in (("fornavn", "first_name"), ("etternavn", "last_name")):
            values[name] = _text(row, header)
            if not values[name]:
                errors.setdefault(header, []).append(_("Må fylles ut."))
        code = _text(row, "program")
        programme = self.all_programmes.get(code.lower())
        if not code:
            errors.setdefault("program", []).append(_("Må fylles ut."))
        elif programme is None:
            errors.setdefault("program", []).append(_("Ukjent program «{code}».").format(code=code))
        elif programme.pk not in self.writable:
            errors.setdefault("program", []).append(
                _("Du kan ikke registrere barn i programmet «{code}».").format(code=code)
            )
        else:
            values["programme"] = programme
        birth = _text(row, "fødselsdato")
        try:
            values["birth_date"] = _date(birth)
        except ValueError:
            errors.setdefault("fødselsdato", []).append(
                _("«{value}» er ikke en dato (dd.mm.åååå).").format(value=birth) if birth else _("Må fylles ut.")
            )
        for header, name, table in (("kjønn", "sex", self.sexes), ("målgruppe", "target_group", self.groups)):
            text = _text(row, header)
            choice = _choice(text, table)
            if choice is None:
                errors.setdefault(header, []).append(
                    _("«{value}» er ikke et gyldig valg.").format(value=text) if text else _("Må fylles ut.")
                )
            else:
                values[name] = choice
        values["national_id"] = _text(row, "fødselsnummer").replace(" ", "")
        values["nationality"] = _text(row, "statsborgerskap").upper()
        values["languages"] = _text(row, "språk")
        values["group"] = _text(row, "søskengruppe")
        return values

    def label(self, values: dict[str, Any]) -> str:
        return f"{values.get('first_name', '')} {values.get('last_name', '')}".strip()

    def save(self, number: int, values: dict[str, Any]) -> Model | None:
        fields = {k: v for k, v in values.items() if k not in {"programme", "group"}}
        # The alerts are brought up to date once for every child at the end (after_import), not row by row.
        child = care_services.child_create(
            actor=self.actor, programme=values["programme"], caseworker=self.actor, refresh_alerts=False, **fields
        )
        group = values["group"]
        if group:
            earlier = self.siblings.setdefault(group.lower(), [])
            if earlier:
                care_services.sibling_link_group(
                    actor=self.actor, child=child, other=earlier[0], kind=SiblingKind.FULL, refresh_alerts=False
                )
            earlier.append(child)
        self.saved.append(child.pk)
        return child

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        """Refresh the imported children's alerts in one go, in the import's transaction (a trial run needs none)."""
        if kwargs.get("dry_run", True) or result.has_errors() or result.has_validation_errors():
            return
        care_services.children_refresh_alerts(self.saved)


# --- supporters --------------------------------------------------------------------------------

SUPPORTER_COLUMNS = (
    Column("type", gettext_lazy("Type (person/firma; tom: person)")),
    Column("fornavn", gettext_lazy("Fornavn")),
    Column("etternavn", gettext_lazy("Etternavn")),
    Column("firmanavn", gettext_lazy("Firmanavn")),
    Column("organisasjonsnummer", gettext_lazy("Organisasjonsnummer (9 sifre)")),
    Column("e-post", gettext_lazy("E-post")),
    Column("telefon", gettext_lazy("Telefon")),
    Column("gateadresse", gettext_lazy("Gateadresse")),
    Column("postnummer", gettext_lazy("Postnummer (4 sifre)")),
    Column("poststed", gettext_lazy("Poststed")),
)
SUPPORTER_NAMES = {
    "fornavn": "first_name",
    "etternavn": "last_name",
    "firmanavn": "company_name",
    "organisasjonsnummer": "organisation_number",
    "e-post": "email",
    "telefon": "phone",
    "gateadresse": "street_address",
    "postnummer": "postcode",
    "poststed": "city",
}


class SupporterResource(BarnebyResource):
    """Supporters of the user's member association (donor service); an existing supporter is never duplicated."""

    COLUMNS = SUPPORTER_COLUMNS
    LABELS = {name: header for header, name in SUPPORTER_NAMES.items()} | {"kind": "type"}

    class Meta(BarnebyResource.Meta):
        model = Supporter
        fields: tuple[str, ...] = ()

    def __init__(self, *, actor: Any, association: MemberAssociation) -> None:
        super().__init__(actor=actor)
        self.association = association
        self.kinds = _choices(
            SupporterKind.choices,
            {"": SupporterKind.PERSON, "firma": SupporterKind.COMPANY, "bedrift": SupporterKind.COMPANY},
        )
        self.rows_of: dict[int, int] = {}  # supporter made by this file → its row
        self.keys = DuplicateKeys(association)

    def parse(self, row: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
        values: dict[str, Any] = {name: _text(row, header) for header, name in SUPPORTER_NAMES.items()}
        text = _text(row, "type")
        kind = _choice(text, self.kinds)
        if kind is None:
            errors.setdefault("type", []).append(_("«{value}» er ikke et gyldig valg.").format(value=text))
            kind = SupporterKind.PERSON
        values["kind"] = kind
        if kind == SupporterKind.COMPANY and not values["company_name"]:
            errors.setdefault("firmanavn", []).append(_("Må fylles ut for et firma."))
        if kind == SupporterKind.PERSON and not values["last_name"]:
            errors.setdefault("etternavn", []).append(_("Må fylles ut for en person."))
        return values

    def label(self, values: dict[str, Any]) -> str:
        if values.get("kind") == SupporterKind.COMPANY:
            return str(values.get("company_name", ""))
        return f"{values.get('first_name', '')} {values.get('last_name', '')}".strip()

    def save(self, number: int, values: dict[str, Any]) -> Model | None:
        described = values_for_duplicates(values)
        candidates = (
            duplicates.find_duplicates(association=self.association, limit=1, **described)
            if self.keys.may_match(**described)
            else []
        )
        if candidates:
            found = candidates[0]
            outcome = self.outcomes[number]
            outcome.status = DUPLICATE
            row = self.rows_of.get(found.supporter.pk)
            if row is not None:
                outcome.messages.append(
                    _("Samme giver som rad {row} ({reasons}).").format(row=row, reasons=found.reasons)
                )
            else:
                outcome.messages.append(
                    _("Finnes allerede: giver {number} {name} ({reasons}).").format(
                        number=found.supporter.donor_number, name=found.supporter, reasons=found.reasons
                    )
                )
            return None
        supporter = fundraising_services.supporter_create(actor=self.actor, association=self.association, **values)
        self.rows_of[supporter.pk] = number
        self.keys.add(supporter)
        return supporter


def _fold(text: str) -> str:
    """Case folded at least as far as the database's ``iexact`` does.

    PostgreSQL compares ``UPPER()`` of both sides (simple case mapping), SQLite's
    ``LIKE`` folds ASCII only: two texts the database calls equal are equal here
    too (uppercasing first maps the dotless i and the long s the way ``UPPER()`` does).
    """
    return text.upper().casefold()


class DuplicateKeys:
    """The keys of an association's live supporters under the three rules of ``fundraising.duplicates``.

    Asking the database for candidates costs three queries a row. This set
    answers, in memory, whether a row *may* have a candidate: every supporter
    ``find_duplicates`` would find shares a key with the row (the folding here
    is at least as coarse as the database's), so a row with no shared key has
    none and needs no query; a row that shares one is checked by
    ``find_duplicates`` itself, whose answer is the only one used. Supporters
    saved by the import are added as they are made.
    """

    def __init__(self, association: MemberAssociation) -> None:
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.names: set[tuple[str, ...]] = set()
        live = Supporter.objects.filter(association=association, merged_into__isnull=True, is_anonymised=False)
        for row in live.values_list(
            "kind", "email", "phone_key", "first_name", "last_name", "company_name", "postcode"
        ):
            self._add(*row)

    def _add(
        self, kind: str, email: str, phone_key: str, first_name: str, last_name: str, company_name: str, postcode: str
    ) -> None:
        if email:
            self.emails.add(_fold(email))
        if phone_key:
            self.phones.add(phone_key)
        if kind == SupporterKind.COMPANY:
            self.names.add((SupporterKind.COMPANY, _fold(company_name), postcode))
        elif kind == SupporterKind.PERSON:
            self.names.add((SupporterKind.PERSON, _fold(first_name), _fold(last_name), postcode))

    def add(self, supporter: Supporter) -> None:
        self._add(
            supporter.kind,
            supporter.email,
            supporter.phone_key,
            supporter.first_name,
            supporter.last_name,
            supporter.company_name,
            supporter.postcode,
        )

    def may_match(
        self,
        *,
        kind: str,
        email: str,
        phone: str,
        first_name: str,
        last_name: str,
        company_name: str,
        postcode: str,
    ) -> bool:
        """False only if ``find_duplicates`` with these values is sure to find nobody."""
        if email.strip() and _fold(email.strip()) in self.emails:
            return True
        if normalise_phone(phone) in self.phones:
            return True
        postcode = postcode.strip()
        if not postcode:  # the name rule needs a postcode
            return False
        if kind == SupporterKind.COMPANY:
            key: tuple[str, ...] = (SupporterKind.COMPANY, _fold(company_name.strip()), postcode)
        else:
            key = (SupporterKind.PERSON, _fold(first_name.strip()), _fold(last_name.strip()), postcode)
        return key in self.names


def values_for_duplicates(values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: values[name] for name in ("kind", "email", "phone", "first_name", "last_name", "company_name", "postcode")
    }


def _choices(choices: Any, extra: dict[str, str]) -> dict[str, str]:
    table = {str(value).lower(): str(value) for value, _label in choices}
    table.update({str(label).lower(): str(value) for value, label in choices})
    table.update(extra)
    return table
