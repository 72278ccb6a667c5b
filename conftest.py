"""Shared fixtures. The environment for tests is set in config/testing.py."""

from __future__ import annotations

import pytest
from pytest_django import Settings

pytest_plugins = ["barneby.core.tests.personas", "barneby.core.tests.browser", "barneby.fundraising.tests.fixtures"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    # Argon2 is slow on purpose; tests create hundreds of users. The
    # production hasher is checked in barneby/accounts/tests/test_passwords.py.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
