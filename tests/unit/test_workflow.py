"""Stage-transition guard table of support requests (policy/workflow.py)."""

from datetime import date

import pytest

from policy import workflow
from policy.workflow import RequestFacts

RECEIVED_ON = date(2025, 3, 2)

COMPLETE = RequestFacts(
    submitted_on=RECEIVED_ON,
    aid_type=True,
    identity_number=True,
    identity_expiry=date(2027, 1, 1),
    required_documents=("MED", "LEASE"),
    documents=(("MED", None), ("LEASE", date(2026, 1, 1))),
    declaration_signed=True,
    researcher=True,
    research_report=True,
    research_recommendation=True,
    committee=True,
    decision="approved",
    delivery=True,
)


def with_(**changes):
    return RequestFacts(**{**COMPLETE.__dict__, **changes})


def test_nothing_missing_on_a_complete_request():
    for kind in ("received", "verified", "declared", "research", "committee", "approved", "delivered", "closed"):
        assert workflow.missing_for(kind, COMPLETE) == [], kind


def test_verification_names_every_missing_item():
    facts = with_(
        aid_type=False,
        identity_expiry=date(2025, 3, 1),
        documents=(("LEASE", date(2025, 2, 1)),),
    )
    assert workflow.missing_for("verified", facts) == [
        "aid_type_missing",
        "identity_expired",
        "missing_document:MED",
        "document_expired:LEASE",
    ]


def test_identity_is_checked_at_submission_time_not_today():
    # expired one day after the request was received: still valid for it
    facts = with_(identity_expiry=date(2025, 3, 3))
    assert workflow.missing_for("verified", facts) == []
    # expiring on the very day of submission is still valid that day
    assert workflow.missing_for("verified", with_(identity_expiry=RECEIVED_ON)) == []


def test_unknown_identity_or_expiry_is_missing_information():
    facts = with_(identity_number=False, identity_expiry=None)
    assert workflow.missing_for("verified", facts) == ["identity_missing", "identity_expiry_missing"]


def test_a_document_without_expiry_or_one_valid_copy_is_enough():
    facts = with_(documents=(("MED", date(2024, 1, 1)), ("MED", None), ("LEASE", None)))
    assert workflow.missing_for("verified", facts) == []


@pytest.mark.parametrize(
    "target, changes, expected",
    [
        ("declared", {"declaration_signed": False}, ["declaration_missing"]),
        ("research", {"researcher": False}, ["researcher_missing"]),
        (
            "committee",
            {"research_report": False, "research_recommendation": False, "committee": False},
            ["research_report_missing", "research_recommendation_missing", "committee_missing"],
        ),
        ("approved", {"decision": None}, ["decision_missing"]),
        ("approved", {"decision": "rejected"}, ["decision_not_approved"]),
        ("rejected", {"decision": "approved"}, ["decision_not_rejected"]),
        ("delivered", {"delivery": False}, ["delivery_missing"]),
        ("closed", {"delivery": False}, ["delivery_missing"]),
    ],
)
def test_each_step_names_its_own_condition(target, changes, expected):
    assert workflow.missing_for(target, with_(**changes)) == expected


def test_conditions_of_earlier_steps_are_checked_again():
    facts = with_(declaration_signed=False, research_report=False)
    assert workflow.missing_for("committee", facts) == ["declaration_missing", "research_report_missing"]


def test_a_rejected_request_closes_without_delivery():
    facts = with_(decision="rejected", delivery=False)
    assert workflow.missing_for("closed", facts) == []
    assert workflow.transition_problems("rejected", "closed", facts) == []


@pytest.mark.parametrize(
    "source, target",
    [
        ("received", "verified"),
        ("verified", "declared"),
        ("declared", "research"),
        ("research", "committee"),
        ("committee", "approved"),
        ("approved", "delivered"),
        ("delivered", "closed"),
    ],
)
def test_each_forward_step_is_allowed_when_complete(source, target):
    assert workflow.transition_problems(source, target, COMPLETE) == []


@pytest.mark.parametrize(
    "source, target",
    [
        ("received", "declared"),
        ("verified", "committee"),
        ("research", "approved"),
        ("approved", "closed"),
        ("committee", "research"),
        ("approved", "committee"),
        ("closed", "received"),
        ("rejected", "approved"),
    ],
)
def test_skipping_a_step_or_leaving_a_decision_is_refused(source, target):
    assert workflow.transition_problems(source, target, COMPLETE, is_manager=True) == ["step_not_allowed"]


def test_moving_back_before_the_committee_is_for_managers_only():
    assert workflow.transition_problems("research", "verified", COMPLETE) == ["manager_required"]
    assert workflow.transition_problems("research", "received", COMPLETE, is_manager=True) == []


def test_same_kind_is_always_allowed():
    assert workflow.transition_problems("committee", "committee", with_(committee=False)) == []


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        workflow.missing_for("archived", COMPLETE)
    with pytest.raises(ValueError):
        workflow.transition_problems("limbo", "verified", COMPLETE)
