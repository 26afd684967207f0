from odoo import api, fields, models
from odoo.exceptions import ValidationError


class BeneficiaryChannel(models.Model):
    _name = "beneficiary.channel"
    _inherit = ["beneficiary.satisfaction.mixin"]
    _satisfaction_request_field = "channel_id"
    _description = "Communication Channel"
    _order = "sequence, id"

    name = fields.Char(
        string="Channel",
        required=True,
        translate=True,
        help="A way the association and its beneficiaries reach each other.",
    )
    code = fields.Char(
        string="Code",
        required=True,
        help="Stable technical code of the channel (e.g. phone), used by reports "
        "and the feedback service; it does not change when the name is translated.",
    )
    sequence = fields.Integer(default=10)
    description = fields.Text(string="Description", translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        index=True,
        help="Leave empty to share the channel with every association.",
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique (code, company_id)",
            "Another channel of this association already uses this code.",
        ),
    ]

    @api.constrains("code", "company_id")
    def _check_shared_code_unique(self):
        # PostgreSQL lets NULLs repeat in a unique constraint: shared channels
        # (no company) are checked here, in one query for the whole batch.
        shared = self.filtered(lambda channel: not channel.company_id)
        if not shared:
            return
        groups = self.with_context(active_test=False)._read_group(
            [("code", "in", shared.mapped("code")), ("company_id", "=", False)],
            groupby=["code"],
            aggregates=["__count"],
        )
        duplicates = [code for code, count in groups if count > 1]
        if duplicates:
            raise ValidationError(
                self.env._(
                    "Another shared channel already uses the code %(code)s.",
                    code=", ".join(duplicates),
                )
            )
