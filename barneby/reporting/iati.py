"""IATI 2.03 activity export: programmes as ``iati-activity`` elements, checked twice.

1. Our own rules, which the XSD cannot express (``check``): a pure function over plain facts, one
   Norwegian message per problem, so a broken programme is named and left out, never exported
   silently. These are the IATI rulesets' checks that matter for our data: the identifier starts
   with the reporting organisation's, at least one sector and the shares of each vocabulary add up
   to 100, sector codes of the vocabulary's length, one recipient country, a budget no longer than
   a year and budgets of one type that do not overlap, dates in order and no actual date in the
   future, a baseline and a target on every indicator.
2. The official schema (``../shared/data/iati/2.03/iati-activities-schema.xsd``) with lxml, on the
   whole document (``validate``).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]  # no stubs installed (lxml-stubs would type this)

from barneby.core.formatting import format_date

IATI_VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The official schemas are not copied into the project: ../shared/data/iati/2.03 beside the project
# root unless the setting REPORTING_IATI_SCHEMA_DIR names another folder.
SCHEMA_DIR = "shared/data/iati/2.03"
SCHEMA_PATH = "iati-activities-schema.xsd"

# Programme status → IATI ActivityStatus: 2 implementation, 3 finalisation (handed over, accounts
# still open), 4 closed.
STATUS = {"active": "2", "phasing_out": "2", "handed_over": "3", "closed": "4"}
VOCABULARY_DIGITS = {"1": 5, "2": 3}
VOCABULARY_NAMES = {"1": "DAC 5", "2": "DAC 3"}


@dataclass(frozen=True)
class Sector:
    vocabulary: str
    code: str
    percentage: Decimal


@dataclass(frozen=True)
class Budget:
    type: str
    status: str
    start: dt.date
    end: dt.date
    value: Decimal
    currency: str
    value_date: dt.date


@dataclass(frozen=True)
class Indicator:
    """An indicator's figures for one period, as ``barneby.results`` computes them."""

    code: str
    title_nb: str
    title_en: str
    measure: str  # IATI IndicatorMeasure: 1 unit, 2 percentage
    ascending: bool
    baseline_year: int | None
    baseline: Decimal | None
    period_start: dt.date
    period_end: dt.date
    target: Decimal | None
    actual: Decimal | None


@dataclass(frozen=True)
class Activity:
    """Everything one ``iati-activity`` is built from (plain data: no database, no Django models)."""

    programme_code: str
    programme_name: str
    org_identifier: str | None  # None: the association has no IATI identifier
    org_type: str
    org_name_nb: str
    org_name_en: str
    identifier: str | None  # None: the programme has no IATI data
    title_nb: str
    title_en: str
    description_nb: str
    description_en: str
    status: str
    start: dt.date
    end: dt.date | None
    country: str
    sectors: tuple[Sector, ...] = ()
    budgets: tuple[Budget, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    last_updated: dt.datetime | None = None


@dataclass(frozen=True)
class Problem:
    programme_code: str
    programme_name: str
    message: str


@dataclass
class Export:
    xml: bytes
    activities: int
    problems: list[Problem] = field(default_factory=list)
    schema_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.schema_errors


def one_year_later(day: dt.date) -> dt.date:
    """The same day a year on (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def check(activity: Activity, *, today: dt.date) -> list[str]:
    """The rules the schema cannot check, as messages for the person who maintains the programme."""
    if activity.org_identifier is None:
        return [_("Medlemsorganisasjonen har ingen IATI-identifikator; legg den inn under IATI-rapportør.")]
    if activity.identifier is None:
        return [_("Programmet har ingen IATI-opplysninger (identifikator, engelsk tittel, sektorer og budsjett).")]
    problems: list[str] = []
    if not activity.identifier.startswith(activity.org_identifier + "-"):
        problems.append(
            _("IATI-identifikatoren {identifier} begynner ikke med rapportørens identifikator {org}-.").format(
                identifier=activity.identifier, org=activity.org_identifier
            )
        )
    if not activity.title_nb.strip() or not activity.title_en.strip():
        problems.append(_("Programmet mangler tittel på norsk eller engelsk."))
    if not activity.country:
        problems.append(_("Programmet har ikke noe mottakerland."))
    problems += _check_dates(activity, today)
    problems += check_sectors(activity.sectors)
    problems += check_budgets(activity.budgets, closed=activity.status == "4")
    for indicator in activity.indicators:
        if indicator.baseline is None or indicator.target is None:
            problems.append(
                _("Indikatoren {code} mangler utgangsverdi eller mål for {year}.").format(
                    code=indicator.code, year=indicator.period_start.year
                )
            )
    return problems


def _check_dates(activity: Activity, today: dt.date) -> list[str]:
    problems = []
    if activity.end is not None and activity.end < activity.start:
        problems.append(
            _("Programmet slutter {end}, før det begynner {start}.").format(
                end=format_date(activity.end), start=format_date(activity.start)
            )
        )
    if activity.status == "4" and (activity.end is None or activity.end > today):
        problems.append(_("Programmet er avsluttet, men har ingen passert sluttdato."))
    return problems


def check_sectors(sectors: Sequence[Sector]) -> list[str]:
    if not sectors:
        return [_("Programmet har ingen DAC-sektor.")]
    problems = []
    shares: dict[str, Decimal] = defaultdict(Decimal)
    for sector in sectors:
        digits = VOCABULARY_DIGITS.get(sector.vocabulary)
        if digits is None:
            problems.append(_("Ukjent sektorkodeliste {vocabulary}.").format(vocabulary=sector.vocabulary))
            continue
        if len(sector.code) != digits or not sector.code.isdigit():
            problems.append(
                _("Sektorkoden {code} skal ha {digits} sifre i kodelisten {vocabulary}.").format(
                    code=sector.code, digits=digits, vocabulary=VOCABULARY_NAMES[sector.vocabulary]
                )
            )
        if not Decimal(0) <= sector.percentage <= Decimal(100):
            problems.append(_("Sektorandelen for {code} må være mellom 0 og 100 %.").format(code=sector.code))
        shares[sector.vocabulary] += sector.percentage
    for vocabulary, total in sorted(shares.items()):
        if total != Decimal(100):
            problems.append(
                _("Sektorandelene i kodelisten {vocabulary} er til sammen {total} %, ikke 100 %.").format(
                    vocabulary=VOCABULARY_NAMES.get(vocabulary, vocabulary), total=f"{total.normalize():f}"
                )
            )
    return problems


def check_budgets(budgets: Sequence[Budget], *, closed: bool) -> list[str]:
    """Budgets of at most a year that do not overlap; none at all only for a closed programme."""
    if not budgets:
        if closed:
            return []
        return [_("Programmet har ikke noe budsjett.")]
    problems = []
    for budget in budgets:
        period = f"{format_date(budget.start)}–{format_date(budget.end)}"
        if budget.end < budget.start:
            problems.append(_("Budsjettperioden {period} slutter før den begynner.").format(period=period))
        elif budget.end >= one_year_later(budget.start):
            problems.append(
                _("Budsjettperioden {period} er lengre enn ett år; del budsjettet opp i år.").format(period=period)
            )
        if len(budget.currency) != 3 or not budget.currency.isalpha() or not budget.currency.isupper():
            problems.append(_("Valutaen «{currency}» er ikke en ISO 4217-kode.").format(currency=budget.currency))
        if budget.value < 0:
            problems.append(_("Budsjettet for {period} er negativt.").format(period=period))
    for kind in {b.type for b in budgets}:
        same = sorted((b for b in budgets if b.type == kind), key=lambda b: b.start)
        for before, after in itertools.pairwise(same):
            if after.start <= before.end:
                problems.append(
                    _("Budsjettperiodene som begynner {first} og {second} overlapper.").format(
                        first=format_date(before.start), second=format_date(after.start)
                    )
                )
    return problems


# --- the XML ---------------------------------------------------------------------------------


def _narratives(parent: etree._Element, tag: str, texts: Iterable[tuple[str, str]]) -> etree._Element:
    element = etree.SubElement(parent, tag)
    for lang, text in texts:
        if text.strip():
            narrative = etree.SubElement(element, "narrative")
            narrative.text = text
            if lang != "nb":
                narrative.set(XML_LANG, lang)
    return element


def _date(day: dt.date) -> str:
    return day.isoformat()


def _number(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def activity_element(activity: Activity, *, today: dt.date) -> etree._Element:
    """The ``iati-activity`` element, its children in the order the schema's sequence demands."""
    assert activity.identifier is not None
    assert activity.org_identifier is not None
    root = etree.Element("iati-activity")
    if activity.last_updated is not None:
        root.set("last-updated-datetime", activity.last_updated.isoformat(timespec="seconds"))
    root.set(XML_LANG, "nb")
    currencies = {b.currency for b in activity.budgets}
    if len(currencies) == 1:
        root.set("default-currency", currencies.pop())
    etree.SubElement(root, "iati-identifier").text = activity.identifier
    org = _narratives(
        root, "reporting-org", [("nb", activity.org_name_nb), ("en", activity.org_name_en or activity.org_name_nb)]
    )
    org.set("ref", activity.org_identifier)
    org.set("type", activity.org_type)
    _narratives(root, "title", [("nb", activity.title_nb), ("en", activity.title_en)])
    description = _narratives(
        root,
        "description",
        [("nb", activity.description_nb or activity.title_nb), ("en", activity.description_en or activity.title_en)],
    )
    description.set("type", "1")
    implementing = _narratives(root, "participating-org", [("nb", activity.org_name_nb)])
    implementing.set("ref", activity.org_identifier)
    implementing.set("type", activity.org_type)
    implementing.set("role", "4")
    etree.SubElement(root, "activity-status").set("code", activity.status)
    started = activity.start <= today
    etree.SubElement(root, "activity-date", {"type": "2" if started else "1", "iso-date": _date(activity.start)})
    if activity.end is not None:
        ended = activity.end <= today
        etree.SubElement(root, "activity-date", {"type": "4" if ended else "3", "iso-date": _date(activity.end)})
    etree.SubElement(root, "recipient-country", {"code": activity.country, "percentage": "100"})
    for sector in activity.sectors:
        etree.SubElement(
            root,
            "sector",
            {"vocabulary": sector.vocabulary, "code": sector.code, "percentage": _number(sector.percentage)},
        )
    for budget in activity.budgets:
        element = etree.SubElement(root, "budget", {"type": budget.type, "status": budget.status})
        etree.SubElement(element, "period-start", {"iso-date": _date(budget.start)})
        etree.SubElement(element, "period-end", {"iso-date": _date(budget.end)})
        value = etree.SubElement(
            element, "value", {"currency": budget.currency, "value-date": _date(budget.value_date)}
        )
        value.text = _number(budget.value)
    if activity.indicators:
        result = etree.SubElement(root, "result", {"type": "2", "aggregation-status": "false"})
        _narratives(result, "title", [("nb", activity.title_nb), ("en", activity.title_en)])
        for indicator in activity.indicators:
            _indicator(result, indicator)
    return root


def _indicator(result: etree._Element, indicator: Indicator) -> None:
    element = etree.SubElement(
        result,
        "indicator",
        {"measure": indicator.measure, "ascending": "true" if indicator.ascending else "false"},
    )
    _narratives(element, "title", [("nb", indicator.title_nb), ("en", indicator.title_en)])
    etree.SubElement(element, "reference", {"vocabulary": "99", "code": indicator.code})
    if indicator.baseline is not None and indicator.baseline_year is not None:
        etree.SubElement(
            element, "baseline", {"year": str(indicator.baseline_year), "value": _number(indicator.baseline)}
        )
    period = etree.SubElement(element, "period")
    etree.SubElement(period, "period-start", {"iso-date": _date(indicator.period_start)})
    etree.SubElement(period, "period-end", {"iso-date": _date(indicator.period_end)})
    if indicator.target is not None:
        etree.SubElement(period, "target", {"value": _number(indicator.target)})
    if indicator.actual is not None:
        etree.SubElement(period, "actual", {"value": _number(indicator.actual)})


@functools.cache
def schema() -> etree.XMLSchema:
    """The official IATI 2.03 activity schema (read once per process)."""
    folder = getattr(settings, "REPORTING_IATI_SCHEMA_DIR", None) or settings.BASE_DIR.parent / SCHEMA_DIR
    path = Path(folder) / SCHEMA_PATH
    return etree.XMLSchema(etree.parse(str(path)))


def validate(document: etree._Element) -> list[str]:
    """The schema's complaints about ``document`` (empty when it is valid)."""
    xsd = schema()
    if xsd.validate(document):
        return []
    return [f"{error.line}: {error.message}" for error in xsd.error_log][:50]


def export(activities: Iterable[Activity], *, today: dt.date, generated: dt.datetime) -> Export:
    """An ``iati-activities`` document of every activity that passes ``check``; the others as problems.

    Identifiers must be unique in the document: a second activity with an identifier already used
    is a problem too.
    """
    root = etree.Element("iati-activities", {"version": IATI_VERSION})
    root.set("generated-datetime", generated.isoformat(timespec="seconds"))
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    count = 0
    for activity in activities:
        messages = check(activity, today=today)
        if activity.identifier is not None and activity.identifier in seen:
            messages.append(
                _("IATI-identifikatoren {identifier} brukes også av programmet {other}.").format(
                    identifier=activity.identifier, other=seen[activity.identifier]
                )
            )
        if messages:
            problems += [Problem(activity.programme_code, activity.programme_name, m) for m in messages]
            continue
        assert activity.identifier is not None
        seen[activity.identifier] = activity.programme_code
        root.append(activity_element(activity, today=today))
        count += 1
    schema_errors = validate(root) if count else []
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Export(xml=xml, activities=count, problems=problems, schema_errors=schema_errors)
