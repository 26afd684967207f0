"""Which day it is for the association.

The dates the policy records (the request's date, the signed declaration, the
submission to the committee, the decision, the delivery) and the dates it
counts from (the answer deadline, an ID's expiry, an age) are days of the
association's calendar. They do not depend on the time zone in the preferences
of the staff member who pressed the button: an officer who signs a declaration
at 01:00 in Riyadh signs it that day, even if their Odoo preference is unset
(Odoo then uses UTC, where it is still the evening before).

All associations this addon serves are in Saudi Arabia: one time zone,
UTC+3 all year, no daylight saving. Each association's zone is a setting
(Riyadh by default), which :func:`local_date` receives.

Edge cases
----------
* ``now`` is a naive UTC datetime, as Odoo stores and returns them; an aware
  datetime is converted from its own zone.
* An unknown or empty time-zone name falls back to Riyadh rather than to UTC.
* Without a time-zone database on the machine, Riyadh is taken as the fixed
  offset UTC+3, which is what it is.
* A period "until a day" (a rating link's) runs to the end of that day in the
  association's zone: :func:`end_of_day`.
"""

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ASSOCIATION_TZ = "Asia/Riyadh"
_RIYADH_OFFSET = timezone(timedelta(hours=3), ASSOCIATION_TZ)


def zone(tz_name=None):
    """The time zone called ``tz_name``, Riyadh when it is empty or unknown."""
    for name in (tz_name, ASSOCIATION_TZ):
        if not name:
            continue
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return _RIYADH_OFFSET


def local_date(now, tz_name=None):
    """The date at the naive UTC moment ``now`` in the time zone ``tz_name``."""
    if not isinstance(now, datetime):
        raise TypeError("now must be a datetime in UTC, got %r" % (now,))
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(zone(tz_name)).date()


def end_of_day(day, tz_name=None):
    """The naive UTC moment at which ``day`` ends (the next midnight) in the zone ``tz_name``."""
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone(tz_name))
    return midnight.astimezone(timezone.utc).replace(tzinfo=None)
