import re

from odoo.tests import tagged

from .common import FundingCase

REPORT = "beneficiary_relations_account.report_donor_statement"


@tagged("post_install", "-at_install")
class TestDonorStatement(FundingCase):
    def setUp(self):
        super().setUp()
        self.gift = self._donation(8000, self.rent_only)
        self.general = self._donation(1000)
        payment = self._payment(self.rent_request, 5000)
        self._allocate(self.gift, payment, 5000)
        payment.action_post()
        # a draft payment is not yet something the gift paid for
        self._allocate(self.gift, self._payment(self.rent_request, 700), 700)

    def _render(self, donations):
        html, _kind = self.env["ir.actions.report"].with_user(self.accountant)._render_qweb_html(REPORT, donations.ids)
        # the text a reader sees: amounts are split over several tags
        return re.sub(r"<[^>]+>", "", html.decode())

    def test_the_statement_says_what_each_gift_paid_for_without_naming_anyone(self):
        html = self._render(self.gift | self.general)
        self.assertIn(self.donor.name, html)
        self.assertIn(self.gift.name, html)
        self.assertIn("Rent fund (test)", html)
        self.assertIn("Rent (test)", html)
        self.assertIn("Any aid (unrestricted)", html)
        self.assertIn("Not used yet.", html)
        self.assertNotIn(self.beneficiary.name, html)
        self.assertNotIn(self.beneficiary.identity_number, html)
        self.assertNotIn(self.rent_request.name, html)
        # paid 5,000, set aside 700 for a payment not posted yet, 2,300 left
        self.assertIn(self._money(5000), html)
        self.assertIn(self._money(700), html)
        self.assertIn(self._money(2300), html)
        self.assertIn("Set aside for approved aid", html)

    def test_the_request_number_only_when_the_association_allows_it(self):
        self.company.beneficiary_statement_detail = "request"
        html = self._render(self.gift)
        self.assertIn(self.rent_request.name, html)
        self.assertNotIn(self.beneficiary.name, html)

    def test_one_statement_per_donor(self):
        other = self._donation(300, donor_id=self.other_donor.id)
        html = self._render(self.gift | other)
        self.assertIn(self.donor.name, html)
        self.assertIn(self.other_donor.name, html)
        self.assertEqual(html.count("Donor Statement"), 2)

    def test_a_donor_of_two_associations_gets_a_statement_from_each(self):
        """Printed together by someone who works for both, each association's gifts come under its
        own letterhead, never under the other's."""
        self.other_company._beneficiary_default_accounting()
        theirs = self.env["beneficiary.donation"].with_company(self.other_company).create(
            {"donor_id": self.donor.id, "company_id": self.other_company.id, "amount": 250}
        )
        theirs.action_confirm()
        both = (self.company | self.other_company).ids
        html, _kind = self.env["ir.actions.report"].with_context(allowed_company_ids=both)._render_qweb_html(
            REPORT, (self.general | theirs).ids
        )
        text = re.sub(r"<[^>]+>", "", html.decode())
        self.assertEqual(text.count("Donor Statement"), 2, "one statement per association")
        self.assertIn(self.other_company.name, text)
        self.assertIn(self.company.name, text)

    def test_a_donor_language_not_active_gives_the_users(self):
        Lang = self.env["res.lang"].with_context(active_test=False)
        inactive = Lang.search([("code", "=", "ar_001"), ("active", "=", False)]) or Lang.search(
            [("active", "=", False)], limit=1
        )
        self.assertTrue(inactive)
        # a language the database no longer has active (the partner form would not offer it)
        self.env.cr.execute("UPDATE res_partner SET lang = %s WHERE id = %s", [inactive.code, self.donor.id])
        self.donor.invalidate_recordset(["lang"])
        html = self._render(self.gift)
        self.assertEqual(self.accountant.lang, "en_US")
        self.assertIn("Donor Statement", html)
        self.assertIn(self.gift.name, html)
