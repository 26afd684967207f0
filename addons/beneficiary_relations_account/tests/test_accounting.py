from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.account_move import UNDO_ENTRY
from .common import FundingCase


@tagged("post_install", "-at_install")
class TestAccounting(FundingCase):
    def _lines(self, move):
        return {line.account_id: line for line in move.line_ids}

    def test_confirming_a_donation_posts_its_entry(self):
        donation = self._donation(12000, self.rent_only, confirm=False)
        self.assertFalse(donation.name)
        donation.action_confirm()

        self.assertEqual(donation.state, "confirmed")
        self.assertTrue(donation.name.startswith("DON/"))
        move = donation.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.journal_id, self.company.beneficiary_donation_journal_id)
        lines = self._lines(move)
        bank = lines[self.company.beneficiary_donation_journal_id.default_account_id]
        income = lines[self.company.beneficiary_donation_account_id]
        self.assertEqual((bank.debit, income.credit), (12000, 12000))
        self.assertEqual(income.partner_id, self.donor)
        # the restriction's analytic account is on the income line
        self.assertEqual(income.analytic_distribution, {str(self.rent_only.analytic_account_id.id): 100})
        self.assertFalse(bank.analytic_distribution)
        self.assertEqual(
            self.rent_only.analytic_account_id.plan_id,
            self.env.ref("beneficiary_relations_account.analytic_plan_restricted_funds"),
        )

    def test_receipts_count_per_association(self):
        first, second = self._donation(100), self._donation(200)
        year = first.date.year
        self.assertEqual(first.name, f"DON/{year}/00001")
        self.assertEqual(second.name, f"DON/{year}/00002")

    def test_an_unrestricted_donation_carries_no_analytic_account(self):
        donation = self._donation(500)
        self.assertFalse(any(donation.move_id.line_ids.mapped("analytic_distribution")))

    def _bank_entry(self, amount):
        """An entry the accountant posted from the bank statement."""
        journal = self.company.beneficiary_donation_journal_id
        entry = self.env["account.move"].create(
            {
                "journal_id": journal.id,
                "line_ids": [
                    fields.Command.create({"account_id": journal.default_account_id.id, "balance": amount}),
                    fields.Command.create({"account_id": self.company.beneficiary_donation_account_id.id, "balance": -amount}),
                ],
            }
        )
        entry.action_post()
        return entry

    def test_linking_an_entry_already_posted(self):
        existing = self._bank_entry(1000)
        first = self._donation(750, confirm=False, move_id=existing.id)
        moves_before = self.env["account.move"].search_count([])
        first.action_confirm()
        self.assertEqual(first.move_id, existing)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        # one transfer may bring several gifts, never more than it received
        self._donation(250, confirm=False, move_id=existing.id).action_confirm()
        too_much = self._donation(1, confirm=False, move_id=existing.id)
        with self.assertRaises(UserError) as refusal:
            too_much.action_confirm()
        self.assertIn(self._money(1000), str(refusal.exception))
        self.assertIn(self._money(1001), str(refusal.exception))
        self.assertEqual(too_much.state, "draft")
        # cancelling leaves an entry it did not create alone
        first.action_cancel()
        self.assertEqual(existing.state, "posted")
        self.assertFalse(first.reversal_move_id)

    def test_only_an_entry_of_money_coming_in_records_a_donation(self):
        """A reversal (it credits the bank) or an aid bill, linked as a donation's entry, made a gift
        out of money never received; a bank entry linked to a gift in kind put goods in the bank."""
        cancelled = self._donation(700)
        cancelled.action_cancel()
        payment = self._payment(self.rent_request, 100)
        self._allocate(self._donation(100), payment, 100)
        payment.action_post()
        for move in (cancelled.reversal_move_id, payment.move_id):
            gift = self._donation(move.amount_total or 700, confirm=False, move_id=move.id)
            with self.subTest(entry=move.display_name):
                with self.assertRaisesRegex(UserError, "did not receive the donation"):
                    gift.action_confirm()
                self.assertEqual(gift.state, "draft")
        goods = self._donation(400, confirm=False, method="in_kind", move_id=self._bank_entry(400).id)
        with self.assertRaisesRegex(UserError, "does not go through an account for money"):
            goods.action_confirm()
        self.assertEqual(goods.state, "draft")

    def test_gifts_confirmed_together_cannot_exceed_the_linked_entry(self):
        existing = self._bank_entry(1000)
        first = self._donation(1000, confirm=False, move_id=existing.id)
        second = self._donation(1000, confirm=False, move_id=existing.id, donor_id=self.other_donor.id)
        # selected together and confirmed at once: 2,000 on a transfer of 1,000
        with self.assertRaises(UserError) as refusal:
            (first | second).action_confirm()
        self.assertIn(self._money(1000), str(refusal.exception))
        self.assertIn(self._money(2000), str(refusal.exception))
        self.assertEqual((first.state, second.state), ("draft", "draft"))
        first.action_confirm()
        self.assertEqual(first.state, "confirmed")

    def test_a_batch_of_gifts_works_out_the_money_accounts_once(self):
        """The bank, cash, outstanding and suspense accounts take several searches to find:
        a month's gifts confirmed together find them once, not once per gift."""
        goods, income = self._account("expense"), self._account("income_other")
        general = self.company._beneficiary_general_journal()
        gifts = self.env["beneficiary.donation"].browse()
        for i in range(3):
            money = self._bank_entry(100 + i)
            gifts |= self._donation(100 + i, confirm=False, move_id=money.id)
            things = self._entry((goods, 50 + i), (income, -50 - i), journal=general)
            gifts |= self._donation(50 + i, confirm=False, method="in_kind", move_id=things.id)
            # and goods booked by the confirmation itself
            gifts |= self._donation(20 + i, confirm=False, method="in_kind", debit_account_id=goods.id)
        company_class = type(self.env["res.company"])
        real = company_class._beneficiary_money_accounts
        with patch.object(company_class, "_beneficiary_money_accounts", autospec=True, side_effect=real) as found:
            gifts.action_confirm()
        self.assertEqual(found.call_count, 1)
        self.assertEqual(set(gifts.mapped("state")), {"confirmed"})
        self.assertEqual(len(gifts.move_id), 9)

    def _account(self, account_type):
        return self.env["account.account"].search(
            [("company_ids", "in", self.company.ids), ("account_type", "=", account_type)], limit=1
        )

    def _entry(self, *lines, journal=None):
        """A posted entry of (account, balance) lines."""
        entry = self.env["account.move"].create(
            {
                "journal_id": (journal or self.company.beneficiary_donation_journal_id).id,
                "line_ids": [
                    fields.Command.create({"account_id": account.id, "balance": balance}) for account, balance in lines
                ],
            }
        )
        entry.action_post()
        return entry

    def _outstanding_receipts(self, journal):
        """The account where the journal's payments wait for the bank statement, as an
        association that registers payments sets it (Odoo leaves it empty by default)."""
        account = self.env["account.account"].create(
            {
                "name": "Outstanding Receipts (test)",
                "code": "101999",
                "account_type": "asset_current",
                "reconcile": True,
                "company_ids": self.company.ids,
            }
        )
        journal.inbound_payment_method_line_ids[:1].payment_account_id = account
        return account

    def test_a_linked_entry_received_only_what_reached_the_bank(self):
        """An entry that also books a fee or settles a bill has more debits than money received:
        only what went to the bank (or the journal's outstanding or suspense accounts) funds gifts."""
        journal = self.company.beneficiary_donation_journal_id
        income, expense, payable = self._account("income_other"), self._account("expense"), self._account("liability_payable")
        entry = self._entry(
            (journal.default_account_id, 1000), (income, -1000), (expense, 500), (payable, -500)
        )
        too_much = self._donation(1500, confirm=False, move_id=entry.id)
        with self.assertRaises(UserError) as refusal:
            too_much.action_confirm()
        self.assertIn(self._money(1000), str(refusal.exception))
        self.assertIn(self._money(1500), str(refusal.exception))
        self.assertEqual(too_much.state, "draft")
        self._donation(1000, confirm=False, move_id=entry.id, donor_id=self.other_donor.id).action_confirm()
        # a payment registered before the bank statement: its money is in the outstanding account
        outstanding = self._outstanding_receipts(journal)
        payment_entry = self._entry((outstanding, 300), (income, -300))
        gift = self._donation(300, confirm=False, move_id=payment_entry.id)
        gift.action_confirm()
        self.assertEqual(gift.state, "confirmed")
        # a statement line not yet matched: the bank against suspense
        unmatched = self._entry((journal.default_account_id, 200), (journal.suspense_account_id, -200))
        self._donation(200, confirm=False, move_id=unmatched.id).action_confirm()
        # a donor's payment registered in Odoo: with no outstanding account on the journal,
        # Community books it to the chart's Outstanding Receipts, against the donor's receivable
        journal.inbound_payment_method_line_ids.payment_account_id = False
        registered = self.env["account.payment"].create(
            {"payment_type": "inbound", "partner_type": "customer", "partner_id": self.donor.id,
             "amount": 450, "journal_id": journal.id}
        )
        registered.action_post()
        receipts = registered.outstanding_account_id
        self.assertTrue(receipts)
        self.assertNotEqual(receipts, outstanding)
        self._donation(450, confirm=False, move_id=registered.move_id.id).action_confirm()
        goods = self._donation(450, confirm=False, method="in_kind", debit_account_id=receipts.id)
        with self.assertRaisesRegex(UserError, "account for money"):
            goods.action_confirm()

    def test_an_entry_that_brought_no_money_in_funds_no_gift(self):
        """Money paid out, moved between the association's own accounts, due but not paid yet,
        or goods bought on credit, are not gifts received; nor is a cheque that bounced."""
        journal = self.company.beneficiary_donation_journal_id
        bank, suspense = journal.default_account_id, journal.suspense_account_id
        cash = self.env["account.journal"].search(
            [("company_id", "=", self.company.id), ("type", "=", "cash")], limit=1
        ).default_account_id
        self.assertTrue(cash)
        platform = self._account("asset_receivable")
        general = self.company._beneficiary_general_journal()
        income = self._account("income_other")
        for label, lines, in_journal in (
            ("paid out, not yet matched", ((suspense, 1000), (bank, -1000)), None),
            ("bank to cash", ((cash, 500), (bank, -500)), None),
            ("a platform reports a gift it has not paid out yet", ((platform, 700), (income, -700)), general),
            ("a purchase on credit", ((self._account("expense"), 300), (self._account("liability_payable"), -300)), general),
        ):
            entry = self._entry(*lines, journal=in_journal)
            gift = self._donation(abs(lines[0][1]), confirm=False, method="online", move_id=entry.id)
            with self.subTest(label):
                with self.assertRaises(UserError) as refusal:
                    gift.action_confirm()
                self.assertIn(self._money(0), str(refusal.exception))
                self.assertEqual(gift.state, "draft")
        # when the platform pays out, it keeps its fee: the donors gave the gross, when the
        # association names the account of such fees; an expense it does not name is a write-off
        fees = self._account("expense")
        payout = self._entry((bank, 680), (fees, 20), (platform, -700))
        online = self._donation(700, confirm=False, method="online", move_id=payout.id)
        with self.assertRaises(UserError) as refusal:
            online.action_confirm()
        self.assertIn(self._money(680), str(refusal.exception))
        self.company.beneficiary_fee_account_ids = fees
        online.action_confirm()
        self.assertEqual(online.state, "confirmed")
        # gifts credited to a fund kept outside income: zakat to distribute, an endowment
        for account_type in ("liability_current", "equity"):
            fund = self.env["account.account"].create(
                {"name": f"Fund {account_type} (test)", "code": f"29{len(account_type)}9",
                 "account_type": account_type, "company_ids": self.company.ids}
            )
            gift = self._donation(900, confirm=False, move_id=self._entry((bank, 900), (fund, -900)).id)
            gift.action_confirm()
            self.assertEqual(gift.state, "confirmed", account_type)
        # a cheque that bounced: its entry was reversed
        cheque = self._entry((bank, 2500), (income, -2500))
        cheque._reverse_moves([{"date": cheque.date}], cancel=True)
        bounced = self._donation(2500, confirm=False, move_id=cheque.id)
        with self.assertRaisesRegex(UserError, "was reversed"):
            bounced.action_confirm()
        self.assertEqual(bounced.state, "draft")
        # goods bought and paid from the bank were not given
        purchase = self._entry((self._account("expense"), 400), (bank, -400))
        goods = self._donation(400, confirm=False, method="in_kind", move_id=purchase.id)
        with self.assertRaisesRegex(UserError, "moves money"):
            goods.action_confirm()
        self.assertEqual(goods.state, "draft")

    def test_a_gift_in_another_currency_counts_at_the_rate_of_its_entry(self):
        """A transfer in euros booked on one day, its donation recorded the next, when the rate had
        moved: the donation is the entry's money, converted as the entry was."""
        euro = self.env["res.currency"].with_context(active_test=False).search(
            [("id", "!=", self.currency.id), ("name", "in", ("EUR", "USD"))], limit=1
        )
        euro.active = True
        booked, recorded = fields.Date.subtract(self.today, days=1), self.today
        self.env["res.currency.rate"].create(
            [
                {"currency_id": euro.id, "company_id": self.company.id, "name": booked, "rate": 0.5},
                {"currency_id": euro.id, "company_id": self.company.id, "name": recorded, "rate": 0.4},
            ]
        )
        journal = self.company.beneficiary_donation_journal_id
        entry = self.env["account.move"].create(
            {
                "journal_id": journal.id,
                "date": booked,
                "line_ids": [
                    fields.Command.create({"account_id": journal.default_account_id.id, "balance": 2000,
                                           "amount_currency": 1000, "currency_id": euro.id}),
                    fields.Command.create({"account_id": self._account("income_other").id, "balance": -2000,
                                           "amount_currency": -1000, "currency_id": euro.id}),
                ],
            }
        )
        entry.action_post()
        gift = self._donation(1000, confirm=False, currency_id=euro.id, move_id=entry.id)
        self.assertEqual(gift.date, recorded)
        gift.action_confirm()  # at the day's rate it would be 2,500 on an entry of 2,000
        self.assertEqual(gift.state, "confirmed")
        more = self._donation(1, confirm=False, currency_id=euro.id, move_id=entry.id)
        with self.assertRaises(UserError):
            more.action_confirm()

    def test_a_gift_in_another_currency_counts_at_the_bank_s_own_rate(self):
        """The bank converted 1,000 euros at its own rate, below Odoo's, and the accountant booked
        what it credited: the gift of 1,000 euros is that entry's money, not more."""
        euro = self._euro(0.5)
        journal = self.company.beneficiary_donation_journal_id
        income = self._account("income_other")
        # 1,000 euros credited as 1,950 where Odoo's rate says 2,000
        entry = self.env["account.move"].create(
            {
                "journal_id": journal.id,
                "line_ids": [
                    fields.Command.create({"account_id": journal.default_account_id.id, "balance": 1950,
                                           "amount_currency": 1000, "currency_id": euro.id}),
                    fields.Command.create({"account_id": income.id, "balance": -1950}),
                ],
            }
        )
        entry.action_post()
        too_much = self._donation(1001, confirm=False, currency_id=euro.id, move_id=entry.id)
        with self.assertRaises(UserError) as refusal:
            too_much.action_confirm()
        self.assertIn(self._money(1951.95), str(refusal.exception))
        too_much.unlink()
        gift = self._donation(1000, confirm=False, currency_id=euro.id, move_id=entry.id)
        gift.action_confirm()
        self.assertEqual(gift.state, "confirmed")
        # an entry booked in riyals only tells no rate of its own: Odoo's counts
        riyals = self._entry((journal.default_account_id, 1950), (income, -1950))
        other = self._donation(1000, confirm=False, currency_id=euro.id, move_id=riyals.id)
        with self.assertRaises(UserError) as refusal:
            other.action_confirm()
        self.assertIn(self._money(2000), str(refusal.exception))

    def _euro(self, rate):
        euro = self.env["res.currency"].with_context(active_test=False).search(
            [("id", "!=", self.currency.id), ("name", "in", ("EUR", "USD"))], limit=1
        )
        euro.active = True
        # Dated the day before the association's: an entry left to its default date is dated in
        # the user's zone, a day behind Riyadh from 21:00 UTC to midnight in Europe, and a rate of
        # today would not apply to it then.
        self.env["res.currency.rate"].create(
            {
                "currency_id": euro.id,
                "company_id": self.company.id,
                "name": fields.Date.subtract(self.today, days=1),
                "rate": rate,
            }
        )
        return euro

    def test_a_transfer_shared_among_donors_holds_their_gifts_to_the_halala(self):
        """300 euros credited as 1,234.55: three gifts of 100 euros are 411.516... each, and
        all three together exactly the transfer, not a halala over it."""
        euro = self._euro(0.25)
        journal = self.company.beneficiary_donation_journal_id
        entry = self.env["account.move"].create(
            {
                "journal_id": journal.id,
                "line_ids": [
                    fields.Command.create({"account_id": journal.default_account_id.id, "balance": 1234.55,
                                           "amount_currency": 300, "currency_id": euro.id}),
                    fields.Command.create({"account_id": self._account("income_other").id, "balance": -1234.55}),
                ],
            }
        )
        entry.action_post()
        donors = self.donor | self.other_donor | self.other_donor.copy({"name": "Third donor (test)"})
        gifts = self.env["beneficiary.donation"].browse()
        for donor in donors:
            gifts |= self._donation(100, confirm=False, currency_id=euro.id, move_id=entry.id, donor_id=donor.id)
        gifts.action_confirm()
        self.assertEqual(set(gifts.mapped("state")), {"confirmed"})
        one_cent = self._donation(0.01, confirm=False, currency_id=euro.id, move_id=entry.id)
        with self.assertRaises(UserError):
            one_cent.action_confirm()

    def test_a_statement_line_in_another_currency_gives_the_bank_s_rate(self):
        """The usual way a foreign transfer comes in: a line of the riyal bank statement, with
        the euros on it. The bank credited 1,950 for 1,000 euros, Odoo's rate says 2,000."""
        euro = self._euro(0.5)
        line = self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.company.beneficiary_donation_journal_id.id,
                "date": self.today,
                "payment_ref": "Transfer from a donor abroad",
                "amount": 1950,
                "foreign_currency_id": euro.id,
                "amount_currency": 1000,
            }
        )
        self.assertEqual(line.move_id.state, "posted")
        gift = self._donation(1000, confirm=False, currency_id=euro.id, move_id=line.move_id.id)
        gift.action_confirm()
        self.assertEqual(gift.state, "confirmed")
        more = self._donation(1, confirm=False, currency_id=euro.id, move_id=line.move_id.id)
        with self.assertRaises(UserError) as refusal:
            more.action_confirm()
        self.assertIn(self._money(1951.95), str(refusal.exception))

    def test_a_goods_entry_funds_gifts_in_kind_not_gifts_of_money(self):
        goods, income = self._account("expense"), self._account("income_other")
        entry = self._entry((goods, 400), (income, -400), journal=self.company._beneficiary_general_journal())
        cash_gift = self._donation(400, confirm=False, move_id=entry.id)
        with self.assertRaises(UserError) as refusal:
            cash_gift.action_confirm()
        self.assertIn(self._money(0), str(refusal.exception))
        self.assertEqual(cash_gift.state, "draft")
        cash_gift.unlink()
        too_much = self._donation(401, confirm=False, method="in_kind", move_id=entry.id)
        with self.assertRaisesRegex(UserError, "gifts in kind"):
            too_much.action_confirm()
        too_much.unlink()
        gift = self._donation(400, confirm=False, method="in_kind", move_id=entry.id)
        gift.action_confirm()
        self.assertEqual(gift.state, "confirmed")

    def test_a_gift_in_kind_never_goes_to_an_account_for_money(self):
        journal = self.company.beneficiary_donation_journal_id
        gift = self._donation(250, confirm=False, method="in_kind")
        # its entry is not a bank journal's
        self.assertEqual(gift.journal_id, self.company._beneficiary_general_journal())
        self.assertEqual(gift.journal_id.type, "general")
        self.assertTrue(journal.suspense_account_id)
        for account in (journal.suspense_account_id, self._outstanding_receipts(journal)):
            with self.subTest(account=account.display_name):
                gift.debit_account_id = account
                with self.assertRaises(UserError) as refusal:
                    gift.action_confirm()
                self.assertIn(account.display_name, str(refusal.exception))
                self.assertEqual(gift.state, "draft")
        # linked: a statement line still in suspense is money too
        in_suspense = self._entry((journal.suspense_account_id, 250), (self._account("income_other"), -250))
        linked = self._donation(250, confirm=False, method="in_kind", move_id=in_suspense.id)
        with self.assertRaisesRegex(UserError, "account for money"):
            linked.action_confirm()
        self.assertEqual(linked.state, "draft")
        gift.debit_account_id = self._account("expense")
        gift.action_confirm()
        self.assertEqual(gift.move_id.journal_id.type, "general")
        self.assertEqual(gift.move_id.line_ids.filtered("debit").account_id, self._account("expense"))
        # the form starts as a bank transfer: switched to goods and back, the journal follows
        switched = self._donation(100, confirm=False)
        self.assertEqual(switched.journal_id, journal)
        switched.method = "in_kind"
        self.assertEqual(switched.journal_id, self.company._beneficiary_general_journal())
        switched.method = "bank"
        self.assertEqual(switched.journal_id, journal)

    def test_a_draft_gift_in_kind_moves_to_another_association(self):
        self.other_company._beneficiary_default_accounting()
        goods = self.env["account.account"].search(
            [("company_ids", "in", self.company.ids), ("account_type", "=", "expense")], limit=1
        )
        gift = self._donation(400, confirm=False, method="in_kind", debit_account_id=goods.id)
        gift.company_id = self.other_company  # entered under the wrong association
        self.assertEqual(gift.journal_id.company_id, self.other_company)
        self.assertFalse(gift.debit_account_id, "the goods' account of the other association is cleared")

    def test_a_gift_in_kind_is_not_put_in_the_bank(self):
        gift = self._donation(400, confirm=False, method="in_kind")
        self.assertFalse(gift.debit_account_id)
        with self.assertRaises(UserError) as refusal:
            gift.action_confirm()
        self.assertIn("in kind", str(refusal.exception))
        gift.debit_account_id = self.company.beneficiary_donation_journal_id.default_account_id
        with self.assertRaises(UserError) as refusal:
            gift.action_confirm()
        self.assertIn(gift.debit_account_id.display_name, str(refusal.exception))
        goods = self.env["account.account"].search(
            [("company_ids", "in", self.company.ids), ("account_type", "=", "expense")], limit=1
        )
        gift.debit_account_id = goods
        # nor in the bank's journal, picked by hand
        bank_journal = self.company.beneficiary_donation_journal_id
        gift.journal_id = bank_journal
        with self.assertRaises(UserError) as refusal:
            gift.action_confirm()
        self.assertIn(bank_journal.name, str(refusal.exception))
        self.assertEqual((gift.state, gift.move_id.id), ("draft", False))
        self.assertEqual(gift.debit_account_id, goods, "a change of journal keeps the goods' account")
        gift.method = "cash"
        self.assertEqual(gift.debit_account_id, bank_journal.default_account_id)
        gift.method = "in_kind"  # back to goods: the general journal again, and no bank account
        self.assertEqual(gift.journal_id, self.company._beneficiary_general_journal())
        self.assertFalse(gift.debit_account_id)
        gift.debit_account_id = goods
        gift.action_confirm()
        self.assertEqual(gift.move_id.line_ids.filtered(lambda l: l.debit).account_id, goods)
        self.assertEqual(gift.move_id.journal_id.type, "general")

    def test_the_status_moves_only_through_the_buttons(self):
        donation = self._donation(1000)
        with self.assertRaises(UserError):
            donation.write({"state": "draft"})
        payment = self._payment(self.rent_request, 100)
        with self.assertRaises(UserError):
            payment.write({"state": "posted"})
        self.assertEqual((donation.state, payment.state), ("confirmed", "draft"))
        self.assertFalse(payment.move_id)

    def test_no_document_is_created_past_its_draft(self):
        """Created confirmed or posted (an import, XML-RPC), a donation would fund aid without an
        entry in the books, and a payment would be posted without its bill."""
        Donation = self.env["beneficiary.donation"].with_user(self.accountant)
        for extra in ({"state": "confirmed"}, {"name": "DON/2026/99999"}, {"move_created": True}):
            with self.subTest(extra=extra), self.assertRaisesRegex(UserError, "set only by the Confirm"):
                Donation.create(dict({"donor_id": self.donor.id, "amount": 512}, **extra))
        Payment = self.env["beneficiary.disbursement"].with_user(self.accountant)
        for extra in ({"state": "posted"}, {"move_id": self._bank_entry(10).id}):
            with self.subTest(extra=extra), self.assertRaisesRegex(UserError, "set only by the Confirm"):
                Payment.create(dict({"request_id": self.rent_request.id, "amount": 100}, **extra))
        self.assertFalse(self.env["beneficiary.donation"].search([("amount", "=", 512)]))
        self.assertFalse(self.rent_request.disbursement_ids)
        # a draft is what the form creates
        self.assertEqual(Donation.create({"donor_id": self.donor.id, "amount": 512, "state": "draft"}).state, "draft")

    def test_what_the_buttons_set_is_not_written_over(self):
        """The receipt number, the bill and whether the donation made its entry: cleared, a posted
        payment's bill could be reset and changed, and cancelling a donation would leave its
        income posted."""
        donation = self._donation(600)
        payment = self._payment(self.rent_request, 100)
        self._allocate(self._donation(100), payment, 100)
        payment.action_post()
        for record, vals in (
            (donation, {"name": "X-1"}),
            (donation, {"move_created": False}),
            (payment, {"move_id": False}),
            (payment, {"name": "X-2"}),
        ):
            with self.subTest(record=record.display_name, vals=vals), self.assertRaisesRegex(UserError, "set only by"):
                record.with_user(self.accountant).write(vals)
        self.assertTrue(donation.move_created and payment.move_id)
        # nor is a posted entry reset by writing its status instead of pressing Reset to Draft
        for move in (donation.move_id, payment.move_id):
            with self.subTest(move=move.display_name), self.assertRaises(UserError):
                move.write({"state": "draft"})
            self.assertEqual(move.state, "posted")

    def test_an_amount_below_the_halala_is_refused(self):
        """The form rounds to the halala, the API did not: a payment of 100.005 could never be
        funded exactly, one of 100.004 was posted with a bill of 100.00."""
        for amount in (100.004, 0.004):
            # (Odoo's assertRaises, not unittest's assertRaisesRegex, rolls the create back)
            with self.subTest(amount=amount), self.assertRaises(ValidationError) as caught:
                self.env["beneficiary.disbursement"].with_user(self.accountant).create(
                    {"request_id": self.rent_request.id, "amount": amount}
                )
            self.assertIn("fraction of its smallest unit", str(caught.exception))
        self.assertFalse(self.env["beneficiary.disbursement"].search([("request_id", "=", self.rent_request.id)]))

    def test_restricted_money_stays_restricted(self):
        """Deleted, a restriction or a program was emptied by the database behind the donation's
        lock, and the money it held could pay for any aid."""
        donation = self._donation(1000, restriction=self.rent_only)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.rent_only.unlink()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.winter.unlink()
        self.assertEqual(donation.restriction_id, self.rent_only)
        self.assertEqual(self.winter_only.program_id, self.winter)
        # the fund's analytic account carries its entries: fixed once money went through it
        other = self.medicines_only.analytic_account_id
        with self.assertRaisesRegex(UserError, "no longer changes"):
            self.rent_only.with_user(self.accountant).write({"analytic_account_id": other.id})
        self.assertNotEqual(self.rent_only.analytic_account_id, other)

    def test_accounting_cannot_undo_a_confirmed_donations_entry(self):
        donation = self._donation(600)
        entry = donation.move_id
        self._assert_accounting_cannot_undo(entry, donation)
        self.assertEqual((entry.state, donation.state), ("posted", "confirmed"))
        self.assertEqual(donation.remaining_amount, 600)
        # cancelling the donation still reverses its entry
        donation.action_cancel()
        self.assertEqual(donation.state, "cancelled")
        self.assertEqual(donation.reversal_move_id.reversed_entry_id, entry)

    def test_a_linked_bank_entry_stays_while_its_donation_is_confirmed(self):
        existing = self._bank_entry(1000)
        donation = self._donation(1000, confirm=False, move_id=existing.id)
        donation.action_confirm()
        with self.assertRaises(UserError) as refusal:
            existing.button_draft()
        self.assertIn(donation.name, str(refusal.exception))
        self.assertEqual(existing.state, "posted")
        # once the donation is cancelled, the entry is accounting's again
        donation.action_cancel()
        existing.button_draft()
        self.assertEqual(existing.state, "draft")

    def test_a_donation_entry_reset_to_draft_is_cancelled_with_it(self):
        donation = self._donation(600)
        # an entry reset before such entries were protected
        donation.move_id.with_context(**{UNDO_ENTRY: True}).button_draft()
        donation.action_cancel()
        self.assertEqual(donation.move_id.state, "cancel")
        self.assertFalse(donation.reversal_move_id)

    def test_missing_settings_are_named(self):
        self.company.beneficiary_donation_account_id = False
        donation = self._donation(100, confirm=False)
        with self.assertRaises(UserError) as refusal:
            donation.action_confirm()
        self.assertIn("donations income account", str(refusal.exception))
        self.assertEqual(donation.state, "draft")
        self.assertFalse(donation.move_id)

    def test_cancelling_a_donation_reverses_its_entry(self):
        donation = self._donation(3000, self.winter_only)
        donation.action_cancel()
        self.assertEqual(donation.state, "cancelled")
        reversal = donation.reversal_move_id
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(reversal.reversed_entry_id, donation.move_id)
        income = self._lines(reversal)[self.company.beneficiary_donation_account_id]
        self.assertEqual(income.debit, 3000)
        self.assertEqual(income.analytic_distribution, {str(self.winter_only.analytic_account_id.id): 100})
        balance = sum((donation.move_id | reversal).line_ids.filtered(lambda l: l.account_id == income.account_id).mapped("balance"))
        self.assertEqual(balance, 0)

    def test_a_donation_that_funds_aid_cannot_be_cancelled(self):
        donation = self._donation(3000)
        payment = self._payment(self.rent_request, 1000)
        self._allocate(donation, payment, 1000)
        with self.assertRaises(UserError) as refusal:
            donation.action_cancel()
        self.assertIn(self.rent_request.name, str(refusal.exception))
        self.assertEqual(donation.state, "confirmed")
        self.assertFalse(donation.reversal_move_id)

    def test_a_confirmed_donation_keeps_its_amount(self):
        donation = self._donation(3000)
        with self.assertRaises(UserError) as refusal:
            donation.amount = 2000
        self.assertIn(donation.name, str(refusal.exception))
        with self.assertRaises(UserError):
            donation.restriction_id = self.rent_only
        donation.note = "Thanked by phone."  # notes stay free
        self.assertEqual(donation.amount, 3000)
        with self.assertRaises(UserError):
            donation.unlink()

    def _post_paid_by_rent_and_general(self, amount, from_rent):
        """Post aid of `amount` on the rent request, to the landlord: `from_rent` paid by the
        rent fund, the rest by a general donation."""
        payment = self._payment(self.rent_request, amount, payee_type="supplier", partner_id=self.landlord.id)
        self._allocate(self._donation(from_rent, self.rent_only), payment, from_rent)
        self._allocate(self._donation(9000), payment, amount - from_rent)
        payment.action_post()
        return payment

    def test_posting_a_payment_creates_its_bill_with_the_funds_analytics(self):
        payment = self._post_paid_by_rent_and_general(5000, from_rent=3000)

        self.assertEqual(payment.state, "posted")
        self.assertTrue(payment.name.startswith("AID/"))
        bill = payment.move_id
        self.assertEqual((bill.move_type, bill.state), ("in_invoice", "posted"))
        self.assertEqual(bill.partner_id, self.landlord)
        self.assertEqual(bill.amount_total, 5000)
        self.assertEqual(bill.ref, payment.name)
        lines = bill.invoice_line_ids
        self.assertEqual(lines.account_id, self.company.beneficiary_aid_account_id)
        self.assertTrue(all(self.rent_request.name in line.name for line in lines))
        # a line for what the rent fund paid, on its analytic account; the general fund's has none
        rent = self.rent_only.analytic_account_id
        self.assertEqual(
            sorted((line.price_subtotal, line.analytic_distribution or {}) for line in lines),
            [(2000, {}), (3000, {str(rent.id): 100})],
        )
        # Odoo's analytic accounting shows the restricted fund's spending
        rent.invalidate_recordset()
        self.assertEqual(rent.debit, 3000)

    def test_a_fund_s_analytic_spending_is_what_it_paid_to_the_halala(self):
        """A third of a payment: as a share in percent (two decimals), 1,000 would book 999.90."""
        payment = self._post_paid_by_rent_and_general(3000, from_rent=1000)
        self.assertEqual(payment.move_id.amount_total, 3000)
        rent = self.rent_only.analytic_account_id
        rent.invalidate_recordset()
        self.assertEqual(rent.debit, 1000)
        analytic = self.env["account.analytic.line"].search([("move_line_id.move_id", "=", payment.move_id.id)])
        self.assertEqual(analytic.mapped("amount"), [-1000])

    def test_aid_paid_on_a_request_stays_within_what_the_committee_approved(self):
        """The rent request asked for 5,000 and was approved for that: no more is paid on it."""
        donation = self._donation(9000)
        payments = {}
        for key, amount in (("first", 3000), ("too_much", 2500), ("a", 1500), ("b", 1000)):
            payments[key] = self._payment(self.rent_request, amount)
            self._allocate(donation, payments[key], amount)
        payments["first"].action_post()
        with self.assertRaises(UserError) as caught:
            payments["too_much"].action_post()
        self.assertIn("5,500.00, more than the", str(caught.exception))
        self.assertIn("more than the", str(caught.exception))
        # two drafts posted together count together
        with self.assertRaises(UserError):
            (payments["a"] | payments["b"]).action_post()
        self.assertEqual({payment.state for key, payment in payments.items() if key != "first"}, {"draft"})
        payments["a"].action_post()  # 4,500 of the 5,000
        self.assertEqual(payments["a"].state, "posted")

    def test_a_payment_goes_to_the_beneficiary_by_default(self):
        payment = self._payment(self.rent_request, 100)
        self.assertEqual(payment.partner_id, self.beneficiary.partner_id)

    def test_an_unfunded_payment_is_not_posted(self):
        payment = self._payment(self.rent_request, 5000)
        self._allocate(self._donation(4200), payment, 4200)
        with self.assertRaises(UserError) as refusal:
            payment.action_post()
        message = str(refusal.exception)
        self.assertIn(self._money(800), message)
        self.assertIn(self._money(5000), message)
        self.assertEqual(payment.state, "draft")
        self.assertFalse(payment.move_id)

    def test_cancelling_a_payment_reverses_its_bill(self):
        payment = self._payment(self.rent_request, 1000)
        self._allocate(self._donation(1000), payment, 1000)
        payment.action_post()
        payment.action_cancel()
        self.assertEqual(payment.state, "cancelled")
        credit_note = payment.reversal_move_id
        self.assertEqual((credit_note.move_type, credit_note.state), ("in_refund", "posted"))
        self.assertEqual(payment.move_id.payment_state, "reversed")

    def _reverse_in_accounting(self, move):
        """The accountant's Reverse button on the entry, with its wizard."""
        return (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "date": move.date})
            .refund_moves()
        )

    def _assert_accounting_cannot_undo(self, move, document):
        """Reset to draft, cancel and reverse are refused, naming the entry and
        the donation or payment to cancel instead."""
        for undo in (move.button_draft, move.button_cancel, lambda: self._reverse_in_accounting(move)):
            with self.assertRaises(UserError) as refusal:
                undo()
            self.assertIn(document.name, str(refusal.exception))
            self.assertIn(move.name, str(refusal.exception))

    def test_accounting_cannot_undo_a_posted_payments_bill(self):
        donation = self._donation(1000)
        payment = self._payment(self.rent_request, 1000)
        self._allocate(donation, payment, 1000)
        payment.action_post()
        bill = payment.move_id
        self._assert_accounting_cannot_undo(bill, payment)
        self.assertEqual((bill.state, payment.state), ("posted", "posted"))
        self.assertEqual(donation.remaining_amount, 0)
        # cancelling the aid payment still reverses its bill
        payment.action_cancel()
        self.assertEqual(payment.state, "cancelled")
        self.assertEqual(payment.reversal_move_id.state, "posted")
        self.assertEqual(bill.payment_state, "reversed")
        self.assertEqual(donation.remaining_amount, 1000)

    def test_a_bill_reset_to_draft_is_cancelled_with_the_payment(self):
        payment = self._payment(self.rent_request, 1000)
        self._allocate(self._donation(1000), payment, 1000)
        payment.action_post()
        # a bill reset before such bills were protected
        payment.move_id.with_context(**{UNDO_ENTRY: True}).button_draft()
        payment.action_cancel()
        self.assertEqual(payment.move_id.state, "cancel")
        self.assertEqual(payment.allocation_ids.state, "cancelled")

    def test_a_bill_reversed_in_accounting_still_lets_the_payment_be_cancelled(self):
        donation = self._donation(1000)
        payment = self._payment(self.rent_request, 1000)
        self._allocate(donation, payment, 1000)
        payment.action_post()
        # a bill reversed before such bills were protected
        credit_note = payment.move_id.with_context(**{UNDO_ENTRY: True})._reverse_moves(
            [{"date": payment.move_id.date, "invoice_date": payment.move_id.date}], cancel=True
        )
        payment.action_cancel()
        self.assertEqual(payment.state, "cancelled")
        self.assertEqual(payment.reversal_move_id, credit_note)
        self.assertEqual(donation.remaining_amount, 1000)

    def _vendor_document(self, move_type, like, amount):
        """A posted bill or credit note made in accounting for the partner, journal and date of `like`."""
        document = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": like.partner_id.id,
                "invoice_date": like.invoice_date,
                "journal_id": like.journal_id.id,
                "invoice_line_ids": [
                    fields.Command.create(
                        {"name": move_type, "account_id": self.company.beneficiary_aid_account_id.id,
                         "quantity": 1, "price_unit": amount, "tax_ids": [fields.Command.clear()]}
                    )
                ],
            }
        )
        document.action_post()
        return document

    def test_a_credit_note_does_not_settle_an_aid_bill(self):
        """Matched by hand with a credit note, the bill read as paid while the aid payment stayed
        posted and kept its donation's money."""
        donation = self._donation(1000)
        payment = self._payment(self.rent_request, 1000)
        self._allocate(donation, payment, 1000)
        payment.action_post()
        bill = payment.move_id
        credit_note = self._vendor_document("in_refund", bill, 1000)
        payable = credit_note.line_ids.filtered(lambda line: line.account_id.account_type == "liability_payable")
        with self.assertRaises(UserError) as refusal:
            bill.js_assign_outstanding_line(payable.id)
        self.assertIn(payment.display_name, str(refusal.exception))
        self.assertIn(credit_note.name, str(refusal.exception))
        with self.assertRaises(UserError):
            (payable | bill.line_ids.filtered(lambda line: line.account_id == payable.account_id)).reconcile()
        self.assertEqual(bill.payment_state, "not_paid")
        self.assertFalse(payable.reconciled)
        # the way that works: cancelling the payment reverses the bill and frees the money
        payment.action_cancel()
        self.assertEqual(bill.payment_state, "reversed")
        self.assertEqual(donation.remaining_amount, 1000)
        # and the credit note, no longer against a posted aid payment's bill, is free to match
        other_bill = self._vendor_document("in_invoice", bill, 1000)
        other_bill.js_assign_outstanding_line(payable.id)
        self.assertTrue(payable.reconciled)
        self.assertEqual(other_bill.amount_residual, 0)

    def test_a_paid_bill_must_be_unpaid_before_cancelling(self):
        payment = self._payment(self.rent_request, 1000)
        self._allocate(self._donation(1000), payment, 1000)
        payment.action_post()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=payment.move_id.ids
        ).create({}).action_create_payments()
        self.assertIn(payment.move_id.payment_state, ("paid", "in_payment"))
        with self.assertRaises(UserError) as refusal:
            payment.action_cancel()
        self.assertIn(payment.move_id.name, str(refusal.exception))
        self.assertEqual(payment.state, "posted")

    def test_only_approved_requests_are_paid(self):
        pending = self._request(aid_type_id=self.rent.id)
        with self.assertRaises(ValidationError) as refusal:  # not even a draft
            self._payment(pending, 100)
        self.assertIn(pending.name, str(refusal.exception))
        self.assertIn("not approved by the committee", str(refusal.exception))
