from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..policy import hijri, saudi_id
from .common_request import SIGNATURE, RequestCase


@tagged("post_install", "-at_install")
class TestRequestWorkflow(RequestCase):
    """Each step is refused with a message naming what is missing, and allowed
    once complete, the same way from its button and from a kanban drag-and-drop
    (a plain ``write`` of ``stage_id``)."""

    def _refused(self, request, kind, *expected, button=None):
        """Try the move both ways; both must fail with every expected phrase and
        leave the request where it was."""
        stage_before = request.stage_id
        attempts = [("drag", lambda: request.with_user(self.officer).write({"stage_id": self.stages[kind].id}))]
        if button:
            attempts.append(("button", lambda: getattr(request.with_user(self.officer), button)()))
        for how, attempt in attempts:
            with self.subTest(how=how, kind=kind):
                with self.assertRaises(UserError) as caught:
                    attempt()
                for phrase in expected:
                    self.assertIn(phrase, str(caught.exception))
                self.assertEqual(request.stage_id, stage_before)

    def test_new_request_is_numbered_per_company_and_received(self):
        first = self._request()
        second = self._request()
        year = first.submitted_date.year
        self.assertRegex(first.name, rf"^REQ/{year}/\d{{5}}$")
        self.assertEqual(int(second.name[-5:]), int(first.name[-5:]) + 1)
        self.assertEqual(first.stage_kind, "received")
        self.assertIn("directly responsible", first.declaration_text)
        other = self.env["beneficiary.request"].with_company(self.other_company).create(
            {
                "beneficiary_id": self.env["beneficiary.beneficiary"]
                .with_company(self.other_company)
                .create({"name": "Other", "identity_number": saudi_id.complete("100000001"), "company_id": self.other_company.id})
                .id,
                "channel_id": self.channel.id,
                "company_id": self.other_company.id,
            }
        )
        self.assertEqual(
            other.name,
            f"REQ-{self.other_company.id}/{year}/00001",
            "each association counts on its own, and numbers stay unique in the database",
        )

    def test_verification_names_the_expired_id_and_each_missing_document(self):
        self.beneficiary.identity_expiry = self.today - timedelta(days=3)
        request = self._request()
        self._attach(request, self.doc_id_copy)
        expiry = self.beneficiary.identity_expiry
        self._refused(
            request,
            "verified",
            f"The national ID expired on {hijri.format_hijri_numeric(expiry)} ({expiry.isoformat()})",
            "Missing document: Medical report (test)",
            button="action_verify",
        )
        self.assertNotIn("Copy of the ID", request.missing_summary)
        self.assertEqual(request.missing_item_ids, self.doc_medical)

    def test_verification_refuses_an_expired_document(self):
        request = self._request()
        self._attach(request, self.doc_id_copy)
        self._attach(request, self.doc_medical, expiry=self.today - timedelta(days=1))
        self._refused(request, "verified", "Expired document: Medical report (test)", button="action_verify")

    def test_verification_passes_when_complete_even_if_the_id_expired_after_submission(self):
        self.beneficiary.identity_expiry = self.today - timedelta(days=2)
        request = self._request(submitted_date=self.today - timedelta(days=10))
        self._attach(request, self.doc_id_copy, self.doc_medical)
        request.with_user(self.officer).action_verify()
        self.assertEqual(request.stage_kind, "verified")
        self.assertFalse(request.missing_item_ids)

    def test_verification_by_drag_and_drop_when_complete(self):
        request = self._request()
        self._attach(request, self.doc_id_copy, self.doc_medical)
        request.with_user(self.officer).write({"stage_id": self.stages["verified"].id})
        self.assertEqual(request.stage_kind, "verified")

    def test_declaration_needs_the_signature(self):
        request = self._advance(self._request(), "verified")
        self._refused(request, "declared", "has not signed the declaration", button="action_sign_declaration")
        request.declaration_signature = SIGNATURE
        request.with_user(self.officer).action_sign_declaration()
        self.assertEqual(request.stage_kind, "declared")
        self.assertEqual(request.declaration_date, self.today)
        self.assertEqual(request.declaration_officer_id, self.officer)

    def test_declaration_and_stage_saved_together_from_the_status_bar(self):
        # the form sends the dirty signature and the clicked stage in one write
        request = self._advance(self._request(), "verified")
        request.with_user(self.officer).write(
            {"declaration_signature": SIGNATURE, "stage_id": self.stages["declared"].id}
        )
        self.assertEqual(request.stage_kind, "declared")

    def test_research_needs_a_researcher_who_then_gets_an_activity(self):
        request = self._advance(self._request(), "declared")
        self._refused(request, "research", "Assign a social researcher", button="action_send_to_research")
        request.researcher_id = self.researcher
        request.with_user(self.officer).action_send_to_research()
        self.assertEqual(request.stage_kind, "research")
        activity = request.activity_ids
        self.assertEqual(activity.user_id, self.researcher)
        self.assertEqual(activity.activity_type_id, self.env.ref("beneficiary_relations.mail_activity_request_research"))

    def test_committee_needs_report_recommendation_and_committee(self):
        request = self._advance(self._request(), "research")
        self._refused(
            request,
            "committee",
            "The research report is missing.",
            "The researcher's recommendation is missing.",
            "Choose the research committee.",
            button="action_submit_to_committee",
        )
        request.write(
            {
                "research_report": "<p>Seen at home.</p>",
                "research_recommendation": "approve",
                "committee_id": self.committee.id,
            }
        )
        request.with_user(self.researcher).action_submit_to_committee()
        self.assertEqual(request.stage_kind, "committee")
        self.assertEqual(request.committee_submitted_date, self.today)
        vote_activities = request.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("beneficiary_relations.mail_activity_request_vote")
        )
        self.assertEqual(vote_activities.user_id, self.committee.member_ids)
        self.assertFalse(
            request.activity_ids.filtered(lambda a: a.user_id == self.researcher),
            "the research activity is done once the report is submitted",
        )

    def test_a_step_cannot_be_skipped(self):
        request = self._request()
        self._attach(request, self.doc_id_copy, self.doc_medical)
        self._refused(request, "research", "steps are taken in order")
        with self.assertRaises(UserError):
            self._request(stage_id=self.stages["committee"].id)

    def test_nobody_drags_a_request_into_approved_without_an_approving_decision(self):
        request = self._advance(self._request(), "committee")
        for user in (self.officer, self.manager):
            with self.subTest(user=user.login), self.assertRaises(UserError) as caught:
                request.with_user(user).write({"stage_id": self.stages["approved"].id})
            self.assertIn("The committee has not decided yet", str(caught.exception))
        with self.assertRaises(UserError) as caught:
            request.with_user(self.manager).write({"decision": "approved"})
        self.assertIn("only by the chair closing the committee vote", str(caught.exception))
        self.assertFalse(request.decision)
        # a rejection does not open the approved stage either
        self._vote(request, self.chair, "reject")
        self._vote(request, self.member_2, "reject")
        request.with_user(self.chair).action_close_vote()
        self.assertEqual(request.stage_kind, "rejected")
        with self.assertRaises(UserError) as caught:
            request.with_user(self.manager).write({"stage_id": self.stages["approved"].id})
        self.assertIn("steps are taken in order", str(caught.exception))

    def test_only_a_manager_moves_back_and_only_before_the_committee(self):
        request = self._advance(self._request(), "research")
        self._refused(request, "verified", "Only a manager can move a request back")
        request.with_user(self.manager).write({"stage_id": self.stages["verified"].id})
        self.assertEqual(request.stage_kind, "verified")
        committee_request = self._advance(self._request(), "committee")
        with self.assertRaises(UserError):
            committee_request.with_user(self.manager).write({"stage_id": self.stages["research"].id})
        self.assertEqual(committee_request.stage_kind, "committee")

    def test_delivery_and_closing(self):
        request = self._advance(self._request(), "committee")
        self._vote(request, self.chair, "approve")
        self._vote(request, self.member_2, "approve")
        request.with_user(self.chair).action_close_vote()
        self.assertEqual(request.stage_kind, "approved")
        delivery = request.activity_ids.filtered(lambda a: a.user_id == self.officer)
        self.assertTrue(delivery, "the officer is asked to deliver the approved aid")
        self._refused(request, "delivered", "Describe what was delivered", button="action_deliver")
        self._refused(request, "closed", "steps are taken in order", button="action_close")
        request.delivered_description = "Six months of rent paid to the landlord"
        request.with_user(self.officer).action_deliver()
        self.assertEqual(request.stage_kind, "delivered")
        self.assertEqual(request.delivery_date, self.today)
        request.with_user(self.officer).write({"stage_id": self.stages["closed"].id})
        self.assertEqual(request.stage_kind, "closed")

    def test_a_rejected_request_closes_without_delivery(self):
        request = self._advance(self._request(), "committee")
        self._vote(request, self.chair, "reject")
        self._vote(request, self.member_2, "abstain")
        request.with_user(self.chair).action_close_vote()
        self.assertEqual(request.stage_kind, "rejected")
        request.with_user(self.officer).action_close()
        self.assertEqual(request.stage_kind, "closed")
