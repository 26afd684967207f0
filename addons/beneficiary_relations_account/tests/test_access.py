from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.beneficiary_relations.policy import saudi_id

from ..hooks import ACCOUNTING_GROUPS, post_init_hook
from .common import FundingCase


@tagged("post_install", "-at_install")
class TestFundingAccess(FundingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_accountant = cls._user("h4_accountant_other", ["accountant"], company=cls.other_company)

    def test_the_accountant_records_funds_and_pays_aid(self):
        Donation = self.env["beneficiary.donation"].with_user(self.accountant)
        donation = Donation.create({"donor_id": self.donor.id, "amount": 2000})
        donation.action_confirm()
        payment = self.env["beneficiary.disbursement"].with_user(self.accountant).create(
            {"request_id": self.rent_request.id, "amount": 2000}
        )
        payment.action_auto_allocate()
        payment.action_post()
        self.assertEqual(payment.move_id.state, "posted")
        self.assertEqual(donation.remaining_amount, 0)
        # the accountant reads what funded the request
        self.assertEqual(self.rent_request.with_user(self.accountant).funded_amount, 2000)

    def test_officers_see_only_whether_a_request_is_funded(self):
        payment = self._payment(self.rent_request, 5000)
        self._allocate(self._donation(5000), payment, 5000)
        request = self.rent_request.with_user(self.officer)
        self.assertEqual(request.funding_state, "funded")
        for field in ("funded_amount", "disbursement_ids"):
            with self.assertRaises(AccessError):
                request.read([field])
        for model in ("beneficiary.donation", "beneficiary.disbursement", "beneficiary.aid.allocation"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.officer).search([])

    def test_committee_members_never_see_donors(self):
        payment = self._payment(self.rent_request, 5000)
        self._allocate(self._donation(5000), payment, 5000)
        for model in ("beneficiary.donation", "beneficiary.aid.allocation", "beneficiary.fund.restriction"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.chair).search_read([], ["display_name"])
        with self.assertRaises(AccessError):
            self.rent_request.with_user(self.chair).read(["disbursement_ids"])
        # the form they open shows no payment page
        arch = self.env["beneficiary.request"].with_user(self.chair).get_view(view_type="form")["arch"]
        self.assertNotIn("disbursement_ids", arch)
        self.assertIn("funding_state", arch)

    def test_managers_see_the_funds_and_researchers_do_not(self):
        donation = self._donation(700)
        self.assertEqual(self.env["beneficiary.donation"].with_user(self.manager).search([]), donation)
        self.assertEqual(self.rent_request.with_user(self.manager).funded_amount, 0)
        for model in ("beneficiary.donation", "beneficiary.disbursement", "beneficiary.aid.allocation"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.researcher).search([])

    def test_installing_takes_odoo_s_accounting_rights_back_from_the_staff_roles(self):
        """Odoo's Accounting, at its install, makes every internal user its administrator: the
        officer and the committee would read every donor in the journal entries."""
        accounting = self.env["res.groups"].browse(self.env.ref(xmlid).id for xmlid in ACCOUNTING_GROUPS)
        administrator = self.env.ref("account.group_account_manager")
        storekeeper = self.env["res.users"].create({
            "name": "Storekeeper (test)", "login": "h7_storekeeper",
            "groups_id": [Command.set([self.env.ref("base.group_user").id])],
        })
        staff = self.officer | self.researcher | self.chair
        everyone = staff | self.accountant | self.manager | storekeeper
        everyone.write({"groups_id": [Command.link(administrator.id)]})  # what Accounting's install does
        self._donation(1200)
        self.assertTrue(self.env["account.move"].with_user(self.chair).search_read([], ["partner_id"]))

        post_init_hook(self.env)

        for user in staff:
            self.assertFalse(user.groups_id & accounting, user.login)
            for model in ("account.move", "account.move.line"):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(user).search_read([], ["partner_id"])
        for user in (self.accountant, self.manager, storekeeper):  # their rights are theirs to keep
            self.assertIn(administrator, user.groups_id, user.login)
        # a user made later on the Users screen, with the template's groups, is no administrator
        newcomer = self.env["res.users"].create({"name": "New officer (test)", "login": "h7_newcomer"})
        self.assertIn(self.env.ref("base.group_user"), newcomer.groups_id)
        self.assertFalse(newcomer.groups_id & accounting)

    def test_no_payment_on_a_request_the_committee_did_not_approve(self):
        """A draft payment shows its request's applicant and aid type: an accountant who may read
        approved requests only must not reach the others through one."""
        pending = self._request(aid_type_id=self.medicines.id, requested_amount=900)
        self._advance(pending, "committee")
        Payment = self.env["beneficiary.disbursement"]
        with self.assertRaises(AccessError):
            Payment.with_user(self.accountant).create({"request_id": pending.id, "amount": 1})
        with self.assertRaises(ValidationError) as caught:  # (assertRaises rolls the create back)
            Payment.with_user(self.manager).create({"request_id": pending.id, "amount": 1})
        self.assertIn("is not approved by the committee", str(caught.exception))
        draft = Payment.with_user(self.accountant).create({"request_id": self.rent_request.id, "amount": 10})
        with self.assertRaises(AccessError):
            draft.write({"request_id": pending.id})
        self.assertEqual(draft.request_id, self.rent_request)
        self.assertFalse(Payment.search([("request_id", "=", pending.id)]))

    def test_bookkeepers_read_the_contacts_of_aid_payees_only(self):
        """Odoo's own accounting users post and read the bills of aid: they read the contact
        the aid is paid to, and no contact of a beneficiary whose request is not approved."""
        bookkeeper = new_test_user(
            self.env,
            login="h8_bookkeeper",
            groups="account.group_account_user",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        payment = self._payment(self.rent_request, 1000)
        self._allocate(self._donation(1000), payment, 1000)
        payment.action_post()
        bill = Form(payment.move_id.with_user(bookkeeper))
        self.assertEqual(bill.partner_id, self.beneficiary.partner_id)
        self.assertEqual(payment.move_id.with_user(bookkeeper).partner_id.email, self.beneficiary.email)

        waiting = self.env["beneficiary.beneficiary"].create(
            {
                "name": "Applicant still waiting (test)",
                "identity_number": saudi_id.complete("108899001"),
                "identity_expiry": fields.Date.add(self.today, days=400),
            }
        )
        self._advance(self._request(beneficiary_id=waiting.id), "committee")
        contacts = self.beneficiary.partner_id | waiting.partner_id
        Partner = self.env["res.partner"]
        self.assertEqual(Partner.with_user(bookkeeper).search([("id", "in", contacts.ids)]), self.beneficiary.partner_id)
        self.assertEqual(Partner.with_user(self.accountant).search([("id", "in", contacts.ids)]), self.beneficiary.partner_id)
        self.assertEqual(Partner.with_user(self.officer).search([("id", "in", contacts.ids)]), contacts)

    def test_a_beneficiary_who_follows_an_approved_request_is_listed_in_their_association_only(self):
        self.rent_request.message_subscribe(partner_ids=self.beneficiary.partner_id.ids)
        follower = self.env["mail.followers"].search(
            [("res_model", "=", "beneficiary.request"), ("res_id", "=", self.rent_request.id),
             ("partner_id", "=", self.beneficiary.partner_id.id)]
        )
        self.assertTrue(follower)

        def bookkeeper(login, company):
            return new_test_user(
                self.env, login=login, groups="account.group_account_invoice",
                company_id=company.id, company_ids=[company.id],
            )

        def listed(user):
            Follower = self.env["mail.followers"].with_user(user).with_context(allowed_company_ids=user.company_ids.ids)
            return Follower.search([("id", "=", follower.id)])

        for user in (self.accountant, bookkeeper("h9_bookkeeper", self.company)):
            with self.subTest(user=user.login):
                self.assertEqual(listed(user), follower)
        for user in (self.other_accountant, bookkeeper("h9_bookkeeper_elsewhere", self.other_company)):
            with self.subTest(user=user.login):
                self.assertFalse(listed(user))

    def test_an_officer_cannot_create_money(self):
        with self.assertRaises(AccessError):
            self.env["beneficiary.donation"].with_user(self.officer).create({"donor_id": self.donor.id, "amount": 10})

    def test_associations_do_not_see_each_others_donations(self):
        ours = self._donation(1000)
        as_them = self.env["beneficiary.donation"].with_user(self.other_accountant).with_context(
            allowed_company_ids=self.other_company.ids
        )
        theirs = as_them.create({"donor_id": self.other_donor.id, "amount": 50})
        self.assertEqual(theirs.company_id, self.other_company)
        self.assertEqual(self.env["beneficiary.donation"].with_user(self.accountant).search([]), ours)
        self.assertEqual(as_them.search([]), theirs)
        with self.assertRaises(AccessError):
            ours.with_env(as_them.env).read(["amount"])

    def test_a_donation_cannot_fund_another_associations_aid(self):
        self.other_company._beneficiary_default_accounting()
        theirs = self.env["beneficiary.donation"].create(
            {"donor_id": self.other_donor.id, "amount": 500, "company_id": self.other_company.id}
        )
        theirs.action_confirm()
        payment = self._payment(self.rent_request, 500)
        with self.assertRaises(UserError):
            self._allocate(theirs, payment, 500)
        self.assertEqual(theirs.remaining_amount, 500)

    def test_a_restriction_belongs_to_one_association(self):
        their_program = self.env["beneficiary.program"].create(
            {"name": "Their program (test)", "company_id": self.other_company.id}
        )
        foreign = self.env["beneficiary.fund.restriction"].create(
            {"name": "Their fund (test)", "company_id": self.other_company.id, "program_id": their_program.id}
        )
        with self.assertRaises(ValidationError) as refusal:
            self._donation(100, foreign, confirm=False)
        self.assertIn("another association", str(refusal.exception))
