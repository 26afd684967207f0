"""Promised decision date and urgency (policy/deadlines.py)."""

from datetime import date

import pytest

from policy import deadlines

SUBMITTED = date(2025, 3, 2)


def test_two_weeks_and_one_month_windows():
    assert deadlines.decision_deadline(SUBMITTED, 14) == date(2025, 3, 16)
    assert deadlines.decision_deadline(SUBMITTED, 30) == date(2025, 4, 1)


def test_window_counts_calendar_days_across_a_year_end():
    assert deadlines.decision_deadline(date(2024, 12, 25), 14) == date(2025, 1, 8)


def test_no_submission_no_deadline():
    assert deadlines.decision_deadline(None, 14) is None
    assert deadlines.urgency(None, SUBMITTED) is None


@pytest.mark.parametrize("days", [0, -3, 1.5, None])
def test_window_must_be_a_positive_whole_number(days):
    with pytest.raises(ValueError):
        deadlines.decision_deadline(SUBMITTED, days)


@pytest.mark.parametrize(
    "today, expected, remaining",
    [
        (date(2025, 3, 10), "on_time", 6),
        (date(2025, 3, 12), "on_time", 4),
        (date(2025, 3, 13), "due_soon", 3),
        (date(2025, 3, 16), "due_soon", 0),
        (date(2025, 3, 17), "overdue", -1),
    ],
)
def test_urgency_around_the_deadline(today, expected, remaining):
    deadline = date(2025, 3, 16)
    assert deadlines.days_remaining(deadline, today) == remaining
    assert deadlines.urgency(deadline, today) == expected
    assert deadlines.is_overdue(deadline, today) == (expected == "overdue")


def test_a_decided_request_is_never_overdue():
    deadline = date(2025, 3, 16)
    assert deadlines.urgency(deadline, date(2025, 5, 1), decided=True) is None
    assert not deadlines.is_overdue(deadline, date(2025, 5, 1), decided=True)


def test_decided_within_window_includes_the_deadline_day():
    deadline = date(2025, 3, 16)
    assert deadlines.decided_within_window(deadline, date(2025, 3, 16))
    assert not deadlines.decided_within_window(deadline, date(2025, 3, 17))
    assert not deadlines.decided_within_window(deadline, None)


def test_days_to_decision():
    assert deadlines.days_to_decision(SUBMITTED, date(2025, 3, 12)) == 10
    assert deadlines.days_to_decision(SUBMITTED, None) is None
