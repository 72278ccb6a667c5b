"""Norwegian identity numbers, validated with python-stdnum behind one small wrapper.

Fødselsnummer, D-nummer (day + 40) and H-nummer (month + 40) are checked by
``stdnum.no.fodselsnummer``; the first check digit also follows the rule for
numbers issued from 2032, where K1 may make the weighted sum leave a remainder
of 0 to 3 (stdnum knows only the old rule, remainder 0). Synthetic test numbers (Skatteetaten's Tenor
numbers, month + 80) are accepted only when ``IDENTITY_ALLOW_SYNTHETIC`` is on,
which tests and demo data use and production leaves off.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.no import fodselsnummer, orgnr

SYNTHETIC_MONTH_OFFSET = 80
K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digits_ok(number: str) -> bool:
    """Both check digits, K1 by the old rule or the one from 2032 (both are valid side by side)."""
    digits = [int(d) for d in number]
    k1_sum = sum(w * d for w, d in zip(K1_WEIGHTS, digits, strict=False)) + digits[9]
    if k1_sum % 11 not in (0, 1, 2, 3):
        return False
    k2 = (11 - sum(w * d for w, d in zip(K2_WEIGHTS, digits, strict=False)) % 11) % 11
    return k2 == digits[10]


def compact(value: str) -> str:
    return fodselsnummer.compact(value or "")


def _as_real(number: str) -> str:
    """The number with a synthetic month moved back into range (check digits untouched)."""
    month = int(number[2:4])
    if month > SYNTHETIC_MONTH_OFFSET:
        return f"{number[:2]}{month - SYNTHETIC_MONTH_OFFSET:02d}{number[4:]}"
    return number


def person_number_error(
    value: str, *, birth_date: dt.date | None = None, allow_synthetic: bool | None = None
) -> str | None:
    """A Norwegian message saying what is wrong with a fødselsnummer or D-nummer, or ``None``."""
    number = compact(value)
    if allow_synthetic is None:
        allow_synthetic = bool(getattr(settings, "IDENTITY_ALLOW_SYNTHETIC", False))
    if len(number) != 11 or not number.isdigit():
        return _("Fødselsnummer og D-nummer har 11 sifre.")
    if not _check_digits_ok(number):
        return _("Kontrollsifrene stemmer ikke; sjekk nummeret.")
    synthetic = int(number[2:4]) > SYNTHETIC_MONTH_OFFSET
    if synthetic and not allow_synthetic:
        return _("Syntetiske testnumre godtas ikke her.")
    try:
        born = fodselsnummer.get_birth_date(_as_real(number))
    except (InvalidComponent, InvalidFormat, InvalidLength, InvalidChecksum, ValidationError):
        return _("Nummeret inneholder ingen gyldig fødselsdato.")
    if born > dt.date.today():
        return _("Nummeret viser en fødselsdato fram i tid.")
    if birth_date is not None and born != birth_date:
        return _("Nummeret passer ikke med fødselsdatoen {date}.").format(date=birth_date.strftime("%d.%m.%Y"))
    return None


def organisation_number_error(value: str) -> str | None:
    """A Norwegian message saying what is wrong with an organisasjonsnummer, or ``None``."""
    number = orgnr.compact(value or "")
    if len(number) != 9 or not number.isdigit():
        return _("Organisasjonsnummer har 9 sifre.")
    if not orgnr.is_valid(number):
        return _("Kontrollsifferet i organisasjonsnummeret stemmer ikke.")
    return None
