"""The words of an explanation: its reasons rendered in Norwegian (bokmål) or English.

Both languages live here rather than in gettext catalogs because the matching
package is Django-free; the Django side can wrap :func:`render` or translate
codes itself. Keep-apart reasons are protected information and never reach
this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from barneby.matching.problem import Explanation, Reason

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
