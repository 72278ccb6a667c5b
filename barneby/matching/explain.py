"""Plain-language explanations of a placement, as data plus a renderer.

An explanation is a list of :class:`Reason` codes with parameters, built from
the solution, and rendered in Norwegian (bokmål) or English by :func:`render`.
Both languages live here rather than in gettext catalogs because this module
is Django-free; the Django side can wrap :func:`render` or translate codes
itself. Keep-apart reasons are protected information and are never shown.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from barneby.matching.index import Index
from barneby.matching.problem import Assignment, Child, ChildId, Explanation, HomeId, Problem, Reason, SolveStatus
from barneby.matching.rules import distances_km, ineligibility, unmet_needs

LANGUAGES = ("nb", "en")

NUMBER_WORDS = {
    "nb": ("null", "ett", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
}

# Competence codes the organisation uses; unknown codes are shown as they are.
COMPETENCES = {
    "trauma": ("traumer", "trauma"),
    "substance": ("rus", "substance abuse"),
    "disability": ("funksjonsnedsettelser", "disabilities"),
    "mental_health": ("psykisk helse", "mental health"),
    "language": ("språkopplæring", "language support"),
    "medical": ("medisinsk oppfølging", "medical care"),
    "infant": ("spedbarn", "infants"),
    "behaviour": ("atferd", "behaviour"),
}


def _reason(code: str, **params: Any) -> Reason:
    return Reason(code, tuple(sorted(params.items())))


def _fits_a_full_home(problem: Problem, child: Child) -> bool:
    """Whether a home with no free place would take ``child`` (age, sex, region, distance, exclusions) if it had one."""
    return any(
        home.places < 1 and ineligibility(problem, child, dataclasses.replace(home, places=1)) is None
        for home in problem.homes
    )


def explain(index: Index, assignment: Assignment, status: SolveStatus) -> dict[ChildId, Explanation]:
    """One explanation per child, from the assignment and how well it is proven."""
    problem = index.problem
    homes = {h.id: h for h in problem.homes}
    per_group_homes: dict[int, dict[HomeId, int]] = defaultdict(lambda: defaultdict(int))
    for group, members in index.groups.items():
        for i in members:
            placed = assignment.get(index.children[i].id)
            if placed is not None:
                per_group_homes[group][placed] += 1
    splits_proven = status.optimal or status.gap_level not in ("unplaced", "splits")
    result: dict[ChildId, Explanation] = {}
    for i, child in enumerate(index.children):
        reasons: list[Reason] = []
        home_id = assignment.get(child.id)
        g = index.group_of[i]
        if home_id is None:
            if not index.placeable[i]:
                # Homes that would take the child but are full: the homes are full, not the requirements unmet.
                full = _fits_a_full_home(problem, child)
                reasons.append(_reason("no_free_place", proven=True) if full else _reason("no_eligible_home"))
            else:
                reasons.append(_reason("no_free_place", proven=status.optimal or status.gap_level != "unplaced"))
            result[child.id] = Explanation(child.id, tuple(reasons))
            continue
        home = homes[home_id]
        if g is not None:
            size = len(index.groups[g])
            used = per_group_homes[g]
            unplaced = size - sum(used.values())
            if unplaced:
                # Not "the siblings live together" nor "spread over two homes" when some of them have no place.
                reasons.append(_reason("siblings_some_unplaced", count=size, placed=size - unplaced, homes=len(used)))
            elif len(used) == 1:
                reasons.append(_reason("siblings_together", count=size))
            else:
                reasons.append(_reason("siblings_split", count=size, homes=len(used), here=used[home_id]))
            if len(used) > 1:
                fewest = index.min_homes.get(g) or 1
                if fewest > 1:
                    reasons.append(_reason("split_unavoidable", count=size, km=problem.max_distance_km))
                elif splits_proven:
                    reasons.append(_reason("split_for_capacity", count=size))
                else:
                    reasons.append(_reason("split_not_proven"))
        met = sorted(child.needs & home.competences)
        unmet = sorted(unmet_needs(child, home))
        if met:
            reasons.append(_reason("needs_met", needs=tuple(met)))
        if unmet:
            reasons.append(_reason("needs_unmet", needs=tuple(unmet)))
        origin, school = distances_km(child, home)
        if origin is not None:
            reasons.append(_reason("distance_origin", km=round(origin)))
        if school is not None:
            reasons.append(_reason("distance_school", km=round(school)))
        if origin is None and school is None:
            reasons.append(_reason("distance_unknown"))
        result[child.id] = Explanation(child.id, tuple(reasons))
    return result


def _count(n: int, lang: str) -> str:
    words = NUMBER_WORDS[lang]
    return words[n] if 0 <= n < len(words) else str(n)


def _needs(codes: tuple[str, ...], lang: str) -> str:
    column = 0 if lang == "nb" else 1
    names = [COMPETENCES[c][column] if c in COMPETENCES else c for c in codes]
    joiner = " og " if lang == "nb" else " and "
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + joiner + names[-1]


def _within(km: float | None, lang: str) -> str:
    if km is None:
        return ""
    return f" innen {km:.0f} km" if lang == "nb" else f" within {km:.0f} km"


Sentence = Callable[[Mapping[str, Any], str], str]

_SENTENCES: dict[str, tuple[Sentence, Sentence]] = {
    "siblings_together": (
        lambda p, lang: "søsknene bor sammen",
        lambda p, lang: "the siblings live together",
    ),
    "siblings_split": (
        lambda p, lang: f"de {_count(p['count'], lang)} søsknene er fordelt på {_count(p['homes'], lang)} hjem",
        lambda p, lang: f"the {_count(p['count'], lang)} siblings are spread over {_count(p['homes'], lang)} homes",
    ),
    "siblings_some_unplaced": (
        lambda p, lang: (
            (
                f"{_count(p['placed'], lang)} av de {_count(p['count'], lang)} søsknene "
                + (
                    f"er fordelt på {_count(p['homes'], lang)} hjem"
                    if p["homes"] > 1
                    else "bor sammen"
                    if p["placed"] > 1
                    else "har fått plass"
                )
            )
            + f"; {_count(p['count'] - p['placed'], lang)} søsken er uten plass"
        ),
        lambda p, lang: (
            (
                f"{_count(p['placed'], lang)} of the {_count(p['count'], lang)} siblings "
                + (
                    f"are spread over {_count(p['homes'], lang)} homes"
                    if p["homes"] > 1
                    else "live together"
                    if p["placed"] > 1
                    else "has a place"
                )
            )
            + f"; {_count(p['count'] - p['placed'], lang)} "
            + ("sibling has" if p["count"] - p["placed"] == 1 else "siblings have")
            + " no place"
        ),
    ),
    "split_unavoidable": (
        lambda p, lang: (
            f"delingen var uunngåelig: ingen ledige hjem med plass til {_count(p['count'], lang)} søsken"
            + _within(p["km"], lang)
        ),
        lambda p, lang: (
            f"the split was unavoidable: no home with free places for {_count(p['count'], lang)} siblings"
            + _within(p["km"], lang)
        ),
    ),
    "split_for_capacity": (
        lambda p, lang: (
            "delingen var nødvendig: hjemmene med plass til alle trengtes for å holde andre søskenflokker "
            "sammen eller gi alle barn plass"
        ),
        lambda p, lang: (
            "the split was necessary: the homes with room for all of them were needed to keep other "
            "sibling groups together or to place every child"
        ),
    ),
    "split_not_proven": (
        lambda p, lang: "ingen plassering som holder dem sammen ble funnet innen tidsfristen",
        lambda p, lang: "no placement keeping them together was found within the time limit",
    ),
    "split_alternative": (
        lambda p, lang: "et alternativ som deler søsknene; det finnes et som holder dem sammen",
        lambda p, lang: "an alternative that splits the siblings; one keeping them together exists",
    ),
    "needs_met": (
        lambda p, lang: f"hjemmet har kompetanse på {_needs(p['needs'], lang)}",
        lambda p, lang: f"the home has competence in {_needs(p['needs'], lang)}",
    ),
    "needs_unmet": (
        lambda p, lang: f"hjemmet mangler kompetanse på {_needs(p['needs'], lang)}",
        lambda p, lang: f"the home lacks competence in {_needs(p['needs'], lang)}",
    ),
    "distance_origin": (
        lambda p, lang: f"{p['km']} km fra hjemstedet",
        lambda p, lang: f"{p['km']} km from home",
    ),
    "distance_school": (
        lambda p, lang: f"{p['km']} km fra skolen",
        lambda p, lang: f"{p['km']} km from school",
    ),
    "distance_unknown": (
        lambda p, lang: "avstanden er ukjent",
        lambda p, lang: "the distance is unknown",
    ),
    "no_eligible_home": (
        lambda p, lang: "ingen hjem oppfyller kravene (alder, kjønn, region, avstand eller utelukkelser)",
        lambda p, lang: "no home meets the requirements (age, sex, region, distance or exclusions)",
    ),
    "no_free_place": (
        lambda p, lang: "alle egnede hjem er fulle" + (" (bevist)" if p["proven"] else ""),
        lambda p, lang: "every suitable home is full" + (" (proven)" if p["proven"] else ""),
    ),
}


def render_reason(reason: Reason, lang: str = "nb") -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; use one of {LANGUAGES}")
    nb, en = _SENTENCES[reason.code]
    return (nb if lang == "nb" else en)(dict(reason.params), lang)


def render(explanation: Explanation, lang: str = "nb") -> str:
    """The whole explanation as one sentence, e.g. "Søsknene bor sammen; 12 km fra skolen"."""
    text = "; ".join(render_reason(r, lang) for r in explanation.reasons)
    return text[:1].upper() + text[1:] + "." if text else ""
