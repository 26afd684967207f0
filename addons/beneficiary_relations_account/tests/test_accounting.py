from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

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
        year = fields.Date.today().year
        self.assertEqual(first.name, f"DON/{year}/00001")
        self.assertEqual(second.name, f"DON/{year}/00002")

    def test_an_unrestricted_donation_carries_no_analytic_account(self):
        donation = self._donation(500)
        self.assertFalse(any(donation.move_id.line_ids.mapped("analytic_distribution")))

    def test_linking_an_entry_already_posted(self):
        existing = self._donation(750).move_id
        donation = self._donation(750, confirm=False, move_id=existing.id)
        moves_before = self.env["account.move"].search_count([])
        donation.action_confirm()
        self.assertEqual(donation.move_id, existing)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        # cancelling leaves an entry it did not create alone
        donation.action_cancel()
        self.assertEqual(existing.state, "posted")
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

    def test_posting_a_payment_creates_its_bill_with_the_funds_analytics(self):
        restricted = self._donation(3000, self.rent_only)
        general = self._donation(9000)
        payment = self._payment(self.rent_request, 5000, payee_type="supplier", partner_id=self.landlord.id)
        self._allocate(restricted, payment, 3000)
        self._allocate(general, payment, 2000)
        payment.action_post()

        self.assertEqual(payment.state, "posted")
        self.assertTrue(payment.name.startswith("AID/"))
        bill = payment.move_id
        self.assertEqual((bill.move_type, bill.state), ("in_invoice", "posted"))
        self.assertEqual(bill.partner_id, self.landlord)
        self.assertEqual(bill.amount_total, 5000)
        self.assertEqual(bill.ref, payment.name)
        line = bill.invoice_line_ids
        self.assertEqual(line.account_id, self.company.beneficiary_aid_account_id)
        self.assertIn(self.rent_request.name, line.name)
        # 60% of this aid was paid by the rent fund; the general fund carries no analytic account
        self.assertEqual(line.analytic_distribution, {str(self.rent_only.analytic_account_id.id): 60.0})
        # Odoo's analytic accounting shows the restricted fund's spending
        self.rent_only.analytic_account_id.invalidate_recordset()
        self.assertEqual(self.rent_only.analytic_account_id.debit, 3000)

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
        payment = self._payment(pending, 100)
        self._allocate(self._donation(100), payment, 100)
        with self.assertRaises(UserError) as refusal:
            payment.action_post()
        self.assertIn(pending.name, str(refusal.exception))
