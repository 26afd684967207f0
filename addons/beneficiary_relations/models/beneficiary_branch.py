from odoo import fields, models


class BeneficiaryBranch(models.Model):
    _name = "beneficiary.branch"
    _description = "Association Branch"

    name = fields.Char(required=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
