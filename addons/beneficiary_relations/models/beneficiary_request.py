from odoo import fields, models


class BeneficiaryRequest(models.Model):
    _name = "beneficiary.request"
    _description = "Support Request"

    name = fields.Char(required=True)
    beneficiary_id = fields.Many2one("beneficiary.beneficiary", required=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    stage_id = fields.Many2one("beneficiary.request.stage")
    stage_kind = fields.Selection(related="stage_id.kind", store=True)
    researcher_id = fields.Many2one("res.users")
    officer_id = fields.Many2one("res.users")
    committee_id = fields.Many2one("beneficiary.committee")
    decision = fields.Selection([("approved", "Approved"), ("rejected", "Rejected")])
