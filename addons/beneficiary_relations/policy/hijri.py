"""Hijri (Umm al-Qura) dates shown beside Gregorian ones.

Saudi staff and beneficiaries read Hijri dates: an identity card's expiry, a
request's submission and decision dates. The conversion uses the Umm al-Qura
calendar of the ``hijridate`` library, which covers Gregorian dates from
1924-08-01 to 2077-11-16 (1343-1500 AH). Outside that range, or for an empty
date, the functions return ``None`` / an empty string instead of failing, so
a screen never breaks on an unusual date.
"""

import datetime

from hijridate import Gregorian

#: Umm al-Qura month names, in Arabic, indexed from 1.
MONTHS_AR = (
    None,
    "محرم",
    "صفر",
    "ربيع الأول",
    "ربيع الآخر",
    "جمادى الأولى",
    "جمادى الآخرة",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذو القعدة",
    "ذو الحجة",
)

#: The same months in the usual English transliteration.
MONTHS_EN = (
    None,
    "Muharram",
    "Safar",
    "Rabi al-Awwal",
    "Rabi al-Thani",
    "Jumada al-Ula",
    "Jumada al-Akhirah",
    "Rajab",
    "Shaban",
    "Ramadan",
    "Shawwal",
    "Dhu al-Qadah",
    "Dhu al-Hijjah",
)

#: Suffix of a Hijri year ("هـ" in Arabic, "AH" in English).
SUFFIX = {"ar": "هـ", "en": "AH"}

#: Languages whose dates Odoo's web client writes in Arabic-Indic digits (its
#: localization service: ar_001, ar_SA, ar_SY); the Hijri date beside them does too.
ARABIC_INDIC_LANGS = ("ar_001", "ar_SA", "ar_SY")
_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def to_hijri(value):
    """Return ``(year, month, day)`` in the Umm al-Qura calendar, or ``None``.

    ``value`` is a ``date`` or ``datetime`` (only its date counts). ``None``,
    ``False`` and dates outside the calendar's range give ``None``.
    """
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        return None
    try:
        hijri = Gregorian(value.year, value.month, value.day).to_hijri()
    except (OverflowError, ValueError):
        return None
    return hijri.year, hijri.month, hijri.day


def format_hijri(value, lang="ar"):
    """Return the Hijri date of ``value`` as text, e.g. ``"1 رمضان 1445 هـ"``.

    ``lang`` is the user's Odoo language code (``env.lang``), or ``"ar"`` /
    ``"en"``: Arabic month names for an Arabic one (the default), English ones
    otherwise (``"1 Ramadan 1445 AH"``); Arabic-Indic digits
    (``"١ رمضان ١٤٤٥ هـ"``) for the languages of ``uses_arabic_digits``, as Odoo
    writes the Gregorian date beside it. An empty date or one outside the
    calendar's range gives an empty string.
    """
    parts = to_hijri(value)
    if parts is None:
        return ""
    year, month, day = parts
    if lang_of(lang) == "ar":
        text = f"{day} {MONTHS_AR[month]} {year} {SUFFIX['ar']}"
    else:
        text = f"{day} {MONTHS_EN[month]} {year} {SUFFIX['en']}"
    return text.translate(_ARABIC_INDIC) if uses_arabic_digits(lang) else text


def format_hijri_numeric(value):
    """Return the Hijri date of ``value`` as ``"1445/09/01"``, or an empty string."""
    parts = to_hijri(value)
    if parts is None:
        return ""
    year, month, day = parts
    return f"{year:04d}/{month:02d}/{day:02d}"


def lang_of(odoo_lang):
    """Return ``"ar"`` for an Arabic user language code (``ar_001``, ``ar_SA``), else ``"en"``."""
    return "ar" if (odoo_lang or "").startswith("ar") else "en"


def uses_arabic_digits(odoo_lang):
    """True for the user languages whose dates Odoo's web client writes in Arabic-Indic digits."""
    return odoo_lang in ARABIC_INDIC_LANGS
