"""Identity numbers: stdnum's rules plus the 2032 check-digit rule and synthetic test numbers."""

from __future__ import annotations

import pytest

from barneby.core.identity import organisation_number_error, person_number_error


@pytest.mark.parametrize(
    "number",
    [
        "15108695088",  # an ordinary fødselsnummer
        "55108695071",  # D-nummer (day + 40)
        "15508610081",  # H-nummer (month + 40)
        "30108299920",  # Skatteetaten's example, old K1
        "30108299939",  # the same person under the 2032 rule: weighted sum leaves remainder 1
        "30108299955",  # remainder 3, the last one the 2032 rule allows
    ],
)
def test_valid_numbers_pass(number: str) -> None:
    assert person_number_error(number, allow_synthetic=False) is None


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1510869508", "11 sifre"),
        ("15108695089", "Kontrollsifrene"),  # K2 wrong
        ("30108299963", "Kontrollsifrene"),  # K2 right, but K1 leaves remainder 4: allowed by neither rule
        ("02013299997", "fram i tid"),
        ("15908610064", "Syntetiske"),
    ],
)
def test_invalid_numbers_say_what_is_wrong(number: str, message: str) -> None:
    error = person_number_error(number, allow_synthetic=False)
    assert error is not None
    assert message in error


def test_synthetic_numbers_only_when_allowed() -> None:
    assert person_number_error("15908610064", allow_synthetic=True) is None


def test_organisation_numbers() -> None:
    assert organisation_number_error("988 077 917") is None
    assert organisation_number_error("988077918") is not None
    assert organisation_number_error("98807791") is not None
