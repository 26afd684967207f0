from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..funding import allocation as funding
from .beneficiary_disbursement import minor_units

ACCOUNTING_GROUPS = "beneficiary_relations.group_beneficiary_accountant,beneficiary_relations.group_beneficiary_manager"


class BeneficiaryRequest(models.Model):
    _inherit = "beneficiary.request"

    program_id = fields.Many2one(
        "beneficiary.program",
        string="Program",
        tracking=True,
        check_company=True,
        ondelete="restrict",  # what restricted donations funded this aid by
        help="The association's program this aid belongs to, if any: donations restricted to "
        "the program may then fund it.",
    )
    # Officers and committee members see only whether the request is funded;
    # the payments and the donations behind them are for accountants.
    funding_state = fields.Selection(
        [("none", "Not funded"), ("partial", "Partly funded"), ("funded", "Funded")],
        compute="_compute_funding_state",
        store=True,
        index=True,
        help="Whether the aid approved for this request is covered by donations.",
    )
    disbursement_ids = fields.One2many(
        "beneficiary.disbursement", "request_id", string="Aid Payments", groups=ACCOUNTING_GROUPS
    )
    funded_amount = fields.Monetary(
        string="Funded by Donations",
        compute="_compute_funding_state",
        store=True,
        currency_field="currency_id",
        groups=ACCOUNTING_GROUPS,
    )
    disbursement_count = fields.Integer(compute="_compute_disbursement_count", groups=ACCOUNTING_GROUPS)

    def _decided_on_fields(self):
        # the program decides which restricted donations may fund the aid
        return (*super()._decided_on_fields(), "program_id")

    @api.constrains("aid_type_id", "program_id")
    def _check_funding_still_allowed(self):
        """The aid type and program decide which donations may pay: once aid is
        paid they are history, and a payment in preparation must still suit
        its donations."""
        payments = self.sudo().disbursement_ids.filtered(lambda p: p.state != "cancelled")
        posted = payments.filtered(lambda p: p.state == "posted")
        if posted:
            raise ValidationError(
                self.env._(
                    "Request %(request)s has posted aid payments (%(payment)s): its aid type and program "
                    "can no longer change.",
                    request=posted[0].request_id.name,
                    payment=posted[0].name,
                )
            )
        payments.allocation_ids._check_funding()

    @api.depends("requested_amount", "disbursement_ids.amount", "disbursement_ids.funded_amount", "disbursement_ids.state")
    def _compute_funding_state(self):
        stored = self.filtered("id")
        totals = {
            request: (amount, funded)
            for request, amount, funded in self.env["beneficiary.disbursement"].sudo()._read_group(
                [("request_id", "in", stored.ids), ("state", "!=", "cancelled")],
                ["request_id"],
                ["amount:sum", "funded_amount:sum"],
            )
        }
        for request in self:
            paid, funded = totals.get(request._origin, (0.0, 0.0)) if request.id else (0.0, 0.0)
            currency = request.currency_id or self.env.company.currency_id
            # the approved aid is the amount asked for, or what is being paid when none was named
            target = max(request.requested_amount, paid)
            request.funded_amount = funded
            request.funding_state = funding.funding_state(minor_units(target, currency), minor_units(funded, currency))

    def _compute_disbursement_count(self):
        counts = dict(
            self.env["beneficiary.disbursement"]._read_group(
                [("request_id", "in", self.ids)], ["request_id"], ["__count"]
            )
        )
        for request in self:
            request.disbursement_count = counts.get(request, 0)

    def action_open_disbursements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "beneficiary_relations_account.action_beneficiary_disbursement"
        )
        action["domain"] = [("request_id", "=", self.id)]
        action["context"] = {"default_request_id": self.id}
        return action
