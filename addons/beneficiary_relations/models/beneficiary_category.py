from random import randint

from odoo import fields, models


class BeneficiaryCategory(models.Model):
    _name = "beneficiary.category"
    _description = "Beneficiary Category"
    _order = "sequence, name"

    def _default_color(self):
        return randint(1, 11)

    name = fields.Char(
        string="Category",
        required=True,
        translate=True,
        help="A category of beneficiaries the association serves, e.g. orphans or widows.",
    )
    sequence = fields.Integer(default=10)
    color = fields.Integer(string="Color", default=lambda self: self._default_color())
    description = fields.Text(string="Description", translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique (name)", "A beneficiary category with this name already exists."),
    ]
