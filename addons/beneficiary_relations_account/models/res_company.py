from odoo import fields, models

from ..funding import received

# The journals that keep movements of money: their accounts receive money, and a gift in kind is
# never recorded in them.
MONEY_JOURNALS = ("bank", "cash")


class ResCompany(models.Model):
    _inherit = "res.company"

    beneficiary_donation_journal_id = fields.Many2one(
        "account.journal",
        string="Donations Journal",
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash', 'general'))]",
        help="Journal in which a confirmed donation is recorded, unless the donation names another.",
    )
    beneficiary_donation_account_id = fields.Many2one(
        "account.account",
        string="Donations Income Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Credited by unrestricted donations.",
    )
    beneficiary_restricted_account_id = fields.Many2one(
        "account.account",
        string="Restricted Donations Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Credited by restricted donations. Leave empty to use the donations income account; "
        "the restriction's analytic account tells restricted funds apart either way.",
    )
    beneficiary_fee_account_ids = fields.Many2many(
        "account.account",
        "res_company_beneficiary_fee_account_rel",
        "company_id",
        "account_id",
        string="Fees Kept Back",
        check_company=True,
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="The expense accounts of the fees that banks and donation platforms keep back before "
        "paying out. On an entry linked to donations, a fee debited to one of them counts as given "
        "by the donors (they gave the gross); any other debit does not (a write-off, goods).",
    )
    beneficiary_aid_journal_id = fields.Many2one(
        "account.journal",
        string="Aid Bills Journal",
        check_company=True,
        domain="[('type', '=', 'purchase')]",
        help="Purchase journal of the bills that pay aid to beneficiaries or to suppliers on their behalf.",
    )
    beneficiary_aid_account_id = fields.Many2one(
        "account.account",
        string="Aid Expense Account",
        check_company=True,
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="Debited by every aid payment.",
    )
    beneficiary_statement_detail = fields.Selection(
        [
            ("aid_type", "Aid type and date only"),
            ("request", "Aid type, date and request number"),
        ],
        string="Donor Statement Shows",
        default="aid_type",
        required=True,
        help="What a donor statement says about the aid a donation paid for. It never names "
        "a beneficiary; the request number lets the association answer a donor's question "
        "without giving the donor anyone's identity.",
    )

    def _beneficiary_default_accounting(self):
        """Point the association's donation and aid settings at its chart of
        accounts: the first bank journal, "other income", the first purchase
        journal and expense account (loading Odoo's generic chart when the
        association has none). Used by the demo data and the tests; a real
        association picks its own accounts in the settings."""
        for company in self:
            Account = self.env["account.account"].with_company(company)
            Journal = self.env["account.journal"].with_company(company)
            if not Journal.search([("company_id", "=", company.id)], limit=1):
                self.env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
            company.write(
                {
                    "beneficiary_donation_journal_id": Journal.search(
                        [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
                    ).id,
                    "beneficiary_donation_account_id": Account.search(
                        [("company_ids", "in", company.ids), ("account_type", "=", "income_other")], limit=1
                    ).id,
                    "beneficiary_aid_journal_id": Journal.search(
                        [("company_id", "=", company.id), ("type", "=", "purchase")], limit=1
                    ).id,
                    "beneficiary_aid_account_id": Account.search(
                        [("company_ids", "in", company.ids), ("account_type", "=", "expense")], limit=1
                    ).id,
                }
            )

    def _beneficiary_money_accounts(self):
        """The accounts money is received into or passes through, by role (see
        ``funding/received.py``): bank and cash accounts, the outstanding-payment
        accounts (a payment not yet on the bank) and the transfer account are
        ``BANK``; the suspense accounts (a statement line not yet matched) are
        ``SUSPENSE``. Returns ``{account: role}``.

        A donation of money counts what an entry brings into these; a gift in kind
        is never recorded in them."""
        self.ensure_one()
        # the accountant confirming may not read every journal's settings
        journals = self.env["account.journal"].sudo().search(
            [("company_id", "=", self.id), ("type", "in", MONEY_JOURNALS)]
        )
        cash = self.env["account.account"].sudo().search(
            [("company_ids", "in", self.ids), ("account_type", "=", "asset_cash")]
        )
        # where Odoo books a payment before the statement: the journals' own, else the chart's
        # outstanding accounts; and the transfer account between the association's own accounts
        chart = self.env["account.chart.template"].with_context(allowed_company_ids=self.root_id.ids)
        outstanding = (
            journals.inbound_payment_method_line_ids.payment_account_id
            | journals.outbound_payment_method_line_ids.payment_account_id
            | self.sudo().transfer_account_id
        )
        for xmlid in ("account_journal_payment_debit_account_id", "account_journal_payment_credit_account_id"):
            outstanding |= chart.ref(xmlid, raise_if_not_found=False) or self.env["account.account"]
        suspense = self.sudo().account_journal_suspense_account_id | journals.suspense_account_id
        roles = {account: received.SUSPENSE for account in suspense}
        roles.update({account: received.BANK for account in cash | outstanding})
        return roles

    def _beneficiary_general_journal(self):
        """The journal for gifts in kind: the association's first general journal that is not
        kept for exchange differences or cash-basis taxes (Miscellaneous Operations)."""
        self.ensure_one()
        reserved = (self.currency_exchange_journal_id | self.tax_cash_basis_journal_id).ids
        return self.env["account.journal"].search(
            [("company_id", "=", self.id), ("type", "=", "general"), ("id", "not in", reserved)], limit=1
        )
