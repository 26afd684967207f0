from odoo import api, fields, models
from odoo.exceptions import ValidationError


class BeneficiaryAidType(models.Model):
    _name = "beneficiary.aid.type"
    _inherit = ["beneficiary.satisfaction.mixin"]
    _satisfaction_request_field = "aid_type_id"
    _description = "Aid Type"
    _order = "sequence, name"

    name = fields.Char(
        string="Aid Type",
        required=True,
        translate=True,
        help="A kind of support the association gives, e.g. rent or medicines.",
    )
    sequence = fields.Integer(default=10)
    description = fields.Text(string="Description", translate=True)
    required_document_type_ids = fields.Many2many(
        "beneficiary.document.type",
        "beneficiary_aid_type_document_type_rel",
        "aid_type_id",
        "document_type_id",
        string="Required Documents",
        help="The verification step refuses a request of this aid type until a "
        "document of each of these types is attached.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        string="Currency",
        compute="_compute_currency_id",
    )
    max_amount = fields.Monetary(
        string="Maximum Amount",
        currency_field="currency_id",
        help="Highest amount one request of this type may ask for. Leave at 0 for no limit.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        index=True,
        default=lambda self: self.env.company,
        help="Leave empty to share the aid type with every association.",
    )
    color = fields.Integer(string="Color")

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_currency_id(self):
        for aid_type in self:
            aid_type.currency_id = (aid_type.company_id or self.env.company).currency_id

    @api.constrains("max_amount")
    def _check_max_amount(self):
        if any(aid_type.max_amount < 0 for aid_type in self):
            raise ValidationError(self.env._("The maximum amount of an aid type cannot be negative."))
