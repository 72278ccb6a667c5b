"""Format and digest of personal API tokens and of second-factor enrolment secrets."""

from __future__ import annotations

import hashlib

TOKEN_PREFIX = "bby_"  # noqa: S105  (a public marker, not a secret)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# Letters and digits that cannot be mistaken for each other when read aloud or typed.
ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def enrolment_code_normalise(code: str) -> str:
    """An administrator's code as typed (any case, spaces or dashes) in its stored form."""
    return "".join(ch for ch in code.upper() if ch.isalnum())
