from odoo import fields, models


class BeneficiaryDocumentType(models.Model):
    _name = "beneficiary.document.type"
    _description = "Required Document Type"

    name = fields.Char(required=True)
