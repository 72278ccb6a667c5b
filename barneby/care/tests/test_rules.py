"""Moves, "sibling group intact" and "placed with at least one sibling" against hand-computed cases.

Pure functions over plain data: no database.
"""

from __future__ import annotations

import datetime as dt

from barneby.care import rules
from barneby.care.rules import PlacementFact as P

D = dt.date
TODAY = D(2026, 6, 30)


def test_a_same_day_move_is_a_move_and_the_new_home_is_current() -> None:
    history = [P(1, 10, "foster", D(2025, 1, 1), D(2026, 3, 1), "planned_move"), P(2, 20, "foster", D(2026, 3, 1))]
    assert rules.moves(history) == [D(2026, 3, 1)]
    current = rules.current_placement(history, D(2026, 3, 1))
    assert current is not None
    assert current.home_id == 20
    earlier = rules.current_placement(history, D(2026, 2, 28))
    assert earlier is not None
    assert earlier.home_id == 10


def test_two_moves_on_one_day_count_twice() -> None:
    history = [
        P(1, 10, "emergency", D(2026, 1, 1), D(2026, 2, 1), "planned_move"),
        P(2, 20, "foster", D(2026, 2, 1), D(2026, 2, 1), "breakdown"),
        P(3, 30, "foster", D(2026, 2, 1)),
    ]
    assert rules.moves(history) == [D(2026, 2, 1), D(2026, 2, 1)]
    current = rules.current_placement(history, D(2026, 2, 1))
    assert current is not None
    assert current.home_id == 30


def test_a_new_type_in_the_same_home_is_not_a_move() -> None:
    history = [
        P(1, 10, "emergency", D(2026, 1, 1), D(2026, 3, 1), "planned_move"),
        P(2, 10, "foster", D(2026, 3, 1)),
    ]
    assert rules.moves(history) == []


def test_returning_to_care_after_reunification_is_a_new_stay_not_a_move() -> None:
    history = [
        P(1, 10, "foster", D(2024, 1, 1), D(2024, 6, 1), "reunification"),
        P(2, 20, "foster", D(2024, 6, 20)),
    ]
    assert rules.moves(history) == []
    assert rules.episode_start(history, TODAY) == D(2024, 6, 20)


def test_a_long_gap_starts_a_new_stay() -> None:
    history = [P(1, 10, "foster", D(2024, 1, 1), D(2024, 6, 1), "other"), P(2, 20, "foster", D(2025, 1, 1))]
    assert rules.moves(history, max_gap_days=31) == []
    continued = [P(1, 10, "foster", D(2024, 1, 1), D(2024, 6, 1), "other"), P(2, 20, "foster", D(2024, 6, 20))]
    assert rules.moves(continued, max_gap_days=31) == [D(2024, 6, 20)]
    assert rules.episode_start(continued, TODAY) == D(2024, 1, 1)


def group(**homes: list[P]) -> rules.GroupSituation:
    return rules.group_situation({int(k.removeprefix("c")): v for k, v in homes.items()}, TODAY)


START = D(2025, 1, 1)


def open_in(home: int, start: D = START) -> list[P]:
    return [P(home * 100 + start.toordinal() % 97, home, "foster", start)]


def test_a_group_in_one_home_is_intact_and_everyone_lives_with_a_sibling() -> None:
    situation = group(c1=open_in(10), c2=open_in(10), c3=open_in(10))
    assert situation.intact is True
    assert all(situation.with_sibling(c) for c in (1, 2, 3))
    assert situation.homes_used == 1


def test_half_siblings_split_two_and_one() -> None:
    # Relation kinds do not change the arithmetic: the group is who is linked.
    situation = group(c1=open_in(10), c2=open_in(10), c3=open_in(20))
    assert situation.intact is False
    assert situation.with_sibling(1) is True
    assert situation.with_sibling(2) is True
    assert situation.with_sibling(3) is False
    assert situation.homes_used == 2


def test_a_sibling_in_aftercare_is_not_counted_as_placed() -> None:
    aftercare = [P(7, 30, "foster", D(2020, 1, 1), D(2026, 1, 1), "aged_out")]
    situation = group(c1=open_in(10), c2=open_in(10), c3=aftercare)
    assert situation.intact is True  # the two still placed live together
    assert situation.with_sibling(3) is None  # not placed: the indicator does not apply


def test_a_sibling_who_left_leaves_a_single_placed_child_not_applicable() -> None:
    left = [P(8, 30, "foster", D(2020, 1, 1), D(2025, 1, 1), "adoption")]
    situation = group(c1=open_in(10), c2=left)
    assert situation.intact is None
    assert situation.with_sibling(1) is None


def test_a_group_spread_over_two_programmes_is_split() -> None:
    # Homes 10 and 99 belong to different programmes; the split is the same.
    situation = group(c1=open_in(10), c2=open_in(99), c3=open_in(99), c4=open_in(99))
    assert situation.intact is False
    assert situation.with_sibling(1) is False
    assert situation.with_sibling(2) is True
    assert situation.homes_used == 2


def test_same_day_move_reunites_a_group() -> None:
    moved = [P(1, 20, "foster", D(2025, 1, 1), TODAY, "planned_move"), P(2, 10, "foster", TODAY)]
    situation = group(c1=open_in(10), c2=moved)
    assert situation.intact is True


def test_birthday_on_29_february() -> None:
    assert rules.birthday(D(2008, 2, 29), 18) == D(2026, 3, 1)
    assert rules.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)


def test_thresholds_come_from_settings_names() -> None:
    limits = rules.Thresholds.from_settings({"R5_REVIEW_INTERVAL_DAYS": 30, "R27_FOLLOW_UP_MONTHS": [3], "UNKNOWN": 1})
    assert limits.r5_review_interval_days == 30
    assert limits.r27_follow_up_months == (3,)


def test_r5_uses_the_threshold() -> None:
    facts = rules.ChildFacts(id=1, birth_date=D(2015, 1, 1), status="alternative_care", placements=tuple(open_in(10)))
    assert rules.r5_no_review(facts, TODAY, rules.Thresholds(r5_review_interval_days=92))
    assert not rules.r5_no_review(facts, TODAY, rules.Thresholds(r5_review_interval_days=10_000))
