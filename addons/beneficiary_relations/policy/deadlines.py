"""The promised answer date of a support request.

The policy tells the applicant that the research committee answers "within a
stated period": two weeks for some associations, one month for others. The
period is a company setting counted in calendar days (weekends and holidays
included, as the applicant counts them) from the day the request is submitted
to the committee.

Edge cases
----------
* The deadline day itself is still on time: a request becomes overdue the day
  after its deadline.
* "Due soon" means at most ``DUE_SOON_DAYS`` days remain, the deadline day
  included (0 days remaining).
* A decided request is never overdue, whatever the date: its urgency is
  ``None``. Whether it was decided within the window is
  :func:`decided_within_window`.
* Without a submission date there is no deadline (``None``), and without a
  deadline there is no urgency.
"""

from datetime import timedelta

DUE_SOON_DAYS = 3

ON_TIME = "on_time"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
URGENCIES = (ON_TIME, DUE_SOON, OVERDUE)


def decision_deadline(submitted_on, answer_days):
    """Return the date by which the committee promised to answer.

    ``answer_days`` must be a whole number of at least one day.

    >>> from datetime import date
    >>> decision_deadline(date(2025, 1, 1), 14)
    datetime.date(2025, 1, 15)
    """
    if not isinstance(answer_days, int) or answer_days < 1:
        raise ValueError(f"the answer window must be at least one day, not {answer_days!r}")
    if not submitted_on:
        return None
    return submitted_on + timedelta(days=answer_days)


def days_remaining(deadline, today):
    """Calendar days from ``today`` to ``deadline``; negative once overdue."""
    if not deadline:
        return None
    return (deadline - today).days


def urgency(deadline, today, decided=False):
    """Return ``"on_time"``, ``"due_soon"`` or ``"overdue"`` for an undecided
    request, or ``None`` when it is decided or has no deadline."""
    if decided or not deadline:
        return None
    remaining = days_remaining(deadline, today)
    if remaining < 0:
        return OVERDUE
    if remaining <= DUE_SOON_DAYS:
        return DUE_SOON
    return ON_TIME


def is_overdue(deadline, today, decided=False):
    """True when an undecided request has passed its deadline."""
    return urgency(deadline, today, decided) == OVERDUE


def decided_within_window(deadline, decision_date):
    """True when the decision came on or before the promised date.

    Without a decision (or without a deadline) the answer is ``False``: a
    request only counts as answered on time once it is answered.
    """
    if not deadline or not decision_date:
        return False
    return decision_date <= deadline


def days_to_decision(submitted_on, decision_date):
    """Calendar days from submission to the decision, or ``None``."""
    if not submitted_on or not decision_date:
        return None
    return (decision_date - submitted_on).days
