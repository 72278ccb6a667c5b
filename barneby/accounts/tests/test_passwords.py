from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.hashers import make_password
from django.test import override_settings


def test_production_settings_hash_with_argon2() -> None:
    configured = importlib.import_module("config.settings")
    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=configured.PASSWORD_HASHERS):
        assert make_password("a-long-enough-password").startswith("argon2$argon2id$")


def test_password_rules_need_twelve_characters() -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    configured = importlib.import_module("config.settings")
    with (
        override_settings(AUTH_PASSWORD_VALIDATORS=configured.AUTH_PASSWORD_VALIDATORS),
        pytest.raises(ValidationError) as excinfo,
    ):
        validate_password("kort1")
    assert any("12" in message for message in excinfo.value.messages)
