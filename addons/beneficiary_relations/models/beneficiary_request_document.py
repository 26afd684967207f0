from odoo import api, fields, models
from odoo.exceptions import UserError


class BeneficiaryRequestDocument(models.Model):
    _name = "beneficiary.request.document"
    _description = "Request Document"
    _order = "request_id, document_type_id, id"
    _check_company_auto = True

    request_id = fields.Many2one(
        "beneficiary.request", string="Request", required=True, index=True, ondelete="cascade"
    )
    document_type_id = fields.Many2one(
        "beneficiary.document.type", string="Document Type", required=True, ondelete="restrict"
    )
    name = fields.Char(
        string="Description", compute="_compute_name", store=True, readonly=False
    )
    attachment = fields.Binary(string="File", attachment=True, required=True, copy=False)
    attachment_filename = fields.Char(string="File Name")
    expiry_date = fields.Date(
        help="Leave empty for a document that does not expire. A document that expired "
        "before the request was received does not count."
    )
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True)

    @api.depends("document_type_id")
    def _compute_name(self):
        for document in self:
            document.name = document.name or document.document_type_id.name

    def write(self, vals):
        if not self.env.su:
            self._check_not_decided()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        if not self.env.su:
            self._check_not_decided()

    def _check_not_decided(self):
        """The committee decided on these documents: replacing or deleting one afterwards would
        change the evidence behind the decision. New documents may still be added."""
        decided = self.sudo().filtered(lambda document: document.request_id.decision)
        if decided:
            raise UserError(
                self.env._(
                    "The committee decided on %(request)s with these documents: they stay as they "
                    "are. Add a new document instead.",
                    request=decided[0].request_id.name,
                )
            )
