from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from ..funding import received as entry_received
from .beneficiary_disbursement import from_minor_units, minor_units
from .res_company import MONEY_JOURNALS

# Where gifts are credited (funding/received.py's INCOME): income, and funds kept outside it,
# zakat to distribute or a restricted fund (liabilities), an endowment (equity); not payables.
FUND_TYPES = ("income", "income_other", "liability_current", "liability_non_current", "equity")

# What cannot change once a donation is confirmed: the receipt and the journal
# entry say them, and allocations rely on them.
LOCKED_FIELDS = (
    "donor_id", "date", "amount", "currency_id", "restriction_id", "company_id",
    "journal_id", "debit_account_id", "method", "move_id",
)


class BeneficiaryDonation(models.Model):
    _name = "beneficiary.donation"
    _description = "Donation"
    _inherit = ["beneficiary.funding.document", "mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _locked_fields = LOCKED_FIELDS
    # whether cancelling reverses the entry (the donation made it) or leaves it (a linked one)
    _workflow_fields = ("state", "name", "reversal_move_id", "move_created")

    name = fields.Char(
        string="Receipt Number",
        readonly=True,
        copy=False,
        index=True,
        help="Given from the association's receipt numbering when the donation is confirmed.",
    )
    company_id = fields.Many2one(
        "res.company", string="Company", required=True, index=True, default=lambda self: self.env.company
    )
    donor_id = fields.Many2one("res.partner", string="Donor", required=True, index=True, tracking=True)
    date = fields.Date(string="Date Received", required=True, default=lambda self: self.env.company._beneficiary_today(), tracking=True)
    amount = fields.Monetary(required=True, currency_field="currency_id", tracking=True)
    currency_id = fields.Many2one(
        "res.currency",
        string="Currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        tracking=True,
    )
    restriction_id = fields.Many2one(
        "beneficiary.fund.restriction",
        string="Restriction",
        index=True,
        tracking=True,
        # deleted, it would be emptied by the database behind the donation's lock: the money
        # it holds would become unrestricted
        ondelete="restrict",
        help="Leave empty for an unrestricted donation, which may fund any aid.",
    )
    is_restricted = fields.Boolean(string="Restricted", compute="_compute_is_restricted", store=True)
    method = fields.Selection(
        [
            ("bank", "Bank transfer"),
            ("cash", "Cash"),
            ("online", "Online platform"),
            ("in_kind", "In kind"),
        ],
        string="Received By",
        required=True,
        default="bank",
        tracking=True,
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Journal",
        check_company=True,
        compute="_compute_journal_id",
        store=True,
        readonly=False,
        domain="[('type', 'in', ('bank', 'cash', 'general'))]",
        help="Where the donation is recorded; the association's donations journal by default.",
    )
    debit_account_id = fields.Many2one(
        "account.account",
        string="Received Into",
        check_company=True,
        compute="_compute_debit_account_id",
        store=True,
        readonly=False,
        help="The account that receives the money or the goods: the journal's own account by "
        "default; for a gift in kind, the stock or expense account of the goods.",
    )
    move_id = fields.Many2one(
        "account.move",
        string="Journal Entry",
        check_company=True,
        copy=False,
        index="btree_not_null",
        help="The entry that recorded the donation. Pick an entry already posted (e.g. from the "
        "bank statement) before confirming to link it; otherwise confirming creates one.",
    )
    move_created = fields.Boolean(string="Entry Created by Donation", copy=False, readonly=True)
    reversal_move_id = fields.Many2one("account.move", string="Reversal Entry", copy=False, readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    allocation_ids = fields.One2many("beneficiary.aid.allocation", "donation_id", string="Allocations")
    allocated_amount = fields.Monetary(
        string="Allocated", compute="_compute_balances", store=True, currency_field="currency_id"
    )
    remaining_amount = fields.Monetary(
        string="Remaining", compute="_compute_balances", store=True, currency_field="currency_id"
    )
    note = fields.Text(string="Notes")

    _sql_constraints = [
        ("amount_positive", "CHECK(amount > 0)", "A donation's amount must be more than zero."),
        ("receipt_unique", "unique(name, company_id)", "This receipt number is already used."),
    ]

    @api.constrains("currency_id")
    def _check_amount_in_the_currency(self):
        # the aid payment's currency is its association's (not written): only a donation's changes
        self._check_amount_in_minor_units()

    @api.depends("restriction_id")
    def _compute_is_restricted(self):
        for donation in self:
            donation.is_restricted = bool(donation.restriction_id)

    @api.depends("company_id", "method")
    def _compute_journal_id(self):
        # Money goes to the donations journal (a bank journal); goods given in kind never
        # reach the bank: their entry goes to the association's general journal.
        general = {}
        for donation in self:
            company, journal = donation.company_id, donation.journal_id
            if donation.method == "in_kind":
                if company not in general:
                    general[company] = company._beneficiary_general_journal()
                if not journal or journal.company_id != company or journal.type in MONEY_JOURNALS:
                    donation.journal_id = general[company] or company.beneficiary_donation_journal_id
            elif not journal or journal.company_id != company or journal.type == "general":
                donation.journal_id = company.beneficiary_donation_journal_id

    @api.depends("company_id", "journal_id", "method")
    def _compute_debit_account_id(self):
        for donation in self:
            account = donation.debit_account_id
            if donation.method != "in_kind":
                donation.debit_account_id = donation.journal_id.default_account_id
            elif account.account_type == "asset_cash" or donation.company_id not in account.company_ids:
                # goods given in kind never reach the bank: the accountant names their account,
                # which a change of journal leaves as it is (not one of another association)
                donation.debit_account_id = False

    @api.depends("amount", "allocation_ids.amount", "allocation_ids.state")
    def _compute_balances(self):
        # one grouped query for the whole batch, however many donations
        stored = self.filtered("id")
        allocated = dict(
            self.env["beneficiary.aid.allocation"].sudo()._read_group(
                [("donation_id", "in", stored.ids), ("state", "!=", "cancelled")],
                ["donation_id"],
                ["amount:sum"],
            )
        )
        for donation in self:
            donation.allocated_amount = allocated.get(donation._origin.sudo(), 0.0) if donation.id else 0.0
            donation.remaining_amount = donation.amount - donation.allocated_amount

    @api.depends("name", "donor_id", "state")
    def _compute_display_name(self):
        for donation in self:
            donation.display_name = donation.name or self.env._("Draft donation of %(donor)s", donor=donation.donor_id.name or "")

    @api.constrains("restriction_id", "company_id")
    def _check_restriction_company(self):
        for donation in self:
            if donation.restriction_id and donation.restriction_id.company_id != donation.company_id:
                raise ValidationError(
                    self.env._(
                        "The restriction %(restriction)s belongs to another association.",
                        restriction=donation.restriction_id.name,
                    )
                )

    # ------------------------------------------------------------------ guards

    def _locked_message(self, fields_label):
        return self.env._(
            "Donation %(donation)s is no longer a draft: its %(fields)s can no longer change. "
            "Cancel it and record the donation again.",
            donation=self.display_name,
            fields=fields_label,
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        for donation in self:
            if donation.state != "draft":
                raise UserError(
                    self.env._(
                        "Donation %(donation)s has been confirmed; cancel it instead of deleting it.",
                        donation=donation.display_name,
                    )
                )

    # ----------------------------------------------------------------- actions

    @api.constrains("amount")
    def _check_amount_covers_allocations(self):
        self.allocation_ids._check_balances()

    def action_confirm(self):
        # which accounts hold money, worked out once per association for the whole batch
        companies = self.company_id | self.move_id.company_id
        roles = {company: company._beneficiary_money_accounts() for company in companies}
        for donation in self:
            if donation.state != "draft":
                raise UserError(
                    self.env._("Donation %(donation)s is not a draft.", donation=donation.display_name)
                )
            donation._check_accounting_setup(roles)
        # the donations of this batch count together with those already confirmed
        self.filtered("move_id")._check_linked_entry_total(roles)
        for donation in self:
            values = {
                "state": "confirmed",
                "name": donation.company_id._beneficiary_numbering(
                    "beneficiary.donation", "beneficiary_relations_account.seq_beneficiary_donation"
                ).next_by_id(sequence_date=donation.date),
            }
            if donation.move_id:
                values["move_created"] = False
            else:
                move = self.env["account.move"].create(donation._prepare_move_values())
                move.action_post()
                values.update(move_id=move.id, move_created=True)
            donation._write_state(values)
        return True

    def _check_accounting_setup(self, roles):
        """Refuse to confirm a donation whose entry, journal or accounts cannot record it.
        ``roles`` maps each association to its money accounts
        (``res.company._beneficiary_money_accounts``)."""
        self.ensure_one()
        if self.move_id:
            move = self.move_id
            # money received is a plain entry: a bill, a credit note or the reversal of a cancelled
            # donation (which credits the bank) would make a gift out of money never received
            if move.move_type != "entry" or move.reversed_entry_id:
                raise UserError(
                    self.env._(
                        "The entry %(entry)s did not receive the donation of %(donor)s: link the entry "
                        "that recorded the money or goods coming in, not a bill, a credit note or a reversal.",
                        entry=move.display_name,
                        donor=self.donor_id.name,
                    )
                )
            reversal = move.reversal_move_ids.filtered(lambda entry: entry.state == "posted")[:1]
            if reversal:
                # a bounced cheque, a transfer sent back: the money is no longer there
                raise UserError(
                    self.env._(
                        "The entry %(entry)s was reversed by %(reversal)s: it no longer records money or "
                        "goods received, and cannot record the donation of %(donor)s.",
                        entry=move.display_name,
                        reversal=reversal.display_name,
                        donor=self.donor_id.name,
                    )
                )
            if self.method == "in_kind" and entry_received.moves_money(self._entry_lines(move, roles[move.company_id])):
                raise UserError(
                    self.env._(
                        "A gift in kind does not go through an account for money (bank, cash, suspense or "
                        "outstanding payments), and %(entry)s moves money in one: link the entry of the "
                        "goods given by %(donor)s.",
                        entry=move.display_name,
                        donor=self.donor_id.name,
                    )
                )
            if move.state != "posted" or move.company_id != self.company_id:
                raise UserError(
                    self.env._(
                        "The entry %(entry)s cannot record the donation of %(donor)s: link a posted entry of "
                        "%(company)s, or clear the field to let the confirmation create one.",
                        entry=move.display_name,
                        donor=self.donor_id.name,
                        company=self.company_id.name,
                    )
                )
            return
        if not self.journal_id:
            raise UserError(
                self.env._(
                    "No journal for the donation of %(donor)s: choose one, or set the donations journal "
                    "in the settings of Beneficiary Relations.",
                    donor=self.donor_id.name,
                )
            )
        if self.method == "in_kind":
            self._check_goods_destination(roles)
        if not self.debit_account_id:
            raise UserError(
                self.env._(
                    "Journal %(journal)s has no account of its own: say which account receives the "
                    "donation of %(donor)s (Received Into).",
                    journal=self.journal_id.name,
                    donor=self.donor_id.name,
                )
            )
        if not self._income_account():
            raise UserError(
                self.env._(
                    "Set the donations income account of %(company)s in the settings of Beneficiary "
                    "Relations before confirming donations.",
                    company=self.company_id.name,
                )
            )

    def _check_goods_destination(self, roles):
        """A gift in kind goes to the account of the goods, in a general journal: never to an
        account or a journal that keeps money (``roles``: the money accounts, by association)."""
        donor = self.donor_id.name
        refusal = None
        if self.journal_id.type in MONEY_JOURNALS:
            refusal = self.env._(
                "A gift in kind is recorded in a general journal (Miscellaneous Operations), not in "
                "%(journal)s, which keeps the movements of money: choose another journal for the "
                "goods of %(donor)s.",
                journal=self.journal_id.name,
                donor=donor,
            )
        elif self.debit_account_id in roles[self.company_id]:
            refusal = self.env._(
                "A gift in kind does not go to %(account)s, an account for money (bank, cash, "
                "suspense or outstanding payments): say which account receives the goods of "
                "%(donor)s (Received Into).",
                account=self.debit_account_id.display_name,
                donor=donor,
            )
        elif not self.debit_account_id:
            refusal = self.env._(
                "Say which account receives the goods given in kind by %(donor)s (Received Into).", donor=donor
            )
        if refusal:
            raise UserError(refusal)

    def _entry_lines(self, move, roles):
        """The entry's lines as ``funding/received.py`` reads them: (role, debit, credit) in
        minor units of the association's currency. ``roles``: the entry's association's money
        accounts."""
        company = move.company_id
        gifts = company.beneficiary_donation_account_id | company.beneficiary_restricted_account_id
        fees = company.beneficiary_fee_account_ids

        def role(account):
            if account in roles:
                return roles[account]
            if account in fees:
                return entry_received.FEE
            kind = account.account_type
            if kind == "asset_receivable":
                return entry_received.RECEIVABLE
            if account in gifts or kind in FUND_TYPES:
                return entry_received.INCOME
            return entry_received.OTHER

        currency = company.currency_id
        return [
            (role(line.account_id), minor_units(line.debit, currency), minor_units(line.credit, currency))
            for line in move.line_ids
        ]

    def _check_linked_entry_total(self, roles):
        """One bank entry may record several gifts, never more than it
        received: the donations being confirmed (``self``, a whole batch)
        count together with those already confirmed on the same entry.

        What an entry received is the money it brought in, for gifts of money,
        and the goods, for gifts in kind (``funding/received.py``): not every
        debit of the entry, which may also book a fee or settle a bill."""
        moves = self.move_id
        if not moves:
            return
        # Lock the entries first: two accountants confirming donations on the
        # same entry at once would each sum without the other's donations; the
        # second now waits for the first's commit and then sees them.
        self.env.cr.execute(SQL("SELECT id FROM account_move WHERE id IN %s FOR UPDATE", tuple(moves.ids)))
        linked = self.search([("move_id", "in", moves.ids), ("state", "=", "confirmed")]) | self
        for move in moves:
            company = move.company_id
            lines = self._entry_lines(move, roles[company])
            for in_kind in (False, True):
                donations = linked.filtered(lambda d, m=move, k=in_kind: d.move_id == m and (d.method == "in_kind") == k)
                if not donations:
                    continue
                # each currency's gifts summed first, then converted: a transfer shared among
                # donors is not over its entry by the halalas each gift rounds to
                in_currency = defaultdict(float)
                for donation in donations:
                    in_currency[donation.currency_id] += donation.amount
                total = sum(self._amount_as_booked(move, currency, amount) for currency, amount in in_currency.items())
                units = entry_received.goods_received(lines) if in_kind else entry_received.money_received(lines)
                came_in = from_minor_units(units, company.currency_id)
                if company.currency_id.compare_amounts(total, came_in) > 0:
                    amounts = {
                        "entry": move.display_name,
                        "received": formatLang(self.env, came_in, currency_obj=company.currency_id),
                        "total": formatLang(self.env, total, currency_obj=company.currency_id),
                    }
                    if in_kind:
                        raise UserError(self.env._(
                            "The entry %(entry)s records %(received)s of goods received; the gifts in "
                            "kind linked to it would total %(total)s.",
                            **amounts,
                        ))
                    raise UserError(self.env._(
                        "The entry %(entry)s records %(received)s received; the donations linked to it "
                        "would total %(total)s.",
                        **amounts,
                    ))

    @api.model
    def _amount_as_booked(self, move, currency, amount):
        """``amount`` of ``currency`` in the association's currency as the entry ``move`` booked it.

        A gift received in euros and recorded a day later is still the entry's money: it counts
        at the rate the entry was booked at, the bank's own when the accountant entered what the
        bank credited. That rate is read from the entry's lines in the gift's currency, on either
        side: a bank statement line in another currency keeps it on its counterpart, the bank
        line being in riyals. An entry with no such line gives Odoo's rate of the entry's date."""
        company = move.company_id
        if currency == company.currency_id:
            return currency.round(amount)
        booked = move.line_ids.filtered(lambda line: line.currency_id == currency and line.amount_currency)
        foreign = sum(abs(line.amount_currency) for line in booked)
        if foreign:
            return company.currency_id.round(amount * sum(abs(line.balance) for line in booked) / foreign)
        return currency._convert(amount, company.currency_id, company, move.date)

    def _income_account(self):
        company = self.company_id
        if self.restriction_id and company.beneficiary_restricted_account_id:
            return company.beneficiary_restricted_account_id
        return company.beneficiary_donation_account_id

    def _prepare_move_values(self):
        """A balanced entry: the money (or the goods) in, the donation income
        out, the restriction's analytic account on the income line."""
        self.ensure_one()
        company = self.company_id
        balance = self.currency_id._convert(self.amount, company.currency_id, company, self.date)
        label = self.env._("Donation of %(donor)s", donor=self.donor_id.name)
        if self.restriction_id:
            label = f"{label} - {self.restriction_id.name}"
        common = {"partner_id": self.donor_id.id, "currency_id": self.currency_id.id, "name": label}
        income = dict(common, account_id=self._income_account().id, balance=-balance, amount_currency=-self.amount)
        if self.restriction_id.analytic_account_id:
            income["analytic_distribution"] = {str(self.restriction_id.analytic_account_id.id): 100}
        return {
            "move_type": "entry",
            "journal_id": self.journal_id.id,
            "company_id": company.id,
            "date": self.date,
            "ref": label,
            "line_ids": [
                fields.Command.create(dict(common, account_id=self.debit_account_id.id, balance=balance, amount_currency=self.amount)),
                fields.Command.create(income),
            ],
        }

    def action_cancel(self):
        for donation in self:
            if donation.state == "cancelled":
                continue
            used = donation.allocation_ids.filtered(lambda a: a.state != "cancelled")
            if used:
                raise UserError(
                    self.env._(
                        "Donation %(donation)s still funds %(amount)s of aid (aid payments: %(count)s, e.g. %(payment)s). "
                        "Remove those allocations or cancel the payments first.",
                        donation=donation.display_name,
                        count=len(used.disbursement_id),
                        amount=donation._format(sum(used.mapped("amount"))),
                        payment=used[0].disbursement_id.display_name,
                    )
                )
        for donation in self.filtered(lambda d: d.state != "cancelled"):
            values = {"state": "cancelled"}
            if donation.move_created:
                values["reversal_move_id"] = donation._undo_entry(
                    donation.move_id,
                    self.env._("Cancelled donation %(donation)s", donation=donation.display_name),
                ).id
            elif donation.move_id:
                donation.message_post(
                    body=self.env._(
                        "The linked entry %(entry)s was not created by this donation and stays as it is.",
                        entry=donation.move_id.display_name,
                    )
                )
            donation._write_state(values)
        return True

    def action_open_allocations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("beneficiary_relations_account.action_beneficiary_aid_allocation")
        action["domain"] = [("donation_id", "=", self.id)]
        action["context"] = {"default_donation_id": self.id}
        return action
