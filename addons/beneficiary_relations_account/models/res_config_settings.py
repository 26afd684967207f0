from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    beneficiary_donation_journal_id = fields.Many2one(
        related="company_id.beneficiary_donation_journal_id", readonly=False
    )
    beneficiary_donation_account_id = fields.Many2one(
        related="company_id.beneficiary_donation_account_id", readonly=False
    )
    beneficiary_restricted_account_id = fields.Many2one(
        related="company_id.beneficiary_restricted_account_id", readonly=False
    )
    beneficiary_fee_account_ids = fields.Many2many(related="company_id.beneficiary_fee_account_ids", readonly=False)
    beneficiary_aid_journal_id = fields.Many2one(related="company_id.beneficiary_aid_journal_id", readonly=False)
    beneficiary_aid_account_id = fields.Many2one(related="company_id.beneficiary_aid_account_id", readonly=False)
    beneficiary_statement_detail = fields.Selection(
        related="company_id.beneficiary_statement_detail", readonly=False
    )
