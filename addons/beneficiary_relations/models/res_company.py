from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    beneficiary_answer_days = fields.Integer(default=14)
