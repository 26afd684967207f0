"""What a linked entry received (beneficiary_relations_account/funding/received.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funding import received
from funding.received import BANK, FEE, INCOME, OTHER, RECEIVABLE, SUSPENSE


def test_a_transfer_received_what_reached_the_bank():
    assert received.money_received([(BANK, 100000, 0), (INCOME, 0, 100000)]) == 100000


def test_a_bill_booked_in_the_same_entry_is_not_money_received():
    lines = [(BANK, 100000, 0), (INCOME, 0, 100000), (OTHER, 50000, 0), (OTHER, 0, 50000)]
    assert received.money_received(lines) == 100000


def test_a_fee_kept_back_before_the_money_arrived_was_given_too():
    # the donor gave 1,000; the bank kept 5
    assert received.money_received([(BANK, 99500, 0), (FEE, 500, 0), (INCOME, 0, 100000)]) == 100000
    # a platform pays out 680 of the 700 it collected
    assert received.money_received([(BANK, 68000, 0), (FEE, 2000, 0), (RECEIVABLE, 0, 70000)]) == 70000


def test_a_write_off_or_goods_beside_the_money_were_not_received():
    # a donor paid 950 of 1,000 and the rest was written off
    assert received.money_received([(BANK, 95000, 0), (OTHER, 5000, 0), (RECEIVABLE, 0, 100000)]) == 95000
    # money and goods in one entry: the goods are not money
    assert received.money_received([(BANK, 100000, 0), (OTHER, 50000, 0), (INCOME, 0, 150000)]) == 100000


def test_a_statement_line_not_yet_matched_received_its_money():
    assert received.money_received([(BANK, 70000, 0), (SUSPENSE, 0, 70000)]) == 70000


def test_a_payment_registered_before_the_statement_received_its_money():
    # the outstanding account has the BANK role
    assert received.money_received([(BANK, 30000, 0), (RECEIVABLE, 0, 30000)]) == 30000


def test_money_paid_out_received_nothing():
    assert received.money_received([(SUSPENSE, 100000, 0), (BANK, 0, 100000)]) == 0
    assert received.money_received([(OTHER, 100000, 0), (BANK, 0, 100000)]) == 0


def test_money_moved_between_the_associations_own_accounts_received_nothing():
    assert received.money_received([(BANK, 50000, 0), (BANK, 0, 50000)]) == 0


def test_an_entry_that_brought_no_money_to_the_bank_received_none():
    # a platform reports a gift: it is due, not yet received
    assert received.money_received([(RECEIVABLE, 70000, 0), (INCOME, 0, 70000)]) == 0
    assert received.money_received([(OTHER, 70000, 0), (INCOME, 0, 70000)]) == 0


def test_goods_received_are_what_an_entry_that_moves_no_money_took_as_income():
    assert received.goods_received([(OTHER, 40000, 0), (INCOME, 0, 40000)]) == 40000
    assert received.money_received([(OTHER, 40000, 0), (INCOME, 0, 40000)]) == 0


def test_goods_bought_were_not_given():
    paid = [(OTHER, 40000, 0), (BANK, 0, 40000)]
    assert received.moves_money(paid)
    assert received.goods_received(paid) == 0
    assert received.goods_received([(OTHER, 40000, 0), (SUSPENSE, 0, 40000)]) == 0
    assert received.goods_received([(OTHER, 40000, 0), (OTHER, 0, 40000)]) == 0  # on credit


def test_bad_lines_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="unknown role"):
        received.money_received([("cash", 1, 0)])
    with pytest.raises(ValueError, match="never negative"):
        received.goods_received([(OTHER, -1, 0)])


lines = st.lists(
    st.tuples(st.sampled_from(received.ROLES), st.integers(0, 10**9), st.integers(0, 10**9)), max_size=8
)


@given(lines)
def test_never_below_zero_nor_more_than_the_entry_credited_to_a_source_of_gifts(entry):
    money = received.money_received(entry)
    assert 0 <= money <= sum(credit for role, _debit, credit in entry if role in (INCOME, RECEIVABLE, SUSPENSE))
    goods = received.goods_received(entry)
    assert 0 <= goods <= sum(credit for role, _debit, credit in entry if role == INCOME)


@given(lines, st.integers(1, 10**9))
def test_paying_out_of_the_bank_in_the_same_entry_never_adds_money(entry, amount):
    paid = entry + [(OTHER, amount, 0), (BANK, 0, amount)]
    assert received.money_received(paid) <= received.money_received(entry)


@given(lines, st.integers(1, 10**9))
def test_a_bill_in_the_same_entry_never_adds_money(entry, amount):
    billed = entry + [(OTHER, amount, 0), (OTHER, 0, amount)]
    assert received.money_received(billed) <= received.money_received(entry)
