from odoo import fields, models


class BeneficiaryCommittee(models.Model):
    _name = "beneficiary.committee"
    _description = "Research Committee"

    name = fields.Char(required=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    member_ids = fields.Many2many("res.users")
    chair_id = fields.Many2one("res.users")
