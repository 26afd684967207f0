"""What a linked entry received (beneficiary_relations_account/funding/received.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funding import received
from funding.received import BANK, OTHER, RECEIVABLE, SUSPENSE


def test_a_transfer_received_what_reached_the_bank():
    assert received.money_received([(BANK, 100000, 0), (OTHER, 0, 100000)]) == 100000


def test_a_fee_or_a_bill_in_the_same_entry_is_not_money_received():
    lines = [(BANK, 100000, 0), (OTHER, 0, 100000), (OTHER, 50000, 0), (OTHER, 0, 50000)]
    assert received.money_received(lines) == 100000


def test_a_statement_line_not_yet_matched_received_its_money():
    assert received.money_received([(BANK, 70000, 0), (SUSPENSE, 0, 70000)]) == 70000


def test_money_paid_out_received_nothing():
    # a statement line paying out, not yet matched: suspense against the bank
    assert received.money_received([(SUSPENSE, 100000, 0), (BANK, 0, 100000)]) == 0
    # and matched with the expense it paid
    assert received.money_received([(OTHER, 100000, 0), (BANK, 0, 100000)]) == 0


def test_money_moved_between_the_associations_own_accounts_received_nothing():
    assert received.money_received([(BANK, 50000, 0), (BANK, 0, 50000)]) == 0


def test_a_platform_that_pays_out_later_owes_what_it_collected():
    assert received.money_received([(RECEIVABLE, 70000, 0), (OTHER, 0, 70000)]) == 70000
    # when it pays, the bank receives what was already counted as due: no money twice
    assert received.money_received([(BANK, 70000, 0), (RECEIVABLE, 0, 70000)]) == 0


def test_goods_received_are_the_other_debits_of_an_entry_that_moves_no_money():
    assert received.goods_received([(OTHER, 40000, 0), (OTHER, 0, 40000)]) == 40000
    assert received.money_received([(OTHER, 40000, 0), (OTHER, 0, 40000)]) == 0


def test_a_purchase_paid_from_the_bank_is_no_gift_in_kind():
    lines = [(OTHER, 40000, 0), (BANK, 0, 40000)]
    assert received.moves_money(lines)
    assert received.goods_received(lines) == 0
    assert received.goods_received([(OTHER, 40000, 0), (SUSPENSE, 0, 40000)]) == 0


def test_bad_lines_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="unknown role"):
        received.money_received([("cash", 1, 0)])
    with pytest.raises(ValueError, match="never negative"):
        received.goods_received([(OTHER, -1, 0)])


lines = st.lists(
    st.tuples(st.sampled_from(received.ROLES), st.integers(0, 10**9), st.integers(0, 10**9)), max_size=8
)


@given(lines)
def test_never_below_zero_and_never_more_than_came_in(entry):
    money = received.money_received(entry)
    assert 0 <= money <= sum(debit for role, debit, _credit in entry if role != OTHER)
    goods = received.goods_received(entry)
    assert 0 <= goods <= sum(debit for role, debit, _credit in entry if role == OTHER)


@given(lines, st.integers(1, 10**9))
def test_paying_out_of_the_bank_in_the_same_entry_never_adds_money(entry, amount):
    paid = entry + [(OTHER, amount, 0), (BANK, 0, amount)]
    assert received.money_received(paid) <= received.money_received(entry)
