from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FundingCase


@tagged("post_install", "-at_install")
class TestAutoAllocate(FundingCase):
    def _funding(self, payment):
        return [(a.donation_id, a.amount) for a in payment.allocation_ids.sorted(lambda a: (a.donation_id.date, a.donation_id.id))]

    def test_restricted_money_first_oldest_first_then_unrestricted(self):
        general_old = self._donation(10000, days_ago=60)
        rent_new = self._donation(1000, self.rent_only, days_ago=5)
        rent_old = self._donation(1500, self.rent_only, days_ago=30)
        medicines = self._donation(9000, self.medicines_only, days_ago=90)
        payment = self._payment(self.rent_request, 5000)

        payment.action_auto_allocate()

        amounts = {a.donation_id: a.amount for a in payment.allocation_ids}
        self.assertEqual(amounts, {rent_old: 1500, rent_new: 1000, general_old: 2500})
        self.assertNotIn(medicines, amounts)
        self.assertEqual(payment.funding_state, "funded")
        self.assertEqual((rent_old.remaining_amount, rent_new.remaining_amount), (0, 0))
        self.assertEqual(general_old.remaining_amount, 7500)

    def test_it_never_exceeds_a_balance_and_leaves_the_rest_unfunded(self):
        first = self._donation(700, days_ago=3)
        second = self._donation(800, days_ago=2)
        payment = self._payment(self.rent_request, 5000)
        payment.action_auto_allocate()
        self.assertEqual({a.donation_id: a.amount for a in payment.allocation_ids}, {first: 700, second: 800})
        self.assertEqual(payment.unfunded_amount, 3500)
        self.assertEqual(payment.funding_state, "partial")

    def test_it_completes_an_allocation_already_made(self):
        donation = self._donation(5000)
        payment = self._payment(self.rent_request, 3000)
        self._allocate(donation, payment, 1000)
        payment.action_auto_allocate()
        self.assertEqual(len(payment.allocation_ids), 1)
        self.assertEqual(payment.allocation_ids.amount, 3000)
        self.assertEqual(donation.remaining_amount, 2000)

    def test_two_payments_share_what_is_left(self):
        donation = self._donation(6000)
        rent = self._payment(self.rent_request, 5000)
        medicines = self._payment(self.medicines_request, 1500)
        (rent | medicines).action_auto_allocate()
        self.assertEqual(rent.funded_amount, 5000)
        self.assertEqual(medicines.funded_amount, 1000)
        self.assertEqual(donation.remaining_amount, 0)

    def test_no_eligible_money_is_said_clearly_and_changes_nothing(self):
        self._donation(9000, self.medicines_only)
        self._donation(500, confirm=False)
        payment = self._payment(self.rent_request, 5000)
        with self.assertRaises(UserError) as refusal:
            payment.action_auto_allocate()
        self.assertIn("Rent (test)", str(refusal.exception))
        self.assertFalse(payment.allocation_ids)

    def test_only_a_draft_payment_is_allocated(self):
        self._donation(9000)
        payment = self._payment(self.rent_request, 5000)
        payment.action_auto_allocate()
        payment.action_post()
        with self.assertRaises(UserError):
            payment.action_auto_allocate()
