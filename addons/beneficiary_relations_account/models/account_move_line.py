from odoo import models
from odoo.exceptions import UserError

from .account_move import UNDO_ENTRY


def _plan_lines(plan, lines):
    """All the journal items of a reconciliation plan (a list of item sets and plans)."""
    for step in plan:
        if isinstance(step, list):
            lines = _plan_lines(step, lines)
        else:
            lines |= step
    return lines


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _reconcile_plan(self, reconciliation_plan):
        """A posted aid payment's bill is settled by paying the beneficiary, not by a credit
        note: matched with one by hand, the bill would read as paid while the aid payment
        stays posted and its donations' money stays spent on it. Cancelling the aid payment
        reverses the bill and gives that money back.

        The whole reconciliation is refused, also a supplier's payment of several bills and
        credit notes at once that takes in an aid bill: which credit goes to which bill is
        Odoo's choice, not the accountant's, so the aid bill is paid on its own."""
        if not self.env.context.get(UNDO_ENTRY):
            lines = _plan_lines(reconciliation_plan, self.browse())
            credit_notes = lines.move_id.filtered(lambda move: move.move_type == "in_refund" or move.reversed_entry_id)
            if credit_notes:
                payment = lines.move_id._beneficiary_posted_aid_payment()
                if payment:
                    raise UserError(
                        self.env._(
                            "%(entry)s is the bill of the aid payment %(payment)s and is not matched with "
                            "the credit note %(credit_note)s. Pay the aid bill on its own; if the aid is "
                            "not to be paid, cancel the aid payment in Beneficiary Relations (Donations ▸ "
                            "Aid Payments): it reverses the bill and gives the donations that funded it "
                            "their money back.",
                            entry=payment.move_id.display_name,
                            payment=payment.display_name,
                            credit_note=credit_notes[0].display_name,
                        )
                    )
        return super()._reconcile_plan(reconciliation_plan)
