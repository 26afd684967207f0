from odoo import api, fields, models


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
