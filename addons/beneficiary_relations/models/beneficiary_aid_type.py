from odoo import fields, models


class BeneficiaryAidType(models.Model):
    _name = "beneficiary.aid.type"
    _description = "Aid Type"

    name = fields.Char(required=True)
    company_id = fields.Many2one("res.company")
