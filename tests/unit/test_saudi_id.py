"""Saudi national ID / iqama numbers: ten digits, kind by the first digit, Luhn check digit."""

import pytest

from policy import saudi_id

# Built by hand with the Luhn rule (see test_check_digit_by_hand).
CITIZEN = "1000000008"
RESIDENT = "2000000006"


def test_check_digit_by_hand():
    # 1 0 0 0 0 0 0 0 0: the first digit is doubled (2); 10 - 2 = 8.
    assert saudi_id.luhn_digit("100000000") == 8
    # 2 doubled is 4; 10 - 4 = 6.
    assert saudi_id.luhn_digit("200000000") == 6
    # 1 2 3 4 5 6 7 8 9: doubled 1,3,5,7,9 -> 2,6,1(10-9),5(14-9),9(18-9) = 23;
    # kept 2,4,6,8 = 20; total 43 -> check digit 7.
    assert saudi_id.luhn_digit("123456789") == 7


@pytest.mark.parametrize("number", [CITIZEN, RESIDENT, "1234567897"])
def test_valid_numbers_pass(number):
    assert saudi_id.check(number) is None
    assert saudi_id.is_valid(number)


def test_kind_follows_first_digit():
    assert saudi_id.kind(CITIZEN) == saudi_id.NATIONAL
    assert saudi_id.kind(RESIDENT) == saudi_id.IQAMA
    assert saudi_id.kind("3000000004") is None
    assert saudi_id.kind("") is None
    assert saudi_id.kind(False) is None


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", saudi_id.ERROR_EMPTY),
        (None, saudi_id.ERROR_EMPTY),
        (False, saudi_id.ERROR_EMPTY),
        ("10000000O8", saudi_id.ERROR_NOT_DIGITS),
        ("1+00000008", saudi_id.ERROR_NOT_DIGITS),
        ("100000008", saudi_id.ERROR_LENGTH),
        ("10000000080", saudi_id.ERROR_LENGTH),
        ("3000000004", saudi_id.ERROR_FIRST_DIGIT),
        ("0000000000", saudi_id.ERROR_FIRST_DIGIT),
        ("1000000007", saudi_id.ERROR_CHECKSUM),
        ("2000000008", saudi_id.ERROR_CHECKSUM),
    ],
)
def test_each_problem_is_named(value, error):
    assert saudi_id.check(value) == error
    assert not saudi_id.is_valid(value)
    assert saudi_id.REASONS[error]


def test_length_is_checked_before_first_digit():
    # A short number starting with 3 is reported as too short: the officer
    # fixes the most obvious problem first.
    assert saudi_id.check("300") == saudi_id.ERROR_LENGTH


def test_every_single_digit_typo_is_caught():
    for position in range(10):
        for replacement in "0123456789":
            if replacement == CITIZEN[position]:
                continue
            typo = CITIZEN[:position] + replacement + CITIZEN[position + 1 :]
            assert saudi_id.check(typo) is not None, typo


def test_swapped_neighbours_are_caught():
    number = "1234567897"
    swapped = number[:3] + number[4] + number[3] + number[5:]
    assert saudi_id.check(swapped) == saudi_id.ERROR_CHECKSUM


def test_arabic_digits_and_separators_are_read():
    assert saudi_id.normalize("١٠٠٠٠٠٠٠٠٨") == CITIZEN
    assert saudi_id.normalize("۲۰۰۰ ۰۰۰ ۰۰۶") == RESIDENT
    assert saudi_id.normalize(" 1000-000-008 ") == CITIZEN
    assert saudi_id.check("١٠٠٠٠٠٠٠٠٨") is None


def test_complete_builds_valid_numbers():
    for first_nine in ("105432198", "208765431", "111111111"):
        number = saudi_id.complete(first_nine)
        assert len(number) == 10
        assert number.startswith(first_nine)
        assert saudi_id.is_valid(number)


@pytest.mark.parametrize("bad", ["12345678", "1234567890", "12345678a"])
def test_complete_refuses_anything_but_nine_digits(bad):
    with pytest.raises(ValueError):
        saudi_id.complete(bad)
