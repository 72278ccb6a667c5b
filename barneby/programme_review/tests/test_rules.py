"""R28 as a pure rule: raised while a participant of a programme in transition lacks a provider, never otherwise."""

from __future__ import annotations

from barneby.programme_review.rules import ProgrammeFacts, r28_missing_alternative_provider


def test_r28_raises_for_a_programme_phasing_out_with_a_participant_without_provider() -> None:
    finding = r28_missing_alternative_provider(ProgrammeFacts(7, "phasing_out", frozenset({1, 2, 3}), frozenset({2})))
    assert finding is not None
    assert finding.rule == "R28"
    assert finding.severity == "high"
    assert finding.missing == (1, 3)
    assert finding.participants == 3
    assert finding.key == "R28:7"


def test_r28_raises_for_a_programme_handed_over() -> None:
    assert r28_missing_alternative_provider(ProgrammeFacts(7, "handed_over", frozenset({1}), frozenset()))


def test_r28_clears_when_every_participant_has_a_provider() -> None:
    assert (
        r28_missing_alternative_provider(ProgrammeFacts(7, "phasing_out", frozenset({1, 2}), frozenset({1, 2}))) is None
    )


def test_r28_ignores_active_and_closed_programmes_and_programmes_without_participants() -> None:
    for status in ("active", "closed"):
        assert r28_missing_alternative_provider(ProgrammeFacts(7, status, frozenset({1}), frozenset())) is None
    assert r28_missing_alternative_provider(ProgrammeFacts(7, "phasing_out", frozenset(), frozenset())) is None
