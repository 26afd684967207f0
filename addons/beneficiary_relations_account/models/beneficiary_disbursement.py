from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..funding import allocation as funding

LOCKED_FIELDS = ("request_id", "amount", "date", "partner_id", "payee_type", "method")


def minor_units(amount, currency):
    """An amount as a whole number of the currency's smallest unit."""
    return round(amount * 10**currency.decimal_places)


def from_minor_units(units, currency):
    return units / 10**currency.decimal_places


class BeneficiaryDisbursement(models.Model):
    """An aid payment on an approved request: to the beneficiary, or to a
    supplier on their behalf (a hospital, a pharmacy, a landlord). Posting it
    creates and posts the vendor bill that accounting then pays."""

    _name = "beneficiary.disbursement"
    _description = "Aid Payment"
    _inherit = ["beneficiary.funding.document", "mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _locked_fields = LOCKED_FIELDS
    # the bill is made by posting: cleared, a posted payment's bill could be reset and changed
    _workflow_fields = ("state", "name", "reversal_move_id", "move_id")

    name = fields.Char(string="Number", readonly=True, copy=False, index=True)
    request_id = fields.Many2one(
        "beneficiary.request",
        string="Support Request",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('decision', '=', 'approved')]",
        ondelete="restrict",
    )
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True, string="Company")
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    aid_type_id = fields.Many2one(related="request_id.aid_type_id", store=True, string="Aid Type")
    program_id = fields.Many2one(related="request_id.program_id", store=True, string="Program")
    amount = fields.Monetary(required=True, currency_field="currency_id", tracking=True)
    date = fields.Date(required=True, default=lambda self: self.env.company._beneficiary_today(), tracking=True)
    payee_type = fields.Selection(
        [("beneficiary", "The beneficiary"), ("supplier", "A supplier on their behalf")],
        string="Paid To",
        required=True,
        default="beneficiary",
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Payee",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        tracking=True,
        help="Who receives the money: the beneficiary's contact, or the hospital, pharmacy or "
        "landlord paid on their behalf.",
    )
    method = fields.Selection(
        [("bank", "Bank transfer"), ("cash", "Cash"), ("cheque", "Cheque")],
        string="Payment Method",
        required=True,
        default="bank",
        tracking=True,
    )
    move_id = fields.Many2one("account.move", string="Vendor Bill", readonly=True, copy=False, index="btree_not_null")
    payment_state = fields.Selection(related="move_id.payment_state", string="Bill Payment")
    reversal_move_id = fields.Many2one("account.move", string="Credit Note", readonly=True, copy=False)
    state = fields.Selection(
        [("draft", "Draft"), ("posted", "Posted"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    allocation_ids = fields.One2many("beneficiary.aid.allocation", "disbursement_id", string="Funded By")
    funded_amount = fields.Monetary(
        string="Funded", compute="_compute_funding", store=True, currency_field="currency_id"
    )
    unfunded_amount = fields.Monetary(
        string="Not Yet Funded", compute="_compute_funding", store=True, currency_field="currency_id"
    )
    funding_state = fields.Selection(
        [("none", "Not funded"), ("partial", "Partly funded"), ("funded", "Funded")],
        compute="_compute_funding",
        store=True,
    )
    note = fields.Text(string="Notes")

    _sql_constraints = [
        ("amount_positive", "CHECK(amount > 0)", "An aid payment's amount must be more than zero."),
        ("number_unique", "unique(name, company_id)", "This payment number is already used."),
    ]

    @api.depends("payee_type", "request_id")
    def _compute_partner_id(self):
        for payment in self:
            if payment.payee_type == "beneficiary":
                payment.partner_id = payment.request_id.beneficiary_id.partner_id
            elif payment.partner_id == payment.request_id.beneficiary_id.partner_id:
                payment.partner_id = False

    @api.depends("amount", "allocation_ids.amount")
    def _compute_funding(self):
        stored = self.filtered("id")
        funded = dict(
            self.env["beneficiary.aid.allocation"].sudo()._read_group(
                [("disbursement_id", "in", stored.ids)], ["disbursement_id"], ["amount:sum"]
            )
        )
        for payment in self:
            payment.funded_amount = funded.get(payment._origin.sudo(), 0.0) if payment.id else 0.0
            payment.unfunded_amount = payment.amount - payment.funded_amount
            currency = payment.currency_id or self.env.company.currency_id
            payment.funding_state = funding.funding_state(
                minor_units(payment.amount, currency), minor_units(payment.funded_amount, currency)
            )

    @api.depends("name", "request_id")
    def _compute_display_name(self):
        for payment in self:
            payment.display_name = payment.name or self.env._(
                "Draft payment for %(request)s", request=payment.request_id.name or ""
            )

    # ------------------------------------------------------------------ guards

    def _locked_message(self, fields_label):
        return self.env._(
            "Aid payment %(payment)s is no longer a draft: its %(fields)s cannot change. "
            "Cancel it and record a new payment.",
            payment=self.display_name,
            fields=fields_label,
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        for payment in self:
            if payment.state != "draft":
                raise UserError(
                    self.env._(
                        "Aid payment %(payment)s has been posted; cancel it instead of deleting it.",
                        payment=payment.display_name,
                    )
                )

    def _check_draft(self):
        for payment in self:
            if payment.state != "draft":
                raise UserError(
                    self.env._("Aid payment %(payment)s is not a draft.", payment=payment.display_name)
                )

    @api.constrains("amount", "request_id")
    def _check_allocations_still_fit(self):
        # a smaller amount or another request must still suit the donations already allocated
        self.allocation_ids._check_funding()

    def _check_allocations_open(self):
        for payment in self:
            if payment.state != "draft":
                raise UserError(
                    self.env._(
                        "Aid payment %(payment)s is %(state)s: what funds it can no longer change.",
                        payment=payment.display_name,
                        state=payment._state_label(),
                    )
                )

    # ----------------------------------------------------------------- actions

    def action_auto_allocate(self):
        """Propose allocations for what is not funded yet: restricted donations
        that allow this aid first, oldest first, then unrestricted ones; never
        more than a donation has left. The accountant reviews them before
        posting."""
        self._check_draft()
        Allocation = self.env["beneficiary.aid.allocation"]
        donations = self.env["beneficiary.donation"].search(
            [
                ("company_id", "in", self.company_id.ids),
                ("state", "=", "confirmed"),
                ("remaining_amount", ">", 0),
            ],
            order="date, id",
        )
        remaining = {donation.id: donation.remaining_amount for donation in donations}
        by_company = defaultdict(list)
        for donation in donations:
            by_company[donation.company_id.id].append(donation)
        values = []
        for payment in self:
            currency = payment.currency_id
            candidates = [
                funding.Candidate(
                    donation_id=donation.id,
                    received=donation.date,
                    restriction=donation.restriction_id._funding_rule(),
                    remaining=minor_units(remaining[donation.id], currency),
                )
                for donation in by_company[payment.company_id.id]
                if donation.currency_id == currency
            ]
            proposal = funding.propose(
                minor_units(payment.unfunded_amount, currency),
                candidates,
                payment.aid_type_id.id or None,
                payment.program_id.id or None,
            )
            if not proposal:
                raise UserError(
                    self.env._(
                        "No confirmed donation with money left may fund %(payment)s "
                        "(%(aid_type)s, %(amount)s not yet funded).",
                        payment=payment.display_name,
                        aid_type=payment.aid_type_id.name or "-",
                        amount=payment._format(payment.unfunded_amount),
                    )
                )
            existing = {allocation.donation_id.id: allocation for allocation in payment.allocation_ids}
            for donation_id, units in proposal:
                amount = from_minor_units(units, currency)
                remaining[donation_id] -= amount
                if donation_id in existing:
                    existing[donation_id].amount += amount
                else:
                    values.append({"disbursement_id": payment.id, "donation_id": donation_id, "amount": amount})
        Allocation.create(values)
        return True

    def action_post(self):
        self._check_draft()
        for payment in self:
            payment._check_postable()
        self._check_within_the_amount_asked()
        for payment in self:
            bill = self.env["account.move"].create(payment._prepare_bill_values())
            bill.action_post()
            payment._write_state(
                {
                    "state": "posted",
                    "move_id": bill.id,
                    "name": payment.company_id._beneficiary_numbering(
                        "beneficiary.disbursement", "beneficiary_relations_account.seq_beneficiary_disbursement"
                    ).next_by_id(sequence_date=payment.date),
                }
            )
            bill.ref = payment.name
        return True

    @api.constrains("request_id")
    def _check_request_approved(self):
        """Aid is paid only on what the committee approved; also through the API, where a draft
        on any request would show its applicant and aid type to an accountant who may read only
        approved requests (reading the decision of any other request is refused to them)."""
        for payment in self:
            # refused as such, whatever is already in the cache (the other checks read the request too)
            payment.request_id.check_access("read")
            if payment.request_id.decision != "approved":
                raise ValidationError(
                    self.env._(
                        "Request %(request)s is not approved by the committee: no aid can be paid on it.",
                        request=payment.request_id.name,
                    )
                )

    def _check_postable(self):
        self.ensure_one()
        self._check_request_approved()
        if self.currency_id.compare_amounts(self.funded_amount, self.amount) != 0:
            raise UserError(
                self.env._(
                    "Only %(funded)s of the %(amount)s of %(payment)s is funded: allocate %(missing)s more "
                    "from donations before posting it, so that every riyal paid has its donor.",
                    payment=self.display_name,
                    funded=self._format(self.funded_amount),
                    amount=self._format(self.amount),
                    missing=self._format(self.unfunded_amount),
                )
            )
        if not self.partner_id:
            raise UserError(self.env._("Choose the payee of %(payment)s.", payment=self.display_name))
        company = self.company_id
        if not company.beneficiary_aid_account_id or not self._aid_journal():
            raise UserError(
                self.env._(
                    "Set the aid expense account and the aid bills journal of %(company)s in the "
                    "settings of Beneficiary Relations before posting aid payments.",
                    company=company.name,
                )
            )

    def _check_within_the_amount_asked(self):
        """The committee approved the amount asked for (it no longer changes once
        decided): the aid posted on a request, with the payments being posted
        (``self``, drafts), stays within it. A request that names no amount is
        not bounded here."""
        requests = self.request_id.filtered("requested_amount")
        if not requests:
            return
        posted = dict(
            self._read_group(
                [("request_id", "in", requests.ids), ("state", "=", "posted")], ["request_id"], ["amount:sum"]
            )
        )
        for request in requests:
            batch = self.filtered(lambda p, r=request: p.request_id == r and p.currency_id == r.currency_id)
            total = posted.get(request, 0.0) + sum(batch.mapped("amount"))
            if batch and request.currency_id.compare_amounts(total, request.requested_amount) > 0:
                raise UserError(
                    self.env._(
                        "%(payment)s would bring the aid paid on %(request)s to %(total)s, more than the "
                        "%(asked)s the committee approved. For more aid, record a new request.",
                        payment=", ".join(batch.mapped("display_name")),
                        request=request.name,
                        total=batch[0]._format(total),
                        asked=batch[0]._format(request.requested_amount),
                    )
                )

    def _aid_journal(self):
        company = self.company_id
        return company.beneficiary_aid_journal_id or self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "purchase")], limit=1
        )

    def _bill_lines(self):
        """``[(analytic account or empty, amount)]``: a line per restricted fund
        for what its donations pay, then the rest (see funding.bill_lines)."""
        funded = defaultdict(int)
        for allocation in self.allocation_ids:
            account = allocation.donation_id.restriction_id.analytic_account_id
            funded[account.id or None] += minor_units(allocation.amount, self.currency_id)
        Account = self.env["account.analytic.account"]
        return [
            (Account.browse(account_id), from_minor_units(amount, self.currency_id))
            for account_id, amount in funding.bill_lines(minor_units(self.amount, self.currency_id), funded)
        ]

    def _prepare_bill_values(self):
        self.ensure_one()
        label = self.env._(
            "Aid for request %(request)s: %(aid_type)s",
            request=self.request_id.name,
            aid_type=self.aid_type_id.name or "",
        )
        lines = []
        for account, amount in self._bill_lines():
            line = {
                "name": "%s (%s)" % (label, account.name) if account else label,
                "account_id": self.company_id.beneficiary_aid_account_id.id,
                "quantity": 1,
                "price_unit": amount,
                "tax_ids": [fields.Command.clear()],
            }
            if account:
                line["analytic_distribution"] = {str(account.id): 100}
            lines.append(fields.Command.create(line))
        return {
            "move_type": "in_invoice",
            "journal_id": self._aid_journal().id,
            "company_id": self.company_id.id,
            "partner_id": self.partner_id.id,
            "invoice_date": self.date,
            "date": self.date,
            "currency_id": self.currency_id.id,
            "invoice_line_ids": lines,
        }

    def action_cancel(self):
        for payment in self.filtered(lambda p: p.state == "posted"):
            if payment.move_id.payment_state not in ("not_paid", "reversed", False):
                raise UserError(
                    self.env._(
                        "The bill %(bill)s of %(payment)s is already (partly) paid. Undo its payment "
                        "in accounting before cancelling the aid payment.",
                        bill=payment.move_id.display_name,
                        payment=payment.display_name,
                    )
                )
        for payment in self.filtered(lambda p: p.state != "cancelled"):
            values = {"state": "cancelled"}
            if payment.move_id.payment_state == "reversed":
                # already reversed in accounting: keep that credit note
                values["reversal_move_id"] = payment.move_id.reversal_move_ids[:1].id
            elif payment.move_id:
                values["reversal_move_id"] = payment._undo_entry(
                    payment.move_id,
                    self.env._("Cancelled aid payment %(payment)s", payment=payment.display_name),
                ).id
            payment._write_state(values)
        return True

    def action_open_bill(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }
