from odoo import fields, models


class BeneficiaryBeneficiary(models.Model):
    _name = "beneficiary.beneficiary"
    _description = "Beneficiary"

    name = fields.Char(required=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    request_ids = fields.One2many("beneficiary.request", "beneficiary_id")
