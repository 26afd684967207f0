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


def analytic_shares(amounts_by_account):
    """Percentages of a payment per analytic account, from the amounts that
    each account's donations fund: ``{account_id: minor units}`` ->
    ``{account_id: percent}``, percent rounded to 2 decimals.

    ``None`` as an account stands for unrestricted money, which carries no
    analytic account and is left out of the result. The rounding remainder
    goes to the largest share, so that a fully restricted payment adds up to
    exactly 100.
    """
    total = sum(amounts_by_account.values())
    if total <= 0:
        return {}
    # work in hundredths of a percent
    shares = {account: amount * 10000 // total for account, amount in amounts_by_account.items()}
    remainder = 10000 - sum(shares.values())
    if remainder:
        largest = max(shares, key=lambda account: (amounts_by_account[account], str(account)))
        shares[largest] += remainder
    return {account: share / 100 for account, share in shares.items() if account is not None and share}


def funding_state(amount, funded):
    """``none``, ``partial`` or ``funded`` for a payment of ``amount`` of
    which ``funded`` is covered by allocations (both minor units)."""
    if funded <= 0:
        return "none"
    if funded < amount:
        return "partial"
    return "funded"
