"""Vote outcome of the research committee (policy/voting.py)."""

import dataclasses

import pytest

from policy import voting


def test_quorum_not_reached_gives_no_decision():
    outcome = voting.tally(["approve"], 2, "majority")
    assert not outcome.quorum_reached
    assert outcome.decision is None
    assert (outcome.approve, outcome.reject, outcome.abstain, outcome.cast) == (1, 0, 0, 1)


def test_abstentions_count_toward_the_quorum():
    outcome = voting.tally(["approve", "abstain", "abstain"], 3, "majority")
    assert outcome.quorum_reached
    assert outcome.abstain == 2
    assert outcome.decision == "approved"


def test_majority_approves_when_approvals_outnumber_rejections():
    assert voting.tally(["approve", "approve", "reject"], 3, "majority").decision == "approved"
    assert voting.tally(["approve", "reject", "reject"], 3, "majority").decision == "rejected"


@pytest.mark.parametrize("rule", voting.DECISION_RULES)
def test_a_tie_is_never_an_approval(rule):
    outcome = voting.tally(["approve", "reject", "abstain", "approve", "reject"], 3, rule)
    assert outcome.quorum_reached
    assert outcome.decision == "rejected"


@pytest.mark.parametrize("rule", voting.DECISION_RULES)
def test_everybody_abstaining_is_a_rejection(rule):
    assert voting.tally(["abstain", "abstain"], 2, rule).decision == "rejected"


def test_two_thirds_needs_two_approvals_out_of_three():
    assert voting.tally(["approve", "approve", "reject"], 3, "two_thirds").decision == "approved"
    assert voting.tally(["approve", "reject", "abstain"], 3, "two_thirds").decision == "rejected"


def test_two_thirds_exact_boundary_and_just_below():
    # 4 of 6 is exactly two thirds; 5 of 8 (62.5 %) is below
    six = ["approve"] * 4 + ["reject"] * 2
    eight = ["approve"] * 5 + ["reject"] * 3
    assert voting.tally(six, 6, "two_thirds").decision == "approved"
    assert voting.tally(eight, 8, "two_thirds").decision == "rejected"
    # the same 5 of 8 passes a simple majority
    assert voting.tally(eight, 8, "majority").decision == "approved"


def test_unanimity_refuses_a_single_rejection_but_tolerates_abstentions():
    assert voting.tally(["approve", "approve", "reject"], 3, "unanimity").decision == "rejected"
    assert voting.tally(["approve", "approve", "abstain"], 3, "unanimity").decision == "approved"


def test_outcome_is_frozen():
    outcome = voting.tally(["approve"], 1, "majority")
    with pytest.raises(dataclasses.FrozenInstanceError):
        outcome.decision = "rejected"


@pytest.mark.parametrize(
    "votes, quorum, rule",
    [
        (["yes"], 1, "majority"),
        (["approve"], 0, "majority"),
        (["approve"], 1, "plurality"),
    ],
)
def test_bad_input_is_refused(votes, quorum, rule):
    with pytest.raises(ValueError):
        voting.tally(votes, quorum, rule)
