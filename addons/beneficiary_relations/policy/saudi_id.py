"""Saudi identity numbers: the national ID of a citizen and the iqama of a resident.

The policy asks the relations officer to check that the applicant's data is
valid at the time of submission. An identity number is valid when:

* it has exactly ten digits;
* its first digit tells who holds it: ``1`` for a citizen's national ID,
  ``2`` for a resident's iqama (residence permit);
* its last digit is the Luhn check digit of the first nine.

``check`` returns ``None`` for a valid number, or the code of the first
problem found (one of the ``ERROR_*`` constants), so the caller can build a
message in the user's language that names exactly what is wrong.
"""

NATIONAL = "national"
IQAMA = "iqama"

#: First digit -> kind of identity document.
KIND_BY_FIRST_DIGIT = {"1": NATIONAL, "2": IQAMA}

LENGTH = 10

ERROR_EMPTY = "empty"
ERROR_NOT_DIGITS = "not_digits"
ERROR_LENGTH = "length"
ERROR_FIRST_DIGIT = "first_digit"
ERROR_CHECKSUM = "checksum"

#: A plain English reason per error code, for logs and non-Odoo callers.
#: The addon builds its own translated messages from the codes.
REASONS = {
    ERROR_EMPTY: "the identity number is empty",
    ERROR_NOT_DIGITS: "the identity number must contain digits only",
    ERROR_LENGTH: "the identity number must have exactly 10 digits",
    ERROR_FIRST_DIGIT: "the identity number must start with 1 (national ID) or 2 (iqama)",
    ERROR_CHECKSUM: "the last digit does not match the check digit of the first nine",
}

# Arabic-Indic (U+0660..) and Eastern Arabic-Indic (U+06F0..) digits, as typed
# on Arabic keyboards, read as their ASCII digits.
_DIGITS = str.maketrans(
    "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
    "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9",
    "01234567890123456789",
)
_SEPARATORS = " \t-\u00a0"


def normalize(value):
    """Return ``value`` with Arabic digits read as ASCII and spaces/dashes removed.

    ``None`` or ``False`` (an empty Odoo field) give an empty string.
    """
    if not value:
        return ""
    text = str(value).translate(_DIGITS)
    return "".join(char for char in text if char not in _SEPARATORS)


def luhn_digit(digits):
    """Return the Luhn check digit (0-9) that completes the string ``digits``.

    Counting from the right of ``digits``, every first, third, ... digit is
    doubled (and 9 subtracted when the double exceeds 9), then the check digit
    brings the total to a multiple of ten.
    """
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def check(value):
    """Return ``None`` when ``value`` is a valid identity number, else an error code.

    ``value`` is normalized first (see ``normalize``).
    """
    number = normalize(value)
    if not number:
        return ERROR_EMPTY
    if not (number.isascii() and number.isdigit()):
        return ERROR_NOT_DIGITS
    if len(number) != LENGTH:
        return ERROR_LENGTH
    if number[0] not in KIND_BY_FIRST_DIGIT:
        return ERROR_FIRST_DIGIT
    if luhn_digit(number[:-1]) != int(number[-1]):
        return ERROR_CHECKSUM
    return None


def is_valid(value):
    """Return True when ``value`` is a valid identity number."""
    return check(value) is None


def kind(value):
    """Return ``NATIONAL`` or ``IQAMA`` from the first digit, or ``None``.

    Only the first digit is read: a number still being typed already shows
    its kind.
    """
    number = normalize(value)
    return KIND_BY_FIRST_DIGIT.get(number[:1])


def complete(first_nine):
    """Return the valid ten-digit number that starts with the nine digits given.

    Useful to build test and demo data.
    """
    if len(first_nine) != LENGTH - 1 or not first_nine.isdigit():
        raise ValueError("nine digits are needed to compute a check digit")
    return first_nine + str(luhn_digit(first_nine))
