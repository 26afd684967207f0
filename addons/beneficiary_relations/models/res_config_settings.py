from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    beneficiary_answer_days = fields.Integer(
        related="company_id.beneficiary_answer_days", readonly=False
    )
