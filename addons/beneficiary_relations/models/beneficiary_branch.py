from odoo import fields, models


class BeneficiaryBranch(models.Model):
    _name = "beneficiary.branch"
    _description = "Association Branch"
    _order = "company_id, sequence, name"

    name = fields.Char(string="Branch", required=True)
    sequence = fields.Integer(default=10)
    city = fields.Char(string="City")
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique (name, company_id)",
            "This association already has a branch with this name.",
        ),
    ]
