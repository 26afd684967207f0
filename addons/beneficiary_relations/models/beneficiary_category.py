from odoo import fields, models


class BeneficiaryCategory(models.Model):
    _name = "beneficiary.category"
    _description = "Beneficiary Category"

    name = fields.Char(required=True)
