"""Gregorian -> Umm al-Qura Hijri display."""

import datetime

import pytest

from policy import hijri


def test_known_dates():
    # 1 Ramadan 1445 AH fell on 11 March 2024 (Umm al-Qura).
    assert hijri.to_hijri(datetime.date(2024, 3, 11)) == (1445, 9, 1)
    # The Ihsan board meeting: 10/03/1445 AH = 25/09/2023.
    assert hijri.to_hijri(datetime.date(2023, 9, 25)) == (1445, 3, 10)


def test_arabic_text_uses_arabic_month_names():
    assert hijri.format_hijri(datetime.date(2024, 3, 11)) == "1 رمضان 1445 هـ"
    assert hijri.format_hijri(datetime.date(2023, 9, 25), "ar") == "10 ربيع الأول 1445 هـ"


def test_arabic_digits_when_odoo_writes_the_gregorian_date_so():
    assert hijri.format_hijri(datetime.date(2024, 3, 11), "ar_001") == "١ رمضان ١٤٤٥ هـ"
    assert hijri.format_hijri(datetime.date(2023, 9, 25), "ar_SA") == "١٠ ربيع الأول ١٤٤٥ هـ"
    assert hijri.format_hijri(None, "ar_001") == ""
    # Arabic month names in Western digits where Odoo writes its dates so
    assert hijri.format_hijri(datetime.date(2024, 3, 11), "ar_MA") == "1 رمضان 1445 هـ"
    assert hijri.format_hijri(datetime.date(2024, 3, 11), "en_US") == "1 Ramadan 1445 AH"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("ar_001", True), ("ar_SA", True), ("ar_SY", True), ("ar_MA", False), ("en_US", False), (False, False)],
)
def test_uses_arabic_digits_as_odoo_web_client(code, expected):
    assert hijri.uses_arabic_digits(code) is expected


def test_english_text_uses_transliterated_names():
    assert hijri.format_hijri(datetime.date(2024, 3, 11), "en") == "1 Ramadan 1445 AH"


def test_numeric_form():
    assert hijri.format_hijri_numeric(datetime.date(2024, 3, 11)) == "1445/09/01"


def test_datetime_counts_by_its_date():
    moment = datetime.datetime(2024, 3, 11, 23, 59)
    assert hijri.to_hijri(moment) == (1445, 9, 1)


def test_every_month_has_a_name():
    assert len(hijri.MONTHS_AR) == 13
    assert len(hijri.MONTHS_EN) == 13
    assert all(hijri.MONTHS_AR[1:]) and all(hijri.MONTHS_EN[1:])
    # One Hijri year (about 354 days) from 1 Muharram 1446 visits all twelve months.
    start = datetime.date(2024, 7, 7)
    months = {hijri.to_hijri(start + datetime.timedelta(days=n))[1] for n in range(354)}
    assert months == set(range(1, 13))


@pytest.mark.parametrize("value", [None, False, "", datetime.date(1900, 1, 1), datetime.date(2100, 1, 1)])
def test_empty_or_out_of_range_dates_give_nothing(value):
    assert hijri.to_hijri(value) is None
    assert hijri.format_hijri(value) == ""
    assert hijri.format_hijri_numeric(value) == ""


def test_range_edges():
    assert hijri.to_hijri(datetime.date(2077, 11, 16)) is not None
    assert hijri.to_hijri(datetime.date(2077, 11, 17)) is None


def test_not_a_date_gives_nothing():
    assert hijri.to_hijri("2024-03-11") is None


@pytest.mark.parametrize(("code", "expected"), [("ar_001", "ar"), ("ar_SA", "ar"), ("en_US", "en"), (False, "en")])
def test_lang_of(code, expected):
    assert hijri.lang_of(code) == expected
