"""R28 (NORMS.md addendum) as a pure function over plain data.

A programme that is phasing out or handed over must not leave a participant
without school or health care: while any active participant lacks a recorded
alternative provider of both, the programme has an R28 finding. It clears by
itself when the last one is recorded (or the participant leaves).
"""

from __future__ import annotations

from dataclasses import dataclass

# Kept in step with organisation.models.ProgrammeStatus; plain strings so this module stays pure.
R28_STATUSES = frozenset({"phasing_out", "handed_over"})
HIGH = "high"


@dataclass(frozen=True)
class ProgrammeFacts:
    id: int
    status: str
    participants: frozenset[int]  # children still taking part (not left)
    provided: frozenset[int]  # children with an alternative provider of schooling and health care recorded


@dataclass(frozen=True)
class Finding:
    rule: str
    programme_id: int
    severity: str
    missing: tuple[int, ...]
    participants: int

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.programme_id}"


def r28_missing_alternative_provider(facts: ProgrammeFacts) -> Finding | None:
    if facts.status not in R28_STATUSES:
        return None
    missing = tuple(sorted(facts.participants - facts.provided))
    if not missing:
        return None
    return Finding("R28", facts.id, HIGH, missing, len(facts.participants))
