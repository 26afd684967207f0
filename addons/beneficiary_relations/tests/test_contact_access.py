from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from ..policy import saudi_id
from .common_request import RequestCase


@tagged("post_install", "-at_install")
class TestBeneficiaryContactAccess(RequestCase):
    """A beneficiary's contact (name, mobile, email, city) is read by the roles that
    may read the beneficiary and by no other user, while every other contact stays
    as Odoo has it. Each test compares what a user finds with what exists."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_committee = cls._committee(cls.company, [cls.outsider], quorum=1)
        cls.staff = new_test_user(
            cls.env,
            login="h2_staff",
            groups="base.group_user",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.landlord = cls.env["res.partner"].create(
            {"name": "Landlord of a family (test)", "company_id": cls.company.id}
        )
        Beneficiary = cls.env["beneficiary.beneficiary"]
        cls.second = Beneficiary.create(
            {
                "name": "Second Applicant (test)",
                "identity_number": saudi_id.complete("105566778"),
                "identity_expiry": cls.today + timedelta(days=400),
                "mobile": "0551234567",
                "company_id": cls.company.id,
            }
        )
        cls.archived = Beneficiary.create(
            {
                "name": "Former Beneficiary (test)",
                "identity_number": saudi_id.complete("106677889"),
                "company_id": cls.company.id,
            }
        )
        cls.archived.active = False
        cls.contacts = cls.beneficiary.partner_id | cls.second.partner_id | cls.archived.partner_id

    def _seen(self, user):
        """The contacts among the three beneficiaries' and the landlord's that ``user`` finds."""
        return self.env["res.partner"].with_user(user).search([("id", "in", (self.contacts | self.landlord).ids)])

    def test_an_employee_without_a_role_sees_no_beneficiary_contact(self):
        self.assertEqual(self._seen(self.staff), self.landlord)
        Partner = self.env["res.partner"].with_user(self.staff)
        self.assertFalse(Partner.name_search("Huda Test"), "a contact search must not find a beneficiary")
        self.assertFalse(Partner.name_search("Former Beneficiary"), "archived beneficiaries stay hidden too")
        # typing "@" and a name in any chatter suggests contacts to mention
        mentions = Partner.get_mention_suggestions("Huda Test")
        self.assertNotIn(self.beneficiary.partner_id.id, [p["id"] for p in mentions.get("res.partner", [])])
        mentions = self.env["res.partner"].with_user(self.officer).get_mention_suggestions("Huda Test")
        self.assertIn(self.beneficiary.partner_id.id, [p["id"] for p in mentions.get("res.partner", [])])
        with self.assertRaises(AccessError):
            self.second.partner_id.with_user(self.staff).read(["mobile"])
        with self.assertRaises(AccessError):
            self.second.partner_id.with_user(self.staff).write({"mobile": "0500000000"})
        self.assertEqual(self.second.partner_id.mobile, "0551234567")

    def test_each_role_sees_the_contacts_of_the_beneficiaries_it_sees(self):
        """Huda's request is approved by the committee; the second applicant's request is
        with another researcher; the archived beneficiary has none."""
        request = self._advance(self._request(), "committee")
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "approve")
        request.with_user(self.chair).action_close_vote()
        theirs = self._advance(self._request(beneficiary_id=self.second.id), "declared")
        theirs.researcher_id = self.other_researcher
        theirs.action_send_to_research()

        huda, second = self.beneficiary.partner_id, self.second.partner_id
        expected = {
            self.officer: self.contacts,
            self.manager: self.contacts,
            self.researcher: huda,
            self.other_researcher: second,
            self.chair: huda,
            self.outsider: self.env["res.partner"],
            self.accountant: huda,
        }
        Beneficiary = self.env["beneficiary.beneficiary"].with_context(active_test=False)
        for user, contacts in expected.items():
            with self.subTest(user=user.login):
                self.assertEqual(self._seen(user), contacts | self.landlord)
                # the same people as the beneficiaries the role reads
                beneficiaries = Beneficiary.with_user(user).search([("id", "in", (self.beneficiary | self.second | self.archived).ids)])
                self.assertEqual(beneficiaries.partner_id, contacts)

    def test_only_officers_and_managers_change_a_beneficiary_contact(self):
        """Users made on Odoo's Users screen may create and change contacts: a researcher
        with that right still changes no contact of a beneficiary, even of their own case."""
        researcher = self._user("h8_researcher_contacts", ["researcher"])
        researcher.groups_id += self.env.ref("base.group_partner_manager")
        officer = self._user("h8_officer_contacts", ["officer"])
        officer.groups_id += self.env.ref("base.group_partner_manager")
        request = self._advance(self._request(), "declared")
        request.researcher_id = researcher
        request.action_send_to_research()
        partner = request.partner_id
        self.assertEqual(partner.with_user(researcher).mobile, partner.mobile, "the researcher reads it")
        with self.assertRaises(AccessError):
            partner.with_user(researcher).write({"mobile": "0500000000"})
        self.landlord.with_user(researcher).write({"mobile": "0501111111"})
        partner.with_user(officer).write({"mobile": "0509999999"})
        self.assertEqual(partner.mobile, "0509999999")

    def test_no_user_links_a_beneficiary_to_another_contact(self):
        """The beneficiary's details are written into their contact as superuser: linked to a
        colleague's contact, an officer would rewrite that colleague's login email."""
        colleague = self.manager.partner_id
        email = colleague.email
        Beneficiary = self.env["beneficiary.beneficiary"].with_user(self.officer)
        with self.assertRaisesRegex(AccessError, "keeps the contact created with them"):
            Beneficiary.create(
                {
                    "name": "Borrowed Contact (test)",
                    "identity_number": saudi_id.complete("107788990"),
                    "company_id": self.company.id,
                    "partner_id": colleague.id,
                    "email": "someone.else@example.com",
                }
            )
        with self.assertRaisesRegex(AccessError, "keeps the contact created with them"):
            self.second.with_user(self.officer).write({"partner_id": colleague.id, "email": "someone.else@example.com"})
        self.assertEqual(colleague.email, email)
        self.assertNotEqual(self.second.partner_id, colleague)
        # the beneficiary's own contact still follows what the officer types
        self.second.with_user(self.officer).write({"partner_id": self.second.partner_id.id, "email": "applicant@example.com"})
        self.assertEqual(self.second.partner_id.email, "applicant@example.com")

    def test_a_beneficiary_who_follows_is_not_listed_to_another_association(self):
        """Followers have no company: the rules take the beneficiary's."""
        request = self._advance(self._request(), "research")
        request.message_subscribe(partner_ids=self.beneficiary.partner_id.ids)
        follower = self.env["mail.followers"].search(
            [("res_model", "=", request._name), ("res_id", "=", request.id), ("partner_id", "=", self.beneficiary.partner_id.id)]
        )
        self.assertTrue(follower)
        Follower = self.env["mail.followers"]
        self.assertEqual(Follower.with_user(self.officer).search([("id", "=", follower.id)]), follower)
        for roles in (["officer"], ["manager"]):
            user = self._user("h9_%s_elsewhere" % roles[0], roles, company=self.other_company)
            with self.subTest(roles=roles):
                self.assertFalse(Follower.with_user(user).search([("id", "=", follower.id)]))

    def test_the_applicant_shows_on_the_request_for_the_roles_that_read_it(self):
        request = self._advance(self._request(), "committee")
        for user in (self.officer, self.researcher, self.chair, self.manager):
            with self.subTest(user=user.login):
                form = Form(request.with_user(user))
                self.assertEqual(form.partner_id, self.beneficiary.partner_id)
                self.assertEqual(
                    request.with_user(user).partner_id.display_name, self.beneficiary.partner_id.name
                )

    def test_a_beneficiary_who_follows_a_request_is_listed_only_to_those_who_see_them(self):
        """Odoo makes whoever answers a request's e-mail a follower of it; followers show
        their contact's name to anyone who lists them."""
        request = self._advance(self._request(), "research")
        request.message_subscribe(partner_ids=(self.beneficiary.partner_id | self.officer.partner_id).ids)
        Follower = self.env["mail.followers"]
        followers = Follower.search([("res_model", "=", request._name), ("res_id", "=", request.id)])
        self.assertIn(self.beneficiary.partner_id, followers.partner_id)
        staff_followers = followers.filtered(lambda follower: follower.partner_id != self.beneficiary.partner_id)
        self.assertTrue(staff_followers, "the request has staff among its followers")

        def listed(user):
            return Follower.with_user(user).search([("id", "in", followers.ids)])

        self.assertEqual(listed(self.staff), staff_followers)
        self.assertEqual(listed(self.other_researcher), staff_followers)
        self.assertEqual(listed(self.researcher), followers)
        self.assertEqual(listed(self.officer), followers)
        applicant = followers - staff_followers
        with self.assertRaises(AccessError):
            applicant.with_user(self.staff).read(["name", "email"])
