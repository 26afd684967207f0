"""What a journal entry received, for the donations linked to it.

Pure rules, no Odoo. The model gives each line of the entry a role, by its
account, and its debit and credit in whole minor units:

- ``BANK``: a bank or cash account, or an outstanding-payment account (money
  on its way to or from the bank);
- ``SUSPENSE``: a bank journal's suspense account, where a statement line waits
  to be matched with what it paid or received;
- ``RECEIVABLE``: money due to the association (a donation platform that pays
  out later);
- ``OTHER``: anything else (income, expenses, stock, payables).

Money received is what came into the first three, less what left the bank
or the receivables: an entry paying money out (suspense against the bank),
moving it between the association's own accounts (bank to cash) or collecting
what a platform owed (the bank against the receivable, counted when it became
due) received nothing new. A suspense credit does not count against it: an
incoming statement line not yet matched is the bank against suspense, and that
money did come in.

Goods received (gifts in kind) are the debits on other accounts, and only on
an entry that moves no money at all: a purchase paid from the bank debits the
goods too, but nobody gave them.
"""

BANK, SUSPENSE, RECEIVABLE, OTHER = "bank", "suspense", "receivable", "other"
ROLES = (BANK, SUSPENSE, RECEIVABLE, OTHER)
MONEY_IN = (BANK, SUSPENSE, RECEIVABLE)


def _check(lines):
    lines = list(lines)
    for role, debit, credit in lines:
        if role not in ROLES:
            raise ValueError("unknown role of a line: %r" % (role,))
        if debit < 0 or credit < 0:
            raise ValueError("debit and credit are never negative")
    return lines


def money_received(lines):
    """Minor units of money the entry brought in: never below zero."""
    lines = _check(lines)
    came_in = sum(debit for role, debit, _credit in lines if role in MONEY_IN)
    went_out = sum(credit for role, _debit, credit in lines if role in (BANK, RECEIVABLE))
    return max(0, came_in - went_out)


def moves_money(lines):
    """True when the entry touches the bank, cash or suspense: no gift in kind is recorded there."""
    return any(role in (BANK, SUSPENSE) for role, _debit, _credit in _check(lines))


def goods_received(lines):
    """Minor units of goods the entry brought in: 0 on an entry that moves money."""
    lines = _check(lines)
    if moves_money(lines):
        return 0
    return sum(debit for role, debit, _credit in lines if role == OTHER)
