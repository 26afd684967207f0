from odoo import fields, models


class BeneficiaryCommitteeVote(models.Model):
    _name = "beneficiary.committee.vote"
    _description = "Committee Vote"

    name = fields.Char(required=True)
    request_id = fields.Many2one("beneficiary.request", required=True, ondelete="cascade")
    member_id = fields.Many2one("res.users", required=True)
    company_id = fields.Many2one(related="request_id.company_id", store=True)
