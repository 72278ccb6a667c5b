"""Format and digest of personal API tokens."""

from __future__ import annotations

import hashlib

TOKEN_PREFIX = "bby_"  # noqa: S105  (a public marker, not a secret)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
