import os

from odoo import api, fields, models

PARAM_URL = "beneficiary_relations.feedback_public_url"
PARAM_SECRET = "beneficiary_relations.feedback_secret"
PARAM_DAYS = "beneficiary_relations.feedback_link_days"
# On the Odoo server, this environment variable overrides the stored secret,
# so a deployment can keep it out of the database.
ENV_SECRET = "BENEFICIARY_FEEDBACK_SECRET"
DEFAULT_LINK_DAYS = 30


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    beneficiary_answer_days = fields.Integer(
        related="company_id.beneficiary_answer_days", readonly=False
    )
    beneficiary_tz = fields.Selection(related="company_id.beneficiary_tz", readonly=False)
    beneficiary_feedback_url = fields.Char(
        string="Feedback Service Address",
        config_parameter=PARAM_URL,
        help="Public address of the feedback service, e.g. https://rate.example.org",
    )
    beneficiary_feedback_secret = fields.Char(
        string="Feedback Shared Secret",
        config_parameter=PARAM_SECRET,
        help="The secret the feedback service also holds (its FEEDBACK_SECRET). "
        "Set BENEFICIARY_FEEDBACK_SECRET in the server's environment to keep it out of the database.",
    )
    beneficiary_feedback_days = fields.Integer(
        string="Feedback Link Validity (days)",
        config_parameter=PARAM_DAYS,
        default=DEFAULT_LINK_DAYS,
    )

    @api.model
    def _beneficiary_feedback_secret(self):
        return os.environ.get(ENV_SECRET) or self.env["ir.config_parameter"].sudo().get_param(PARAM_SECRET) or ""

    @api.model
    def _beneficiary_feedback_url(self):
        return self.env["ir.config_parameter"].sudo().get_param(PARAM_URL) or ""

    @api.model
    def _beneficiary_feedback_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM_DAYS)
        try:
            days = int(value)
        except (TypeError, ValueError):
            return DEFAULT_LINK_DAYS
        return days if days > 0 else DEFAULT_LINK_DAYS
