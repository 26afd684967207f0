"""Funding rules of aid payments (beneficiary_relations_account/funding/allocation.py)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funding import allocation

RENT, MEDICINES, FOOD = 1, 2, 3
WINTER = 10
RENT_ONLY = allocation.Restriction(aid_type_ids=frozenset({RENT}))
WINTER_ONLY = allocation.Restriction(program_ids=frozenset({WINTER}))
RENT_IN_WINTER = allocation.Restriction(aid_type_ids=frozenset({RENT}), program_ids=frozenset({WINTER}))


def candidate(donation_id, day, restriction=allocation.UNRESTRICTED, remaining=1000):
    return allocation.Candidate(donation_id, date(2026, 1, day), restriction, remaining)


def test_an_unrestricted_donation_funds_any_aid():
    assert allocation.allows(allocation.UNRESTRICTED, RENT, None)
    assert allocation.allows(None, FOOD, WINTER)


def test_a_restriction_to_aid_types_refuses_other_types():
    assert allocation.allows(RENT_ONLY, RENT, None)
    assert not allocation.allows(RENT_ONLY, MEDICINES, None)
    assert not allocation.allows(RENT_ONLY, None, None)


def test_a_restriction_to_a_program_needs_the_program():
    assert allocation.allows(WINTER_ONLY, FOOD, WINTER)
    assert not allocation.allows(WINTER_ONLY, FOOD, None)


def test_a_restriction_to_a_type_and_a_program_needs_both():
    assert allocation.allows(RENT_IN_WINTER, RENT, WINTER)
    assert not allocation.allows(RENT_IN_WINTER, RENT, None)
    assert not allocation.allows(RENT_IN_WINTER, FOOD, WINTER)


def test_proposal_spends_eligible_restricted_money_first_oldest_first():
    candidates = [
        candidate(1, 1),  # unrestricted, the oldest of all
        candidate(2, 9, RENT_ONLY, remaining=300),
        candidate(3, 5, RENT_ONLY, remaining=200),
        candidate(4, 2, allocation.Restriction(aid_type_ids=frozenset({MEDICINES})), remaining=5000),
    ]
    assert allocation.propose(1200, candidates, RENT, None) == [(3, 200), (2, 300), (1, 700)]


def test_proposal_never_exceeds_a_balance_nor_the_need():
    candidates = [candidate(1, 1, remaining=50), candidate(2, 2, remaining=80)]
    assert allocation.propose(100, candidates, FOOD, None) == [(1, 50), (2, 50)]
    assert allocation.propose(500, candidates, FOOD, None) == [(1, 50), (2, 80)]


def test_proposal_skips_spent_donations_and_ineligible_ones():
    candidates = [candidate(1, 1, remaining=0), candidate(2, 2, WINTER_ONLY), candidate(3, 3, remaining=10)]
    assert allocation.propose(100, candidates, FOOD, None) == [(3, 10)]
    assert allocation.propose(0, candidates, FOOD, None) == []
    assert allocation.propose(100, [candidate(2, 2, WINTER_ONLY)], FOOD, None) == []


def test_proposal_breaks_ties_on_the_date_by_id():
    candidates = [candidate(7, 3, remaining=10), candidate(5, 3, remaining=10)]
    assert allocation.propose(15, candidates, FOOD, None) == [(5, 10), (7, 5)]


amounts = st.integers(min_value=0, max_value=10**9)


@given(
    need=amounts,
    rows=st.lists(
        st.tuples(st.integers(1, 28), st.sampled_from([allocation.UNRESTRICTED, RENT_ONLY, WINTER_ONLY]), amounts),
        max_size=30,
    ),
    aid_type=st.sampled_from([RENT, FOOD, None]),
    program=st.sampled_from([WINTER, None]),
)
def test_proposal_respects_every_limit(need, rows, aid_type, program):
    candidates = [candidate(i, day, restriction, remaining) for i, (day, restriction, remaining) in enumerate(rows, 1)]
    by_id = {c.donation_id: c for c in candidates}
    proposal = allocation.propose(need, candidates, aid_type, program)
    assert sum(amount for _, amount in proposal) <= need
    assert len({donation_id for donation_id, _ in proposal}) == len(proposal)
    for donation_id, amount in proposal:
        assert 0 < amount <= by_id[donation_id].remaining
        assert allocation.allows(by_id[donation_id].restriction, aid_type, program)
    eligible_total = sum(
        c.remaining for c in candidates if allocation.allows(c.restriction, aid_type, program)
    )
    # it stops short of the need only when the eligible money is spent
    assert sum(amount for _, amount in proposal) == min(need, eligible_total)


def test_a_bill_has_a_line_per_fund_and_one_for_the_rest():
    # 3,000.00 of aid: 1,000.00 from the rent fund (account 24), the rest unrestricted
    assert allocation.bill_lines(300000, {24: 100000, None: 200000}) == [(24, 100000), (None, 200000)]
    assert allocation.bill_lines(500000, {25: 200000, 24: 300000}) == [(24, 300000), (25, 200000)]
    assert allocation.bill_lines(90000, {None: 90000}) == [(None, 90000)]
    assert allocation.bill_lines(90000, {}) == [(None, 90000)]  # not funded yet: one plain line
    assert allocation.bill_lines(90000, {24: 0, None: 90000}) == [(None, 90000)]


def test_a_fund_s_line_is_what_it_paid_to_the_halala():
    """Thirds of a payment: shares in percent kept to two decimals would book 999.90."""
    lines = allocation.bill_lines(300000, {1: 100000, 2: 100000, 3: 100000})
    assert lines == [(1, 100000), (2, 100000), (3, 100000)]


def test_funds_paying_more_than_the_payment_are_refused():
    with pytest.raises(ValueError, match="more than the payment"):
        allocation.bill_lines(100, {24: 60, 25: 60})


@given(
    funded=st.dictionaries(st.one_of(st.none(), st.integers(1, 50)), st.integers(0, 10**9), max_size=8),
    extra=st.integers(0, 10**9),
)
def test_bill_lines_always_add_up_to_the_payment(funded, extra):
    total = sum(funded.values()) + extra
    lines = allocation.bill_lines(total, funded)
    assert sum(amount for _account, amount in lines) == total
    assert all(amount > 0 for _account, amount in lines)
    assert [account for account, _amount in lines].count(None) <= 1
    for account, amount in lines:
        if account is not None:
            assert amount == funded[account]


@pytest.mark.parametrize(
    ("amount", "funded", "state"),
    [(1000, 0, "none"), (1000, 1, "partial"), (1000, 999, "partial"), (1000, 1000, "funded"), (0, 0, "none")],
)
def test_funding_state(amount, funded, state):
    assert allocation.funding_state(amount, funded) == state
