from __future__ import annotations

import pytest
from stdnum import luhn

from barneby.fundraising.kid import (
    KidError,
    is_valid_kid,
    kid_base,
    kid_error,
    make_kid,
    mod10_check_digit,
    mod11_check_digit,
    split_kid,
    validate_kid,
    with_check_digit,
)


def test_known_vectors_from_the_nets_manual() -> None:
    assert with_check_digit("12345678", "MOD10") == "123456782"
    assert with_check_digit("12345678", "MOD11") == "123456785"
    assert with_check_digit("100008", "MOD11") == "100008-"


@pytest.mark.parametrize("base", ["0", "18", "7992739871", "4000008", "12345678", "100001000012", "9" * 24])
def test_mod10_is_luhn(base: str) -> None:
    assert mod10_check_digit(base) == luhn.calc_check_digit(base)


def test_mod11_remainder_zero_gives_zero() -> None:
    # 11 - 0 = 11 is written 0: find a base with weighted sum divisible by 11.
    assert mod11_check_digit("0") == "0"
    assert is_valid_kid("00", "MOD11")


def test_valid_kids_pass_with_their_modulus_and_with_either() -> None:
    assert is_valid_kid("123456782", "MOD10")
    assert is_valid_kid("123456785", "MOD11")
    assert is_valid_kid("100008-", "MOD11")
    assert is_valid_kid("123456782")
    assert is_valid_kid("123456785")
    assert validate_kid(" 123456782 ") == "123456782"


@pytest.mark.parametrize(
    ("kid", "modulus"),
    [
        ("123456783", "MOD10"),  # wrong check digit
        ("123456785", "MOD10"),  # MOD11-valid, not MOD10
        ("123456782", "MOD11"),
        ("100008-", "MOD10"),  # "-" only exists in MOD11
        ("100009-", None),  # a MOD11 "-" on the wrong base
        ("12a45678", None),  # letters
        ("1", None),  # too short
        ("1" * 26, None),  # longer than the Nets field
        ("", None),
    ],
)
def test_wrong_kids_are_rejected_with_a_norwegian_message(kid: str, modulus: str | None) -> None:
    assert not is_valid_kid(kid, modulus)  # type: ignore[arg-type]
    message = kid_error(kid, modulus)  # type: ignore[arg-type]
    assert message
    assert "KID" in message
    with pytest.raises(KidError):
        validate_kid(kid, modulus)  # type: ignore[arg-type]


def test_make_kid_has_the_fixed_length_and_a_valid_check_digit() -> None:
    kid = make_kid("12345678", length=12, modulus="MOD10")
    assert kid == "00012345678" + mod10_check_digit("00012345678")
    assert len(kid) == 12
    assert is_valid_kid(kid, "MOD10")


def test_make_kid_defaults_come_from_settings(settings: object) -> None:
    settings.FUNDRAISING_KID_LENGTH = 9  # type: ignore[attr-defined]
    settings.FUNDRAISING_KID_MODULUS = "MOD11"  # type: ignore[attr-defined]
    assert make_kid("12345678") == "123456785"


def test_make_kid_refuses_a_mod11_dash_which_netsgiro_cannot_read_back() -> None:
    with pytest.raises(KidError, match="«-»"):
        make_kid("100008", length=7, modulus="MOD11")


def test_make_kid_refuses_a_base_that_does_not_fit() -> None:
    with pytest.raises(KidError, match="for langt"):
        make_kid("123456789012", length=12, modulus="MOD10")
    with pytest.raises(KidError):
        make_kid("12-4", length=12, modulus="MOD10")


def test_kid_layout_is_donor_number_then_sequence_never_an_identity_number() -> None:
    base = kid_base(123456, 7, length=12)
    assert base == "00012345607"
    kid = make_kid(base, length=12, modulus="MOD10")
    assert split_kid(kid, length=12) == (123456, 7)
    assert split_kid("0000531", length=12) is None
    with pytest.raises(KidError):
        kid_base(10**9, 1, length=12)
    with pytest.raises(KidError):
        kid_base(1, 100, length=12)
