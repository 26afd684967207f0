from odoo import models
from odoo.exceptions import UserError

# context key of the addon's own cancel flows: they reverse or cancel the
# entries of the donations and aid payments they cancel themselves
UNDO_ENTRY = "beneficiary_undo_entry"


class AccountMove(models.Model):
    """The vendor bill of a posted aid payment and the entry of a confirmed
    donation are what the donor statements and fund balances rely on: they are
    not reset to draft, cancelled or reversed in accounting behind the
    payment's or the donation's back, only by cancelling those."""

    _inherit = "account.move"

    def _beneficiary_posted_aid_payment(self):
        """The first posted aid payment whose bill is one of these entries, read as superuser:
        whoever resets or matches the entry may have no access to aid payments."""
        return self.env["beneficiary.disbursement"].sudo().search(
            [("move_id", "in", self.ids), ("state", "=", "posted")], limit=1
        )

    def _check_beneficiary_entries(self):
        if self.env.context.get(UNDO_ENTRY) or not self.ids:
            return
        payment = self._beneficiary_posted_aid_payment()
        if payment:
            raise UserError(
                self.env._(
                    "%(entry)s is the bill of the aid payment %(payment)s. Cancel the aid payment in "
                    "Beneficiary Relations (Donations ▸ Aid Payments) instead: it reverses the bill "
                    "and gives the donations that funded it their money back.",
                    entry=payment.move_id.display_name,
                    payment=payment.display_name,
                )
            )
        # whoever resets the entry may have no access to donations either
        donation = self.env["beneficiary.donation"].sudo().search(
            [("move_id", "in", self.ids), ("state", "=", "confirmed")], limit=1
        )
        if donation:
            raise UserError(
                self.env._(
                    "%(entry)s records the confirmed donation %(donation)s. Cancel the donation in "
                    "Beneficiary Relations (Donations) first, so that its balance and the aid it funds "
                    "stay right.",
                    entry=donation.move_id.display_name,
                    donation=donation.display_name,
                )
            )

    def write(self, vals):
        # button_draft is guarded below, but the status can be written directly too (XML-RPC):
        # a posted bill reset that way could be changed and posted again at another amount
        if "state" in vals and vals["state"] != "posted":
            self.filtered(lambda move: move.state == "posted")._check_beneficiary_entries()
        return super().write(vals)

    def button_draft(self):
        self._check_beneficiary_entries()
        return super().button_draft()

    def button_cancel(self):
        self._check_beneficiary_entries()
        return super().button_cancel()

    def _reverse_moves(self, default_values_list=None, cancel=False):
        self._check_beneficiary_entries()
        return super()._reverse_moves(default_values_list=default_values_list, cancel=cancel)
