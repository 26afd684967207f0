from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo import Command
from odoo.tests import Form, tagged

from ..policy import saudi_id
from .common_request import SIGNATURE, RequestCase


@tagged("post_install", "-at_install")
class TestRequestAccess(RequestCase):
    """Each record rule on requests and votes, proven by a real user of the group.
    Every test compares what the user sees with what exists, so it fails when
    the rule it proves is removed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_committee = cls._committee(cls.company, [cls.outsider], quorum=1)

    def _ids(self, user, requests):
        """The requests among ``requests`` that ``user`` finds by searching."""
        return self.env["beneficiary.request"].with_user(user).search([("id", "in", requests.ids)])

    def test_a_researcher_sees_only_the_requests_referred_to_them(self):
        mine = self._advance(self._request(), "research")
        theirs = self._advance(self._request(), "declared")
        theirs.researcher_id = self.other_researcher
        theirs.action_send_to_research()
        unassigned = self._request()
        self.assertEqual(self._ids(self.researcher, mine | theirs | unassigned), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.researcher).read(["name"])
        # and they may write their report on their own case
        mine.with_user(self.researcher).write({"research_report": "<p>Visited.</p>"})

    def test_a_member_sees_only_requests_that_reached_their_committee(self):
        at_my_committee = self._advance(self._request(), "committee")
        not_yet = self._advance(self._request(), "research")
        not_yet.committee_id = self.committee
        elsewhere = self._advance(self._request(), "committee", committee=self.other_committee)
        self.assertEqual(self._ids(self.member_2, at_my_committee | not_yet | elsewhere), at_my_committee)
        self.assertEqual(self._ids(self.outsider, at_my_committee | not_yet | elsewhere), elsewhere)

    def test_before_the_decision_a_member_reads_only_their_own_vote(self):
        request = self._advance(self._request(), "committee")
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "reject")
        Vote = self.env["beneficiary.committee.vote"]
        all_votes = Vote.search([("request_id", "=", request.id)])
        chair_vote = all_votes.filtered(lambda v: v.member_id == self.chair)
        own = Vote.with_user(self.member_2).search([("request_id", "=", request.id)])
        self.assertEqual(own.member_id, self.member_2)
        with self.assertRaises(AccessError):
            chair_vote.with_user(self.member_2).read(["vote"])
        as_member = request.with_user(self.member_2)
        self.assertFalse(as_member.can_see_tally)
        self.assertEqual(
            (as_member.vote_approve_count, as_member.vote_reject_count, as_member.vote_cast_count),
            (0, 0, 2),
            "a member sees the progress, not the tally",
        )
        as_chair = request.with_user(self.chair)
        self.assertEqual((as_chair.vote_approve_count, as_chair.vote_reject_count), (1, 1))
        # officers and managers do not see the votes before the decision either
        self.assertFalse(Vote.with_user(self.officer).search([("request_id", "=", request.id)]))
        self.assertFalse(Vote.with_user(self.manager).search([("request_id", "=", request.id)]))
        self._vote(request, self.member_3, "approve")
        request.with_user(self.chair).action_close_vote()
        self.assertEqual(Vote.with_user(self.member_2).search([("request_id", "=", request.id)]), request.vote_ids)
        self.assertEqual(as_member.vote_approve_count, 2, "everybody sees the result after the decision")

    def test_decided_votes_are_read_only_by_those_who_read_the_request(self):
        """The votes, with their comments on the applicant's situation, once decided: the case's
        researcher, the committee that voted, officers and managers; not another committee's
        member nor a researcher of other cases."""
        request = self._advance(self._request(), "committee")
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "approve")
        request.with_user(self.chair).action_close_vote()
        Vote = self.env["beneficiary.committee.vote"]
        votes = Vote.search([("request_id", "=", request.id)])
        self.assertEqual(len(votes), 2)
        self.assertEqual(request.researcher_id, self.researcher)
        for user in (self.researcher, self.member_3, self.officer, self.manager):
            self.assertEqual(Vote.with_user(user).search([("request_id", "=", request.id)]), votes, user.login)
        for user in (self.other_researcher, self.outsider):
            self.assertFalse(Vote.with_user(user).search([("request_id", "=", request.id)]), user.login)
            with self.assertRaises(AccessError):
                votes.with_user(user).read(["comment"])

    def test_an_accountant_sees_approved_requests_without_the_research(self):
        approved = self._advance(self._request(), "committee")
        self._vote(approved, self.chair, "approve")
        self._vote(approved, self.member_2, "approve")
        approved.with_user(self.chair).action_close_vote()
        pending = self._advance(self._request(), "committee")
        as_accountant = approved.with_user(self.accountant)
        self.assertEqual(self._ids(self.accountant, approved | pending), approved)
        self.assertEqual(as_accountant.decision, "approved")
        with self.assertRaises(AccessError):
            as_accountant.read(["research_report"])
        with self.assertRaises(AccessError):
            as_accountant.read(["research_recommendation"])
        self.assertTrue(approved.with_user(self.researcher).research_report)
        # what the beneficiary asked for in their words, and their categories (patients,
        # prisoners' families), tell what the health and prison fields tell
        approved.description = "Insulin while the sponsorship is studied"
        approved.beneficiary_id.category_ids = self.env["beneficiary.category"].search([], limit=2)
        self.assertTrue(approved.beneficiary_id.category_ids)
        with self.assertRaises(AccessError):
            as_accountant.read(["description"])
        with self.assertRaises(AccessError):
            as_accountant.beneficiary_id.read(["category_ids"])
        self.assertNotIn("description", as_accountant.fields_get())
        form = as_accountant.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="description"', form)
        self.assertNotIn('for="description"', form)
        for user in (self.officer, self.researcher, self.chair, self.manager):
            with self.subTest(user=user.login):
                self.assertEqual(approved.with_user(user).description, "Insulin while the sponsorship is studied")

    def test_the_vote_filter_is_for_members_and_never_fails_another_role(self):
        """The accountant may not read votes: the Awaiting My Vote filter is not on their search
        panel, and a search on it (a saved favourite, a shared link) finds nothing, without error."""
        request = self._advance(self._request(), "committee")
        Request = self.env["beneficiary.request"]
        mine = Request.with_user(self.chair).search([("awaiting_my_vote", "=", True)])
        self.assertIn(request, mine)
        as_accountant = Request.with_user(self.accountant)
        self.assertFalse(as_accountant.search([("awaiting_my_vote", "=", True)]))
        self.assertEqual(
            as_accountant.search_count([("awaiting_my_vote", "!=", True)]), as_accountant.search_count([])
        )
        # the kanban's columns with the filter on: every step shown, empty
        groups = as_accountant.web_read_group([("awaiting_my_vote", "=", True)], [], ["stage_id"])["groups"]
        self.assertTrue(groups)
        self.assertEqual(sum(group["stage_id_count"] for group in groups), 0)

        def search_arch(user):
            return Request.with_user(user).get_views([(False, "search")])["views"]["search"]["arch"]

        self.assertNotIn('name="awaiting_my_vote"', search_arch(self.accountant))
        self.assertIn('name="awaiting_my_vote"', search_arch(self.chair))

    def test_companies_are_isolated(self):
        beneficiary_b = self.env["beneficiary.beneficiary"].create(
            {
                "name": "Applicant of the other association",
                "identity_number": saudi_id.complete("109988776"),
                "identity_expiry": self.today + timedelta(days=300),
                "company_id": self.other_company.id,
            }
        )
        mine = self._request()
        other = self._request(beneficiary_id=beneficiary_b.id, company_id=self.other_company.id, aid_type_id=False)
        self.assertEqual(self._ids(self.officer, mine | other), mine)
        self.assertEqual(self._ids(self.manager, mine | other), mine)
        with self.assertRaises(AccessError):
            other.with_user(self.officer).read(["name"])

    def test_an_officer_cannot_record_a_vote(self):
        request = self._advance(self._request(), "committee")
        with self.assertRaises(AccessError):
            self.env["beneficiary.committee.vote"].with_user(self.officer).create(
                {"request_id": request.id, "vote": "approve"}
            )

    def test_every_role_opens_the_request_form(self):
        request = self._advance(self._request(), "committee")
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "approve")
        request.with_user(self.chair).action_close_vote()
        for user in (self.officer, self.researcher, self.member_3, self.accountant, self.manager):
            with self.subTest(user=user.login):
                form = Form(request.with_user(user))
                self.assertEqual(form.name, request.name)
                self.assertEqual(form.decision, "approved")

    def test_the_applicant_changes_only_until_they_sign_the_declaration(self):
        """A researcher who could switch their case's applicant would then read anyone's health
        and prison details through it."""
        target = self.env["beneficiary.beneficiary"].create(
            {
                "name": "Other Applicant (test)",
                "identity_number": saudi_id.complete("108899001"),
                "health_condition": "Dialysis three times a week",
                "company_id": self.company.id,
            }
        )
        case = self._advance(self._request(), "research")
        with self.assertRaisesRegex(UserError, "Only a relations officer or a manager"):
            case.with_user(self.researcher).write({"beneficiary_id": target.id})
        with self.assertRaisesRegex(UserError, "signed its declaration"):
            case.with_user(self.officer).write({"beneficiary_id": target.id})
        self.assertEqual(case.beneficiary_id, self.beneficiary)
        with self.assertRaises(AccessError):
            target.with_user(self.researcher).read(["health_condition"])
        # a signature drawn on the request binds it before its step is recorded
        drawn = self._advance(self._request(), "verified")
        drawn.declaration_signature = SIGNATURE
        with self.assertRaisesRegex(UserError, "signed its declaration"):
            drawn.with_user(self.officer).write({"beneficiary_id": target.id})
        form = Form(drawn.with_user(self.officer))
        with self.assertRaises(AssertionError, msg="the form shows the applicant read-only once signed"):
            form.beneficiary_id = target
        # only the officers record who applies: not a researcher, even on a case of theirs
        early = self._request()
        early.researcher_id = self.researcher
        with self.assertRaisesRegex(UserError, "Only a relations officer or a manager"):
            early.with_user(self.researcher).write({"beneficiary_id": target.id})
        self.assertEqual((drawn | early).beneficiary_id, self.beneficiary)
        # before the declaration, the officer corrects a wrong applicant
        received = self._request()
        received.with_user(self.officer).write({"beneficiary_id": target.id})
        self.assertEqual(received.beneficiary_id, target)

    def test_a_request_keeps_its_number(self):
        """The rating link names a request by its number: renamed, a link would rate another."""
        first, second = self._request(), self._request()
        names = (first.name, second.name)
        for user in (self.officer, self.manager):
            with self.subTest(user=user.login), self.assertRaisesRegex(UserError, "keeps the number"):
                first.with_user(user).write({"name": "TMP-%s" % user.login})
        with self.assertRaisesRegex(UserError, "keeps the number"):
            second.with_user(self.officer).write({"name": first.name})
        self.assertEqual((first.name, second.name), names)

    def test_documents_follow_their_request(self):
        """Medical reports and prison papers: a role reads the documents of the requests it
        may read, and no others."""
        mine = self._advance(self._request(), "committee")  # researcher, this committee
        elsewhere = self._advance(self._request(), "research")
        elsewhere.researcher_id = self.other_researcher
        Document = self.env["beneficiary.request.document"]
        documents = Document.search([("request_id", "in", (mine | elsewhere).ids)])
        self.assertEqual(documents.request_id, mine | elsewhere)

        def seen(user):
            return Document.with_user(user).search([("id", "in", documents.ids)]).request_id

        self.assertEqual(seen(self.researcher), mine)
        self.assertEqual(seen(self.other_researcher), elsewhere)
        self.assertEqual(seen(self.chair), mine)
        self.assertFalse(seen(self.outsider), "a member of another committee sees no document")
        self.assertEqual(seen(self.officer), mine | elsewhere)
        self.assertEqual(seen(self.manager), mine | elsewhere)
        theirs = documents.filtered(lambda document: document.request_id == elsewhere)[0]
        with self.assertRaises(AccessError):
            theirs.with_user(self.researcher).read(["attachment"])

    def test_a_member_sees_an_applicant_only_through_a_request_before_their_committee(self):
        """One request must be before the member's committee: an applicant with one request
        before another committee and another still being received stays hidden."""
        applicant = self.env["beneficiary.beneficiary"].create(
            {
                "name": "Applicant of two requests (test)",
                "identity_number": saudi_id.complete("107766554"),
                "identity_expiry": self.today + timedelta(days=300),
                "company_id": self.company.id,
                "family_member_ids": [Command.create({"name": "Son (test)", "relation": "son"})],
            }
        )
        received = self._request(beneficiary_id=applicant.id, committee_id=self.committee.id)
        self._advance(self._request(beneficiary_id=applicant.id), "committee", committee=self.other_committee)
        Beneficiary = self.env["beneficiary.beneficiary"]
        Member = self.env["beneficiary.family.member"]
        self.assertFalse(Beneficiary.with_user(self.chair).search([("id", "=", applicant.id)]))
        self.assertFalse(Member.with_user(self.chair).search([("beneficiary_id", "=", applicant.id)]))
        with self.assertRaises(AccessError):
            applicant.with_user(self.chair).read(["monthly_income"])
        self.assertEqual(Beneficiary.with_user(self.outsider).search([("id", "=", applicant.id)]), applicant)
        # once the first request reaches the chair's committee, they see the applicant
        self._advance(received, "committee")
        self.assertEqual(Beneficiary.with_user(self.chair).search([("id", "=", applicant.id)]), applicant)
        self.assertEqual(
            Member.with_user(self.chair).search([("beneficiary_id", "=", applicant.id)]), applicant.family_member_ids
        )

    def test_an_accountant_opens_the_beneficiary_of_an_approved_request(self):
        """From an approved request to its beneficiary: the form opens, without the household."""
        request = self._advance(self._request(), "committee")
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "approve")
        request.with_user(self.chair).action_close_vote()
        form = Form(self.beneficiary.with_user(self.accountant))
        self.assertEqual(form.name, self.beneficiary.name)
        self.assertNotIn("family_member_ids", form._view["fields"])
        self.assertIn("family_member_ids", Form(self.beneficiary.with_user(self.officer))._view["fields"])

