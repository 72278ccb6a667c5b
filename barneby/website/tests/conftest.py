from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker


@pytest.fixture(scope="module", autouse=True)
def _media_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def _fresh_site_cache() -> None:
    # Wagtail caches the sites' root paths; page ids differ between modules' rolled-back worlds.
    cache.clear()


@pytest.fixture
def home(db: None) -> Any:
    from barneby.website.setup import ensure_site

    return ensure_site()


def seed() -> Any:
    from barneby.core.demo import DemoContext
    from barneby.website.demo import seed_website
    from barneby.website.setup import ensure_site

    seed_website(DemoContext(scale="national", seed=1, progress=lambda items, **kw: iter(items)))
    return ensure_site()


@pytest.fixture(scope="module")
def _demo_world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Any]:
    """Module-scoped: the demo website, made once and rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture
def demo_site(_demo_world: Any, db: None) -> Any:
    """The demo website: every theme and page type in nb and en."""
    return _demo_world
