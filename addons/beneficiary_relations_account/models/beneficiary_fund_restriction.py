from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..funding import allocation as funding


class BeneficiaryFundRestriction(models.Model):
    """What a restricted donation may pay for: aid types, a program, or both.
    Each restriction has its own analytic account, so that every journal
    entry touching restricted money carries it and Odoo's analytic reports
    show each restricted fund."""

    _name = "beneficiary.fund.restriction"
    _description = "Donation Restriction"
    _order = "name"
    _check_company_auto = True

    name = fields.Char(
        string="Restriction",
        required=True,
        translate=True,
        help="What the donor gave for, as the receipt says it, e.g. Medicines or Rent 1448.",
    )
    company_id = fields.Many2one(
        "res.company", string="Company", required=True, index=True, default=lambda self: self.env.company
    )
    aid_type_ids = fields.Many2many(
        "beneficiary.aid.type",
        "beneficiary_fund_restriction_aid_type_rel",
        "restriction_id",
        "aid_type_id",
        string="Aid Types",
        check_company=True,
        help="Only aid of these types may be paid from donations under this restriction.",
    )
    program_id = fields.Many2one(
        "beneficiary.program",
        string="Program",
        check_company=True,
        ondelete="restrict",  # deleted, it would widen the restriction to any aid type it names
        help="Only aid given under this program may be paid from donations under this restriction.",
    )
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Analytic Account",
        check_company=True,
        ondelete="restrict",
        copy=False,
        help="Carried by the donation's income line and by the bills it funds. "
        "Created in the Restricted Funds plan when left empty.",
    )
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    donation_ids = fields.One2many("beneficiary.donation", "restriction_id", string="Donations")

    _sql_constraints = [
        ("name_company_unique", "unique(name, company_id)", "The association already has a restriction by this name."),
        (
            "analytic_account_unique",
            "unique(analytic_account_id)",
            "Each restriction has an analytic account of its own: the fund's reports add up what it carries.",
        ),
    ]

    def write(self, vals):
        if "analytic_account_id" in vals:
            used = self.filtered(
                lambda restriction: restriction.analytic_account_id.id != vals["analytic_account_id"]
                and restriction.sudo().donation_ids.filtered(lambda donation: donation.state != "draft")
            )
            if used:
                raise UserError(
                    self.env._(
                        "Donations under %(restriction)s are confirmed: their entries and the aid they "
                        "funded carry its analytic account, which no longer changes.",
                        restriction=used[0].display_name,
                    )
                )
        return super().write(vals)

    @api.constrains("aid_type_ids", "program_id")
    def _check_scope(self):
        for restriction in self:
            if not restriction._funding_rule().is_restricted:
                raise ValidationError(
                    self.env._(
                        "The restriction %(name)s names neither an aid type nor a program. "
                        "A donation that may pay for anything is unrestricted: leave its restriction empty.",
                        name=restriction.name,
                    )
                )
        # a narrower scope must still suit the aid its donations already fund
        self.env["beneficiary.aid.allocation"].sudo().search(
            [("restriction_id", "in", self.ids), ("state", "!=", "cancelled")]
        )._check_funding()

    @api.model_create_multi
    def create(self, vals_list):
        restrictions = super().create(vals_list)
        restrictions.filtered(lambda r: not r.analytic_account_id)._create_analytic_accounts()
        return restrictions

    def _create_analytic_accounts(self):
        plan = self.env.ref("beneficiary_relations_account.analytic_plan_restricted_funds")
        accounts = self.env["account.analytic.account"].sudo().create(
            [
                {"name": restriction.name, "plan_id": plan.id, "company_id": restriction.company_id.id}
                for restriction in self
            ]
        )
        for restriction, account in zip(self, accounts):
            restriction.analytic_account_id = account

    def _funding_rule(self):
        """The pure rule (funding.allocation.Restriction) of this restriction;
        the unrestricted rule for an empty recordset."""
        if not self:
            return funding.UNRESTRICTED
        self.ensure_one()
        return funding.Restriction(
            aid_type_ids=frozenset(self.aid_type_ids.ids),
            program_ids=frozenset(self.program_id.ids),
        )
