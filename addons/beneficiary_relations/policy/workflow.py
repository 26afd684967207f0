"""The steps a support request goes through, and what each step needs.

The policy's handling steps become stage *kinds*::

    received -> verified -> declared -> research -> committee -> approved -> delivered -> closed
                                                             \\-> rejected -----------------^

An association may rename stages or add several stages of one kind; the rules
below attach to the kind, never to a stage name.

Moving forward
--------------
A request moves one step at a time, along the arrows above: no step is
skipped. Moving between two stages of the same kind is always allowed. A step
is allowed only when every condition of the target kind *and of every kind on
the way to it* holds, so data removed after an earlier step (a document
deleted, a signature cleared) is caught again. :func:`missing_for` names every
missing condition at once, so the officer can fix them all in one go.

The identity document and the required documents must be valid *at
submission time*, as the policy says: they are compared with the date the
request was received, not with today. An identity that expires while the
committee studies the case does not block the request.

Moving back
-----------
Only a manager may move a request back, and only while it is still being
prepared: from one pre-committee kind (received, verified, declared, research)
to an earlier one, for instance to take a new declaration after the applicant
corrected their data. Once submitted to the committee the promised decision
date runs and only the committee's decision moves the request on; the
researcher may still complete the report while the committee studies it.
Decided, delivered and closed requests never move back.

Missing-condition codes
-----------------------
``aid_type_missing``, ``submission_date_missing``, ``identity_missing``,
``identity_expiry_missing``, ``identity_expired``,
``missing_document:<code>``, ``document_expired:<code>``,
``declaration_missing``, ``researcher_missing``, ``research_report_missing``,
``research_recommendation_missing``, ``committee_missing``,
``decision_missing``, ``decision_not_approved``, ``decision_not_rejected``,
``delivery_missing``. Refused moves: ``step_not_allowed``,
``manager_required``.
"""

from dataclasses import dataclass

RECEIVED = "received"
VERIFIED = "verified"
DECLARED = "declared"
RESEARCH = "research"
COMMITTEE = "committee"
APPROVED = "approved"
REJECTED = "rejected"
DELIVERED = "delivered"
CLOSED = "closed"

KINDS = (RECEIVED, VERIFIED, DECLARED, RESEARCH, COMMITTEE, APPROVED, REJECTED, DELIVERED, CLOSED)
PRE_COMMITTEE = (RECEIVED, VERIFIED, DECLARED, RESEARCH)
DECIDED = (APPROVED, REJECTED, DELIVERED, CLOSED)

# The guard table: the kinds each kind may move forward to.
NEXT = {
    RECEIVED: (VERIFIED,),
    VERIFIED: (DECLARED,),
    DECLARED: (RESEARCH,),
    RESEARCH: (COMMITTEE,),
    COMMITTEE: (APPROVED, REJECTED),
    APPROVED: (DELIVERED,),
    REJECTED: (CLOSED,),
    DELIVERED: (CLOSED,),
    CLOSED: (),
}

STEP_NOT_ALLOWED = "step_not_allowed"
MANAGER_REQUIRED = "manager_required"


@dataclass(frozen=True)
class RequestFacts:
    """What the guard needs to know about one request.

    ``documents`` holds one ``(code, expiry_date_or_None)`` pair per attached
    document; ``required_documents`` the codes the aid type asks for.
    ``submitted_on`` is the date the request was received: the date at which
    identity and documents must be valid.
    """

    submitted_on: object = None
    aid_type: bool = False
    identity_number: bool = False
    identity_expiry: object = None
    required_documents: tuple = ()
    documents: tuple = ()
    declaration_signed: bool = False
    researcher: bool = False
    research_report: bool = False
    research_recommendation: bool = False
    committee: bool = False
    decision: str | None = None
    delivery: bool = False


def _check_verified(facts):
    missing = []
    if not facts.aid_type:
        missing.append("aid_type_missing")
    if not facts.submitted_on:
        missing.append("submission_date_missing")
    if not facts.identity_number:
        missing.append("identity_missing")
    if not facts.identity_expiry:
        missing.append("identity_expiry_missing")
    elif facts.submitted_on and facts.identity_expiry < facts.submitted_on:
        missing.append("identity_expired")
    for code in facts.required_documents:
        expiries = [expiry for doc_code, expiry in facts.documents if doc_code == code]
        if not expiries:
            missing.append(f"missing_document:{code}")
        elif facts.submitted_on and all(
            expiry and expiry < facts.submitted_on for expiry in expiries
        ):
            missing.append(f"document_expired:{code}")
    return missing


def _check_declared(facts):
    return [] if facts.declaration_signed else ["declaration_missing"]


def _check_research(facts):
    return [] if facts.researcher else ["researcher_missing"]


def _check_committee(facts):
    missing = []
    if not facts.research_report:
        missing.append("research_report_missing")
    if not facts.research_recommendation:
        missing.append("research_recommendation_missing")
    if not facts.committee:
        missing.append("committee_missing")
    return missing


def _check_decision(expected):
    def check(facts):
        if not facts.decision:
            return ["decision_missing"]
        if facts.decision != expected:
            return [f"decision_not_{expected}"]
        return []

    return check


def _check_delivered(facts):
    return [] if facts.delivery else ["delivery_missing"]


_OWN_CONDITIONS = {
    RECEIVED: lambda facts: [],
    VERIFIED: _check_verified,
    DECLARED: _check_declared,
    RESEARCH: _check_research,
    COMMITTEE: _check_committee,
    APPROVED: _check_decision(APPROVED),
    REJECTED: _check_decision(REJECTED),
    DELIVERED: _check_delivered,
    CLOSED: lambda facts: [],
}


def _previous(kind, facts):
    """The kind a request passes through just before ``kind``."""
    if kind == CLOSED:
        return REJECTED if facts.decision == REJECTED else DELIVERED
    for source, targets in NEXT.items():
        if kind in targets:
            return source
    return None


def _check_kind(kind):
    if kind not in KINDS:
        raise ValueError(f"unknown stage kind: {kind!r}")


def missing_for(target_kind, facts):
    """Every condition missing for a request to stand in ``target_kind``,
    earliest step first; an empty list when nothing is missing."""
    _check_kind(target_kind)
    path = []
    kind = target_kind
    while kind:
        path.append(kind)
        kind = _previous(kind, facts)
    missing = []
    for kind in reversed(path):
        missing.extend(_OWN_CONDITIONS[kind](facts))
    return missing


def is_backward(source_kind, target_kind):
    """True for a move to an earlier kind while both are pre-committee."""
    return (
        source_kind in PRE_COMMITTEE
        and target_kind in PRE_COMMITTEE
        and KINDS.index(target_kind) < KINDS.index(source_kind)
    )


def transition_problems(source_kind, target_kind, facts, is_manager=False):
    """Why a request may not go from ``source_kind`` to ``target_kind``.

    Returns ``[]`` when the move is allowed, ``["step_not_allowed"]`` for a
    move outside the guard table (a skipped step, a decided request moved
    back), ``["manager_required"]`` for a move back by someone who is not a
    manager, and otherwise the codes of :func:`missing_for`.
    """
    _check_kind(target_kind)
    if source_kind is not None:
        _check_kind(source_kind)
    if source_kind == target_kind:
        return []
    if is_backward(source_kind, target_kind):
        return [] if is_manager else [MANAGER_REQUIRED]
    if source_kind is not None and target_kind not in NEXT[source_kind]:
        return [STEP_NOT_ALLOWED]
    return missing_for(target_kind, facts)
