from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Figures are cached by unit and period; ids repeat between tests, so each test starts empty."""
    cache.clear()
    yield
    cache.clear()
