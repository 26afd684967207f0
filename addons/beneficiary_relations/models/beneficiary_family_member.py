from odoo import fields, models


class BeneficiaryFamilyMember(models.Model):
    _name = "beneficiary.family.member"
    _description = "Household Member"

    name = fields.Char(required=True)
    beneficiary_id = fields.Many2one("beneficiary.beneficiary", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="beneficiary_id.company_id", store=True)
