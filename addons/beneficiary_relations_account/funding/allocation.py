"""Which donations may fund an aid payment, and how much of each.

Pure rules, no Odoo: amounts are whole minor units (halalas for the riyal), so
that sums never drift the way floats do. The models convert with the
currency's decimal places before calling these functions and back after.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Restriction:
    """What a restricted donation may pay for. Empty sets mean "any"."""

    aid_type_ids: frozenset = frozenset()
    program_ids: frozenset = frozenset()

    @property
    def is_restricted(self):
        return bool(self.aid_type_ids or self.program_ids)


UNRESTRICTED = Restriction()


def allows(restriction, aid_type_id, program_id):
    """True when a donation under ``restriction`` may fund aid of
    ``aid_type_id`` given under ``program_id`` (either may be None).

    A restriction to aid types and a program needs both to match: a donor who
    gave "medicines, within the winter programme" did not give for medicines
    in general.
    """
    if restriction is None or not restriction.is_restricted:
        return True
    if restriction.aid_type_ids and aid_type_id not in restriction.aid_type_ids:
        return False
    if restriction.program_ids and program_id not in restriction.program_ids:
        return False
    return True


@dataclass(frozen=True)
class Candidate:
    """A donation that could fund a payment: its id, when it was received,
    its restriction and what is left of it (minor units)."""

    donation_id: int
    received: date
    restriction: Restriction
    remaining: int


def propose(need, candidates, aid_type_id, program_id):
    """Allocations covering up to ``need`` minor units: a list of
    ``(donation_id, amount)``.

    Restricted donations that allow this aid come first, oldest first (a gift
    for a purpose is spent on that purpose before the general fund), then the
    unrestricted ones, oldest first; donations restricted to something else
    are never used. No donation gives more than what is left of it, and the
    sum never exceeds ``need``. Ties on the date go by id, so the proposal is
    the same every time.
    """
    if need <= 0:
        return []
    eligible = [c for c in candidates if c.remaining > 0 and allows(c.restriction, aid_type_id, program_id)]
    eligible.sort(key=lambda c: (not c.restriction.is_restricted, c.received, c.donation_id))
    proposal = []
    for candidate in eligible:
        if need <= 0:
            break
        amount = min(need, candidate.remaining)
        proposal.append((candidate.donation_id, amount))
        need -= amount
    return proposal


def bill_lines(total, funded_by_account):
    """How an aid payment of ``total`` is split into the lines of its bill:
    ``{account_id or None: amount funded}`` -> ``[(account_id or None, amount)]``,
    all in minor units.

    One line per analytic account (a restricted fund), for exactly what that
    fund's donations pay, in the order of the accounts; then one line without
    an account for the rest (unrestricted money). Each line carries its account
    whole, so a fund's analytic spending is what it paid to the halala: shares
    in percent, which Odoo keeps to two decimals, drift (a third of 3,000 would
    book 999.90). The amounts add up to ``total``; funds paying more than
    ``total`` are a ``ValueError``.
    """
    restricted = sorted(
        (account, amount) for account, amount in funded_by_account.items() if account is not None and amount > 0
    )
    rest = total - sum(amount for _account, amount in restricted)
    if rest < 0:
        raise ValueError("the funds pay %d, more than the payment's %d" % (total - rest, total))
    return restricted + ([(None, rest)] if rest else [])


def funding_state(amount, funded):
    """``none``, ``partial`` or ``funded`` for a payment of ``amount`` of
    which ``funded`` is covered by allocations (both minor units)."""
    if funded <= 0:
        return "none"
    if funded < amount:
        return "partial"
    return "funded"
