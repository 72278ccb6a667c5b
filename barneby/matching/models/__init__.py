"""The MIP models, all built and run through :mod:`barneby.matching.models.builder`.

* :mod:`~barneby.matching.models.patterns` — unplaced children and splits (and a needs bound):
  cutting stock over home types, one column per way a class of sibling groups is shared out;
* :mod:`~barneby.matching.models.contents` — unmet needs or distance, the levels before held:
  one column per home and what it holds, by column generation with a Lagrangian bound;
* :mod:`~barneby.matching.models.perhome` — every level in order, one binary per child and home
  (exact on small batches and per region).
"""
