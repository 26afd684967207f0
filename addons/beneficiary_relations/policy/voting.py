"""Outcome of a research committee vote.

The policy says the research committee studies each request and answers with
acceptance or rejection. This module turns the votes cast on one request into
that answer. It knows nothing about users or records: the caller passes only
the votes of *eligible* members, that is members of the request's committee
who have not declared a conflict of interest on it. A member in conflict never
counts, neither for the quorum nor for the decision.

Rules
-----
* Every cast vote counts toward the quorum, abstentions included: a member who
  abstains took part in the meeting.
* While fewer votes than the quorum have been cast there is no decision
  (``decision`` is ``None``); the chair cannot close the vote.
* Once the quorum is reached the decision rule compares approvals and
  rejections only (abstentions are neither):

  ``majority``
      approved when approvals outnumber rejections.
  ``two_thirds``
      approved when approvals are at least two thirds of approvals plus
      rejections, and there is at least one approval.
  ``unanimity``
      approved when nobody rejects and at least one member approves.

* A tie is never an approval, and neither is a vote where everybody abstained:
  in both cases the request is rejected. A committee that wants more time
  should not close the vote.
"""

from collections import Counter
from dataclasses import dataclass

APPROVE = "approve"
REJECT = "reject"
ABSTAIN = "abstain"
VOTE_VALUES = (APPROVE, REJECT, ABSTAIN)

MAJORITY = "majority"
TWO_THIRDS = "two_thirds"
UNANIMITY = "unanimity"
DECISION_RULES = (MAJORITY, TWO_THIRDS, UNANIMITY)

APPROVED = "approved"
REJECTED = "rejected"


@dataclass(frozen=True)
class VoteOutcome:
    """What the chair sees when closing: counts, quorum and the decision.

    ``decision`` is ``"approved"``, ``"rejected"`` or ``None`` (quorum not
    reached). ``cast`` is the number of votes that count toward the quorum.
    """

    approve: int
    reject: int
    abstain: int
    quorum: int
    quorum_reached: bool
    decision: str | None

    @property
    def cast(self):
        return self.approve + self.reject + self.abstain


def _approves(rule, approve, reject):
    """Apply one decision rule to the approvals and rejections."""
    if rule == MAJORITY:
        return approve > reject
    if rule == TWO_THIRDS:
        # integer arithmetic: approve / (approve + reject) >= 2 / 3
        return approve > 0 and 3 * approve >= 2 * (approve + reject)
    # unanimity
    return approve > 0 and reject == 0


def tally(votes, quorum, rule):
    """Count ``votes`` (an iterable of ``"approve"``, ``"reject"`` and
    ``"abstain"``) of eligible members and apply ``rule`` once at least
    ``quorum`` votes have been cast.

    Raises ``ValueError`` for an unknown vote value, an unknown rule or a
    quorum below one: a committee without a quorum would let one member
    decide alone without anybody noticing.

    >>> tally(["approve", "reject"], 2, "majority").decision
    'rejected'
    """
    if rule not in DECISION_RULES:
        raise ValueError(f"unknown decision rule: {rule!r}")
    if not isinstance(quorum, int) or quorum < 1:
        raise ValueError(f"the quorum must be a whole number of at least 1, not {quorum!r}")
    counts = Counter()
    for vote in votes:
        if vote not in VOTE_VALUES:
            raise ValueError(f"unknown vote: {vote!r}")
        counts[vote] += 1
    approve, reject, abstain = counts[APPROVE], counts[REJECT], counts[ABSTAIN]
    reached = approve + reject + abstain >= quorum
    decision = None
    if reached:
        decision = APPROVED if _approves(rule, approve, reject) else REJECTED
    return VoteOutcome(
        approve=approve,
        reject=reject,
        abstain=abstain,
        quorum=quorum,
        quorum_reached=reached,
        decision=decision,
    )
