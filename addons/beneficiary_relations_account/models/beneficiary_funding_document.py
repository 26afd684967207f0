from odoo import api, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_is_zero
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
    # What only the buttons write, with the status: the number they give and the entries they
    # make or undo (each model adds its own). Given at creation or written later (an import,
    # XML-RPC), a document would be confirmed without its entry, or cut from its books.
    _workflow_fields = ("state", "name", "reversal_move_id")

    def _workflow_refusal(self, names):
        return UserError(
            self.env._(
                "%(fields)s are set only by the Confirm, Post and Cancel buttons.",
                fields=", ".join(self._fields[name].get_description(self.env)["string"] for name in names),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get(self._STATE_CHANGE):
            for vals in vals_list:
                given = [
                    name for name in self._workflow_fields
                    if vals.get(name) and not (name == "state" and vals[name] == "draft")
                ]
                if given:
                    raise self._workflow_refusal(given)
        return super().create(vals_list)

    def _check_state_write(self, vals):
        """The status moves only through Confirm, Post and Cancel: writing it
        directly (e.g. over XML-RPC) would skip their checks and entries."""
        if self.env.context.get(self._STATE_CHANGE):
            return
        if "state" in vals:
            raise UserError(self.env._("The status changes only through the Confirm, Post and Cancel buttons."))
        written = [name for name in self._workflow_fields if name in vals]
        if written:
            raise self._workflow_refusal(written)

    def _write_state(self, vals):
        return self.with_context(**{self._STATE_CHANGE: True}).write(vals)

    def write(self, vals):
        self._check_state_write(vals)
        for document in self:
            changed = document._locked_changes(vals)
            if changed:
                raise UserError(document._locked_message(", ".join(changed)))
        return super().write(vals)

    @api.constrains("amount")  # a donation checks its own currency's changes too
    def _check_amount_in_minor_units(self):
        # the form rounds to the halala; over the API an amount below it would never fit its
        # bill (the bill is rounded, the payment not) and could never be funded exactly
        for document in self:
            currency = document.currency_id
            if currency and not float_is_zero(document.amount - currency.round(document.amount), precision_digits=6):
                raise ValidationError(
                    self.env._(
                        "%(amount)s is not an amount of %(currency)s: it has a fraction of its smallest unit.",
                        amount=document.amount,
                        currency=currency.name,
                    )
                )

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
