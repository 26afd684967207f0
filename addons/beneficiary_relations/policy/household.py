"""A beneficiary's household and its per-capita income.

The social researcher weighs a request by what each person of the household
has left to live on each month.

Definitions used throughout the addon:

* **household size** = the beneficiary + the household members recorded on
  them (spouse, children, parents, ... who live with and depend on the same
  income). A beneficiary alone is a household of one, so the size is never
  below one and a division by zero cannot happen.
* **household income** = the beneficiary's monthly income + the monthly
  incomes of the household members.
* **per-capita income** = (household income - monthly obligations) /
  household size. When obligations exceed income, nothing is left: the
  per-capita income is 0, never negative.

Amounts are monthly, in the association's currency. Negative amounts make
no sense here and are refused with ``ValueError``.
"""


def household_size(member_count):
    """Return the size of a household with ``member_count`` members besides the beneficiary."""
    if member_count < 0:
        raise ValueError("a household cannot have a negative number of members")
    return 1 + member_count


def household_income(beneficiary_income, member_incomes=()):
    """Return the beneficiary's income plus the incomes of the household members."""
    amounts = [beneficiary_income or 0.0, *(amount or 0.0 for amount in member_incomes)]
    if any(amount < 0 for amount in amounts):
        raise ValueError("an income cannot be negative")
    return float(sum(amounts))


def per_capita_income(income, obligations, size):
    """Return what each of ``size`` persons has left from ``income`` after ``obligations``.

    ``income`` and ``obligations`` are monthly amounts (``None``/``False``
    count as 0); ``size`` is the household size, at least 1.
    """
    income = income or 0.0
    obligations = obligations or 0.0
    if income < 0:
        raise ValueError("the income cannot be negative")
    if obligations < 0:
        raise ValueError("the obligations cannot be negative")
    if size < 1:
        raise ValueError("a household has at least one person, the beneficiary")
    return max(income - obligations, 0.0) / size


def age(birth_date, today):
    """Return the age in whole years on ``today`` of a person born on ``birth_date``.

    An empty birth date gives ``0``; a birth date after ``today`` is refused.
    """
    if not birth_date:
        return 0
    if birth_date > today:
        raise ValueError("a birth date cannot be in the future")
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)
