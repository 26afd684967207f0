from odoo import models
from odoo.tools.misc import formatLang


class BeneficiaryFundingDocument(models.AbstractModel):
    """What donations and aid payments share: once out of draft, the fields
    the books rely on are locked, and amounts are printed in their currency."""

    _name = "beneficiary.funding.document"
    _description = "Donation or Aid Payment"

    # fields that cannot change once the document has left its draft
    _locked_fields = ()

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
