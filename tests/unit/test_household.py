"""Household size and per-capita income."""

import datetime

import pytest

from policy import household


def test_household_counts_the_beneficiary():
    assert household.household_size(0) == 1
    assert household.household_size(4) == 5


def test_negative_member_count_is_refused():
    with pytest.raises(ValueError):
        household.household_size(-1)


def test_household_income_adds_members():
    assert household.household_income(3000, [1500, 0, None]) == 4500.0
    assert household.household_income(None) == 0.0


def test_negative_member_income_is_refused():
    with pytest.raises(ValueError):
        household.household_income(3000, [-1])


def test_per_capita_income():
    # 6000 income, 1000 obligations, five persons: 1000 each.
    assert household.per_capita_income(6000, 1000, 5) == 1000.0
    assert household.per_capita_income(2500, 0, 1) == 2500.0


def test_empty_amounts_count_as_zero():
    assert household.per_capita_income(None, False, 3) == 0.0
    assert household.per_capita_income(3000, None, 3) == 1000.0


def test_obligations_above_income_leave_zero():
    assert household.per_capita_income(2000, 3500, 4) == 0.0


@pytest.mark.parametrize(("income", "obligations"), [(-1, 0), (0, -1)])
def test_negative_amounts_are_refused(income, obligations):
    with pytest.raises(ValueError):
        household.per_capita_income(income, obligations, 2)


@pytest.mark.parametrize("size", [0, -3])
def test_size_below_one_is_refused(size):
    with pytest.raises(ValueError):
        household.per_capita_income(1000, 0, size)


def test_age_in_whole_years():
    born = datetime.date(1980, 6, 15)
    assert household.age(born, datetime.date(2024, 6, 14)) == 43
    assert household.age(born, datetime.date(2024, 6, 15)) == 44
    assert household.age(born, born) == 0


def test_age_of_someone_born_on_29_february():
    born = datetime.date(2000, 2, 29)
    assert household.age(born, datetime.date(2001, 2, 28)) == 0
    assert household.age(born, datetime.date(2001, 3, 1)) == 1


def test_age_without_birth_date_is_zero():
    assert household.age(None, datetime.date(2024, 1, 1)) == 0


def test_birth_in_the_future_is_refused():
    with pytest.raises(ValueError):
        household.age(datetime.date(2030, 1, 1), datetime.date(2024, 1, 1))
