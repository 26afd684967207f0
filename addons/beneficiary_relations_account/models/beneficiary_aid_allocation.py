from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..funding import allocation as funding


class BeneficiaryAidAllocation(models.Model):
    """How much of one donation funds one aid payment. The accountant's answer
    to "which donations paid for this aid?" and "what did this gift pay for?"."""

    _name = "beneficiary.aid.allocation"
    _description = "Aid Funding Allocation"
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_name = "donation_id"

    donation_id = fields.Many2one(
        "beneficiary.donation",
        string="Donation",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('state', '=', 'confirmed'), ('remaining_amount', '>', 0)]",
    )
    disbursement_id = fields.Many2one(
        "beneficiary.disbursement",
        string="Aid Payment",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    amount = fields.Monetary(required=True, currency_field="currency_id")
    currency_id = fields.Many2one(related="disbursement_id.currency_id", string="Currency")
    company_id = fields.Many2one(related="disbursement_id.company_id", store=True, index=True, string="Company")
    state = fields.Selection(related="disbursement_id.state", store=True, string="Payment Status")
    date = fields.Date(related="disbursement_id.date", store=True, string="Payment Date")
    request_id = fields.Many2one(related="disbursement_id.request_id", store=True, index=True, string="Support Request")
    aid_type_id = fields.Many2one(related="disbursement_id.aid_type_id", store=True, string="Aid Type")
    donor_id = fields.Many2one(related="donation_id.donor_id", store=True, index=True, string="Donor")
    restriction_id = fields.Many2one(related="donation_id.restriction_id", store=True, string="Restriction")
    donation_date = fields.Date(related="donation_id.date", string="Donation Date")
    donation_remaining = fields.Monetary(related="donation_id.remaining_amount", string="Donation Remaining")

    _sql_constraints = [
        ("amount_positive", "CHECK(amount > 0)", "An allocation's amount must be more than zero."),
        (
            "donation_payment_unique",
            "unique(donation_id, disbursement_id)",
            "This donation already funds this aid payment: change that allocation's amount instead.",
        ),
    ]

    # ------------------------------------------------------------------ guards

    def _check_amount_values(self, vals_list):
        # said before the database's own check, which would give no names
        if any("amount" in vals and (vals["amount"] or 0) <= 0 for vals in vals_list):
            raise ValidationError(self.env._("An allocation's amount must be more than zero."))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_amount_values(vals_list)
        payments = self.env["beneficiary.disbursement"].browse(
            {vals["disbursement_id"] for vals in vals_list if vals.get("disbursement_id")}
        )
        payments._check_allocations_open()
        return super().create(vals_list)

    def write(self, vals):
        self._check_amount_values([vals])
        self.disbursement_id._check_allocations_open()
        if vals.get("disbursement_id"):
            self.env["beneficiary.disbursement"].browse(vals["disbursement_id"])._check_allocations_open()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_open(self):
        self.disbursement_id._check_allocations_open()

    @api.constrains("amount", "donation_id", "disbursement_id")
    def _check_funding(self):
        """Refuse, naming the numbers: a donation not confirmed, another
        currency, a donation restricted to other aid, more than what is left of
        the donation, more than the payment still needs."""
        for allocation in self:
            donation, payment = allocation.donation_id, allocation.disbursement_id
            if donation.state != "confirmed":
                raise ValidationError(
                    self.env._(
                        "%(donation)s is not a confirmed donation: only money received and "
                        "confirmed can fund aid.",
                        donation=donation.display_name,
                    )
                )
            if donation.company_id != payment.company_id:
                # e.g. a draft payment moved to another association's request
                raise ValidationError(
                    self.env._(
                        "Donation %(donation)s was received by %(donation_company)s; %(payment)s is aid "
                        "of %(payment_company)s. An association's donations fund only its own aid.",
                        donation=donation.display_name,
                        donation_company=donation.company_id.name,
                        payment=payment.display_name,
                        payment_company=payment.company_id.name,
                    )
                )
            if donation.currency_id != payment.currency_id:
                raise ValidationError(
                    self.env._(
                        "Donation %(donation)s is in %(donation_currency)s and %(payment)s in "
                        "%(payment_currency)s. Record the exchange of the donation into "
                        "%(payment_currency)s in accounting first; allocations do not convert currencies.",
                        donation=donation.display_name,
                        donation_currency=donation.currency_id.name,
                        payment=payment.display_name,
                        payment_currency=payment.currency_id.name,
                    )
                )
            rule = donation.restriction_id._funding_rule()
            if not funding.allows(rule, payment.aid_type_id.id or None, payment.program_id.id or None):
                program = f" ({payment.program_id.name})" if payment.program_id else ""
                raise ValidationError(
                    self.env._(
                        "Donation %(donation)s is restricted to %(restriction)s; request %(request)s is "
                        "for %(aid_type)s%(program)s. Use a donation whose restriction allows this aid, "
                        "or an unrestricted one.",
                        donation=donation.display_name,
                        restriction=donation.restriction_id.name,
                        request=payment.request_id.name,
                        aid_type=payment.aid_type_id.name or "-",
                        program=program,
                    )
                )
        self._check_balances()

    def _check_balances(self):
        # one grouped query for the donations and one for the payments of the batch
        Allocation = self.env["beneficiary.aid.allocation"].sudo()
        donations, payments = self.donation_id, self.disbursement_id
        used = dict(
            Allocation._read_group(
                [("donation_id", "in", donations.ids), ("state", "!=", "cancelled")], ["donation_id"], ["amount:sum"]
            )
        )
        funded = dict(Allocation._read_group([("disbursement_id", "in", payments.ids)], ["disbursement_id"], ["amount:sum"]))
        for donation in donations:
            total = used.get(donation.sudo(), 0.0)
            if donation.currency_id.compare_amounts(total, donation.amount) > 0:
                asked = sum(self.filtered(lambda a, d=donation: a.donation_id == d).mapped("amount"))
                raise ValidationError(
                    self.env._(
                        "Donation %(donation)s has %(left)s left; %(asked)s cannot be allocated from it.",
                        donation=donation.display_name,
                        left=donation._format(donation.amount - (total - asked)),
                        asked=donation._format(asked),
                    )
                )
        for payment in payments:
            total = funded.get(payment.sudo(), 0.0)
            if payment.currency_id.compare_amounts(total, payment.amount) > 0:
                asked = sum(self.filtered(lambda a, p=payment: a.disbursement_id == p).mapped("amount"))
                raise ValidationError(
                    self.env._(
                        "%(payment)s of %(amount)s still needs %(missing)s; %(asked)s is more than that.",
                        payment=payment.display_name,
                        amount=payment._format(payment.amount),
                        missing=payment._format(payment.amount - (total - asked)),
                        asked=payment._format(asked),
                    )
                )

