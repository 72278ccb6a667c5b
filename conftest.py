"""Shared fixtures. The environment for tests is set in config/testing.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation
from pytest_django import Settings

pytest_plugins = ["barneby.core.tests.personas", "barneby.core.tests.browser", "barneby.fundraising.tests.fixtures"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    # Argon2 is slow on purpose; tests create hundreds of users. The
    # production hasher is checked in barneby/accounts/tests/test_passwords.py.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the default language (bokmål) and leaves it so: a test or library that activates
    English in the worker's thread must not turn the next test's Norwegian messages into English ones."""
    translation.activate("nb")
    yield
    translation.activate("nb")


# Fixtures that reach the database, directly or through the live server.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_setup",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests consistently instead of by hand: ``browser`` for every test that drives Chromium,
    ``pure`` for every test that reaches no database (the PostgreSQL run in CI leaves these out)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "page" in fixtures or "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("django_db") is None and not fixtures & DATABASE_FIXTURES:
            item.add_marker(pytest.mark.pure)
