from odoo import fields, models


class BeneficiaryChannel(models.Model):
    _name = "beneficiary.channel"
    _description = "Communication Channel"

    name = fields.Char(required=True)
    company_id = fields.Many2one("res.company")
