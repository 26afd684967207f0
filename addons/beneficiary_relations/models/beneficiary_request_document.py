from odoo import fields, models


class BeneficiaryRequestDocument(models.Model):
    _name = "beneficiary.request.document"
    _description = "Request Document"

    name = fields.Char(required=True)
    request_id = fields.Many2one("beneficiary.request", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="request_id.company_id", store=True)
