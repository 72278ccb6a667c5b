"""KID numbers (kundeidentifikasjon): MOD10 and MOD11 check digits, validation and new KIDs.

The rules are Nets' (OCR giro system manual §5, AvtaleGiro systemspesifikasjon §4):

* MOD10 (Luhn): weights 2, 1, 2, 1, … from the right; the *digits* of each product are
  added (12 → 1 + 2); the check digit is ``(10 - sum % 10) % 10``.
* MOD11: weights 2, 3, 4, 5, 6, 7, 2, 3, … from the right; the check digit is
  ``11 - sum % 11``, with 11 written ``0`` and 10 written ``-``.

New KIDs have a fixed length (from the payee agreement, ``FUNDRAISING_KID_LENGTH``) and
are built from the donor number and the agreement's sequence number, never from an
identity number. ``netsgiro`` reads only digits and blanks in a KID, so a MOD11 KID whose
check digit is ``-`` can be written but never read back: :func:`make_kid` refuses to make
one, and callers skip to the next base number.

The check-digit functions are plain Python; only :func:`make_kid`'s defaults and the
Norwegian messages touch Django.
"""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext as _

Modulus = Literal["MOD10", "MOD11"]
MODULI: tuple[Modulus, ...] = ("MOD10", "MOD11")
MAX_LENGTH = 25  # the KID field in Nets' records
GIFT_SEQUENCE = 0  # agreement sequence 00 is the donor's KID for one-off gifts
SEQUENCE_DIGITS = 2


class KidError(ValueError):
    """A KID or a base number that cannot be used; the message is Norwegian and user-facing."""


def _digits(value: str) -> str:
    if not value or not value.isascii() or not value.isdigit():
        raise KidError(_("Et KID-grunnlag kan bare inneholde sifre."))
    return value


def mod10_check_digit(base: str) -> str:
    """The MOD10 (Luhn) check digit for the digits in ``base``."""
    total = 0
    for position, char in enumerate(reversed(_digits(base))):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def mod11_check_digit(base: str) -> str:
    """The MOD11 check digit for ``base``: a digit, or ``"-"`` when it would be 10."""
    total = sum(int(char) * (2 + position % 6) for position, char in enumerate(reversed(_digits(base))))
    check = 11 - total % 11
    if check == 11:
        return "0"
    if check == 10:
        return "-"
    return str(check)


def as_modulus(value: str) -> Modulus:
    """``value`` as a :data:`Modulus` (settings hold plain strings)."""
    if value == "MOD10":
        return "MOD10"
    if value == "MOD11":
        return "MOD11"
    raise KidError(_("Ukjent modulus {modulus}; bruk MOD10 eller MOD11.").format(modulus=value))


def check_digit(base: str, modulus: Modulus) -> str:
    if modulus == "MOD10":
        return mod10_check_digit(base)
    if modulus == "MOD11":
        return mod11_check_digit(base)
    raise KidError(_("Ukjent modulus {modulus}; bruk MOD10 eller MOD11.").format(modulus=modulus))


def with_check_digit(base: str, modulus: Modulus = "MOD10") -> str:
    """``base`` followed by its check digit (which may be ``-`` for MOD11)."""
    return base + check_digit(base, modulus)


def kid_error(kid: str, modulus: Modulus | None = None) -> str | None:
    """A Norwegian message saying what is wrong with ``kid``, or ``None`` if it is valid.

    With ``modulus=None`` either scheme is accepted (Nets' own files mix them).
    """
    kid = (kid or "").strip()
    if len(kid) < 2 or len(kid) > MAX_LENGTH:
        return _("Et KID-nummer har 2–25 tegn.")
    base, check = kid[:-1], kid[-1]
    if not base.isascii() or not base.isdigit() or not (check.isdigit() or check == "-"):
        return _("Et KID-nummer består av sifre (MOD11 kan slutte på «-»).")
    schemes = MODULI if modulus is None else (modulus,)
    if any(check_digit(base, scheme) == check for scheme in schemes):
        return None
    return _("Kontrollsifferet i KID-nummeret stemmer ikke.")


def is_valid_kid(kid: str, modulus: Modulus | None = None) -> bool:
    return kid_error(kid, modulus) is None


def validate_kid(kid: str, modulus: Modulus | None = None) -> str:
    """Return ``kid`` stripped, or raise :class:`KidError` with a Norwegian message."""
    error = kid_error(kid, modulus)
    if error is not None:
        raise KidError(error)
    return kid.strip()


def make_kid(base: str | int, *, length: int | None = None, modulus: Modulus | None = None) -> str:
    """A KID of exactly ``length`` characters: ``base`` zero-padded on the left, plus a check digit.

    ``length`` and ``modulus`` default to ``FUNDRAISING_KID_LENGTH`` and
    ``FUNDRAISING_KID_MODULUS``. Raises :class:`KidError` if ``base`` does not fit, or if the
    MOD11 check digit would be ``-`` (unreadable by netsgiro; take the next base instead).
    """
    if length is None or modulus is None:
        from django.conf import settings

        length = length if length is not None else int(settings.FUNDRAISING_KID_LENGTH)
        modulus = modulus if modulus is not None else as_modulus(settings.FUNDRAISING_KID_MODULUS)
    if not 2 <= length <= MAX_LENGTH:
        raise KidError(_("Et KID-nummer har 2–25 tegn."))
    digits = _digits(str(base))
    if len(digits) > length - 1:
        raise KidError(
            _("Grunnlaget {base} er for langt for et KID-nummer på {length} tegn.").format(base=digits, length=length)
        )
    padded = digits.zfill(length - 1)
    check = check_digit(padded, modulus)
    if check == "-":
        raise KidError(_("Grunnlaget {base} gir kontrollsiffer «-» med MOD11; velg neste.").format(base=padded))
    return padded + check


def kid_base(donor_number: int, sequence: int, *, length: int) -> str:
    """The base number of a KID: the donor number, then a two-digit agreement sequence."""
    if not 0 <= sequence < 10**SEQUENCE_DIGITS:
        raise KidError(_("Løpenummeret for avtalen må være 0–99."))
    donor_digits = length - 1 - SEQUENCE_DIGITS
    if donor_number < 0 or len(str(donor_number)) > donor_digits:
        raise KidError(
            _("Givernummeret {number} er for langt for et KID-nummer på {length} tegn.").format(
                number=donor_number, length=length
            )
        )
    return f"{donor_number:0{donor_digits}d}{sequence:0{SEQUENCE_DIGITS}d}"


def split_kid(kid: str, *, length: int) -> tuple[int, int] | None:
    """``(donor_number, sequence)`` for a KID in our own layout, or ``None`` if it is not one of ours."""
    kid = (kid or "").strip()
    if len(kid) != length or not kid[:-1].isdigit():
        return None
    base = kid[:-1]
    return int(base[:-SEQUENCE_DIGITS]), int(base[-SEQUENCE_DIGITS:])
