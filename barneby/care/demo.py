"""Demo data for care: children, siblings, families, placements, decisions, plans and aftercare.

Synthetic people only (Faker ``no_NO`` names, Skatteetaten-style synthetic
person numbers); dates are relative to today so the rules find what a
caseworker would meet.

``--scale national``: about 200 children and young people in the Norwegian
association's programmes, with every situation the rules watch for: sibling
groups together and split (with and without a justified decision),
unaccompanied minors waiting for settlement, young people in aftercare with
and without a plan, unstable histories, an emergency placement that has
lasted too long, overdue reviews, a missing gatekeeping assessment, and
families in family strengthening.

``--scale global``: on top of that, 82,300 children and young people in
family-based care and youth programmes (one per occupied place of the
organisation demo's homes) with placement histories, and 352,500 people in
family-strengthening households supported this year (families that finished
earlier come on top), built with bulk inserts in bounded chunks.

Idempotent: each scale is built once, recognised by its children.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Min, Q
from django.utils import timezone
from faker import Faker
from stdnum.no import fodselsnummer

from barneby.accounts.demo import DEMO_DOMAIN, DEMO_USERS
from barneby.accounts.models import User
from barneby.accounts.roles import Role, ScopeKind
from barneby.care import alerts
from barneby.care.models import (
    SOS_FAMILY_AND_YOUTH_TYPES,
    Aftercare,
    AftercareResponse,
    Alert,
    Child,
    ChildStatus,
    ContactInterval,
    ContactMode,
    DailyNote,
    Decision,
    DecisionKind,
    Domain,
    EndReason,
    ExitOutcome,
    FollowUp,
    FollowUpKind,
    Gatekeeping,
    GatekeepingOutcome,
    GoalStatus,
    HeardHow,
    Household,
    HouseholdMember,
    Placement,
    PlacementType,
    PlanGoal,
    PlanReview,
    RiskFactor,
    SeparationReason,
    Sex,
    SiblingContact,
    SiblingGroup,
    SiblingKind,
    SiblingRelation,
    SupportContact,
    SupportContactKind,
    SupportService,
    TargetGroup,
    age_on,
)
from barneby.care.rules import LEGACY_REVIEW_NOT_HEARD
from barneby.core.demo import DemoContext, Inserter, register, reset_sequences
from barneby.core.identity import person_number_error
from barneby.organisation.demo import GLOBAL_CHILDREN_IN_FAMILY_CARE, GLOBAL_PREFIX, HOME_KIND, NORWAY_CODE
from barneby.organisation.models import Home, Municipality, Programme, ProgrammeType

GLOBAL_PEOPLE_IN_FAMILY_STRENGTHENING = 352_500
BATCH = 2000
CHUNK = 4000  # children built and inserted per step: bounds memory at global scale
HOUSEHOLD_ROUND = CHUNK * 5  # people in family strengthening per step

PLACEMENT_TYPE = {
    "sos_family_village": PlacementType.SOS_FAMILY_VILLAGE,
    "sos_family_community": PlacementType.SOS_FAMILY_COMMUNITY,
    "foster_home": PlacementType.FOSTER,
    "family_home": PlacementType.FAMILY_HOME,
    "youth_house": PlacementType.YOUTH_HOUSE,
}
VILLAGE, SIB_BGO, SIB_TRD, SIB_KRS, EMA, YOUTH = (
    "NO-BGO-VILLAGE",
    "NO-SIB-BGO",
    "NO-SIB-TRD",
    "NO-SIB-KRS",
    "NO-EMA-BGO",
    "NO-YOUTH-BGO",
)
SIBLING_PROGRAMMES = (VILLAGE, SIB_BGO, SIB_TRD, SIB_KRS)

DECIDERS = (
    "Barneverntjenesten i Bergen",
    "Barneverntjenesten i Trondheim",
    "Barneverntjenesten i Kristiansand",
    "Fylkesnemnda for barnevern og sosiale saker",
    "Programleder, SOS-barnebyer",
)
BEST_INTEREST = (
    "Barnet trenger stabil omsorg og voksne som er forutsigbare over tid.",
    "Barnet har behov for trygghet og kontinuitet i skole og nettverk.",
    "Hensynet til barnets tilknytning til søsken veier tungt i vurderingen.",
    "Plasseringen gir barnet mulighet til å beholde kontakten med familie og venner.",
    "Barnet får her den oppfølgingen helse og skole tilsier.",
)
CHILD_VIEWS = (
    "Barnet sier det vil bo sammen med søsknene sine.",
    "Barnet ønsker å gå på samme skole som før.",
    "Barnet sier det trives og vil bli boende.",
    "Barnet er spent, men glad for å få eget rom.",
    "Barnet vil ha mer kontakt med mor.",
    "Barnet ønsker å fortsette på fotballaget.",
)
YOUNG_VIEWS = ("Barnet tegnet familien sin og viste hvem det savner.", "Barnet sa at det liker å bo her.")
NOT_HEARD_YOUNG = "Barnet er for ungt til samtale; samspillet er observert og beskrevet."
GOALS: dict[str, tuple[str, ...]] = {
    Domain.PHYSICAL: ("Faste rutiner for søvn og måltider", "Ukentlig fysisk aktivitet", "Tannlegekontroll"),
    Domain.EMOTIONAL: ("Sette ord på følelser", "Trygg tilknytning til omsorgspersonen", "Mindre uro ved leggetid"),
    Domain.INTELLECTUAL: ("Lese hver dag", "Fullføre ungdomsskolen", "Leksehjelp to ganger i uken"),
    Domain.SOCIAL: ("Delta på en fritidsaktivitet", "Beholde venner fra gamle skole", "Invitere venner hjem"),
    Domain.CULTURAL: ("Lære om egen bakgrunn", "Bruke morsmålet hjemme", "Feire høytider fra hjemlandet"),
    Domain.RELIGIOUS: ("Mulighet til å delta i egen trosretning", "Samtale om tro og tradisjoner"),
}
RELATIONSHIP = (
    "Søsknene har et nært og godt forhold og har bodd sammen hele livet.",
    "Søsknene har hatt lite kontakt de siste årene, men ønsker mer.",
    "Eldste søsken har hatt mye omsorgsansvar for de yngre.",
)
CONTACT_PLANS = (
    "Samvær annenhver helg og felles ferier; telefon når de vil.",
    "Ukentlig samvær med transport ordnet av programmet.",
)
# Each plan's planned frequency (times, per) and how many days apart the demo's contacts then fall.
CONTACT_FREQUENCY: dict[str, tuple[int, str, int]] = {
    CONTACT_PLANS[0]: (2, ContactInterval.MONTH, 14),
    CONTACT_PLANS[1]: (1, ContactInterval.WEEK, 7),
}
CONTACT_MODES = (ContactMode.MEETING, ContactMode.PHONE, ContactMode.VIDEO)
CONTACT_NOTES = (
    "Bakte boller sammen hos storesøsteren.",
    "Gikk på kino; avtalte neste gang selv.",
    "Kort samtale, lillebror var sliten etter trening.",
)
NOTES = (
    "God dag. Spiste godt og var ute og lekte etter skolen.",
    "Litt urolig ved leggetid, sovnet etter høytlesning.",
    "Fotballtrening i kveld, kom hjem glad.",
    "Hadde besøk av en venn fra klassen.",
    "Snakket med mor på telefon, ble litt lei seg etterpå.",
    "Lekser gjort uten hjelp i dag.",
    "Tur i skogen med hele familien.",
)
RELATIONS_ADULT = ("mor", "far", "bestemor", "bestefar", "tante", "onkel", "stefar", "stemor")
EMA_ORIGINS = (("AF", "dari"), ("AF", "pashto"), ("ER", "tigrinja"), ("SY", "arabisk"), ("SO", "somali"))
SIBLING_KINDS = (SiblingKind.FULL, SiblingKind.HALF, SiblingKind.STEP, SiblingKind.SOCIAL)
# Plain lists: an enum's ``values`` is rebuilt on every access, which shows at global scale.
DOMAINS = [str(d) for d in GOALS]
GOAL_STATUSES = [str(v) for v in GoalStatus.values]
RISK_FACTORS = [str(v) for v in RiskFactor.values]


# --- shared helpers ----------------------------------------------------------------------------


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return dt.date(day.year - years, 2, 28)


def birth_for_age(rng: random.Random, today: dt.date, age: int, *, min_days: int = 1) -> dt.date:
    """A birth date that makes the person exactly ``age`` today."""
    return years_before(today, age) - dt.timedelta(days=rng.randint(min_days, 360))


def synthetic_person_number(rng: random.Random, birth: dt.date, sex: str) -> str:
    """A synthetic (month + 80) person number matching the birth date, or "" if none is found."""
    if 1900 <= birth.year <= 1999:
        low, high = 0, 499
    elif 2000 <= birth.year <= 2039:
        low, high = 500, 999
    else:
        return ""
    for _attempt in range(30):
        individual = rng.randint(low, high)
        # The third individual digit is odd for men, even for women.
        if (individual % 2 == 1) != (sex == Sex.MALE):
            individual = individual + 1 if individual < high else individual - 1
        base = f"{birth.day:02d}{birth.month + 80:02d}{birth.year % 100:02d}{individual:03d}"
        first = fodselsnummer.calc_check_digit1(base)
        if len(first) != 1:
            continue
        second = fodselsnummer.calc_check_digit2(base + first)
        if len(second) != 1:
            continue
        number = base + first + second
        if person_number_error(number, birth_date=birth, allow_synthetic=True) is None:
            return number
    return ""


def demo_user(role: Role) -> User:
    """The demo login of ``role``; created here (without a password) if the accounts demo has not run yet."""
    local, name = DEMO_USERS[role]
    user, _created = User.objects.get_or_create(email=f"{local}@{DEMO_DOMAIN}", defaults={"full_name": name})
    return user


def views_for(rng: random.Random, birth: dt.date, on: dt.date) -> dict[str, str]:
    """How a child of this age was heard: their views from 7 (R16), observed when very young."""
    age = age_on(birth, on)
    if age >= 7:
        return {
            "child_views": rng.choice(CHILD_VIEWS),
            "heard_how": rng.choice([HeardHow.ALONE, HeardHow.WITH_TRUSTED]),
        }
    if age >= 4:
        return {"child_views": rng.choice(YOUNG_VIEWS), "heard_how": HeardHow.WITH_TRUSTED}
    return {"child_views": "", "heard_how": HeardHow.NOT_HEARD, "not_heard_reason": NOT_HEARD_YOUNG}


@dataclass
class NamePool:
    """Names drawn once from Faker and reused: calling Faker per row is too slow at global scale."""

    female: list[str]
    male: list[str]
    last: list[str]

    @classmethod
    def build(cls, fake: Faker, size: int = 400) -> NamePool:
        return cls(
            female=sorted({fake.first_name_female() for _ in range(size)}),
            male=sorted({fake.first_name_male() for _ in range(size)}),
            last=sorted({fake.last_name() for _ in range(size)}),
        )

    def first(self, rng: random.Random, sex: str) -> str:
        return rng.choice(self.female if sex == Sex.FEMALE else self.male)


# --- the generator ------------------------------------------------------------------------------


@register("care", order=200, stepped=True)
def seed_care(context: DemoContext) -> None:
    def national() -> None:
        rng = random.Random(context.seed + 200)
        fake = Faker("no_NO")
        fake.seed_instance(context.seed + 200)
        caseworker = demo_user(Role.CASEWORKER)
        permission = Permission.objects.get(codename="view_restricted", content_type__app_label="care")
        caseworker.user_permissions.add(permission)
        codes = (*SIBLING_PROGRAMMES, EMA, YOUTH)
        built = Child.objects.filter(programme__association__code=NORWAY_CODE).exists()
        if not built and Programme.objects.filter(code__in=codes).count() == len(codes):
            National(context, rng, fake, caseworker).build()

    # Idempotent by itself (it looks for the Norwegian children); the global part commits in steps.
    context.step("care:national", national, record=False)
    if context.scale == "global":
        # Its own random streams, so the global data does not depend on whether the national part ran now.
        global_fake = Faker("no_NO")
        global_fake.seed_instance(context.seed + 201)
        seed_global(context, global_fake, demo_user(Role.CASEWORKER))
    context.step("care:alerts", lambda: _refresh_alerts(context), record=False)
    context.counts.update(
        {
            "barn": Child.objects.count(),
            "søskenflokker": SiblingGroup.objects.count(),
            "plasseringer": Placement.objects.count(),
            "vedtak": Decision.objects.count(),
            "husstander": Household.objects.count(),
            "husstandsmedlemmer": HouseholdMember.objects.count(),
            "varsler": Alert.objects.count(),
        }
    )


def _refresh_alerts(context: DemoContext) -> None:
    alerts.refresh_all(progress=_progress_printer(context))


def _progress_printer(context: DemoContext) -> Callable[[int, int], None]:
    """Feed refresh_all's (done, total) callback into the context's progress bar."""
    state: dict[str, Any] = {}

    def progress(done: int, total: int) -> None:
        if "bar" not in state:
            state["bar"] = context.progress(range(total), desc="varsler", total=total)
            state["seen"] = 0
        while state["seen"] < done:
            next(state["bar"], None)
            state["seen"] += 1

    return progress


# --- national scale ----------------------------------------------------------------------------


class National:
    """The Norwegian association's children, one situation at a time (plain ORM creates; about 200 children)."""

    def __init__(self, context: DemoContext, rng: random.Random, fake: Faker, caseworker: User) -> None:
        self.context, self.rng, self.fake = context, rng, fake
        self.today = timezone.localdate()
        self.caseworker = caseworker
        self.caregiver = demo_user(Role.CAREGIVER)
        self.programmes = {p.code: p for p in Programme.objects.filter(association__code=NORWAY_CODE)}
        self.homes: dict[str, list[Home]] = {
            code: list(Home.objects.filter(programme=p).order_by("pk")) for code, p in self.programmes.items()
        }
        self.free = {home.pk: home.capacity for homes in self.homes.values() for home in homes}
        self.placements: dict[int, int] = defaultdict(int)
        self.municipalities = {m.number: m for m in Municipality.objects.filter(number__in=["4601", "5001", "4204"])}
        kind, key = context.demo_scopes.get(Role.CASEWORKER.value, ("", ""))
        self.caseworker_programme = (
            int(key) if kind == ScopeKind.PROGRAMME and key.isdigit() else self.programmes[VILLAGE].pk
        )
        self.in_care: list[Child] = []
        self.children_made: list[Child] = []
        self.overdue_wanted = 2  # the first groups filled in get an overdue review (R5)
        self.kinds_to_show = list(SIBLING_KINDS)  # every kind of sibling relation appears at least once
        self.emergency_now: set[int] = set()

    # building blocks

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    def child(
        self,
        programme: Programme,
        birth: dt.date,
        *,
        status: str,
        last_name: str = "",
        target_group: str = TargetGroup.WITHOUT_CARE,
        household: Household | None = None,
        nationality: str = "NO",
        languages: str = "norsk",
        **extra: Any,
    ) -> Child:
        sex = self.rng.choice([Sex.FEMALE, Sex.MALE])
        first = self.fake.first_name_female() if sex == Sex.FEMALE else self.fake.first_name_male()
        national_id = ""
        if nationality == "NO" and self.rng.random() < 0.6:
            national_id = synthetic_person_number(self.rng, birth, sex)
        municipality = programme.partner_municipality
        child = Child.objects.create(
            programme=programme,
            caseworker=self.caseworker if programme.pk == self.caseworker_programme else None,
            first_name=first,
            last_name=last_name or self.fake.last_name(),
            birth_date=birth,
            sex=sex,
            nationality=nationality,
            languages=languages,
            national_id=national_id,
            origin_municipality=municipality if nationality == "NO" else None,
            target_group=target_group,
            status=status,
            referred_on=extra.pop("referred_on", None) or max(birth, self.days_ago(60, 900)),
            household=household,
            **extra,
        )
        self.children_made.append(child)
        return child

    def household(
        self,
        programme: Programme,
        last_name: str,
        *,
        children: Sequence[Child] = (),
        strengthening: bool = False,
        entered_on: dt.date | None = None,
        exited_on: dt.date | None = None,
        exit_outcome: str = "",
    ) -> Household:
        household = Household.objects.create(
            programme=programme,
            name=f"Familien {last_name}",
            municipality=programme.partner_municipality,
            risk_factors=self.rng.sample(list(RiskFactor.values), k=self.rng.randint(1, 3)),
            in_family_strengthening=strengthening,
            entered_on=entered_on,
            exited_on=exited_on,
            exit_outcome=exit_outcome,
        )
        adults = (
            ["mor"] + (["far"] if self.rng.random() < 0.5 else []) + (["bestemor"] if self.rng.random() < 0.3 else [])
        )
        for relation in adults:
            female = relation in {"mor", "bestemor"}
            HouseholdMember.objects.create(
                household=household,
                first_name=self.fake.first_name_female() if female else self.fake.first_name_male(),
                last_name=last_name,
                relation=relation,
                birth_year=self.today.year
                - (self.rng.randint(58, 75) if relation == "bestemor" else self.rng.randint(24, 48)),
            )
        for child in children:
            self.add_member(household, child)
        if strengthening:
            for _ in range(self.rng.randint(1, 3)):
                person = self.rng.random() < 0.6
                SupportContact.objects.create(
                    household=household,
                    kind=SupportContactKind.PERSON if person else SupportContactKind.SERVICE,
                    name=self.fake.name() if person else self.rng.choice(["Helsestasjonen", "NAV", "PPT", "Skolen"]),
                    role=self.rng.choice(["nabo", "venninne", "morfar", "kontaktlærer", "helsesykepleier"]),
                )
            start = entered_on or self.days_ago(60, 600)
            for description, provider in self.rng.sample(
                [
                    ("Foreldreveiledning (ICDP)", "SOS-barnebyer"),
                    ("Hjelp med økonomi og bolig", "NAV"),
                    ("Leksehjelp", "Frivilligsentralen"),
                    ("Samtaler med familieterapeut", "Familievernkontoret"),
                ],
                k=self.rng.randint(1, 3),
            ):
                ended = exited_on if exited_on else (self.days_ago(1, 30) if self.rng.random() < 0.2 else None)
                SupportService.objects.create(
                    household=household,
                    description=description,
                    provider=provider,
                    start_date=start,
                    end_date=max(ended, start) if ended else None,
                )
        return household

    def add_member(self, household: Household, child: Child) -> None:
        HouseholdMember.objects.create(
            household=household,
            first_name=child.first_name,
            last_name=child.last_name,
            relation="barn",
            birth_year=child.birth_date.year,
        )

    def decision(self, child: Child, kind: str, on: dt.date, **extra: Any) -> Decision:
        # Every decision records the child's views or why the child was not heard (R16, enforced on save).
        voice = views_for(self.rng, child.birth_date, on)
        return Decision.objects.create(
            child=child,
            kind=kind,
            decided_on=on,
            decided_by=self.rng.choice(DECIDERS),
            participants="Saksbehandler, barnet, foresatte",
            best_interest=self.rng.choice(BEST_INTEREST),
            recorded_by=self.caseworker,
            **{**voice, **extra},
        )

    def gatekeep(self, child: Child, on: dt.date, reasons: Sequence[str] = ()) -> None:
        Gatekeeping.objects.create(
            child=child,
            assessed_on=min(on, self.today),
            reasons=sorted(reasons or self.rng.sample(["neglect", "parent_illness", "abuse", "poverty"], k=2)),
            necessity="Hjelpetiltak i hjemmet er prøvd uten at omsorgen ble god nok.",
            suitability="Hjemmet kan ta imot barnet og søsknene, nær skole og nettverk.",
            outcome=GatekeepingOutcome.ALTERNATIVE_CARE,
            recorded_by=self.caseworker,
        )

    def place(
        self,
        child: Child,
        home: Home,
        start: dt.date,
        *,
        end: dt.date | None = None,
        end_reason: str = "",
        type_: str = "",
        emergency: bool = False,
        prepared: bool = True,
    ) -> Placement:
        first = self.placements[child.pk] == 0
        kind = DecisionKind.ADMISSION if first else DecisionKind.MOVE
        decided = start if emergency else max(child.birth_date, start - dt.timedelta(days=self.rng.randint(0, 10)))
        decision = self.decision(child, kind, decided)
        self.placements[child.pk] += 1
        if end is None:
            self.free[home.pk] -= 1
        return Placement.objects.create(
            child=child,
            home=home,
            type=PlacementType.EMERGENCY if emergency else (type_ or PLACEMENT_TYPE[home.kind]),
            is_emergency=emergency,
            start_date=start,
            end_date=end,
            end_reason=end_reason or (EndReason.PLANNED_MOVE if end else ""),
            child_prepared=prepared and not emergency,
            decision=decision,
        )

    def review(self, child: Child, on: dt.date, *, heard: bool = True) -> None:
        # Unheard: a review kept from before R16 was enforced on save (migration care 0005 marked it so).
        voice = views_for(self.rng, child.birth_date, on) if heard else {"not_heard_reason": LEGACY_REVIEW_NOT_HEARD}
        PlanReview.objects.create(
            child=child,
            reviewed_on=on,
            summary="Utviklingsplanen er gått gjennom med barnet og omsorgspersonen.",
            child_took_part=bool(voice.get("child_views")),
            child_views=voice.get("child_views", ""),
            not_heard_reason=voice.get("not_heard_reason", ""),
            recorded_by=self.caseworker,
        )

    def goals(self, child: Child) -> None:
        for domain in self.rng.sample(list(GOALS), k=self.rng.randint(3, 6)):
            PlanGoal.objects.create(
                child=child,
                domain=domain,
                description=self.rng.choice(GOALS[domain]),
                status=self.rng.choice(list(GoalStatus.values)),
                target_date=self.today + dt.timedelta(days=self.rng.randint(30, 300)),
            )

    def siblings(self, members: Sequence[Child], *, kind: str = "") -> None:
        if len(members) < 2:
            return
        group = SiblingGroup.objects.create()
        for child in members:
            child.sibling_group = group
            child.save(update_fields=["sibling_group"])
        for n, (a, b) in enumerate(combinations(sorted(members, key=lambda c: c.pk), 2)):
            pair_kind = kind or self.rng.choices(SIBLING_KINDS, weights=[70, 20, 5, 5])[0]
            if not kind and n == 0 and self.kinds_to_show:
                pair_kind = self.kinds_to_show.pop()
            SiblingRelation.objects.create(
                child_a=a,
                child_b=b,
                kind=pair_kind,
                existing_bond=pair_kind != SiblingKind.STEP or self.rng.random() < 0.5,
            )

    def home_with(self, codes: Sequence[str], places: int, age: int | None = None, *, exclude: int = 0) -> Home | None:
        candidates = [
            home
            for code in codes
            for home in self.homes.get(code, [])
            if self.free[home.pk] >= places
            and home.pk != exclude
            and (age is None or home.min_age <= age <= home.max_age)
        ]
        return max(candidates, key=lambda h: (self.free[h.pk], -h.pk)) if candidates else None

    def other_home(self, code: str, *not_these: int) -> Home:
        return self.rng.choice([h for h in self.homes[code] if h.pk not in not_these] or self.homes[code])

    def ages(self, size: int, home: Home) -> list[int]:
        top = min(home.max_age - 1, 16)
        eldest = self.rng.randint(max(home.min_age, min(top, 2 * size)), top)
        found = [eldest]
        for _ in range(size - 1):
            found.append(max(home.min_age, found[-1] - self.rng.randint(1, 3)))
        return found

    def start_for(self, births: Sequence[dt.date], home: Home, *, low: int = 60, high: int = 6 * 365) -> dt.date:
        earliest = max(years_before(b, -home.min_age) if home.min_age else b for b in births)
        latest = self.today - dt.timedelta(days=low)
        if earliest >= latest:
            return max(earliest, self.today - dt.timedelta(days=20))
        span = min((latest - earliest).days, high - low)
        return latest - dt.timedelta(days=self.rng.randint(0, max(0, span)))

    def care_after(self, child: Child, start: dt.date, *, overdue: bool = False) -> None:
        """Reviews (the last one within three months, unless ``overdue``: R5) and a development plan."""
        if (self.today - start).days > 85:
            last = self.days_ago(120, 200) if overdue else self.days_ago(5, 80)
            self.review(child, max(last, start + dt.timedelta(days=10)))
            if (last - start).days > 100:
                self.review(child, last - dt.timedelta(days=self.rng.randint(80, 95)))
        self.goals(child)
        self.in_care.append(child)

    # situations

    def group_in_care(
        self,
        code: str,
        home: Home,
        size: int,
        *,
        history: str = "simple",
        overdue: bool = False,
        fs_before: bool = False,
    ) -> list[Child]:
        programme = self.programmes[code]
        last_name = self.fake.last_name()
        births = [birth_for_age(self.rng, self.today, age) for age in self.ages(size, home)]
        start = self.start_for(births, home, low=200 if overdue else 60)
        household = self.household(
            programme,
            last_name,
            strengthening=fs_before,
            entered_on=start - dt.timedelta(days=self.rng.randint(200, 500)) if fs_before else None,
            exited_on=start if fs_before else None,
            exit_outcome=ExitOutcome.ALTERNATIVE_CARE if fs_before else "",
        )
        members = [
            self.child(programme, birth, status=ChildStatus.ALTERNATIVE_CARE, last_name=last_name, household=household)
            for birth in births
        ]
        for child in members:
            self.add_member(household, child)
        self.siblings(members)
        youngest = max(births)
        earlier: list[tuple[Home, dt.date, dt.date, bool]] = []
        if history == "emergency" and (start - youngest).days > 90:
            began = start - dt.timedelta(days=self.rng.randint(20, 70))
            earlier.append((self.other_home(code, home.pk), began, start, True))
        elif history == "moves" and (start - youngest).days > 900:
            ended = start - dt.timedelta(days=self.rng.randint(0, 20))
            began = ended - dt.timedelta(days=self.rng.randint(200, 700))
            earlier.append((self.other_home(code, home.pk), max(began, youngest), ended, False))
        first_start = earlier[0][1] if earlier else start
        for child in members:
            emergency_first = bool(earlier and earlier[0][3])
            self.gatekeep(
                child,
                first_start + dt.timedelta(days=self.rng.randint(5, 40))
                if emergency_first
                else first_start - dt.timedelta(days=self.rng.randint(3, 30)),
            )
            for before, began, ended, emergency in earlier:
                self.place(child, before, began, end=ended, emergency=emergency)
            self.place(child, home, start)
            self.care_after(child, first_start, overdue=overdue)
        return members

    def split(self, code: str, mode: str) -> None:
        """Three siblings, two in one home and one in another, with or without a justified separation."""
        first = self.home_with([code], 2)
        second = self.home_with([code], 1, exclude=first.pk) if first else None
        if first is None or second is None:
            return
        programme = self.programmes[code]
        last_name = self.fake.last_name()
        ages = self.ages(3, first)
        births = [birth_for_age(self.rng, self.today, age) for age in ages]
        household = self.household(programme, last_name)
        members = [
            self.child(programme, b, status=ChildStatus.ALTERNATIVE_CARE, last_name=last_name, household=household)
            for b in births
        ]
        for child in members:
            self.add_member(household, child)
        self.siblings(members, kind=SiblingKind.FULL)
        start = self.start_for(births, first, low=300, high=3 * 365)
        apart = start + dt.timedelta(days=self.rng.randint(0, 60))
        for child in members:
            self.gatekeep(child, start - dt.timedelta(days=self.rng.randint(3, 20)))
        self.place(members[0], first, start)
        self.place(members[1], first, start)
        self.place(members[2], second, apart)
        for child in members:
            self.care_after(child, start)
        if mode == "none":
            return  # R3 for all three
        reassess = self.today + dt.timedelta(days=self.rng.randint(60, 200))
        if mode == "overdue":
            reassess = apart + dt.timedelta(days=180)
        plan = None if mode == "no_contact" else self.rng.choice(CONTACT_PLANS)
        frequency: dict[str, Any] = {}
        if plan is not None:
            frequency = {"contact_times": CONTACT_FREQUENCY[plan][0], "contact_per": CONTACT_FREQUENCY[plan][1]}
        decision = self.decision(
            members[2],
            DecisionKind.SIBLING_SEPARATION,
            apart,
            separation_reason=self.rng.choice([SeparationReason.NO_HOME, SeparationReason.NEEDS]),
            relationship_assessment=self.rng.choice(RELATIONSHIP),
            contact_plan=plan or "",
            reassess_on=reassess,
            **frequency,
        )
        if plan is not None:
            for sibling in members[:2]:
                self.sibling_contacts(decision, members[2], sibling, every=CONTACT_FREQUENCY[plan][2])

    def sibling_contacts(self, decision: Decision, child: Child, sibling: Child, *, every: int) -> None:
        """The contacts that took place since the split: most pairs keep the plan (one every ``every`` days,
        now and then one more), some miss a few (I13 finds both)."""
        kept = self.rng.random() < 0.7
        day = decision.decided_on + dt.timedelta(days=self.rng.randint(1, 5))
        contacts = []
        while day <= self.today:
            if kept or self.rng.random() < 0.75:
                contacts.append(
                    SiblingContact(
                        decision=decision,
                        child=child,
                        sibling=sibling,
                        contact_on=day,
                        form=self.rng.choices(CONTACT_MODES, weights=[70, 20, 10])[0],
                        note=self.rng.choice(CONTACT_NOTES) if self.rng.random() < 0.3 else "",
                        recorded_by=self.caseworker,
                    )
                )
            day += dt.timedelta(days=every if kept or self.rng.random() < 0.8 else every + 3)
        SiblingContact.objects.bulk_create(contacts)

    def single(self, code: str, age: int) -> tuple[Child, Home] | None:
        home = self.home_with([code], 1, age)
        if home is None:
            return None
        programme = self.programmes[code]
        last_name = self.fake.last_name()
        household = self.household(programme, last_name)
        birth = birth_for_age(self.rng, self.today, age)
        child = self.child(
            programme, birth, status=ChildStatus.ALTERNATIVE_CARE, last_name=last_name, household=household
        )
        self.add_member(household, child)
        return child, home

    def specials(self) -> None:
        # R7: an emergency placement for five months without a permanency decision.
        found = self.single(SIB_KRS, 9)
        if found:
            child, home = found
            start = self.days_ago(140, 170)
            self.place(child, home, start, emergency=True)
            self.emergency_now.add(child.pk)
            self.gatekeep(child, start + dt.timedelta(days=20))
            self.care_after(child, start)
        # R19: two moves in the last twelve months.
        found = self.single(SIB_TRD, 11)
        if found:
            child, home = found
            first_home = self.other_home(SIB_TRD, home.pk)
            second_home = self.other_home(SIB_TRD, home.pk, first_home.pk)
            one, two, three = self.days_ago(420, 460), self.days_ago(280, 320), self.days_ago(100, 140)
            self.gatekeep(child, one - dt.timedelta(days=14))
            self.place(child, first_home, one, end=two)
            self.place(child, second_home, two, end=three, end_reason=EndReason.BREAKDOWN)
            self.place(child, home, three)
            self.care_after(child, one)
        # R21: placed without a gatekeeping assessment.
        found = self.single(SIB_BGO, 10)
        if found:
            child, home = found
            start = self.days_ago(150, 250)
            self.place(child, home, start)
            self.care_after(child, start)
        # R12: turns 18 within six months with no aftercare assessment; and one who has one.
        for assessed in (False, True):
            youth_home = self.home_with([YOUTH], 1, 17)
            if youth_home is None:
                continue
            birth = years_before(self.today + dt.timedelta(days=self.rng.randint(60, 150)), 18)
            child = self.child(self.programmes[YOUTH], birth, status=ChildStatus.ALTERNATIVE_CARE)
            start = self.days_ago(200, 500)
            self.gatekeep(child, start - dt.timedelta(days=10))
            self.place(child, youth_home, start)
            self.care_after(child, start)
            if assessed:
                Aftercare.objects.create(
                    child=child,
                    assessed_on=self.days_ago(5, 30),
                    plan="Egen hybel nær skolen, oppfølging fra programmet til 23 år.",
                    support_person=self.fake.name(),
                    housing="Hybel i Bergen sentrum",
                    education="Vg2 helse- og oppvekstfag",
                )

    def fill(self, codes: Sequence[str], sizes: Sequence[int] = (1, 2, 2, 3, 3, 4)) -> None:
        """Fill the remaining places with sibling groups living together, leaving a place free here and there."""
        for code in codes:
            for home in self.homes.get(code, []):
                target = self.free[home.pk] - self.rng.choice([0, 0, 1])
                while target > 0:
                    size = min(target, self.rng.choice(sizes))
                    history = self.rng.choices(["simple", "emergency", "moves"], weights=[60, 25, 15])[0]
                    self.group_in_care(
                        code,
                        home,
                        size,
                        history=history,
                        overdue=self.rng.random() < 0.06 or self.overdue_wanted > 0,
                        fs_before=self.rng.random() < 0.08,
                    )
                    target -= size
                    self.overdue_wanted -= 1

    def unaccompanied(self) -> None:
        programme = self.programmes[EMA]
        bergen = self.municipalities.get("4601")
        # Settled and living in a family home: a pair of brothers together, the rest alone.
        pair_done = False
        for home in self.homes[EMA]:
            while self.free[home.pk] > (0 if self.rng.random() < 0.7 else 1):
                size = 2 if not pair_done and self.free[home.pk] >= 2 else 1
                pair_done = pair_done or size == 2
                country, language = self.rng.choice(EMA_ORIGINS)
                settled = self.days_ago(60, 600)
                decided = settled - dt.timedelta(days=self.rng.randint(20, 80))
                arrived = decided - dt.timedelta(days=self.rng.randint(60, 240))
                last_name = self.fake.last_name()
                members = []
                for i in range(size):
                    birth = birth_for_age(self.rng, self.today, self.rng.randint(15, 17) - i)
                    members.append(
                        self.child(
                            programme,
                            birth,
                            status=ChildStatus.ALTERNATIVE_CARE,
                            last_name=last_name,
                            nationality=country,
                            languages=f"{language}, norsk",
                            is_unaccompanied=True,
                            arrival_date=arrived,
                            residence_decision_date=decided,
                            settlement_date=settled,
                            settlement_municipality=bergen,
                            referred_on=decided,
                        )
                    )
                self.siblings(members, kind=SiblingKind.FULL)
                for child in members:
                    self.gatekeep(child, settled - dt.timedelta(days=7), ["unaccompanied"])
                    self.place(child, home, settled)
                    self.care_after(child, settled)
        # R22: a residence decision more than three months ago and still not settled.
        for days in (130, 200):
            country, language = self.rng.choice(EMA_ORIGINS)
            decided = self.today - dt.timedelta(days=days)
            child = self.child(
                programme,
                birth_for_age(self.rng, self.today, self.rng.randint(14, 16)),
                status=ChildStatus.ASSESSED,
                nationality=country,
                languages=language,
                is_unaccompanied=True,
                arrival_date=decided - dt.timedelta(days=self.rng.randint(90, 200)),
                residence_decision_date=decided,
                referred_on=decided,
            )
            self.gatekeep(child, decided + dt.timedelta(days=10), ["unaccompanied"])
        # Arrived recently, no residence decision yet.
        country, language = self.rng.choice(EMA_ORIGINS)
        self.child(
            programme,
            birth_for_age(self.rng, self.today, 15),
            status=ChildStatus.REFERRED,
            nationality=country,
            languages=language,
            is_unaccompanied=True,
            arrival_date=self.days_ago(20, 50),
        )

    def aftercare(self, count: int = 25) -> None:
        """Young people who aged out: most with a plan, a support person and follow-ups; some without (R27)."""
        programme = self.programmes[YOUTH]
        variants = ["good"] * (count - 8) + ["no_plan"] * 3 + ["none"] * 2 + ["declined"] * 2 + ["closed"]
        for n, variant in enumerate(variants):
            # Those who declined did so more than a year ago (R14).
            age = self.rng.randint(20, 22) if variant == "declined" else self.rng.randint(18, 23)
            birth = years_before(self.today, age) - dt.timedelta(days=self.rng.randint(80, 330))
            eighteen = years_before(birth, -18)
            left = min(self.today - dt.timedelta(days=20), eighteen + dt.timedelta(days=self.rng.randint(0, 40)))
            former_ema = n % 9 == 4
            country, language = self.rng.choice(EMA_ORIGINS) if former_ema else ("NO", "norsk")
            child = self.child(
                programme,
                birth,
                status=ChildStatus.AFTERCARE,
                nationality=country,
                languages=language if former_ema else "norsk",
                is_unaccompanied=former_ema,
                referred_on=max(birth, left - dt.timedelta(days=900)),
            )
            code = EMA if former_ema else self.rng.choice(SIBLING_PROGRAMMES)
            home = self.rng.choice([h for h in self.homes[code] if h.max_age >= 17] or self.homes[code])
            start = max(
                years_before(birth, -max(home.min_age, 10)), left - dt.timedelta(days=self.rng.randint(400, 2500))
            )
            self.gatekeep(child, start - dt.timedelta(days=10))
            self.place(child, home, start, end=left, end_reason=EndReason.AGED_OUT)
            self.decision(child, DecisionKind.LEAVING_CARE, left)
            if variant == "none":
                continue
            record = Aftercare(child=child, assessed_on=eighteen - dt.timedelta(days=self.rng.randint(90, 170)))
            if variant in {"good", "closed", "declined"}:
                record.plan = "Bolig, skole og økonomi avtalt; jevnlige samtaler med fast kontaktperson."
                record.support_person = self.fake.name()
                record.housing = self.rng.choice(["Hybel", "Ungdomsbolig", "Bor hos venner", "Egen leilighet"])
                record.education = self.rng.choice(
                    ["Videregående skole", "Lærling", "Fagskole", "Universitetet i Bergen"]
                )
                record.finances = "Stipend og bostøtte"
            if variant in {"good", "closed"}:
                record.offered_on = min(left, self.today)
                record.response, record.responded_on = AftercareResponse.ACCEPTED, record.offered_on
                self.decision(child, DecisionKind.AFTERCARE_OFFER, record.offered_on)
            if variant == "declined":
                record.plan, record.support_person = "", ""
                record.offered_on = left
                record.response = AftercareResponse.DECLINED
                record.responded_on = min(left + dt.timedelta(days=7), self.today)
                record.decline_reason = "Vil klare seg selv."
            if variant == "closed":
                record.closed_on = min(self.today, left + dt.timedelta(days=self.rng.randint(200, 600)))
            record.save()
            if variant in {"good", "closed"}:
                for months in (5, 11):
                    visit = left + dt.timedelta(days=months * 30 + self.rng.randint(0, 20))
                    if visit < self.today:
                        FollowUp.objects.create(
                            child=child,
                            kind=FollowUpKind.AFTERCARE,
                            visited_on=visit,
                            notes="Besøk i boligen; skole og økonomi går bra.",
                            recorded_by=self.caseworker,
                        )

    def reunified(self, groups: int = 14) -> None:
        for _ in range(groups):
            code = self.rng.choice(SIBLING_PROGRAMMES)
            programme = self.programmes[code]
            last_name = self.fake.last_name()
            size = self.rng.choice([1, 1, 2])
            ended = self.days_ago(30, 500)
            started = ended - dt.timedelta(days=self.rng.randint(180, 600))
            births = [birth_for_age(self.rng, self.today, self.rng.randint(4, 14)) for _ in range(size)]
            started = max(started, *(b + dt.timedelta(days=30) for b in births))
            strengthening = self.rng.random() < 0.5
            household = self.household(
                programme, last_name, strengthening=strengthening, entered_on=ended if strengthening else None
            )
            members = [
                self.child(programme, b, status=ChildStatus.REUNIFIED, last_name=last_name, household=household)
                for b in births
            ]
            for child in members:
                self.add_member(household, child)
            self.siblings(members)
            home = self.rng.choice(self.homes[code])
            for child in members:
                self.gatekeep(child, started - dt.timedelta(days=10))
                self.place(child, home, started, end=ended, end_reason=EndReason.REUNIFICATION)
                self.decision(child, DecisionKind.REUNIFICATION, ended)
                visit = ended + dt.timedelta(days=self.rng.randint(14, 60))
                if visit < self.today:
                    FollowUp.objects.create(
                        child=child,
                        kind=FollowUpKind.REUNIFICATION,
                        visited_on=visit,
                        notes="Hjemmebesøk: rutinene fungerer, mor får veiledning.",
                        recorded_by=self.caseworker,
                    )

    def strengthening(self, households: int = 22) -> None:
        """Families in family strengthening: the children stay at home; a few families have finished."""
        for n in range(households):
            code = self.rng.choice(SIBLING_PROGRAMMES)
            programme = self.programmes[code]
            last_name = self.fake.last_name()
            entered = self.days_ago(60, 900)
            exited = n % 6 == 5
            exited_on = min(self.today, entered + dt.timedelta(days=self.rng.randint(200, 500))) if exited else None
            household = self.household(
                programme,
                last_name,
                strengthening=True,
                entered_on=entered,
                exited_on=exited_on,
                exit_outcome=ExitOutcome.STAYED if exited else "",
            )
            for _ in range(self.rng.choice([1, 2, 2, 3, 4])):
                child = self.child(
                    programme,
                    birth_for_age(self.rng, self.today, self.rng.randint(1, 15)),
                    status=ChildStatus.LEFT if exited else ChildStatus.FAMILY_STRENGTHENING,
                    last_name=last_name,
                    target_group=TargetGroup.AT_RISK,
                    household=household,
                    referred_on=entered - dt.timedelta(days=20),
                    left_on=exited_on,
                )
                self.add_member(household, child)
                Gatekeeping.objects.create(
                    child=child,
                    assessed_on=entered - dt.timedelta(days=7),
                    reasons=["poverty", "parent_illness"],
                    necessity="Familien kan ta vare på barnet med støtte.",
                    suitability="",
                    outcome=GatekeepingOutcome.FAMILY_STRENGTHENING,
                    recorded_by=self.caseworker,
                )
                if not exited:
                    self.goals(child)

    def early(self) -> None:
        """Newly referred and assessed children, and a few whose case has closed."""
        for n in range(10):
            programme = self.programmes[self.rng.choice(SIBLING_PROGRAMMES)]
            assessed = n % 2 == 1
            child = self.child(
                programme,
                birth_for_age(self.rng, self.today, self.rng.randint(0, 15)),
                status=ChildStatus.ASSESSED if assessed else ChildStatus.REFERRED,
                target_group=TargetGroup.AT_RISK,
                referred_on=self.days_ago(3, 60),
            )
            if assessed:
                Gatekeeping.objects.create(
                    child=child,
                    assessed_on=self.days_ago(1, 3),
                    reasons=["neglect"],
                    necessity="Under vurdering.",
                    suitability="",
                    outcome=GatekeepingOutcome.REFERRED,
                    recorded_by=self.caseworker,
                )
        for _ in range(2):  # adopted by the foster parents
            code = self.rng.choice([SIB_BGO, SIB_TRD])
            birth = birth_for_age(self.rng, self.today, self.rng.randint(5, 12))
            ended = self.days_ago(60, 400)
            child = self.child(self.programmes[code], birth, status=ChildStatus.LEFT, left_on=ended)
            start = max(birth + dt.timedelta(days=60), ended - dt.timedelta(days=self.rng.randint(700, 1500)))
            self.gatekeep(child, start - dt.timedelta(days=10))
            self.place(child, self.rng.choice(self.homes[code]), start, end=ended, end_reason=EndReason.ADOPTION)
            self.decision(child, DecisionKind.LEAVING_CARE, ended)

    def waiting(self) -> None:
        """Children assessed for alternative care and waiting for a home, to show placement proposals."""
        programme = next((p for p in self.programmes.values() if p.pk == self.caseworker_programme), None)
        programme = programme or self.programmes[SIB_BGO]
        last_name = self.fake.last_name()
        group = [
            self.child(
                programme,
                birth_for_age(self.rng, self.today, age),
                status=ChildStatus.ASSESSED,
                last_name=last_name,
                referred_on=self.days_ago(20, 40),
            )
            for age in (11, 8, 5)
        ]
        self.siblings(group, kind=SiblingKind.FULL)
        singles = [
            self.child(
                programme,
                birth_for_age(self.rng, self.today, age),
                status=ChildStatus.ASSESSED,
                referred_on=self.days_ago(10, 30),
            )
            for age in (13, 4)
        ]
        for child in (*group, *singles):
            self.gatekeep(child, self.days_ago(2, 9), reasons=["neglect", "parent_illness"])

    def finish(self) -> None:
        # R16: one plan review from before the child's voice was required on save (nothing can be saved without now).
        heard_age = [
            c for c in self.in_care if age_on(c.birth_date, self.today) >= 9 and c.pk not in self.emergency_now
        ]
        if heard_age:
            child = self.rng.choice(heard_age)
            self.review(child, self.days_ago(10, 40), heard=False)
        # Restricted fields for a few children, among them the demo caseworker's.
        mine = [c for c in self.in_care if c.programme_id == self.caseworker_programme]
        others = [c for c in self.in_care if c.programme_id != self.caseworker_programme]
        for child in mine[:3] + self.rng.sample(others, k=min(3, len(others))):
            child.health = self.rng.choice(
                ["Astma, bruker inhalator ved behov.", "Allergi mot nøtter.", "ADHD, medisinert."]
            )
            child.disability = self.rng.choice(["", "Hørselshemming, bruker høreapparat.", "Dysleksi."])
            child.hiv_status = self.rng.choice(["", "Ikke testet.", "Negativ."])
            child.save(update_fields=["health", "disability", "hiv_status"])
        # The caregiver's daily log for the children living in the demo caregiver's home.
        kind, key = self.context.demo_scopes.get(Role.CAREGIVER.value, ("", ""))
        home_pk = int(key) if kind == ScopeKind.HOME and key.isdigit() else self.homes[VILLAGE][0].pk
        open_here = Placement.objects.filter(home_id=home_pk, end_date__isnull=True).select_related("child")
        notes = [
            DailyNote(
                child=placement.child,
                home_id=home_pk,
                written_on=self.today - dt.timedelta(days=day),
                text=self.rng.choice(NOTES),
                author=self.caregiver,
            )
            for placement in open_here
            for day in range(1, 22)
            if self.rng.random() < 0.7 and self.today - dt.timedelta(days=day) >= placement.start_date
        ]
        DailyNote.objects.bulk_create(notes)
        # Nobody is placed before being referred.
        first_starts = Placement.objects.filter(child__in=[c.pk for c in self.children_made]).values("child_id")
        for row in first_starts.annotate(first=Min("start_date")):
            Child.objects.filter(pk=row["child_id"], referred_on__gt=row["first"]).update(referred_on=row["first"])
        # Occupied places follow the open placements of the homes this demo fills.
        for homes in self.homes.values():
            for home in homes:
                count = (
                    Placement.objects.filter(home=home, start_date__lte=self.today)
                    .filter(Q(end_date__isnull=True) | Q(end_date__gt=self.today))
                    .count()
                )
                Home.objects.filter(pk=home.pk).update(occupied=count)

    def build(self) -> None:
        steps: list[Callable[[], None]] = [
            self.specials,
            lambda: self.split(VILLAGE, "justified"),
            lambda: self.split(VILLAGE, "none"),
            lambda: self.split(SIB_BGO, "justified"),
            lambda: self.split(SIB_BGO, "no_contact"),
            lambda: self.split(SIB_TRD, "overdue"),
            lambda: self.split(SIB_TRD, "none"),
            lambda: self.split(SIB_KRS, "justified"),
            lambda: self.fill(SIBLING_PROGRAMMES),
            self.unaccompanied,
            lambda: self.fill([YOUTH], sizes=[1]),
            self.aftercare,
            self.reunified,
            self.strengthening,
            self.early,
            self.waiting,
            self.finish,
        ]
        for step in self.context.progress(steps, desc="barn i Norge"):
            step()


# --- global scale --------------------------------------------------------------------------------


@dataclass
class Slot:
    home: int
    programme: int
    kind: str
    min_age: int
    max_age: int


@dataclass
class Tables:
    groups: Inserter
    children: Inserter
    decisions: Inserter
    placements: Inserter
    gatekeepings: Inserter
    reviews: Inserter
    goals: Inserter
    relations: Inserter
    aftercare: Inserter

    def all(self) -> list[Inserter]:
        # Parents before children, so foreign keys point at rows already there.
        return [
            self.groups,
            self.children,
            self.decisions,
            self.placements,
            self.gatekeepings,
            self.reviews,
            self.goals,
            self.relations,
            self.aftercare,
        ]

    def flush(self) -> None:
        for table in self.all():
            table.flush()


@dataclass
class GlobalState:
    rng: random.Random
    names: NamePool
    today: dt.date
    recorded_by: int
    countries: dict[int, str]
    homes_by_programme: dict[int, list[int]]
    tables: Tables


def seed_global(context: DemoContext, fake: Faker, recorder: User) -> None:
    """82,300 children in care and 352,500 people in family strengthening; skipped if already there.

    In steps that commit as they go (``context.step``): the homes' occupancy, then
    the children about ``CHUNK`` at a time, then the households, each with its own
    random stream, so an interrupted run resumes with the next step and makes the same data.
    """
    if context.step_done("care:global:end"):
        return
    if (
        not context.step_done("care:global:homes")
        and Child.objects.filter(programme__code__startswith=GLOBAL_PREFIX).exists()
    ):
        return  # seeded by a run that did not record its steps
    today = timezone.localdate()

    def homes() -> list[tuple[int, int, str, str, int, int, int, int]]:
        return list(
            Home.objects.filter(programme__type__in=list(HOME_KIND), is_active=True)
            .exclude(programme__association__code=NORWAY_CODE)
            .order_by("programme_id", "pk")
            .values_list("pk", "programme_id", "programme__code", "kind", "capacity", "occupied", "min_age", "max_age")
        )

    def adjust_occupancy() -> None:
        # Children in care everywhere add up to the key figure: adjust the global homes' occupancy to absorb
        # the difference left by the national demo (whose homes follow their real placements).
        # The key figure is I32a: children in SOS families and youth programmes. The global homes are all of
        # those kinds; of the national demo's placements only those of the same types count (its foster homes,
        # family homes and emergency placements are foster and transit care, I32b, on top of the figure).
        occupied = {pk: occ for pk, _p, _c, _k, _cap, occ, _lo, _hi in homes()}
        open_now = Placement.objects.filter(end_date__isnull=True, type__in=sorted(SOS_FAMILY_AND_YOUTH_TYPES)).count()
        difference = GLOBAL_CHILDREN_IN_FAMILY_CARE - open_now - sum(occupied.values())
        changed: set[int] = set()
        for pk, _p, code, _k, capacity, _occ, _lo, _hi in homes():
            if difference == 0:
                break
            if not code.startswith(GLOBAL_PREFIX):
                continue
            step = min(difference, capacity - occupied[pk]) if difference > 0 else max(difference, -occupied[pk])
            if step:
                occupied[pk] += step
                difference -= step
                changed.add(pk)
        Home.objects.bulk_update(
            [Home(pk=pk, occupied=occupied[pk]) for pk in sorted(changed)], ["occupied"], batch_size=BATCH
        )

    context.step("care:global:homes", adjust_occupancy)
    found = homes()
    slots = [
        Slot(pk, programme, kind, lo, hi) for pk, programme, _c, kind, _cap, occ, lo, hi in found for _ in range(occ)
    ]
    homes_by_programme: dict[int, list[int]] = defaultdict(list)
    for pk, programme, *_rest in found:
        homes_by_programme[programme].append(pk)
    countries = {
        pk: str(country)
        for pk, country in Programme.objects.filter(pk__in=list(homes_by_programme)).values_list(
            "pk", "location__country"
        )
    }
    names = NamePool.build(fake)

    def new_state(rng: random.Random) -> GlobalState:
        tables = Tables(
            groups=Inserter(SiblingGroup),
            children=Inserter(Child),
            decisions=Inserter(Decision),
            placements=Inserter(Placement),
            gatekeepings=Inserter(Gatekeeping),
            reviews=Inserter(PlanReview),
            goals=Inserter(PlanGoal),
            relations=Inserter(SiblingRelation),
            aftercare=Inserter(Aftercare),
        )
        return GlobalState(rng, names, today, recorder.pk, countries, dict(homes_by_programme), tables)

    chunks = list(_group_chunks(random.Random(f"{context.seed}:201:groups"), slots))

    def children(index: int) -> None:
        state = new_state(random.Random(f"{context.seed}:201:children:{index}"))
        _insert_children(state, chunks[index])
        state.tables.flush()
        reset_sequences(state.tables.all())

    context.steps("care:global:children", list(range(len(chunks))), children, desc="barn i verden")
    rounds = -(-GLOBAL_PEOPLE_IN_FAMILY_STRENGTHENING // HOUSEHOLD_ROUND)

    def households(index: int) -> None:
        state = new_state(random.Random(f"{context.seed}:201:households:{index}"))
        made, members = Inserter(Household), Inserter(HouseholdMember)
        _insert_households(state, made, members)
        reset_sequences([made, members])

    context.steps("care:global:households", list(range(rounds)), households, desc="familier i familiestyrking")

    def finish() -> None:
        # Fresh planner statistics: right after a bulk load PostgreSQL has none (autovacuum comes later) and
        # picks sequential scans and hash joins for one child's page. Both databases allow this in a transaction.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    context.step("care:global:end", finish)


def _group_chunks(rng: random.Random, slots: list[Slot]) -> Iterator[list[list[Slot]]]:
    """Cut the places into sibling groups (a group across two homes is a split group), about CHUNK at a time."""
    chunk: list[list[Slot]] = []
    size_in_chunk = 0
    i = 0
    while i < len(slots):
        size = rng.choices([1, 2, 3, 4], weights=[30, 30, 25, 15])[0]
        group = slots[i : i + size]
        # Siblings stay within one programme; a group never spans two.
        group = [s for s in group if s.programme == group[0].programme]
        chunk.append(group)
        size_in_chunk += len(group)
        i += len(group)
        if size_in_chunk >= CHUNK:
            yield chunk
            chunk, size_in_chunk = [], 0
    if chunk:
        yield chunk


# (home id or 0 for the member's own current home, placement type or "" for the home's, start, end, end reason, emergency)
Episode = tuple[int, str, dt.date, dt.date | None, str, bool]


def _history(state: GlobalState, group: list[Slot], births: list[dt.date]) -> list[Episode]:
    """One history for a sibling group: earlier episodes in other homes of the programme, then the current home."""
    rng, today = state.rng, state.today
    lower = max(years_before(birth, -slot.min_age) for birth, slot in zip(births, group, strict=True))
    lower = max(lower, max(births) + dt.timedelta(days=1))
    latest = today - dt.timedelta(days=rng.randint(10, 60))
    if lower >= latest:
        start = min(lower, today)
    else:
        start = latest - dt.timedelta(days=rng.randint(0, min((latest - lower).days, 7 * 365)))
    episodes: list[Episode] = [(0, "", start, None, "", False)]
    wanted = rng.choices([1, 2, 3], weights=[50, 35, 15])[0]
    next_start = start
    others = state.homes_by_programme.get(group[0].programme) or [group[0].home]
    for n in range(wanted - 1):
        end = next_start - dt.timedelta(days=0 if rng.random() < 0.7 else rng.randint(1, 20))
        emergency = n == wanted - 2 and rng.random() < 0.3
        begin = end - dt.timedelta(days=rng.randint(20, 80) if emergency else rng.randint(60, 800))
        if begin < lower:
            break
        reason = EndReason.BREAKDOWN if rng.random() < 0.15 else EndReason.PLANNED_MOVE
        episodes.append(
            (rng.choice(others), PlacementType.EMERGENCY if emergency else "", begin, end, reason, emergency)
        )
        next_start = begin
    episodes.reverse()
    return episodes


def _insert_children(state: GlobalState, groups: list[list[Slot]]) -> None:
    rng, today, names, t = state.rng, state.today, state.names, state.tables
    for group in groups:
        last_name = rng.choice(names.last)
        group_id = t.groups.add() if len(group) > 1 else None
        low, high = max(s.min_age for s in group), min(s.max_age for s in group) - 1
        age = rng.randint(min(high, low + 2 * (len(group) - 1)), high)  # room for the younger ones
        births: list[dt.date] = []
        for n in range(len(group)):
            if n:
                age = max(low, age - rng.randint(1, 3))
            births.append(birth_for_age(rng, today, age))
        episodes = _history(state, group, births)
        members: list[int] = []
        for slot, birth in zip(group, births, strict=True):
            sex = rng.choice([Sex.FEMALE, Sex.MALE])
            child = t.children.add(
                programme_id=slot.programme,
                first_name=names.first(rng, sex),
                last_name=last_name,
                birth_date=birth,
                sex=sex,
                nationality=state.countries.get(slot.programme, ""),
                target_group=TargetGroup.WITHOUT_CARE,
                status=ChildStatus.ALTERNATIVE_CARE,
                referred_on=max(birth, episodes[0][2] - dt.timedelta(days=rng.randint(5, 60))),
                sibling_group_id=group_id,
            )
            members.append(child)
            _child_records(state, child, birth, slot, episodes)
        for a, b in combinations(members, 2):  # ids grow in order, so a < b
            kind = rng.choices(SIBLING_KINDS, weights=[75, 18, 4, 3])[0]
            t.relations.add(child_a_id=a, child_b_id=b, kind=kind, existing_bond=rng.random() < 0.95)
        since = episodes[-1][2]
        if len({slot.home for slot in group}) > 1 and rng.random() < 0.9:
            # A split group: most have a justified separation decision, recorded for each child.
            reassess = today + dt.timedelta(days=rng.randint(30, 300))
            for child, birth in zip(members, births, strict=True):
                t.decisions.add(
                    child_id=child,
                    kind=DecisionKind.SIBLING_SEPARATION,
                    decided_on=since,
                    decided_by=rng.choice(DECIDERS),
                    best_interest=rng.choice(BEST_INTEREST),
                    separation_reason=SeparationReason.NO_HOME,
                    relationship_assessment=rng.choice(RELATIONSHIP),
                    contact_plan=rng.choice(CONTACT_PLANS),
                    reassess_on=reassess,
                    recorded_by_id=state.recorded_by,
                    **views_for(rng, birth, since),
                )


def _child_records(state: GlobalState, child: int, birth: dt.date, slot: Slot, episodes: list[Episode]) -> None:
    """A child's placements (each with its decision), gatekeeping, latest review, plan goals and aftercare."""
    rng, today, t = state.rng, state.today, state.tables
    for n, (earlier_home, type_, begin, ended, why, emergency) in enumerate(episodes):
        decided = begin if emergency else max(birth, begin - dt.timedelta(days=rng.randint(0, 10)))
        voice = views_for(rng, birth, decided)  # always: a decision cannot be saved without (R16)
        decision = t.decisions.add(
            child_id=child,
            kind=DecisionKind.ADMISSION if n == 0 else DecisionKind.MOVE,
            decided_on=decided,
            decided_by=rng.choice(DECIDERS),
            best_interest=rng.choice(BEST_INTEREST),
            recorded_by_id=state.recorded_by,
            **voice,
        )
        t.placements.add(
            child_id=child,
            home_id=earlier_home or slot.home,
            # Earlier homes belong to the same programme, so they are of the same kind.
            type=type_ or PLACEMENT_TYPE[slot.kind],
            is_emergency=emergency,
            start_date=begin,
            end_date=ended,
            end_reason=why,
            child_prepared=not emergency and rng.random() < 0.95,
            decision_id=decision,
        )
    first_start, first_emergency = episodes[0][2], episodes[0][5]
    if rng.random() > 0.01:  # a few admissions without gatekeeping (R21)
        assessed = (
            first_start + dt.timedelta(days=rng.randint(3, 60))
            if first_emergency
            else first_start - dt.timedelta(days=rng.randint(3, 30))
        )
        t.gatekeepings.add(
            child_id=child,
            assessed_on=min(assessed, today),
            reasons=sorted(rng.sample(["neglect", "abandoned", "orphaned", "parent_illness", "abuse"], k=2)),
            necessity="Familien kunne ikke gi omsorg, heller ikke med støtte.",
            suitability="En SOS-familie i programmet kan ta imot barnet sammen med søsknene.",
            outcome=GatekeepingOutcome.ALTERNATIVE_CARE,
            recorded_by_id=state.recorded_by,
        )
    current = episodes[-1][2]
    if (today - current).days > 30:
        last = today - dt.timedelta(days=rng.randint(5, 85) if rng.random() < 0.95 else rng.randint(100, 200))
        last = max(last, current)
        # Now and then a review from before R16 was enforced on save, marked as migration 0005 does (R16 alert).
        voice = views_for(rng, birth, last) if rng.random() > 0.01 else {"not_heard_reason": LEGACY_REVIEW_NOT_HEARD}
        t.reviews.add(
            child_id=child,
            reviewed_on=last,
            summary="Planen er gjennomgått.",
            child_took_part=bool(voice.get("child_views")),
            child_views=voice.get("child_views", ""),
            not_heard_reason=voice.get("not_heard_reason", ""),
            recorded_by_id=state.recorded_by,
        )
    domain = rng.choice(DOMAINS)
    t.goals.add(child_id=child, domain=domain, description=rng.choice(GOALS[domain]), status=rng.choice(GOAL_STATUSES))
    eighteen = years_before(birth, -18)
    if today < eighteen <= today + dt.timedelta(days=183) and rng.random() < 0.8:
        t.aftercare.add(
            child_id=child,
            assessed_on=today - dt.timedelta(days=rng.randint(5, 60)),
            plan="Bolig og utdanning avtalt med den unge.",
            support_person=f"{state.names.first(rng, Sex.FEMALE)} {rng.choice(state.names.last)}",
        )


def _insert_households(state: GlobalState, households: Inserter, members: Inserter) -> None:
    """One round: up to ``HOUSEHOLD_ROUND`` people in family strengthening, until the key figure is reached."""
    rng, names, today = state.rng, state.names, state.today
    remaining = GLOBAL_PEOPLE_IN_FAMILY_STRENGTHENING - people_in_strengthening_this_year(today)
    new_year = dt.date(today.year, 1, 1)
    programmes = list(
        Programme.objects.filter(type=ProgrammeType.FAMILY_STRENGTHENING)
        .exclude(association__code=NORWAY_CODE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not programmes or remaining <= 0:
        return
    people = 0  # counted in this year's key figure; families that finished before it come on top
    while people < HOUSEHOLD_ROUND and remaining > 0:
        size = min(rng.choices([2, 3, 4, 5, 6, 7, 8], weights=[8, 16, 22, 22, 16, 10, 6])[0], remaining)
        entered = today - dt.timedelta(days=rng.randint(30, 1500))
        exited = rng.random() < 0.15
        exited_on = min(today, entered + dt.timedelta(days=rng.randint(180, 900))) if exited else None
        last_name = rng.choice(names.last)
        household = households.add(
            programme_id=rng.choice(programmes),
            name=f"Familien {last_name}",
            risk_factors=rng.sample(RISK_FACTORS, k=rng.randint(1, 3)),
            in_family_strengthening=True,
            entered_on=entered,
            exited_on=exited_on,
            exit_outcome=(ExitOutcome.STAYED if rng.random() < 0.9 else ExitOutcome.ALTERNATIVE_CARE) if exited else "",
        )
        adults = 1 if rng.random() < 0.35 else 2
        for n in range(size):
            adult = n < adults
            sex = Sex.FEMALE if (n == 0 or (not adult and rng.random() < 0.5)) else Sex.MALE
            members.add(
                household_id=household,
                first_name=names.first(rng, sex),
                last_name=last_name,
                relation=("mor" if n == 0 else rng.choice(RELATIONS_ADULT[1:])) if adult else "barn",
                birth_year=today.year - (rng.randint(22, 60) if adult else rng.randint(0, 17)),
            )
        if exited_on is None or exited_on >= new_year:
            people += size
            remaining -= size
    households.flush()
    members.flush()


def people_in_strengthening_this_year(today: dt.date) -> int:
    """Members of family-strengthening households supported one or more days of ``today``'s year.

    Counted as the key figure "people in family strengthening" counts them (I32c): a family that
    finished before the year began is in the register but not in the year's figure.
    """
    if connection.vendor == "postgresql":
        # Fresh statistics after the last round's bulk insert: without them PostgreSQL believes both tables
        # empty and joins them by a nested loop over every pair (minutes at the global scale).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE care_household, care_householdmember")
    return (
        HouseholdMember.objects.filter(household__in_family_strengthening=True)
        .filter(Q(household__entered_on__isnull=True) | Q(household__entered_on__lte=dt.date(today.year, 12, 31)))
        .filter(Q(household__exited_on__isnull=True) | Q(household__exited_on__gte=dt.date(today.year, 1, 1)))
        .count()
    )
