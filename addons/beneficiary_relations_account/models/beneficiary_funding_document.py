from odoo import models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang

from .account_move import UNDO_ENTRY


class BeneficiaryFundingDocument(models.AbstractModel):
    """What donations and aid payments share: once out of draft, the fields
    the books rely on are locked, and amounts are printed in their currency."""

    _name = "beneficiary.funding.document"
    _description = "Donation or Aid Payment"

    # fields that cannot change once the document has left its draft
    _locked_fields = ()
    # context key the buttons set: only they move a document between states
    _STATE_CHANGE = "beneficiary_funding_state_change"

    def _check_state_write(self, vals):
        """The status moves only through Confirm, Post and Cancel: writing it
        directly (e.g. over XML-RPC) would skip their checks and entries."""
        if "state" in vals and not self.env.context.get(self._STATE_CHANGE):
            raise UserError(self.env._("The status changes only through the Confirm, Post and Cancel buttons."))

    def _write_state(self, vals):
        return self.with_context(**{self._STATE_CHANGE: True}).write(vals)

    def write(self, vals):
        self._check_state_write(vals)
        for document in self:
            changed = document._locked_changes(vals)
            if changed:
                raise UserError(document._locked_message(", ".join(changed)))
        return super().write(vals)

    def _locked_message(self, fields_label):
        """What the user reads when a locked field would change (each model
        words it for its own documents)."""
        raise NotImplementedError

    def _undo_entry(self, move, ref):
        """Take back an entry this document created: reverse it when posted
        (dated today, or the entry's own date if later), cancel it when
        accounting reset it to draft, so it can never be posted again.
        Returns the reversal, if any."""
        # the entry is still the posted payment's or the confirmed donation's
        move = move.with_context(**{UNDO_ENTRY: True})
        if move.state == "draft":
            move.button_cancel()
            return move.browse()
        if move.state != "posted":
            return move.browse()
        date = max(move.company_id._beneficiary_today(), move.date)
        values = {"ref": ref, "date": date}
        if move.is_invoice():
            values["invoice_date"] = date
        return move._reverse_moves([values], cancel=True)

    def _locked_changes(self, vals):
        """The labels of the locked fields ``vals`` would change on this
        record, when it is no longer a draft (else an empty list)."""
        self.ensure_one()
        if self.state == "draft":
            return []
        labels = []
        for name in self._locked_fields:
            if name not in vals:
                continue
            field = self._fields[name]
            if field.convert_to_record(field.convert_to_cache(vals[name], self), self) != self[name]:
                labels.append(field.get_description(self.env)["string"])
        return labels

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _format(self, amount):
        return formatLang(self.env, amount, currency_obj=self.currency_id)
