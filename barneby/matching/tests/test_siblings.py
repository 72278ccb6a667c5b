from __future__ import annotations

import pytest

from barneby.matching import Child, Home, Problem
from barneby.matching.heuristics.siblings import propose_for_group

from .factories import OSLO, near


def _group(count: int) -> tuple[Child, ...]:
    return tuple(Child(id=i, age=9, sex="F", group=1, origin=OSLO) for i in range(1, count + 1))


def test_best_proposal_keeps_the_group_together_then_alternatives() -> None:
    homes = (
        Home(id=10, places=3, location=near(40)),
        Home(id=11, places=3, location=near(10)),
        Home(id=12, places=2, location=near(1)),
        Home(id=13, places=1, location=near(1)),
    )
    proposals = propose_for_group(Problem(children=_group(3), homes=homes), 1, k=3)
    assert [p.homes for p in proposals[:2]] == [(11,), (10,)]
    assert proposals[0].together
    assert proposals[0].costs.splits == 0
    assert not proposals[2].together
    assert proposals[2].homes == (12, 13)
    assert "det finnes et som holder dem sammen" in proposals[2].explanations[1].render("nb")


def test_split_proposals_use_the_fewest_homes_when_together_is_impossible() -> None:
    homes = (
        Home(id=10, places=2, location=near(5)),
        Home(id=11, places=2, location=near(50)),
        Home(id=12, places=1, location=near(1)),
        Home(id=13, places=1, location=near(2)),
    )
    proposals = propose_for_group(Problem(children=_group(4), homes=homes), 1, k=2)
    assert proposals[0].homes == (10, 11)
    assert proposals[0].costs.splits == 1
    assert "ingen ledige hjem med plass til fire søsken" in proposals[0].explanations[1].render("nb")
    assert proposals[1].costs.splits == 2


def test_unknown_group_is_refused() -> None:
    with pytest.raises(ValueError, match="no child belongs"):
        propose_for_group(Problem(children=_group(2), homes=()), 9)
