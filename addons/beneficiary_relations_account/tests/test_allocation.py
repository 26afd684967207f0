from datetime import timedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.beneficiary_relations.policy import saudi_id

from .common import FundingCase


@tagged("post_install", "-at_install")
class TestAllocation(FundingCase):
    def test_partial_and_multiple_allocations(self):
        older = self._donation(2000, days_ago=10)
        newer = self._donation(10000, self.rent_only)
        payment = self._payment(self.rent_request, 5000)
        self.assertEqual(payment.funding_state, "none")

        self._allocate(older, payment, 2000)
        self.assertEqual(payment.funding_state, "partial")
        self.assertEqual(payment.unfunded_amount, 3000)
        self.assertEqual(self.rent_request.funding_state, "partial")

        self._allocate(newer, payment, 3000)
        self.assertEqual(payment.funding_state, "funded")
        self.assertEqual(payment.unfunded_amount, 0)
        self.assertEqual((older.allocated_amount, older.remaining_amount), (2000, 0))
        self.assertEqual((newer.allocated_amount, newer.remaining_amount), (3000, 7000))
        self.assertEqual(self.rent_request.funding_state, "funded")

    def test_more_than_the_donation_has_left_is_refused_with_the_numbers(self):
        donation = self._donation(1000)
        first = self._payment(self.rent_request, 700)
        self._allocate(donation, first, 700)
        second = self._payment(self.rent_request, 800)
        with self.assertRaises(ValidationError) as refusal:
            self._allocate(donation, second, 800)
        message = str(refusal.exception)
        self.assertIn(donation.name, message)
        self.assertIn(self._money(300), message)
        self.assertIn(self._money(800), message)
        self.assertEqual(donation.remaining_amount, 300)
        self.assertFalse(second.allocation_ids)

    def test_more_than_the_payment_still_needs_is_refused_with_the_numbers(self):
        donation = self._donation(9000)
        payment = self._payment(self.rent_request, 5000)
        self._allocate(self._donation(4000), payment, 4000)
        with self.assertRaises(ValidationError) as refusal:
            self._allocate(donation, payment, 1500)
        message = str(refusal.exception)
        self.assertIn(self.rent_request.name, message)
        self.assertIn(self._money(1000), message)
        self.assertIn(self._money(1500), message)
        self.assertEqual(donation.remaining_amount, 9000)

    def test_a_restricted_donation_cannot_fund_other_aid(self):
        donation = self._donation(3000, self.medicines_only)
        payment = self._payment(self.rent_request, 1000)
        with self.assertRaises(ValidationError) as refusal:
            self._allocate(donation, payment, 1000)
        message = str(refusal.exception)
        self.assertIn("Medicines fund (test)", message)
        self.assertIn(self.rent_request.name, message)
        self.assertIn("Rent (test)", message)
        self.assertEqual(donation.remaining_amount, 3000)
        # the same donation funds the aid it was given for
        self._allocate(donation, self._payment(self.medicines_request, 1000), 1000)
        self.assertEqual(donation.remaining_amount, 2000)

    def test_a_program_restriction_needs_a_request_of_that_program(self):
        donation = self._donation(3000, self.winter_only)
        with self.assertRaises(ValidationError):
            self._allocate(donation, self._payment(self.rent_request, 500), 500)
        winter_request = self._approved_request(self.rent, 500, program=self.winter)
        self._allocate(donation, self._payment(winter_request, 500), 500)
        self.assertEqual(donation.remaining_amount, 2500)

    def test_another_currency_is_refused(self):
        other = self.env["res.currency"].with_context(active_test=False).search(
            [("id", "!=", self.currency.id), ("name", "in", ("EUR", "USD"))], limit=1
        )
        other.active = True
        donation = self._donation(1000, currency_id=other.id)
        with self.assertRaises(ValidationError) as refusal:
            self._allocate(donation, self._payment(self.rent_request, 500), 500)
        message = str(refusal.exception)
        self.assertIn(other.name, message)
        self.assertIn(self.currency.name, message)

    def test_a_draft_donation_funds_nothing(self):
        donation = self._donation(1000, confirm=False)
        with self.assertRaises(ValidationError):
            self._allocate(donation, self._payment(self.rent_request, 500), 500)

    def test_zero_or_negative_amounts_are_refused(self):
        donation = self._donation(1000)
        payment = self._payment(self.rent_request, 500)
        for amount in (0, -10):
            with self.assertRaises(ValidationError) as refusal:
                self._allocate(donation, payment, amount)
            self.assertIn("more than zero", str(refusal.exception))
        self.assertEqual(donation.remaining_amount, 1000)

    def test_nothing_changes_once_the_payment_is_posted(self):
        donation = self._donation(6000)
        payment = self._payment(self.rent_request, 5000)
        allocation = self._allocate(donation, payment, 5000)
        payment.action_post()
        with self.assertRaises(UserError) as refusal:
            allocation.amount = 4000
        self.assertIn(payment.name, str(refusal.exception))
        with self.assertRaises(UserError):
            allocation.unlink()
        with self.assertRaises(UserError):
            self._allocate(self._donation(100), payment, 100)
        with self.assertRaises(UserError):
            payment.amount = 4000
        self.assertEqual((allocation.amount, payment.amount, donation.remaining_amount), (5000, 5000, 1000))

    def test_a_funded_payment_cannot_shrink_below_its_funding(self):
        donation = self._donation(1000)
        payment = self._payment(self.rent_request, 1000)
        self._allocate(donation, payment, 1000)
        with self.assertRaises(ValidationError) as refusal:
            payment.amount = 100
        self.assertIn(self._money(1000), str(refusal.exception))
        self.assertEqual((payment.amount, donation.remaining_amount), (1000, 0))

    def test_a_payment_keeps_to_what_its_donations_allow(self):
        donation = self._donation(1000, self.rent_only)
        payment = self._payment(self.rent_request, 1000)
        self._allocate(donation, payment, 1000)
        # moved to a request for other aid
        with self.assertRaises(ValidationError):
            payment.request_id = self.medicines_request
        # the request's aid type changed under it
        with self.assertRaises(ValidationError):
            self.rent_request.aid_type_id = self.medicines
        # the restriction narrowed after the fact
        with self.assertRaises(ValidationError):
            self.rent_only.aid_type_ids = [Command.set(self.medicines.ids)]
        self.assertEqual(payment.request_id, self.rent_request)
        self.assertEqual(self.rent_request.aid_type_id, self.rent)
        self.assertEqual(self.rent_only.aid_type_ids, self.rent)

    def test_a_payment_cannot_take_its_donations_to_another_association(self):
        other = self.other_company
        chair_b = self._user("acc_chair_b", ["committee"], company=other)
        committee_b = self._committee(other, [chair_b], quorum=1)
        beneficiary_b = self.env["beneficiary.beneficiary"].create(
            {
                "name": "Health Applicant (test)",
                "identity_number": saudi_id.complete("298765432"),
                "identity_expiry": self.today + timedelta(days=300),
                "company_id": other.id,
            }
        )
        aid_type_b = self.env["beneficiary.aid.type"].create({"name": "Rent (other, test)", "company_id": other.id})
        request_b = self._request(
            beneficiary_id=beneficiary_b.id, company_id=other.id, aid_type_id=aid_type_b.id, officer_id=False
        )
        self._advance(request_b, "committee", committee=committee_b)
        # the chair works in their own association
        request_b_there = request_b.with_context(allowed_company_ids=other.ids)
        self._vote(request_b_there, chair_b, "approve")
        request_b_there.with_user(chair_b).action_close_vote()
        self.assertEqual(request_b.decision, "approved")

        donation = self._donation(1000)
        payment = self._payment(self.rent_request, 1000)
        self._allocate(donation, payment, 1000)
        # moved to the other association's approved request, with this one's donation
        with self.assertRaises(ValidationError) as refusal:
            payment.request_id = request_b
        message = str(refusal.exception)
        self.assertIn(donation.name, message)
        self.assertIn(self.company.name, message)
        self.assertIn(other.name, message)
        self.assertEqual(payment.request_id, self.rent_request)
        self.assertEqual(payment.company_id, self.company)

    def test_a_paid_request_keeps_its_aid_type(self):
        payment = self._payment(self.rent_request, 500)
        self._allocate(self._donation(500), payment, 500)
        payment.action_post()
        with self.assertRaises(UserError) as refusal:  # decided on: nobody changes it
            self.rent_request.with_user(self.manager).aid_type_id = self.medicines
        self.assertIn("no longer change", str(refusal.exception))
        with self.assertRaises(ValidationError) as refusal:  # and below that, the funds' own guard
            self.rent_request.aid_type_id = self.medicines
        self.assertIn(payment.name, str(refusal.exception))

    def test_cancelling_the_payment_frees_the_donation(self):
        donation = self._donation(6000)
        payment = self._payment(self.rent_request, 5000)
        self._allocate(donation, payment, 5000)
        payment.action_post()
        payment.action_cancel()
        self.assertEqual(donation.remaining_amount, 6000)
        self.assertEqual(self.rent_request.funding_state, "none")
