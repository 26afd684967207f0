"""What a journal entry received, for the donations linked to it.

Pure rules, no Odoo. The model gives each line of the entry a role, by its
account, and its debit and credit in whole minor units:

- ``BANK``: a bank or cash account, an outstanding-payment account (a payment
  not yet on the bank statement) or the liquidity transfer account (money on its
  way between the association's own accounts);
- ``SUSPENSE``: a bank journal's suspense account, where a statement line waits
  to be matched with what it paid or received;
- ``RECEIVABLE``: money due to the association (a donor, a donation platform);
- ``INCOME``: where gifts are credited: an income account, the association's
  donation and restricted donation accounts, or a fund kept outside income
  (zakat to distribute or a restricted fund as a liability, an endowment as
  equity), i.e. any liability or equity account but payables;
- ``FEE``: an account of fees that banks and platforms keep back (a setting);
- ``OTHER``: anything else (expenses, stock, payables).

**Money received** is what came into the bank (bank and suspense debits, less
bank credits), plus the fees kept back before it arrived (the donor gave the
gross), and never more than the entry took from a source of gifts (credited to
a fund, to a receivable being paid, or to suspense, a statement line not yet
matched). So an entry paying money out, moving it from bank to cash, or buying
something received nothing, and a bill, a write-off or goods booked in the same
entry add nothing: only debits on the fee accounts count beside the bank.

**Goods received** (gifts in kind) are the debits on other accounts of an entry
that moves no money, never more than it credited to income: a purchase paid
from the bank, or bought on credit, debits goods nobody gave.
"""

BANK, SUSPENSE, RECEIVABLE, INCOME, FEE, OTHER = "bank", "suspense", "receivable", "income", "fee", "other"
ROLES = (BANK, SUSPENSE, RECEIVABLE, INCOME, FEE, OTHER)


def _check(lines):
    lines = list(lines)
    for role, debit, credit in lines:
        if role not in ROLES:
            raise ValueError("unknown role of a line: %r" % (role,))
        if debit < 0 or credit < 0:
            raise ValueError("debit and credit are never negative")
    return lines


def _sum(lines, column, *roles):
    return sum(line[column] for line in lines if line[0] in roles)


def money_received(lines):
    """Minor units of money the entry brought in: never below zero."""
    lines = _check(lines)
    came_in = _sum(lines, 1, BANK, SUSPENSE) - _sum(lines, 2, BANK)
    kept_back = max(0, _sum(lines, 1, FEE) - _sum(lines, 2, FEE))
    given = _sum(lines, 2, INCOME, RECEIVABLE, SUSPENSE)
    return max(0, min(came_in + kept_back, given)) if came_in > 0 else 0


def moves_money(lines):
    """True when the entry touches the bank, cash or suspense: no gift in kind is recorded there."""
    return any(role in (BANK, SUSPENSE) for role, _debit, _credit in _check(lines))


def goods_received(lines):
    """Minor units of goods the entry brought in: 0 on an entry that moves money."""
    lines = _check(lines)
    if moves_money(lines):
        return 0
    return min(_sum(lines, 1, OTHER), _sum(lines, 2, INCOME))
