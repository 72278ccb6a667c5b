"""Loaded by pytest as a plugin (``-p config.testing``) before Django reads its settings.

Tests run with production-like settings (DEBUG off, 2FA required) and
throwaway secrets made per run, never stored.
"""

from __future__ import annotations

import os
import secrets

from cryptography.fernet import Fernet

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", Fernet.generate_key().decode())
os.environ.setdefault("BARNEBY_STATIC_MANIFEST", "0")
# Tests speak plain HTTP to the test client and the live server.
os.environ.setdefault("BARNEBY_SECURE", "0")
os.environ.setdefault("BARNEBY_TASKS_BACKEND", "immediate")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("BARNEBY_IDENTITY_ALLOW_SYNTHETIC", "1")
os.environ.setdefault("BARNEBY_VIPPS_FAKE", "1")
