from odoo import fields, models


class BeneficiaryProgram(models.Model):
    _name = "beneficiary.program"
    _description = "Aid Program"
    _order = "name"

    name = fields.Char(
        string="Program",
        required=True,
        translate=True,
        help="A named project the association runs and donors may give for, e.g. winter kits.",
    )
    company_id = fields.Many2one(
        "res.company", string="Company", required=True, index=True, default=lambda self: self.env.company
    )
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_company_unique", "unique(name, company_id)", "An association already runs a program by this name."),
    ]
